import { status, type ServerWritableStream } from '@grpc/grpc-js';
import type { SubscribeRequest } from '@parley/proto';
import type { AuthContext } from '../../app/accounts/auth-context.js';
import type { ErrorReason } from '../../domain/errors.js';
import { CLOSE } from '../../protocol/ws-frames.js';
import type { HubConnection } from '../ws/hub.js';
import type { TextFrame } from '../ws/text-frame.js';
import { grpcError, type GrpcError } from './grpc-errors.js';
import type { EncodedEvent, EventCodec } from './event-codec.js';

/** A Subscribe stream's writes: encoded events (bytes), see subscribe-grpc.ts. */
export type EventStream = ServerWritableStream<SubscribeRequest, Buffer>;

/** How a WebSocket close code of the hub (a session ended, a resync) ends a stream. */
const ENDINGS: Record<number, { code: status; reason: ErrorReason }> = {
  [CLOSE.sessionEnded]: { code: status.UNAUTHENTICATED, reason: 'SESSION_ENDED' },
  [CLOSE.slowConsumer]: { code: status.RESOURCE_EXHAUSTED, reason: 'SLOW_CONSUMER' },
  [CLOSE.goingAway]: { code: status.UNAVAILABLE, reason: 'SHUTTING_DOWN' },
};

/**
 * One MessageService.Subscribe stream as a connection of the hub. Events queue in order
 * (each is decoded once per fan-out by the codec) up to a bound, counting what the stream has
 * not yet handed to the client; past it the stream is cut off, never buffered without end.
 * While the stream catches up from the store, live events are held (within the same bound)
 * and follow, without the messages the catch-up already sent.
 */
export class GrpcSubscriber implements HubConnection {
  readonly id: string;
  readonly auth: AuthContext;
  readonly topics = new Set<string>();
  readonly #call: EventStream;
  readonly #codec: EventCodec;
  readonly #maxQueued: number;
  readonly #onSlow: () => void;
  readonly #onEnd: () => void;
  readonly #traceId: string;
  /** Events decoded or waiting to be, not yet written. */
  #queued = 0;
  #chain: Promise<void> = Promise.resolve();
  #held: TextFrame[] | undefined = [];
  /** Per conversation, the newest seq sent by the catch-up: live copies of it are dropped. */
  readonly #caughtUp = new Map<string, number>();
  #open = true;

  constructor(init: {
    id: string;
    auth: AuthContext;
    call: EventStream;
    codec: EventCodec;
    maxQueued: number;
    traceId: string;
    onSlow: () => void;
    /** Told once when the stream ends, however (it leaves the hub and presence then). */
    onEnd: () => void;
  }) {
    this.id = init.id;
    this.auth = init.auth;
    this.#call = init.call;
    this.#codec = init.codec;
    this.#maxQueued = init.maxQueued;
    this.#traceId = init.traceId;
    this.#onSlow = init.onSlow;
    this.#onEnd = init.onEnd;
  }

  get isOpen(): boolean {
    return this.#open && !this.#call.cancelled;
  }

  /** A live event from the hub: queued in order, or held while catching up. */
  send(frame: TextFrame): boolean {
    if (!this.isOpen) return false;
    if (this.#pending() >= this.#maxQueued) {
      this.#onSlow();
      this.close(CLOSE.slowConsumer, 'slow consumer: the stream queue is full');
      return false;
    }
    if (this.#held !== undefined) {
      this.#held.push(frame);
      return true;
    }
    this.#enqueue(() => this.#codec.ofFrame(frame));
    return true;
  }

  /** Writes one event at once (ready, and the catch-up), waiting while the client is behind. */
  async write(event: EncodedEvent): Promise<void> {
    if (!this.isOpen) return;
    if (event.newSeq > 0) this.#caughtUp.set(event.conversationId, event.newSeq);
    if (!this.#call.write(event.bytes)) await this.#drained();
  }

  /** Ends the catch-up: the held live events follow, but not what it sent already. */
  release(): void {
    const held = this.#held ?? [];
    this.#held = undefined;
    for (const frame of held) this.#enqueue(() => this.#codec.ofFrame(frame));
  }

  close(code: number, reason: string): void {
    const ending = ENDINGS[code] ?? { code: status.UNAVAILABLE, reason: 'UNAVAILABLE' as const };
    this.end(
      grpcError({ code: ending.code, reason: ending.reason, message: reason }, this.#traceId),
    );
  }

  /** Ends the stream with this error as its status (once). */
  end(error: GrpcError): void {
    if (!this.#open) return;
    this.#open = false;
    if (!this.#call.cancelled) this.#call.emit('error', error);
    // At once: a reader that stopped may never take what is buffered for it.
    this.#onEnd();
  }

  /** The stream ended on its own (cancelled, deadline passed, finished): nothing more is written. */
  markGone(): void {
    this.#open = false;
    this.#onEnd();
  }

  #enqueue(decode: () => Promise<EncodedEvent | undefined>): void {
    this.#queued++;
    const decoding = decode();
    this.#chain = this.#chain.then(async () => {
      const event = await decoding.catch(() => undefined);
      this.#queued--;
      if (event === undefined || !this.isOpen) return;
      const sent = this.#caughtUp.get(event.conversationId);
      if (event.newSeq > 0 && sent !== undefined && event.newSeq <= sent) return;
      this.#call.write(event.bytes);
    });
  }

  /** Events not yet taken by the client: queued here, and buffered in the stream. */
  #pending(): number {
    return this.#queued + (this.#held?.length ?? 0) + this.#call.writableLength;
  }

  #drained(): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        this.#call.off('drain', done);
        this.#call.off('cancelled', done);
        this.#call.off('finish', done);
        resolve();
      };
      this.#call.once('drain', done);
      this.#call.once('cancelled', done);
      this.#call.once('finish', done);
    });
  }
}
