import type { AiSessionQueue, SessionStream } from './ai-session-queue.js';
import type { H2Call, H2CallEvents } from './h2-call.js';

/**
 * A stream that lived this long before it broke starts its backoff afresh; one that breaks
 * sooner (an AI service that answers garbage, or crashes on every stream) keeps backing off.
 */
const STABLE_MS = 5_000;

/**
 * Bytes a stream's write buffer holds, beyond what it has sent, before it counts as full (its
 * devices paused until it is half empty). Not a turn's burst (every message of a turn leaves
 * at its end, in one write), nor what waits on the peer's HTTP/2 window for a few ms (64 KiB by
 * default, which a grpc-js or plain node:http2 peer keeps): a peer that stopped reading.
 */
export const STREAM_BUFFER_BYTES = 256 * 1024;

/** What a pooled stream needs of its pool (GrpcAiLink). */
export interface StreamOwner {
  readonly stopped: boolean;
  readonly options: { readonly reconnectBaseMs?: number; readonly reconnectMaxMs: number };
  openCall(events: H2CallEvents): H2Call;
  waitForReady(cb: (err: Error | undefined) => void): void;
  deliver(message: Buffer): void;
  streamUp(stream: PooledStream, wasReconnect: boolean): void;
  streamDown(stream: PooledStream, reason: string): void;
  congested(): void;
  drained(stream: PooledStream): void;
}

/** One long-lived ChatStream of the pool, and the sessions pinned to it. */
export class PooledStream implements SessionStream {
  readonly index: number;
  readonly sessions = new Set<AiSessionQueue>();
  live = false;
  connecting = false;
  congested = false;
  readonly #link: StreamOwner;
  #call: H2Call | undefined;
  #attempt = 0;
  #everUp = false;
  #openedAt = 0;
  #timer: NodeJS.Timeout | undefined;

  constructor(index: number, link: StreamOwner) {
    this.index = index;
    this.#link = link;
  }

  connect(): void {
    if (this.#link.stopped || this.connecting || this.live) return;
    this.connecting = true;
    this.#link.waitForReady((err) => {
      this.connecting = false;
      if (this.#link.stopped) return;
      if (err !== undefined) return this.#retry();
      this.#open();
    });
  }

  tryWrite(framed: Buffer): boolean {
    const call = this.#call;
    if (!this.live || this.congested || call === undefined) return false;
    call.write(framed);
    return true;
  }

  close(): void {
    clearTimeout(this.#timer);
    const call = this.#call;
    this.#call = undefined;
    this.live = false;
    call?.cancel();
  }

  #open(): void {
    const wasReconnect = this.#everUp;
    let call: H2Call | undefined;
    const broken = (reason: string) => {
      if (call === undefined || this.#call !== call) return;
      this.#call = undefined;
      this.live = false;
      this.congested = false;
      if (Date.now() - this.#openedAt >= STABLE_MS) this.#attempt = 0;
      this.#link.streamDown(this, reason);
      this.#retry();
    };
    try {
      call = this.#link.openCall({
        message: (bytes) => this.#link.deliver(bytes),
        broken,
        congestion: (full) => {
          if (this.#call !== call) return;
          this.congested = full;
          if (full) {
            this.#link.congested();
            for (const session of this.sessions) session.updatePause();
          } else this.#link.drained(this);
        },
      });
    } catch {
      // The connection went between ready and now: try again after the backoff.
      return this.#retry();
    }
    this.#call = call;
    this.live = true;
    this.congested = false;
    this.#everUp = true;
    this.#openedAt = Date.now();
    this.#link.streamUp(this, wasReconnect);
  }

  /** Exponential backoff with jitter: between half and all of min(max, base · 2^attempt). */
  #retry(): void {
    if (this.#link.stopped) return;
    const { reconnectBaseMs = 100, reconnectMaxMs } = this.#link.options;
    const ceiling = Math.min(reconnectMaxMs, reconnectBaseMs * 2 ** Math.min(this.#attempt, 20));
    this.#attempt++;
    const wait = ceiling / 2 + Math.random() * (ceiling / 2);
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => this.connect(), wait).unref();
  }
}
