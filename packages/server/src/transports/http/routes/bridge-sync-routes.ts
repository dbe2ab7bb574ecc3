import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { BridgeSyncService } from '../../../app/bridges/bridge-sync.js';
import type { WorkerTokenService } from '../../../app/bridges/worker-tokens.js';
import { parseSyncPayload } from '../../../protocol/bridge-sync.js';
import { parseBearer } from '../../shared/bearer.js';
import { errorObject, toWireError, type WireError } from '../error-handler.js';

export interface BridgeSyncRouteOptions {
  readonly sync: BridgeSyncService;
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
  { sync, workerTokens, bodyLimit },
) => {
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
      const parsed = await parseSyncPayload(request.body);
      if (!parsed.ok) {
        request.log.info(
          { worker_token_id: worker.id, field: parsed.field },
          'a bridge sync payload was refused',
        );
        return refuse(request, reply, {
          status: 400,
          code: 'INVALID_ARGUMENT',
          message: parsed.message,
          field: parsed.field,
        });
      }
      const { ack } = await sync.sync(parsed.batch, worker.id);
      return reply.status(200).send(ack);
    },
  );
};
