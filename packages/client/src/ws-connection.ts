import { ParleyError } from './errors.js';
import type { ErrorCode, OpData, OpName, OpReply, ReadyData } from './types.js';

/**
 * The part of a WebSocket the client uses, shared by the DOM WebSocket and the `ws` package:
 * event listeners (not `.on`), text frames, numeric `readyState`.
 */
export interface WebSocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  // One overload per event, each naming only what the client reads: the DOM's and `ws`'s
  // event classes both fit these shapes.
  addEventListener(type: 'message', listener: (event: { data: unknown }) => void): void;
  addEventListener(
    type: 'close',
    listener: (event: { code: number; reason: string }) => void,
  ): void;
  addEventListener(type: 'error', listener: (event: object) => void): void;
}

/** A WebSocket class: `globalThis.WebSocket`, or `WebSocket` from the `ws` package in Node. */
export type WebSocketConstructor = new (url: string) => WebSocketLike;

/** `readyState` of an open socket, the same number in every implementation. */
const OPEN = 1;

/** The server closes with 4001 when the session ended; reconnecting cannot help. */
export const CLOSE_SESSION_ENDED = 4001;

export interface ConnectionHandlers {
  /**
   * The server's `ready` arrived. Called synchronously, before the next frame is read: `ws`
   * can deliver several frames in one task, and the events after `ready` must find the
   * client already open.
   */
  onReady(ready: ReadyData): void;
  /** A server event after `ready`. */
  onEvent(name: string, data: unknown): void;
  /** The socket closed (called once, before pending requests are rejected). */
  onClose(code: number, reason: string): void;
}

interface Pending {
  resolve(data: unknown): void;
  reject(error: ParleyError): void;
  timer: ReturnType<typeof setTimeout>;
}

/** The WebSocket URL for a base URL: http(s) becomes ws(s), and the token goes in the query. */
export function webSocketUrl(baseUrl: string, token: string): string {
  const url = new URL(baseUrl);
  if (url.protocol === 'http:') url.protocol = 'ws:';
  else if (url.protocol === 'https:') url.protocol = 'wss:';
  else if (url.protocol !== 'ws:' && url.protocol !== 'wss:') {
    throw new TypeError(`unsupported URL scheme ${url.protocol} (use http(s) or ws(s))`);
  }
  url.pathname = `${url.pathname.replace(/\/+$/, '')}/v1/ws`;
  url.search = '';
  url.hash = '';
  // Browsers cannot set headers on a WebSocket, so the token travels in the query.
  url.searchParams.set('access_token', token);
  return url.toString();
}

/**
 * One WebSocket to Parley: waits for `ready`, correlates replies with requests by id, and
 * hands events on. It never reconnects; ParleyClient makes a new one for that.
 */
