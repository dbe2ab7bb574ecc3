/** How long a `typing` event shows. */
export const TYPING_SHOW_MS = 5_000;

type Positions = Map<string, Map<string, number>>;

/** What the others do in each conversation: read and delivered positions, typing. */
export class Receipts {
  /** conversation → user → the seq that user has read (others only). */
  readonly reads: Positions = new Map();
  /** conversation → user → the seq that user has received. */
  readonly delivered: Positions = new Map();
  /** conversation → user → when their typing notice ends. */
  readonly #typing: Positions = new Map();
  readonly #changed: () => void;

  constructor(changed: () => void) {
    this.#changed = changed;
  }

  read(conversationId: string, userId: string, seq: number): void {
    advance(this.reads, conversationId, userId, seq);
    this.#changed();
  }

  received(conversationId: string, userId: string, seq: number): void {
    advance(this.delivered, conversationId, userId, seq);
    this.#changed();
  }

  typing(conversationId: string, userId: string): void {
    const map = this.#typing.get(conversationId) ?? new Map<string, number>();
    map.set(userId, Date.now() + TYPING_SHOW_MS);
    this.#typing.set(conversationId, map);
    this.#changed();
    setTimeout(this.#changed, TYPING_SHOW_MS + 50);
  }

  /** A message from the user ends their typing notice. */
  stopTyping(conversationId: string, userId: string): void {
    this.#typing.get(conversationId)?.delete(userId);
  }

  /** Who is typing in a conversation now (user ids). */
  typingIn(conversationId: string): string[] {
    const now = Date.now();
    return [...(this.#typing.get(conversationId) ?? new Map<string, number>())]
      .filter(([, until]) => until > now)
      .map(([user]) => user);
  }

  /** How many others have read `seq`, and whether anyone has received it. */
  of(conversationId: string, seq: number): { readers: number; received: boolean } {
    const reads = [...(this.reads.get(conversationId)?.values() ?? [])];
    const got = [...(this.delivered.get(conversationId)?.values() ?? [])];
    return { readers: reads.filter((s) => s >= seq).length, received: got.some((s) => s >= seq) };
  }
}

function advance(map: Positions, conversationId: string, userId: string, seq: number): void {
  const inner = map.get(conversationId) ?? new Map<string, number>();
  inner.set(userId, Math.max(seq, inner.get(userId) ?? 0));
  map.set(conversationId, inner);
}
