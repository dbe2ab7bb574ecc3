/**
 * The `ExtMessageService` implementation: checks each call, finds the type's handler and maps
 * its outcome to the contract's answer or to a gRPC status.
 *
 * | situation                                          | answer                       |
 * | -------------------------------------------------- | ---------------------------- |
 * | no `message`, no `msg_type` or no `msg_id`         | `INVALID_ARGUMENT`           |
 * | HandleAsync without `x-parley-callback`            | `INVALID_ARGUMENT`           |
 * | a `msg_type` not served here, or not in this mode  | `UNIMPLEMENTED`              |
 * | the extension is closing                           | `UNAVAILABLE` (try another)  |
 * | the handler throws `ExtRejection`                  | `accept: false, MSG_REJECTED`|
 * | the handler throws anything else (sync)            | `INTERNAL`                   |
 */
import { status, type sendUnaryData, type ServerUnaryCall } from '@grpc/grpc-js';
import {
  MsgStatus,
  type ExtHandleAck,
  type ExtHandleRequest,
  type ExtHandleResponse,
  type ExtMessage,
  type ExtMessageServiceServer,
} from '@parley/proto';
import { runAsyncHandler } from './async-handler.js';
import type { CallbackClients } from './callback-client.js';
import type { AsyncTypeSpec, ExtTypeSpec, HandlerContext, SyncTypeSpec } from './handlers.js';
import type { InFlight } from './in-flight.js';
import type { Logger } from './logger.js';
import { RecentCalls, type RecentCallsOptions } from './recent-calls.js';
import { CallbackReply } from './reply.js';
import { runSyncHandler } from './sync-handler.js';

/** The header tag that carries the address of Parley's `ExtCallbackService`. */
export const CALLBACK_TAG = 'x-parley-callback';
/** The header tag that carries the call's callback token, sent back with every result. */
export const CALLBACK_TOKEN_TAG = 'x-parley-callback-token';

export interface ServiceDeps {
  readonly types: ReadonlyMap<string, ExtTypeSpec>;
  readonly callbacks: CallbackClients;
  readonly inFlight: InFlight;
  /** `false`: every call runs its handler. */
  readonly idempotency: RecentCallsOptions | false;
  readonly log: Logger;
}

type GrpcError = { code: status; details: string };
type Checked<M> = { message: ExtMessage; spec: M } | { error: GrpcError };

