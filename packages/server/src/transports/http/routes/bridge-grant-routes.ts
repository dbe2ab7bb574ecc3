import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { BridgeGrantService } from '../../../app/bridges/bridge-grants.js';
import type { WorkerTokenService } from '../../../app/bridges/worker-tokens.js';
import { appError, unauthenticated } from '../../../domain/errors.js';
import { MAX_BRIDGE_KEY } from '../../../protocol/bridge-sync.js';
import { ErrorBody } from '../../../protocol/rest-schemas.js';
import { adminTokenMatcher } from '../../shared/admin-token.js';
import { parseBearer } from '../../shared/bearer.js';

export interface BridgeGrantRouteOptions {
  /** PARLEY_ADMIN_TOKEN; unset: only the owning worker token may grant and withdraw. */
  readonly adminToken: string | undefined;
  readonly workerTokens: WorkerTokenService;
  readonly grants: BridgeGrantService;
}

const bridgeKey = z.string().min(1).max(MAX_BRIDGE_KEY);
const GrantParams = z.object({ account_id: bridgeKey });
const GrantBody = z.object({ user_id: bridgeKey }).strict();
const GrantView = z.object({ account_id: z.string(), user_id: z.string() });
const GrantAnswer = z.object({ grant: GrantView, created: z.boolean() });
const GrantedUserParams = z.object({ account_id: bridgeKey, user_id: bridgeKey });
const RevokeAnswer = z.object({ grant: GrantView, revoked: z.boolean() });

const REFUSED = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody } as const;

/**
 * `POST /v1/bridge/accounts/:account_id/grants {user_id}` lets a Parley user read an account
 * (BRIDGE.md); `DELETE /v1/bridge/accounts/:account_id/grants/:user_id` withdraws it. Both are
 * allowed to the operator (the admin token) and to the worker token that owns an account with
 * that id; a user's access token can do neither.
 */
export const bridgeGrantRoutes: FastifyPluginAsyncZod<BridgeGrantRouteOptions> = async (
  app,
  { adminToken, workerTokens, grants },
) => {
  const isAdmin = adminTokenMatcher(adminToken);

  /** UNAUTHENTICATED or PERMISSION_DENIED unless the bearer may manage the account's grants. */
  async function authorizeGrantor(authorization: string | undefined, accountId: string) {
    const token = parseBearer(authorization);
    if (token === undefined) {
      throw unauthenticated('Send the admin token or the owning worker token as a bearer.');
    }
    if (isAdmin?.(token) === true) return;
    const worker = await workerTokens.authenticate(token);
    if (worker === undefined) {
      throw unauthenticated('Send the admin token or the owning worker token as a bearer.');
    }
    if (!(await grants.ownsAccount(worker.id, accountId))) {
      throw appError(
        'PERMISSION_DENIED',
        `This worker token does not own the account ${accountId}.`,
      );
    }
  }

  app.post(
    '/v1/bridge/accounts/:account_id/grants',
    {
      schema: {
        tags: ['bridges'],
        summary: 'Grants a user read access to an account (admin token or owning worker token).',
        security: [{ bearer: [] }],
        params: GrantParams,
        body: GrantBody,
        response: { 200: GrantAnswer, 201: GrantAnswer, ...REFUSED, 404: ErrorBody },
      },
    },
    async (request, reply) => {
      const accountId = request.params.account_id;
      await authorizeGrantor(request.headers.authorization, accountId);
      const created = await grants.grant(accountId, request.body.user_id);
      request.log.info({ account_id: accountId, user_id: request.body.user_id }, 'bridge grant');
      return reply
        .status(created ? 201 : 200)
        .send({ grant: { account_id: accountId, user_id: request.body.user_id }, created });
    },
  );

  app.delete(
    '/v1/bridge/accounts/:account_id/grants/:user_id',
    {
      schema: {
        tags: ['bridges'],
        summary:
          "Withdraws a user's read access to an account, live subscriptions included (admin token or owning worker token).",
        security: [{ bearer: [] }],
        params: GrantedUserParams,
        response: { 200: RevokeAnswer, ...REFUSED },
      },
    },
    async (request, reply) => {
      const { account_id: accountId, user_id: userId } = request.params;
      await authorizeGrantor(request.headers.authorization, accountId);
      const revoked = await grants.revoke(accountId, userId);
      request.log.info(
        { account_id: accountId, user_id: userId, revoked },
        'bridge grant withdrawn',
      );
      return reply.status(200).send({ grant: { account_id: accountId, user_id: userId }, revoked });
    },
  );
};
