import type { BackoffOptions } from './backoff.js';
import type { Conversation, MessageNewData, ServerEvents } from './types.js';
import type { WebSocketConstructor } from './ws-connection.js';

export interface ParleyClientOptions {
  /** The server's base URL, http(s):// or ws(s)://; the client connects to `<url>/v1/ws`. */
  url: string;
  /**
   * The access token, or a function called before every (re)connect so the app can hand over
   * a fresh one (access tokens live 15 minutes; reconnects can come much later).
   */
  token: string | (() => string | Promise<string>);
  /**
   * The WebSocket class. Defaults to `globalThis.WebSocket` (browsers, Node 22+); on Node 20
   * pass `WebSocket` from the `ws` package.
   */
  WebSocket?: WebSocketConstructor;
  /** How long a request waits for its reply, and a connection for `ready`. Default 10000. */
  requestTimeoutMs?: number;
  /** Backoff between reconnect attempts, or false to never reconnect. */
  reconnect?: Partial<BackoffOptions> | false;
  /** After a reconnect, fetch what was missed and emit it as events. Default true. */
  autoCatchUp?: boolean;
  /** Most unacknowledged messages `send` keeps; more are refused. Default 1000. */
  maxOutbox?: number;
}

export type ConnectionState = 'connecting' | 'open' | 'reconnecting' | 'closed';

export interface CloseData {
  code: number;
  reason: string;
}

export interface CaughtUpData {
  /** Every conversation as the pass last read it, most recent activity first. */
  conversations: Conversation[];
}

/** Every event of ParleyClient, by name: the server's, plus the client's own. */
export interface ClientEvents extends ServerEvents {
  /** The connection state changed. */
  state: ConnectionState;
  /** A connection that had become ready closed (by the server, the network or `close`). */
  close: CloseData;
  /**
   * A streamed partial result of an extension (`message.updated` with `partial: true`): the
   * message as it grows. Partial results are not in the change log, so they are not caught up;
   * the final result comes as `message.updated` and is.
   */
  'message.partial': MessageNewData;
  /** A server event this SDK does not model (friend.*, group.*, newer ones), as it came. */
  event: { name: string; data: unknown };
  /** A catch-up pass after a reconnect finished; every missed event has been emitted. */
  caught_up: CaughtUpData;
  /**
   * Something went wrong that no promise reports: a failed reconnect attempt or catch-up
   * pass (both retried), or an exception thrown by an event handler.
   */
  error: unknown;
}

export type ClientEventName = keyof ClientEvents;
