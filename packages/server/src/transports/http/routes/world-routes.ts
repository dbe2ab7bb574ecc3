import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AuthService } from '../../../app/accounts/auth-service.js';
import type { ModerationService } from '../../../app/groups/moderation-service.js';
import type { WorldService } from '../../../app/groups/world-service.js';
import {
  ConversationMemberParams,
  CreateWorldBody,
  MuteAllBody,
  MuteBody,
  RoleBody,
  World,
} from '../../../protocol/rest-group-schemas.js';
import { ConversationParams } from '../../../protocol/rest-messaging-schemas.js';
import { ErrorBody } from '../../../protocol/rest-schemas.js';
import { callerOf, requireAuth } from '../authenticate.js';

const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody };
const security = [{ bearer: [] }];
const tags = ['worlds'];
const done = { 204: z.null().describe('Done.'), ...errors };

/** World conversations (seed 003's third type): listing, creating, leaving and moderation. */
export const worldRoutes: FastifyPluginAsyncZod<{
  auth: AuthService;
  worlds: WorldService;
  moderation: ModerationService;
}> = async (app, { auth, worlds, moderation }) => {
  app.addHook(
    'preHandler',
    requireAuth((token) => auth.authenticate(token)),
  );

  app.get(
    '/v1/worlds',
    {
      schema: {
        tags,
        security,
        summary: 'World conversations, most members first.',
        response: { 200: z.object({ worlds: z.array(World) }), ...errors },
      },
    },
    async () => ({ worlds: await worlds.list() }),
  );

  app.post(
    '/v1/worlds',
    {
      schema: {
        tags,
        security,
        summary: 'Create a world conversation; the caller owns it.',
        body: CreateWorldBody,
        response: { 201: z.object({ world: World }), ...errors },
      },
    },
    async (request, reply) =>
      reply.status(201).send({ world: await worlds.create(callerOf(request), request.body.name) }),
  );

  app.post(
    '/v1/conversations/:id/leave',
    {
      schema: {
        tags,
        security,
        summary: 'Leave a world conversation.',
        params: ConversationParams,
        response: done,
      },
    },
    async (request, reply) => {
      await worlds.leave(callerOf(request), request.params.id);
      return reply.status(204).send(null);
    },
  );

  app.post(
    '/v1/conversations/:id/members/:user_id/role',
    {
      schema: {
        tags,
        security,
        summary: 'Appoint or demote an admin (owner).',
        params: ConversationMemberParams,
        body: RoleBody,
        response: done,
      },
    },
    async (request, reply) => {
      await moderation.setRole(
        callerOf(request),
        request.params.id,
        request.params.user_id,
        request.body.role,
      );
      return reply.status(204).send(null);
    },
  );

  app.post(
    '/v1/conversations/:id/members/:user_id/mute',
    {
      schema: {
        tags,
        security,
        summary: 'Mute a member for duration_s seconds; 0 lifts it.',
        params: ConversationMemberParams,
        body: MuteBody,
        response: done,
      },
    },
    async (request, reply) => {
      await moderation.mute(
        callerOf(request),
        request.params.id,
        request.params.user_id,
        request.body.duration_s,
      );
      return reply.status(204).send(null);
    },
  );

  app.post(
    '/v1/conversations/:id/mute',
    {
      schema: {
        tags,
        security,
        summary: 'Mute everyone but the owner and admins, or lift it.',
        params: ConversationParams,
        body: MuteAllBody,
        response: done,
      },
    },
    async (request, reply) => {
      await moderation.muteAll(callerOf(request), request.params.id, request.body.muted);
      return reply.status(204).send(null);
    },
  );
};
