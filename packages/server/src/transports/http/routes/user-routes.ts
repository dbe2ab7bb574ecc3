import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AuthService } from '../../../app/accounts/auth-service.js';
import type { UserService } from '../../../app/accounts/user-service.js';
import {
  ErrorBody,
  ProfilePatch,
  User,
  UserEnvelope,
  UserIdParams,
  UserSearchQuery,
} from '../../../protocol/rest-schemas.js';
import { callerOf, requireAuth } from '../authenticate.js';

const errors = { 400: ErrorBody, 401: ErrorBody };
const bearer = [{ bearer: [] }];

/** Profiles: /v1/users/*. */
export const userRoutes: FastifyPluginAsyncZod<{ auth: AuthService; users: UserService }> = async (
  app,
  { auth, users },
) => {
  app.addHook(
    'preHandler',
    requireAuth((token) => auth.authenticate(token)),
  );

  app.get(
    '/v1/users/me',
    {
      schema: {
        tags: ['users'],
        summary: 'The caller.',
        security: bearer,
        response: { 200: UserEnvelope, ...errors },
      },
    },
    async (request) => ({ user: await users.get(callerOf(request).userId) }),
  );

  app.patch(
    '/v1/users/me',
    {
      schema: {
        tags: ['users'],
        summary: "Update the caller's nickname, avatar_url or bio.",
        security: bearer,
        body: ProfilePatch,
        response: { 200: UserEnvelope, ...errors },
      },
    },
    async (request) => ({ user: await users.updateProfile(callerOf(request), request.body) }),
  );

  app.get(
    '/v1/users/:user_id',
    {
      schema: {
        tags: ['users'],
        summary: 'A user by id.',
        security: bearer,
        params: UserIdParams,
        response: { 200: UserEnvelope, 404: ErrorBody, ...errors },
      },
    },
    async (request) => ({ user: await users.get(request.params.user_id) }),
  );

  app.get(
    '/v1/users',
    {
      schema: {
        tags: ['users'],
        summary: 'Registered users whose username starts with `query`, a page at a time.',
        security: bearer,
        querystring: UserSearchQuery,
        response: {
          200: z.object({ users: z.array(User), next_cursor: z.string().nullable() }),
          ...errors,
        },
      },
    },
    async (request) => {
      const { query, limit, cursor } = request.query;
      return users.search(query, limit, cursor);
    },
  );
};
