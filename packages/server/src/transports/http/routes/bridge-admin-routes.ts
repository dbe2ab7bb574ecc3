import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type {
  BridgeAccountService,
  BridgeAccountView,
} from '../../../app/bridges/bridge-accounts.js';
import type { WorkerToken, WorkerTokenService } from '../../../app/bridges/worker-tokens.js';
import { invalidArgument, notFound } from '../../../domain/errors.js';
import {
  AccountOwnerMoved,
  AssignOwnerBody,
  BridgeAccountList,
  BridgeAccountListQuery,
  BridgeAccountParams,
  CreateWorkerTokenBody,
  CreatedWorkerToken,
  WorkerTokenList,
  WorkerTokenParams,
  decodeAccountCursor,
  encodeAccountCursor,
} from '../../../protocol/bridge-admin-schemas.js';
import { ErrorBody } from '../../../protocol/rest-schemas.js';
import { requireAdminToken } from './admin-routes.js';

export interface BridgeAdminRouteOptions {
  /** PARLEY_ADMIN_TOKEN. Unset or empty: these routes answer 404, as the whole admin API. */
  readonly adminToken: string | undefined;
  readonly workerTokens: WorkerTokenService;
  readonly accounts: BridgeAccountService;
}

const wire = (token: WorkerToken) => ({
  id: token.id,
  name: token.name,
  created_at: token.createdAt,
  revoked_at: token.revokedAt,
});

const wireAccount = (account: BridgeAccountView) => ({
  platform: account.platform,
  account_id: account.accountId,
  owner_token_id: account.owner?.id ?? null,
  owner_token_name: account.owner?.name ?? null,
  owner_token_revoked_at: account.owner?.revokedAt ?? null,
  last_sync_at: account.lastSyncAt,
  last_timestamp: account.lastTimestamp,
});

const errors = { 400: ErrorBody, 401: ErrorBody, 404: ErrorBody } as const;

/**
 * Operator endpoints for bridges (seed 001), the admin token: worker tokens
 * (/v1/admin/worker-tokens) and which token owns each account (/v1/admin/bridge-accounts).
 */
export const bridgeAdminRoutes: FastifyPluginAsyncZod<BridgeAdminRouteOptions> = async (
  app,
  { adminToken, workerTokens, accounts },
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

  app.get(
    '/v1/admin/bridge-accounts',
    {
      schema: {
        tags: ['admin'],
        summary:
          'The accounts workers have synced, by platform and account id, with their owning ' +
          'worker token and last sync; paged (admin token).',
        security: [{ bearer: [] }],
        querystring: BridgeAccountListQuery,
        response: { 200: BridgeAccountList, ...errors },
      },
    },
    async (request) => {
      const { cursor, limit } = request.query;
      const after = cursor === undefined || cursor === '' ? undefined : decodeAccountCursor(cursor);
      if (cursor !== undefined && cursor !== '' && after === undefined) {
        throw invalidArgument('cursor is not one this server handed out.', 'cursor');
      }
      const page = await accounts.list(after, limit);
      return {
        bridge_accounts: page.accounts.map(wireAccount),
        next_cursor: page.next === null ? null : encodeAccountCursor(page.next),
      };
    },
  );

  app.put(
    '/v1/admin/bridge-accounts/:platform/:account_id/owner',
    {
      schema: {
        tags: ['admin'],
        summary:
          'Moves an account to another live worker token: the previous owner is refused from ' +
          'its next push for it, the new one accepted (admin token).',
        security: [{ bearer: [] }],
        params: BridgeAccountParams,
        body: AssignOwnerBody,
        response: { 200: AccountOwnerMoved, ...errors },
      },
    },
    async (request) => {
      const { platform, account_id: accountId } = request.params;
      const moved = await accounts.assignOwner(platform, accountId, request.body.worker_token_id);
      request.log.info(
        {
          platform,
          account_id: accountId,
          worker_token_id: moved.ownerTokenId,
          previous_worker_token_id: moved.previousOwnerTokenId,
        },
        moved.previousOwnerTokenId === moved.ownerTokenId
          ? 'bridge account already owned by that worker token'
          : 'bridge account moved to another worker token',
      );
      return {
        platform,
        account_id: accountId,
        owner_token_id: moved.ownerTokenId,
        previous_owner_token_id: moved.previousOwnerTokenId,
      };
    },
  );
};
