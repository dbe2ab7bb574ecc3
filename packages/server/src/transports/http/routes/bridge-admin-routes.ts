import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { WorkerToken, WorkerTokenService } from '../../../app/bridges/worker-tokens.js';
import { notFound } from '../../../domain/errors.js';
import {
  CreateWorkerTokenBody,
  CreatedWorkerToken,
  WorkerTokenList,
  WorkerTokenParams,
} from '../../../protocol/bridge-admin-schemas.js';
import { ErrorBody } from '../../../protocol/rest-schemas.js';
import { requireAdminToken } from './admin-routes.js';

export interface BridgeAdminRouteOptions {
  /** PARLEY_ADMIN_TOKEN. Unset or empty: these routes answer 404, as the whole admin API. */
  readonly adminToken: string | undefined;
  readonly workerTokens: WorkerTokenService;
}

const wire = (token: WorkerToken) => ({
  id: token.id,
  name: token.name,
  created_at: token.createdAt,
  revoked_at: token.revokedAt,
});

const errors = { 400: ErrorBody, 401: ErrorBody, 404: ErrorBody } as const;

/** Operator endpoints for worker tokens (seed 001), /v1/admin/worker-tokens: the admin token. */
export const bridgeAdminRoutes: FastifyPluginAsyncZod<BridgeAdminRouteOptions> = async (
  app,
  { adminToken, workerTokens },
) => {
  app.addHook('preHandler', requireAdminToken(adminToken));

  app.post(
    '/v1/admin/worker-tokens',
    {
      schema: {
        tags: ['admin'],
        summary: 'Creates a worker token; the token is in this answer only (admin token).',
        security: [{ bearer: [] }],
        body: CreateWorkerTokenBody,
        response: { 201: CreatedWorkerToken, ...errors },
      },
    },
    async (request, reply) => {
      const created = await workerTokens.create(request.body.name);
      request.log.info({ worker_token_id: created.id }, 'worker token created');
      return reply.status(201).send({ worker_token: wire(created), token: created.token });
    },
  );

  app.get(
    '/v1/admin/worker-tokens',
    {
      schema: {
        tags: ['admin'],
        summary: 'Every worker token, revoked ones too, without the tokens (admin token).',
        security: [{ bearer: [] }],
        response: { 200: WorkerTokenList, ...errors },
      },
    },
    async () => ({ worker_tokens: (await workerTokens.list()).map(wire) }),
  );

  app.delete(
    '/v1/admin/worker-tokens/:id',
    {
      schema: {
        tags: ['admin'],
        summary: 'Revokes a worker token: its worker is refused from now on (admin token).',
        security: [{ bearer: [] }],
        params: WorkerTokenParams,
        response: { 204: z.null().describe('Revoked.'), ...errors },
      },
    },
    async (request, reply) => {
      if (!(await workerTokens.revoke(request.params.id))) {
        throw notFound('No live worker token has this id.');
      }
      request.log.info({ worker_token_id: request.params.id }, 'worker token revoked');
      return reply.status(204).send(null);
    },
  );
};