export class WsConnection {
  /** Resolves with the server's `ready`; rejects if the socket closes or stays silent first. */
  readonly ready: Promise<ReadyData>;
  readonly #socket: WebSocketLike;
  readonly #handlers: ConnectionHandlers;
  readonly #pending = new Map<string, Pending>();
  #nextId = 1;
  #readyData: ReadyData | undefined;
  #closed = false;
  #closeCode: number | undefined;
  #lastError: string | undefined;
  #settleReady!: { resolve(data: ReadyData): void; reject(error: ParleyError): void };
  #readyTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(socket: WebSocketLike, handlers: ConnectionHandlers, readyTimeoutMs: number) {
    this.#socket = socket;
    this.#handlers = handlers;
    this.ready = new Promise<ReadyData>((resolve, reject) => {
      this.#settleReady = { resolve, reject };
    });
    // A rejection nobody awaits (the client gave up on this socket) must not be reported.
    this.ready.catch(() => undefined);
    socket.addEventListener('message', (event) => this.#onFrame(event.data));
    socket.addEventListener('error', (event) => {
      // `ws` says why (e.g. "Unexpected server response: 401"); browsers never do.
      const { message } = event as { message?: unknown };
      if (typeof message === 'string') this.#lastError = message;
    });
    socket.addEventListener('close', (event) => this.#shutdown(event.code, event.reason, true));
    this.#readyTimer = setTimeout(() => {
      this.#lastError = `no ready event within ${readyTimeoutMs} ms`;
      this.close(1000, 'ready timeout', true);
    }, readyTimeoutMs);
  }

  /** The close code, once closed. */
  get closeCode(): number | undefined {
    return this.#closeCode;
  }

  get isOpen(): boolean {
    return !this.#closed && this.#readyData !== undefined && this.#socket.readyState === OPEN;
  }

  /** Sends one request; the promise settles with its reply, a timeout, or the close. */
  request<K extends OpName>(op: K, data: OpData<K>, timeoutMs: number): Promise<OpReply<K>> {
    if (!this.isOpen) return Promise.reject(unavailable('not connected'));
    const id = String(this.#nextId++);
    const frame = JSON.stringify({ id, op, data });
    const limit = this.#readyData?.limits?.max_frame_bytes;
    // The server closes the whole connection (1009) for a frame over its limit; refusing it
    // here keeps one bad request from dropping the others, and the outbox from resending it.
    if (limit !== undefined && frame.length * 3 > limit && utf8Length(frame) > limit) {
      const message = `${op}: the request is larger than the server's frame limit (${limit} bytes)`;
      return Promise.reject(new ParleyError('INVALID_ARGUMENT', message, 0));
    }
    return new Promise<OpReply<K>>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(id);
        reject(unavailable(`${op}: no reply within ${timeoutMs} ms`));
      }, timeoutMs);
      this.#pending.set(id, { resolve: resolve as (data: unknown) => void, reject, timer });
      try {
        this.#socket.send(frame);
      } catch (error) {
        clearTimeout(timer);
        this.#pending.delete(id);
        reject(unavailable(`${op}: ${error instanceof Error ? error.message : 'send failed'}`));
      }
    });
  }

  /** Closes the socket; pending requests reject at once. `notify` also calls `onClose`. */
  close(code = 1000, reason = '', notify = false): void {
    try {
      this.#socket.close(code, reason);
    } catch {
      // Already closing, or a code the implementation refuses: the socket is going anyway.
    }
    this.#shutdown(code, reason, notify);
  }

  #onFrame(raw: unknown): void {
    if (typeof raw !== 'string') return;
    let frame: unknown;
    try {
      frame = JSON.parse(raw);
    } catch {
      return;
    }
    if (typeof frame !== 'object' || frame === null) return;
    const f = frame as {
      event?: unknown;
      id?: unknown;
      ok?: unknown;
      data?: unknown;
      error?: { code?: unknown; message?: unknown; reason?: unknown };
    };
    if (typeof f.event === 'string') {
      if (this.#readyData !== undefined) this.#handlers.onEvent(f.event, f.data);
      else if (f.event === 'ready' && !this.#closed) {
        clearTimeout(this.#readyTimer);
        this.#readyData = f.data as ReadyData;
        this.#handlers.onReady(this.#readyData);
        this.#settleReady.resolve(this.#readyData);
      }
      return;
    }
    // Replies with id null answer frames the server could not read; none of ours match.
    if (f.id === undefined || f.id === null) return;
    const key = String(f.id);
    const pending = this.#pending.get(key);
    if (pending === undefined) return;
    this.#pending.delete(key);
    clearTimeout(pending.timer);
    if (f.ok === true) pending.resolve(f.data ?? {});
    else {
      const code = (typeof f.error?.code === 'string' ? f.error.code : 'INTERNAL') as ErrorCode;
      const message = typeof f.error?.message === 'string' ? f.error.message : 'request failed';
      const reason = typeof f.error?.reason === 'string' ? f.error.reason : undefined;
      pending.reject(new ParleyError(code, message, 0, undefined, reason));
    }
  }

  #shutdown(code: number, reason: string, notify: boolean): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#closeCode = code;
    clearTimeout(this.#readyTimer);
    if (notify) this.#handlers.onClose(code, reason);
    if (this.#readyData === undefined) this.#settleReady.reject(this.#openError(code, reason));
    const why = unavailable(`connection closed (${code}${reason ? ` ${reason}` : ''})`);
    for (const pending of this.#pending.values()) {
      clearTimeout(pending.timer);
      pending.reject(why);
    }
    this.#pending.clear();
  }

  /** Why the socket never became ready, as precisely as the implementation lets us know. */
  #openError(code: number, reason: string): ParleyError {
    if (code === CLOSE_SESSION_ENDED) {
      return new ParleyError('UNAUTHENTICATED', reason || 'the session ended', 0);
    }
    const detail = this.#lastError ?? (reason || `closed with ${code}`);
    if (/\b401\b/.test(detail)) return new ParleyError('UNAUTHENTICATED', detail, 401);
    return unavailable(`could not connect: ${detail}`);
  }
}

function unavailable(message: string): ParleyError {
  return new ParleyError('UNAVAILABLE', message, 0);
}

function utf8Length(text: string): number {
  return new TextEncoder().encode(text).byteLength;
}
