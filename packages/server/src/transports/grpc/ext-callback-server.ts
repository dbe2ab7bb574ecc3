import {
  Server,
  ServerCredentials,
  status,
  type sendUnaryData,
  type ServerUnaryCall,
} from '@grpc/grpc-js';
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
import { addLenientService } from './lenient-service.js';

const GENERATED_MAX = 100;

/**
 * Parley's gRPC server: ExtCallbackService.Complete, where async extensions report results,
 * each with the call's token as `x-parley-callback-token` metadata (the flow checks it).
 */
export class ExtCallbackServer {
  readonly #server = new Server({ 'grpc.max_receive_message_length': 4 * 1024 * 1024 });
  readonly #flow: ExtensionFlow;
  readonly #logger: Logger;
  #port = 0;

  constructor(flow: ExtensionFlow, logger: Logger) {
    this.#flow = flow;
    this.#logger = logger;
    addLenientService(this.#server, ExtCallbackServiceService, {
      complete: (
        call: ServerUnaryCall<ExtCompleteRequest, ExtCompleteResponse>,
        callback: sendUnaryData<ExtCompleteResponse>,
      ) => void this.#complete(call.request, tokenOf(call), callback),
    });
  }

  get port(): number {
    return this.#port;
  }

  listen(host: string, port: number): Promise<number> {
    return new Promise((resolve, reject) => {
      this.#server.bindAsync(
        joinHostPort(host, port),
        ServerCredentials.createInsecure(),
        (err, bound) => {
          if (err) return reject(err);
          this.#port = bound;
          resolve(bound);
        },
      );
    });
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.#server.tryShutdown(() => resolve());
      setTimeout(() => {
        this.#server.forceShutdown();
        resolve();
      }, 2_000).unref();
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

/** `host:port`, with an IPv6 host in brackets. */
export const joinHostPort = (host: string, port: number): string =>
  host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
