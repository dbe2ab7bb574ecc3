import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AuthService } from '../../../app/accounts/auth-service.js';
import {
  GroupMemberParams,
  GroupParams,
  MuteAllBody,
  MuteBody,
  RoleBody,
  TransferBody,
} from '../../../protocol/rest-group-schemas.js';
import { ErrorBody } from '../../../protocol/rest-schemas.js';
import { callerOf, requireAuth } from '../authenticate.js';
import type { GroupServices } from './group-routes.js';

const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody };
const security = [{ bearer: [] }];
const tags = ['groups'];
const done = { 204: z.null().describe('Done.'), ...errors };

/** Group moderation: ownership, roles and mutes. */
export const groupModerationRoutes: FastifyPluginAsyncZod<{
  auth: AuthService;
  services: GroupServices;
}> = async (app, { auth, services: s }) => {
  app.addHook(
    'preHandler',
    requireAuth((token) => auth.authenticate(token)),
  );
  const noContent = <T>(reply: { status(code: number): { send(v: null): T } }) =>
    reply.status(204).send(null);

  app.post(
    '/v1/groups/:group_id/transfer',
    {
      schema: {
        tags,
        security,
        summary: 'Hand the group to another member (owner); the old owner becomes an admin.',
        params: GroupParams,
        body: TransferBody,
        response: done,
      },
    },
    async (request, reply) => {
      await s.moderation.transfer(callerOf(request), request.params.group_id, request.body.user_id);
      return noContent(reply);
    },
  );

  app.post(
    '/v1/groups/:group_id/members/:user_id/role',
    {
      schema: {
        tags,
        security,
        summary: 'Make a member an admin, or an admin a member (owner).',
        params: GroupMemberParams,
        body: RoleBody,
        response: done,
      },
    },
    async (request, reply) => {
      const group = await s.groups.find(request.params.group_id);
      await s.moderation.setRole(
        callerOf(request),
        group.conversationId,
        request.params.user_id,
        request.body.role,
      );
      return noContent(reply);
    },
  );

  app.post(
    '/v1/groups/:group_id/members/:user_id/mute',
    {
      schema: {
        tags,
        security,
        summary: 'Mute a member for duration_s seconds; 0 lifts it.',
        params: GroupMemberParams,
        body: MuteBody,
        response: done,
      },
    },
    async (request, reply) => {
      const group = await s.groups.find(request.params.group_id);
      await s.moderation.mute(
        callerOf(request),
        group.conversationId,
        request.params.user_id,
        request.body.duration_s,
      );
      return noContent(reply);
    },
  );

  app.post(
    '/v1/groups/:group_id/mute',
    {
      schema: {
        tags,
        security,
        summary: 'Mute everyone but the owner and admins, or lift it.',
        params: GroupParams,
        body: MuteAllBody,
        response: done,
      },
    },
    async (request, reply) => {
      const group = await s.groups.find(request.params.group_id);
      await s.moderation.muteAll(callerOf(request), group.conversationId, request.body.muted);
      return noContent(reply);
    },
  );
};
