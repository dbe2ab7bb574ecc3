import type { ClientDuplexStream } from '@grpc/grpc-js';
import type { ChatRequest, ChatResponse } from '@parley/proto';
import type { AiSessionQueue, SessionStream } from './ai-session-queue.js';

/**
 * A stream that lived this long before it broke starts its backoff afresh; one that breaks
 * sooner (an AI service that answers garbage, or crashes on every stream) keeps backing off.
 */
const STABLE_MS = 5_000;

/**
 * Messages a stream's write buffer holds before it counts as full (its devices paused until it
 * drains): room for a burst (grpc-js says "full" past 16, which a few hundred devices pass in
 * one tick), small enough that what waits here is a few ms of audio, not a backlog.
 */
const STREAM_BUFFER_MESSAGES = 64;

/** What a pooled stream needs of its pool (GrpcAiLink). */
export interface StreamOwner {
  readonly stopped: boolean;
  readonly options: { readonly reconnectBaseMs?: number; readonly reconnectMaxMs: number };
  openCall(): ClientDuplexStream<ChatRequest, ChatResponse>;
  waitForReady(cb: (err: Error | undefined) => void): void;
  deliver(response: ChatResponse): void;
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
  #call: ClientDuplexStream<ChatRequest, ChatResponse> | undefined;
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

  tryWrite(request: ChatRequest): boolean {
    const call = this.#call;
    if (!this.live || this.congested || call === undefined) return false;
    call.write(request);
    // grpc-js says "full" past 16 messages, which a burst of devices passes at once (each
    // write is acknowledged a tick or two later); the stream is full at this bound instead.
    if (call.writableLength >= STREAM_BUFFER_MESSAGES) {
      this.congested = true;
      this.#link.congested();
      for (const session of this.sessions) session.updatePause();
    }
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
    const call = this.#link.openCall();
    this.#call = call;
    this.live = true;
    this.congested = false;
    const wasReconnect = this.#everUp;
    this.#everUp = true;
    this.#openedAt = Date.now();
    call.on('data', (response: ChatResponse) => this.#link.deliver(response));
    call.on('drain', () => {
      if (this.#call !== call) return;
      this.congested = false;
      this.#link.drained(this);
    });
    const broken = (reason: string) => {
      if (this.#call !== call) return;
      this.#call = undefined;
      this.live = false;
      this.congested = false;
      call.cancel();
      if (Date.now() - this.#openedAt >= STABLE_MS) this.#attempt = 0;
      this.#link.streamDown(this, reason);
      this.#retry();
    };
    call.on('error', (err: Error) => broken(err.message));
    call.on('end', () => broken('the AI service ended the stream'));
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
