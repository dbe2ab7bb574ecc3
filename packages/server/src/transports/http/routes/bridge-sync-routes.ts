import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { WorkerTokenService } from '../../../app/bridges/worker-tokens.js';
import { HTTP_STATUS } from '../../../protocol/http-status.js';
import { parseBearer } from '../../shared/bearer.js';
import type { BridgeIngest } from '../../shared/bridge-ingest.js';
import { errorObject, toWireError, type WireError } from '../error-handler.js';

export interface BridgeSyncRouteOptions {
  readonly ingest: BridgeIngest;
  readonly workerTokens: WorkerTokenService;
  /** PARLEY_BRIDGE_BODY_LIMIT: the largest payload in bytes (default 16 MiB). */
  readonly bodyLimit: number;
}

/**
 * Refusals keep Parley's error object and add the ack's `success: false`, so that a worker
 * written for the original, which looks at `success`, sees the failure too.
 */
function refuse(request: FastifyRequest, reply: FastifyReply, wire: WireError) {
  return reply.status(wire.status).send({ success: false, error: errorObject(request, wire) });
}

/** `POST /v1/bridge/sync`: a worker's `worker:data:sync` payload over HTTP (BRIDGE.md). */
export const bridgeSyncRoutes: FastifyPluginAsyncZod<BridgeSyncRouteOptions> = async (
  app,
  { ingest, workerTokens, bodyLimit },
) => {
  // The body reaches the ingest as bytes: on SQLite it is parsed in the ingest thread, so a
  // payload of megabytes is never parsed on the event loop (this plugin's routes only).
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_request, body, done) =>
    done(null, body),
  );
  app.setErrorHandler((err: FastifyError, request, reply) => {
    const wire = toWireError(err, bodyLimit);
    if (wire.status >= 500) request.log.error({ err }, 'a bridge sync failed');
    return refuse(request, reply, wire);
  });

  app.post(
    '/v1/bridge/sync',
    {
      bodyLimit,
      schema: {
        tags: ['bridges'],
        summary:
          'A worker pushes a platform account’s data (worker token); answered after the commit.',
        security: [{ bearer: [] }],
      },
    },
    async (request, reply) => {
      const token = parseBearer(request.headers.authorization);
      const worker = token === undefined ? undefined : await workerTokens.authenticate(token);
      if (worker === undefined) {
        return refuse(request, reply, {
          status: 401,
          code: 'UNAUTHENTICATED',
          message: 'Send a live worker token as "Authorization: Bearer pwk_…".',
        });
      }
      const body = request.body;
      const outcome = await ingest.ingest(
        { json: Buffer.isBuffer(body) ? body : Buffer.alloc(0) },
        worker.id,
      );
      if (!outcome.ok) {
        const { refusal } = outcome;
        if (refusal.code === 'INVALID_ARGUMENT') {
          request.log.info(
            { worker_token_id: worker.id, field: refusal.field },
            'a bridge sync payload was refused',
          );
        }
        return refuse(request, reply, { status: HTTP_STATUS[refusal.code], ...refusal });
      }
      const { ack } = outcome;
      return reply.status(200).send(ack);
    },
  );
};
