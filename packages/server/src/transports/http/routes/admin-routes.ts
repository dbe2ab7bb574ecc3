import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { notFound, unauthenticated, unavailable } from '../../../domain/errors.js';
import type { Membership } from '../../../ports/membership.js';
import { ClusterNodes } from '../../../protocol/rest-admin-schemas.js';
import { ErrorBody } from '../../../protocol/rest-schemas.js';
import { adminTokenMatcher } from '../../shared/admin-token.js';
import { parseBearer } from '../../shared/bearer.js';

export interface AdminRouteOptions {
  /** PARLEY_ADMIN_TOKEN. Unset or empty: the admin API is off and answers 404. */
  readonly adminToken: string | undefined;
  readonly membership: Membership;
}

/** Operator endpoints, /v1/admin/*: authorised by the admin token, not by a user's JWT. */
export const adminRoutes: FastifyPluginAsyncZod<AdminRouteOptions> = async (
  app,
  { adminToken, membership },
) => {
  app.addHook('preHandler', requireAdminToken(adminToken));

  app.get(
    '/v1/admin/nodes',
    {
      schema: {
        tags: ['admin'],
        summary: 'The live nodes of the cluster, with their roles and addresses (admin token).',
        security: [{ bearer: [] }],
        response: { 200: ClusterNodes, 401: ErrorBody, 404: ErrorBody, 503: ErrorBody },
      },
    },
    async (request) => {
      try {
        return { nodes: await membership.list() };
      } catch (err) {
        request.log.warn({ err }, 'listing the cluster nodes failed');
        throw unavailable('The membership store (etcd) does not answer; try again later.');
      }
    },
  );
};

/** Registers the admin routes on `app` (the composition root passes the token and membership). */
export function registerAdminRoutes(app: FastifyInstance, options: AdminRouteOptions) {
  return app.register(adminRoutes, options);
}

/** The bearer token must equal the admin token (compared in constant time: admin-token.ts). */
export function requireAdminToken(adminToken: string | undefined) {
  const isAdmin = adminTokenMatcher(adminToken);
  return async (request: FastifyRequest): Promise<void> => {
    if (isAdmin === undefined) {
      throw notFound('The admin API is off: set PARLEY_ADMIN_TOKEN to turn it on.');
    }
    const token = parseBearer(request.headers.authorization);
    if (token === undefined || !isAdmin(token)) {
      throw unauthenticated(
        'Send the admin token as "Authorization: Bearer <PARLEY_ADMIN_TOKEN>".',
      );
    }
  };
}
