type Task = () => Promise<void>;

/**
 * The requests of one connection: up to `maxRunning` run at once; the next ones wait in
 * arrival order, up to `maxWaiting` (the burst size, so a client within the rate limit is
 * never refused for being ahead of the server), and start as running ones finish.
 */
export class RequestQueue {
  readonly #maxRunning: number;
  readonly #maxWaiting: number;
  #running = 0;
  #waiting: (Task | undefined)[] = [];
  #head = 0;

  constructor(maxRunning: number, maxWaiting: number) {
    this.#maxRunning = maxRunning;
    this.#maxWaiting = maxWaiting;
  }

  get running(): number {
    return this.#running;
  }

  get waiting(): number {
    return this.#waiting.length - this.#head;
  }

  /** Runs the task now or queues it; false (and nothing queued) when the queue is full. */
  submit(task: Task): boolean {
    if (this.#running < this.#maxRunning) {
      this.#start(task);
      return true;
    }
    if (this.waiting >= this.#maxWaiting) return false;
    this.#waiting.push(task);
    return true;
  }

  #start(task: Task): void {
    this.#running++;
    const done = () => {
      this.#running--;
      const next = this.#take();
      if (next !== undefined) this.#start(next);
    };
    task().then(done, done);
  }

  #take(): Task | undefined {
    if (this.#head >= this.#waiting.length) return undefined;
    const task = this.#waiting[this.#head];
    this.#waiting[this.#head++] = undefined; // let it be collected
    if (this.#head === this.#waiting.length) {
      this.#waiting = [];
      this.#head = 0;
    } else if (this.#head >= 1024 && this.#head * 2 >= this.#waiting.length) {
      this.#waiting = this.#waiting.slice(this.#head);
      this.#head = 0;
    }
    return task;
  }
}