/** Builds the service; pass it to `server.addService(ExtMessageServiceService, …)`. */
export function createExtMessageService(deps: ServiceDeps): ExtMessageServiceServer {
  const { types, inFlight, log } = deps;
  const recentSync =
    deps.idempotency && new RecentCalls<Promise<ExtHandleResponse>>(deps.idempotency);
  const recentAsync = deps.idempotency && new RecentCalls<CallbackReply>(deps.idempotency);

  function check<M extends ExtTypeSpec['mode']>(
    request: ExtHandleRequest,
    mode: M,
  ): Checked<Extract<ExtTypeSpec, { mode: M }>> {
    const message = request.message;
    if (message === undefined) return invalid('message is required.');
    if (message.msgType === '') return invalid('message.msg_type is required.');
    if (message.msgId === '') return invalid('message.msg_id is required (the idempotency key).');
    const spec = types.get(message.msgType);
    if (spec === undefined) {
      return unimplemented(`msg_type "${message.msgType}" is not served here.`);
    }
    if (spec.mode !== mode) {
      const other = spec.mode === 'sync' ? 'Handle' : 'HandleAsync';
      return unimplemented(
        `msg_type "${message.msgType}" is served in ${spec.mode} mode: call ${other}.`,
      );
    }
    if (inFlight.closing) {
      return {
        error: { code: status.UNAVAILABLE, details: 'Shutting down: try another instance.' },
      };
    }
    return { message, spec: spec as Extract<ExtTypeSpec, { mode: M }> };
  }

  function context(message: ExtMessage, signal: AbortSignal, deadline?: Date): HandlerContext {
    return {
      requestId: message.header?.requestId ?? '',
      tags: Object.freeze({ ...message.header?.tags }),
      deadline,
      signal,
      log,
    };
  }

  function handle(
    call: ServerUnaryCall<ExtHandleRequest, ExtHandleResponse>,
    callback: sendUnaryData<ExtHandleResponse>,
  ): void {
    const checked = check(call.request, 'sync');
    if ('error' in checked) return callback(checked.error);
    const { message, spec } = checked;
    const key = message.msgId;
    let answered = false;
    let work = recentSync ? recentSync.get(key) : undefined;
    if (work === undefined) {
      const cancelled = new AbortController();
      const signal = AbortSignal.any([cancelled.signal, inFlight.signal]);
      const ctx = context(message, signal, deadlineOf(call));
      const started = inFlight.track(runSyncHandler(spec as SyncTypeSpec, message, ctx));
      work = started;
      // Only answers are remembered: a failed or abandoned call runs again when retried.
      if (recentSync) {
        recentSync.set(key, started);
        started.catch(() => recentSync.delete(key, started));
      }
      // grpc-js emits 'cancelled' when any call's stream closes, answered or not.
      call.once('cancelled', () => {
        if (answered) return;
        if (recentSync) recentSync.delete(key, started);
        cancelled.abort(new Error('The call was cancelled or its deadline passed.'));
      });
    }
    work.then(
      (response) => {
        answered = true;
        callback(null, response);
      },
      (err: unknown) => {
        answered = true;
        log('error', 'sync handler failed', fields(message, err));
        callback({ code: status.INTERNAL, details: 'The extension failed to handle the message.' });
      },
    );
  }

  function handleAsync(
    call: ServerUnaryCall<ExtHandleRequest, ExtHandleAck>,
    callback: sendUnaryData<ExtHandleAck>,
  ): void {
    const checked = check(call.request, 'async');
    if ('error' in checked) return callback(checked.error);
    const { message, spec } = checked;
    const address = message.header?.tags[CALLBACK_TAG] ?? '';
    if (address === '')
      return callback(invalid(`header.tags["${CALLBACK_TAG}"] is required.`).error);
    const target = {
      requestId: message.header?.requestId ?? '',
      address,
      token: message.header?.tags[CALLBACK_TOKEN_TAG] ?? '',
    };
    const ack: ExtHandleAck = { requestId: target.requestId, accepted: true };
    const earlier = recentAsync ? recentAsync.get(message.msgId) : undefined;
    if (earlier !== undefined) {
      // A retry: the first call's handler goes on, its results now go to the latest caller.
      earlier.retarget(target);
      callback(null, ack);
      earlier.resendFinal().catch((err: unknown) => {
        log('warn', 'resending a final result failed', fields(message, err));
      });
      return;
    }
    const reply = new CallbackReply(message, target, deps.callbacks, (final) => {
      // Like a failed sync call, a failed one runs again when Parley retries it.
      if (recentAsync && final === MsgStatus.MSG_FAILED) recentAsync.delete(message.msgId, reply);
    });
    if (recentAsync) recentAsync.set(message.msgId, reply);
    callback(null, ack);
    const ctx = context(message, inFlight.signal);
    // After the ack is on its way: the handler's synchronous part must not delay it.
    const started = new Promise<void>((resolve) => setImmediate(resolve)).then(() =>
      runAsyncHandler(spec as AsyncTypeSpec, message, reply, ctx),
    );
    inFlight.track(started);
  }

  return { handle, handleAsync };
}

function invalid(details: string): { error: GrpcError } {
  return { error: { code: status.INVALID_ARGUMENT, details } };
}

function unimplemented(details: string): { error: GrpcError } {
  return { error: { code: status.UNIMPLEMENTED, details } };
}

function deadlineOf(call: ServerUnaryCall<unknown, unknown>): Date | undefined {
  const deadline = call.getDeadline();
  const ms = deadline instanceof Date ? deadline.getTime() : deadline;
  return Number.isFinite(ms) ? new Date(ms) : undefined;
}

/** Log fields naming a message and an error. */
function fields(message: ExtMessage, err?: unknown): Record<string, unknown> {
  return {
    msg_type: message.msgType,
    msg_id: message.msgId,
    request_id: message.header?.requestId,
    ...(err === undefined ? {} : { err }),
  };
}
