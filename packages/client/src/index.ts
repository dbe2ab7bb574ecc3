export { ParleyError } from './errors.js';
export { ParleyHttpClient, type HttpClientOptions } from './http-client.js';
export type * from './types.js';
export { ParleyClient } from './ws-client.js';
export { ParleyOps } from './ws-ops.js';
export type {
  CaughtUpData,
  ClientEventName,
  ClientEvents,
  CloseData,
  ConnectionState,
  ParleyClientOptions,
} from './client-options.js';
export type { Handler, Unsubscribe } from './emitter.js';
export {
  CLOSE_SESSION_ENDED,
  webSocketUrl,
  type WebSocketConstructor,
  type WebSocketLike,
} from './ws-connection.js';
export { Outbox, isRetryable, randomId, type OutboxOptions, type SendInput } from './outbox.js';
export { SeqTracker, type CatchUpStep } from './seq-tracker.js';
export { DEFAULT_BACKOFF, backoffDelay, backoffOptions, type BackoffOptions } from './backoff.js';
