/**
 * @parley/ext: write a Parley extension service. Serve message types over gRPC
 * (`im.ext.ExtMessageService`), register them in etcd under a lease kept alive, report async
 * results to Parley's `ExtCallbackService`, deregister on close.
 *
 * ```ts
 * const ext = await serveExtension({
 *   types: {
 *     greet: { mode: 'sync', handle: (msg) => accept(text(`hello ${msg.fromUid}`)) },
 *   },
 *   etcd: { endpoints: ['http://127.0.0.1:2379'] },
 * });
 * ```
 */
export { serveExtension, type RunningExtension } from './serve.js';
export type { EtcdOptions, ServeOptions } from './options.js';
export {
  accept,
  reject,
  type AsyncTypeSpec,
  type ExtResult,
  type ExtTypeSpec,
  type HandlerContext,
  type SyncTypeSpec,
} from './handlers.js';
export type { AsyncReply } from './reply.js';
export {
  custom,
  derivedMsgId,
  generated,
  parsePayload,
  text,
  type GeneratedMessage,
  type GeneratedOptions,
  type JsonObject,
  type Scene,
} from './messages.js';
export { ExtError, ExtRejection, type ExtErrorCode } from './errors.js';
export type { Logger, LogLevel } from './logger.js';
export { CALLBACK_TAG, CALLBACK_TOKEN_TAG } from './service.js';
export { ExtMessage, MsgScene, MsgStatus } from '@parley/proto';
