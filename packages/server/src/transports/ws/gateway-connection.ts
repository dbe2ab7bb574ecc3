import type { WebSocket } from 'ws';
import type { AuthContext } from '../../app/accounts/auth-context.js';
import { CLOSE } from '../../protocol/ws-frames.js';

export interface ConnectionLimits {
  /** Bytes that may wait to be written to the socket; more closes the connection (4008). */
  readonly sendQueueBytes: number;
  readonly ratePerSecond: number;
  readonly rateBurst: number;
  /** Requests in progress at once. */
  readonly maxInflight: number;
}

const TERMINATE_AFTER_MS = 1_000;

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
  inflight = 0;
  #open = true;
  #tokens: number;
  #tokensAt: number;
  readonly #ws: WebSocket;
  readonly #limits: ConnectionLimits;
  readonly #onSlow: (conn: GatewayConnection) => void;

  constructor(
    id: string,
    ws: WebSocket,
    auth: AuthContext,
    limits: ConnectionLimits,
    now: number,
    onSlow: (conn: GatewayConnection) => void,
  ) {
    this.id = id;
    this.#ws = ws;
    this.auth = auth;
    this.#limits = limits;
    this.lastActivity = now;
    this.lastPing = now;
    this.#tokens = limits.rateBurst;
    this.#tokensAt = now;
    this.#onSlow = onSlow;
  }

  get isOpen(): boolean {
    return this.#open;
  }

  /** Queues a text frame; false (and the connection closed) when the queue bound is passed. */
  send(frame: Buffer | string): boolean {
    if (!this.#open) return false;
    const size = typeof frame === 'string' ? Buffer.byteLength(frame) : frame.length;
    if (this.#ws.bufferedAmount + size > this.#limits.sendQueueBytes) {
      this.#onSlow(this);
      this.close(CLOSE.slowConsumer, 'slow consumer: send queue full');
      return false;
    }
    this.#ws.send(frame, { binary: false });
    return true;
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

  get canTakeRequest(): boolean {
    return this.inflight < this.#limits.maxInflight;
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
