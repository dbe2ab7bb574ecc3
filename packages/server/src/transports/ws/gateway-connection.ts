import type { Writable } from 'node:stream';
import { WebSocket } from 'ws';
import type { AuthContext } from '../../app/accounts/auth-context.js';
import { CLOSE } from '../../protocol/ws-frames.js';
import { RequestQueue } from './request-queue.js';
import { rawSocketOf, TextFrame } from './text-frame.js';
import type { TickWrites } from './tick-writes.js';

export interface ConnectionLimits {
  /** Bytes that may wait to be written to the socket; past them the next frame closes it (4008). */
  readonly sendQueueBytes: number;
  readonly ratePerSecond: number;
  /** Requests in a burst; also how many may wait beyond those in progress. */
  readonly rateBurst: number;
  /** Requests in progress at once. */
  readonly maxInflight: number;
  /** Bytes of request frames that may wait beyond those in progress. */
  readonly maxWaitingBytes: number;
}

const TERMINATE_AFTER_MS = 1_000;

export interface GatewayConnectionInit {
  readonly id: string;
  readonly ws: WebSocket;
  readonly auth: AuthContext;
  readonly limits: ConnectionLimits;
  readonly now: number;
  readonly onSlow: (conn: GatewayConnection) => void;
  /** The gateway's per-tick write coalescing, shared by its connections. */
  readonly writes: TickWrites;
}

/**
 * One client's WebSocket: a bounded send queue, a token bucket for requests, and the
 * bookkeeping the heartbeat needs. Sending never buffers past the bound: a consumer that
 * stops reading is cut off, not accumulated.
 */
export class GatewayConnection {
  readonly id: string;
  readonly auth: AuthContext;
  /** Topics this connection is registered under in the hub. */
  readonly topics = new Set<string>();
  lastActivity: number;
  lastPing: number;
  /** Requests in progress and waiting their turn. */
  readonly requests: RequestQueue;
  #open = true;
  /** Frames waiting for `ready` (see start); undefined once it is sent. */
  #held: TextFrame[] | undefined = [];
  #heldBytes = 0;
  #tokens: number;
  #tokensAt: number;
  readonly #ws: WebSocket;
  /** Where prepared frames are written directly; undefined: through ws.send. */
  readonly #socket: Writable | undefined;
  readonly #writes: TickWrites;
  readonly #limits: ConnectionLimits;
  readonly #onSlow: (conn: GatewayConnection) => void;

  constructor(init: GatewayConnectionInit) {
    this.id = init.id;
    this.#ws = init.ws;
    this.#socket = rawSocketOf(init.ws);
    this.#writes = init.writes;
    this.auth = init.auth;
    this.#limits = init.limits;
    this.lastActivity = init.now;
    this.lastPing = init.now;
    this.requests = new RequestQueue(
      init.limits.maxInflight,
      init.limits.rateBurst,
      init.limits.maxWaitingBytes,
    );
    this.#tokens = init.limits.rateBurst;
    this.#tokensAt = init.now;
    this.#onSlow = init.onSlow;
  }

  get isOpen(): boolean {
    return this.#open;
  }

  /**
   * Queues a text frame; false (and the connection closed) when the reader has fallen behind.
   * A TextFrame shared by many connections is framed once for all of them.
   *
   * The bound is on the bytes already waiting, before this frame: a reader that keeps up
   * always gets the next frame, however large (replies stay far below the bound anyway: see
   * REPLY_BUDGET_BYTES), and one that stopped reading is cut off at its next frame.
   */
  send(frame: TextFrame | Buffer | string): boolean {
    // CLOSING: the peer began the closing handshake; no data frame may follow.
    if (!this.#open || this.#ws.readyState !== WebSocket.OPEN) return false;
    if (this.#held !== undefined) return this.#hold(frame);
    if (this.#queued() > this.#limits.sendQueueBytes) {
      this.#onSlow(this);
      this.close(CLOSE.slowConsumer, 'slow consumer: send queue full');
      return false;
    }
    const text = frame instanceof TextFrame ? frame : new TextFrame(frame);
    const bytes = this.#socket === undefined ? text.payload : text.wire;
    if (this.#socket === undefined) this.#ws.send(bytes, { binary: false });
    else this.#writes.write(this.#socket, bytes);
    return true;
  }

  /**
   * Sends `ready`, then the frames held back while the connection was being set up (events
   * and replies that came in the meantime), in order: `ready` is always the first frame.
   */
  start(ready: TextFrame | Buffer | string): void {
    const held = this.#held ?? [];
    this.#held = undefined;
    if (!this.send(ready)) return;
    for (const frame of held) if (!this.send(frame)) return;
  }

  /** Before `ready`: frames wait, within the same bound as the send queue. */
  #hold(frame: TextFrame | Buffer | string): boolean {
    const text = frame instanceof TextFrame ? frame : new TextFrame(frame);
    this.#heldBytes += text.payload.length;
    if (this.#heldBytes > this.#limits.sendQueueBytes) {
      this.#onSlow(this);
      this.close(CLOSE.slowConsumer, 'slow consumer: send queue full');
      return false;
    }
    this.#held?.push(text);
    return true;
  }

  /**
   * Bytes waiting for the reader: ws's bufferedAmount counts what the kernel has not taken,
   * direct writes included. Bytes held corked for this tick are written out before they count
   * against the reader.
   */
  #queued(): number {
    if (this.#ws.bufferedAmount > this.#limits.sendQueueBytes && this.#socket !== undefined) {
      this.#writes.release(this.#socket);
    }
    return this.#ws.bufferedAmount;
  }

  /** Takes one request token; false when the rate limit is exhausted. */
  takeToken(now: number): boolean {
    const elapsed = Math.max(0, now - this.#tokensAt) / 1000;
    this.#tokens = Math.min(
      this.#limits.rateBurst,
      this.#tokens + elapsed * this.#limits.ratePerSecond,
    );
    this.#tokensAt = now;
    if (this.#tokens < 1) return false;
    this.#tokens -= 1;
    return true;
  }

  ping(now: number): void {
    if (!this.#open) return;
    this.lastPing = now;
    this.#ws.ping();
  }

  /** Sends a close frame; a peer that does not answer in a second is cut off. */
  close(code: number, reason: string): void {
    if (!this.#open) return;
    this.#open = false;
    this.#ws.close(code, reason);
    setTimeout(() => this.#ws.terminate(), TERMINATE_AFTER_MS).unref();
  }

  /** Marks the connection gone after the socket closed by itself. */
  markClosed(): void {
    this.#open = false;
  }
}
