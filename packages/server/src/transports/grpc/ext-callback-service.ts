import { status, type sendUnaryData, type ServerUnaryCall } from '@grpc/grpc-js';
import {
  ExtCallbackServiceService,
  type ExtCompleteRequest,
  type ExtCompleteResponse,
} from '@parley/proto';
import type { Logger } from 'pino';
import type { ExtensionFlow } from '../../app/messaging/extension-flow.js';
import { isAppError } from '../../domain/errors.js';
import { CALLBACK_TOKEN_TAG } from '../../domain/extension.js';
import { ID_PATTERN } from '../../domain/ids.js';
import { GRPC_STATUS } from './grpc-status.js';
import type { GrpcServer } from './grpc-server.js';

const GENERATED_MAX = 100;

/**
 * ExtCallbackService.Complete, where async extensions report results, each with the call's
 * token as `x-parley-callback-token` metadata (the flow checks it). Served on the one gRPC
 * server, beside the public API; no access token is involved.
 */
export class ExtCallbackService {
  readonly #flow: ExtensionFlow;
  readonly #logger: Logger;

  constructor(flow: ExtensionFlow, logger: Logger) {
    this.#flow = flow;
    this.#logger = logger;
  }

  addTo(server: GrpcServer): void {
    server.add('im.ext.ExtCallbackService', ExtCallbackServiceService, {
      complete: (
        call: ServerUnaryCall<ExtCompleteRequest, ExtCompleteResponse>,
        callback: sendUnaryData<ExtCompleteResponse>,
      ) => void this.#complete(call.request, tokenOf(call), callback),
    });
  }

  async #complete(
    request: ExtCompleteRequest,
    token: string,
    callback: sendUnaryData<ExtCompleteResponse>,
  ): Promise<void> {
    if (!ID_PATTERN.test(request.msgId) || request.generated.length > GENERATED_MAX) {
      callback({
        code: status.INVALID_ARGUMENT,
        details: `msg_id must be a message id and generated at most ${GENERATED_MAX} messages.`,
      });
      return;
    }
    try {
      await this.#flow.complete({
        msgId: request.msgId,
        token,
        status: request.status,
        reason: request.reason,
        generated: request.generated.map((g) => ({
          msgType: g.msgType,
          conversation: g.conversation,
          fromUid: g.fromUid,
          payload: Buffer.from(g.payload).toString('utf8'),
          scene: g.scene,
        })),
      });
      callback(null, { ok: true });
    } catch (err) {
      if (isAppError(err)) {
        this.#logger.warn(
          { msg_id: request.msgId, code: err.code, reason: err.message },
          'ExtCallbackService.Complete refused',
        );
        callback({ code: GRPC_STATUS[err.code], details: err.message });
        return;
      }
      this.#logger.error({ err, msg_id: request.msgId }, 'ExtCallbackService.Complete failed');
      callback({ code: status.INTERNAL, details: 'Internal error; see the server log.' });
    }
  }
}

/** The first `x-parley-callback-token` metadata value, or '' without one. */
function tokenOf(call: ServerUnaryCall<unknown, unknown>): string {
  const [value] = call.metadata.get(CALLBACK_TOKEN_TAG);
  return typeof value === 'string' ? value : '';
}
