/** What an extension implements for each message type it serves, and what its handlers return. */
import type { ExtMessage } from '@parley/proto';
import type { Logger } from './logger.js';
import type { GeneratedMessage } from './messages.js';
import type { AsyncReply } from './reply.js';

/** What a handler knows about the call besides the message. */
export interface HandlerContext {
  /** `header.request_id`: one call chain (a retry of the same message has a new one). */
  readonly requestId: string;
  /** `header.tags`: gray release, A/B, feature flags; Parley's own start with `x-parley-`. */
  readonly tags: Readonly<Record<string, string>>;
  /** When Parley stops waiting for this call's answer; undefined when it set no deadline. */
  readonly deadline: Date | undefined;
  /**
   * Aborted when the work is no longer wanted: Parley cancelled the sync call or its deadline
   * passed, or the extension is closing and its grace period is over.
   */
  readonly signal: AbortSignal;
  /** The extension's logger. */
  readonly log: Logger;
}

/** The verdict on a message: deliver it (with generated messages) or refuse it with a reason. */
export type ExtResult =
  | { readonly accept: true; readonly generated?: readonly GeneratedMessage[] }
  | {
      readonly accept: false;
      /** Shown to the sender. */
      readonly reason: string;
      /** `rejected` (default): the message is refused; `failed`: the service could not do it. */
      readonly status?: 'rejected' | 'failed';
    };

/** Accept the message (status `MSG_SUCCESS`), delivering `generated` with it. */
export const accept = (...generated: GeneratedMessage[]): ExtResult => ({
  accept: true,
  generated,
});

/** Refuse the message (status `MSG_REJECTED`): Parley does not deliver it. */
export const reject = (reason: string): ExtResult => ({ accept: false, reason });

/**
 * A type Parley calls through `ExtMessageService.Handle` and waits for: validation, a generated
 * notice. Keep it fast: Parley's deadline is the registered `timeout_ms`.
 *
 * The handler must be idempotent on `message.msgId`: Parley may call again after a timeout.
 * (Within one process, a repeated call with the same `msg_id` gets the first call's answer
 * without running the handler again.) Throw an `ExtRejection` to refuse; any other error
 * answers the call with gRPC `INTERNAL`, and Parley applies its degrade policy.
 */
export interface SyncTypeSpec {
  readonly mode: 'sync';
  handle(message: ExtMessage, context: HandlerContext): ExtResult | Promise<ExtResult>;
  /** The `timeout_ms` registered for this type (1–600000); default `etcd.timeoutMs`, if set. */
  readonly timeoutMs?: number;
}

/**
 * A type Parley calls through `ExtMessageService.HandleAsync`: the library acknowledges at once,
 * then runs the handler, which reports through `reply` (partial results, then one final status)
 * or by returning an {@link ExtResult}. A handler that returns nothing and has not finished the
 * reply leaves it open, to be finished later (from a job queue, say).
 *
 * Idempotent on `message.msgId`: within one process a repeated call is acknowledged without
 * running the handler again (later results go to the new caller, and a finished result is sent
 * to it once more), unless the first run ended in `MSG_FAILED`. A thrown `ExtRejection`
 * completes with `MSG_REJECTED`, any other error with `MSG_FAILED`.
 */
export interface AsyncTypeSpec {
  readonly mode: 'async';
  handleAsync(
    message: ExtMessage,
    reply: AsyncReply,
    context: HandlerContext,
  ): void | ExtResult | Promise<void | ExtResult>;
  /** The `timeout_ms` registered for this type (1–600000); default `etcd.timeoutMs`, if set. */
  readonly timeoutMs?: number;
}

/** One served message type. */
export type ExtTypeSpec = SyncTypeSpec | AsyncTypeSpec;

/** Whether a handler's return value is an {@link ExtResult} (JavaScript callers may err). */
export function isExtResult(value: unknown): value is ExtResult {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as { accept?: unknown; reason?: unknown; generated?: unknown };
  if (v.accept === true) return v.generated === undefined || Array.isArray(v.generated);
  return v.accept === false && typeof v.reason === 'string';
}
