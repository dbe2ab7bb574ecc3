export interface Notice {
  id: number;
  text: string;
}

/** Short messages for the person (a friend request came, an action failed), gone after a while. */
export class Notices {
  list: Notice[] = [];
  #next = 0;
  readonly #changed: () => void;

  constructor(changed: () => void) {
    this.#changed = changed;
  }

  notify(text: string): void {
    const notice = { id: ++this.#next, text };
    this.list = [...this.list.slice(-3), notice];
    this.#changed();
    setTimeout(() => this.dismiss(notice.id), 6_000);
  }

  dismiss(id: number): void {
    this.list = this.list.filter((n) => n.id !== id);
    this.#changed();
  }
}
