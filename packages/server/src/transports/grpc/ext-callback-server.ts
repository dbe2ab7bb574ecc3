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
import { ID_PATTERN } from '../../domain/ids.js';

const GENERATED_MAX = 100;

/** Parley's gRPC server: ExtCallbackService.Complete, where async extensions report results. */
export class ExtCallbackServer {
  readonly #server = new Server({ 'grpc.max_receive_message_length': 4 * 1024 * 1024 });
  readonly #flow: ExtensionFlow;
  readonly #logger: Logger;
  #port = 0;

  constructor(flow: ExtensionFlow, logger: Logger) {
    this.#flow = flow;
    this.#logger = logger;
    this.#server.addService(ExtCallbackServiceService, {
      complete: (
        call: ServerUnaryCall<ExtCompleteRequest, ExtCompleteResponse>,
        callback: sendUnaryData<ExtCompleteResponse>,
      ) => void this.#complete(call.request, callback),
    });
  }

  get port(): number {
    return this.#port;
  }

  listen(host: string, port: number): Promise<number> {
    return new Promise((resolve, reject) => {
      this.#server.bindAsync(
        `${host}:${port}`,
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
      const found = await this.#flow.complete({
        msgId: request.msgId,
        status: request.status,
        reason: request.reason,
        generated: request.generated.map((g) => ({
          msgType: g.msgType,
          fromUid: g.fromUid,
          payload: Buffer.from(g.payload).toString('utf8'),
        })),
      });
      if (!found) {
        callback({ code: status.NOT_FOUND, details: `No message ${request.msgId}.` });
        return;
      }
      callback(null, { ok: true });
    } catch (err) {
      this.#logger.error({ err, msg_id: request.msgId }, 'ExtCallbackService.Complete failed');
      callback({ code: status.INTERNAL, details: 'Internal error; see the server log.' });
    }
  }
}
