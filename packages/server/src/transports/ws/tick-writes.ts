import type { Writable } from 'node:stream';

/** Past this many corked bytes a socket is written out at once: a burst is not held whole. */
const MAX_CORKED_BYTES = 64 * 1024;

/**
 * Coalesces writes per socket within one tick of the event loop. A socket's first frame of the
 * tick is written at once (no added latency when traffic is light); from its second frame on
 * the socket is corked, and uncorked once the tick's work is done (`process.nextTick`, which
 * runs after the promise continuations of the current callback). A group commit resolves a
 * whole batch of sends in one tick, so under load a connection that gets many frames from it
 * (acks, messages from several senders, a busy group) gets them in two writev system calls
 * instead of one each.
 *
 * Corked bytes sit in the socket's buffer, where the send-queue bound counts them, so a
 * connection first `release`s its socket before judging that its reader fell behind.
 */
export class TickWrites {
  #written = new Set<Writable>();
  #corked = new Set<Writable>();
  #scheduled = false;

  write(socket: Writable, bytes: Buffer): void {
    if (!this.#written.has(socket)) {
      this.#written.add(socket);
      this.#schedule();
      socket.write(bytes);
      return;
    }
    if (socket.writableLength + bytes.length > MAX_CORKED_BYTES) this.release(socket);
    if (!this.#corked.has(socket)) {
      socket.cork();
      this.#corked.add(socket);
    }
    socket.write(bytes);
  }

  /** Hands what the socket holds corked to the kernel now. */
  release(socket: Writable): void {
    if (this.#corked.delete(socket)) socket.uncork();
  }

  #schedule(): void {
    if (this.#scheduled) return;
    this.#scheduled = true;
    process.nextTick(this.#flush);
  }

  readonly #flush = (): void => {
    this.#scheduled = false;
    const corked = this.#corked;
    this.#corked = new Set();
    this.#written.clear();
    for (const socket of corked) socket.uncork();
  };
}
