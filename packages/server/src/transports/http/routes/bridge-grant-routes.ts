import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { BridgeReadService } from '../../../app/bridges/bridge-read.js';
import type { WorkerTokenService } from '../../../app/bridges/worker-tokens.js';
import { appError, unauthenticated } from '../../../domain/errors.js';
import { MAX_BRIDGE_KEY } from '../../../protocol/bridge-sync.js';
import { ErrorBody } from '../../../protocol/rest-schemas.js';
import { parseBearer } from '../../shared/bearer.js';

export interface BridgeGrantRouteOptions {
  /** PARLEY_ADMIN_TOKEN; unset: only the owning worker token may grant. */
  readonly adminToken: string | undefined;
  readonly workerTokens: WorkerTokenService;
  readonly read: BridgeReadService;
}

const digest = (text: string) => createHash('sha256').update(text, 'utf8').digest();

const GrantParams = z.object({ account_id: z.string().min(1).max(MAX_BRIDGE_KEY) });
const GrantBody = z.object({ user_id: z.string().min(1).max(MAX_BRIDGE_KEY) }).strict();
const GrantAnswer = z.object({
  grant: z.object({ account_id: z.string(), user_id: z.string() }),
  created: z.boolean(),
});

/**
 * `POST /v1/bridge/accounts/:account_id/grants {user_id}`: lets a Parley user read an account
 * (BRIDGE.md). Allowed to the operator (the admin token) and to the worker token that owns an
 * account with that id; a user's access token cannot grant.
 */
export const bridgeGrantRoutes: FastifyPluginAsyncZod<BridgeGrantRouteOptions> = async (
  app,
  { adminToken, workerTokens, read },
) => {
  const admin = adminToken === undefined || adminToken === '' ? undefined : digest(adminToken);
  app.post(
    '/v1/bridge/accounts/:account_id/grants',
    {
      schema: {
        tags: ['bridges'],
        summary: 'Grants a user read access to an account (admin token or owning worker token).',
        security: [{ bearer: [] }],
        params: GrantParams,
        body: GrantBody,
        response: {
          200: GrantAnswer,
          201: GrantAnswer,
          400: ErrorBody,
          401: ErrorBody,
          403: ErrorBody,
          404: ErrorBody,
        },
      },
    },
    async (request, reply) => {
      const accountId = request.params.account_id;
      const token = parseBearer(request.headers.authorization);
      if (token === undefined) {
        throw unauthenticated('Send the admin token or the owning worker token as a bearer.');
      }
      const isAdmin = admin !== undefined && timingSafeEqual(digest(token), admin);
      if (!isAdmin) {
        const worker = await workerTokens.authenticate(token);
        if (worker === undefined) {
          throw unauthenticated('Send the admin token or the owning worker token as a bearer.');
        }
        if (!(await read.ownsAccount(worker.id, accountId))) {
          throw appError(
            'PERMISSION_DENIED',
            `This worker token does not own the account ${accountId}.`,
          );
        }
      }
      const created = await read.grant(accountId, request.body.user_id);
      request.log.info({ account_id: accountId, user_id: request.body.user_id }, 'bridge grant');
      return reply
        .status(created ? 201 : 200)
        .send({ grant: { account_id: accountId, user_id: request.body.user_id }, created });
    },
  );
};
