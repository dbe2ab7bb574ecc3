import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AuthService } from '../../../app/accounts/auth-service.js';
import type { GroupService } from '../../../app/groups/group-service.js';
import type { MembershipService } from '../../../app/groups/membership-service.js';
import type { ModerationService } from '../../../app/groups/moderation-service.js';
import { Conversation } from '../../../protocol/rest-messaging-schemas.js';
import {
  Admitted,
  CreateGroupBody,
  Group,
  GroupMemberParams,
  GroupParams,
  InviteBody,
  JoinBody,
  JoinRequest,
  Member,
  MembersQuery,
  UpdateGroupBody,
} from '../../../protocol/rest-group-schemas.js';
import { ErrorBody } from '../../../protocol/rest-schemas.js';
import { callerOf, requireAuth } from '../authenticate.js';

export interface GroupServices {
  readonly groups: GroupService;
  readonly membership: MembershipService;
  readonly moderation: ModerationService;
}

const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody };
const security = [{ bearer: [] }];
const tags = ['groups'];
const done = { 204: z.null().describe('Done.'), ...errors };
const GroupEnvelope = z.object({ group: Group });

/** Groups over REST (seed 003 GroupService, seed 004 group-service). */
export const groupRoutes: FastifyPluginAsyncZod<{
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
    '/v1/groups',
    {
      schema: {
        tags,
        security,
        summary:
          'Create a group; the caller owns it. Friends are added, others invited (group_add_policy).',
        body: CreateGroupBody,
        response: {
          201: z.object({ group: Group, conversation: Conversation, ...Admitted }),
          ...errors,
          429: ErrorBody,
        },
      },
    },
    async (request, reply) => {
      const b = request.body;
      const created = await s.groups.create(callerOf(request), {
        name: b.name,
        memberIds: b.member_ids,
        avatarUrl: b.avatar_url,
        notice: b.notice,
        joinPolicy: b.join_policy,
      });
      return reply.status(201).send(created);
    },
  );

  app.get(
    '/v1/groups/:group_id',
    {
      schema: {
        tags,
        security,
        summary: 'A group.',
        params: GroupParams,
        response: { 200: GroupEnvelope, ...errors },
      },
    },
    async (request) => ({ group: await s.groups.get(callerOf(request), request.params.group_id) }),
  );

  app.patch(
    '/v1/groups/:group_id',
    {
      schema: {
        tags,
        security,
        summary: 'Update name, avatar, notice or join policy (owner and admins).',
        params: GroupParams,
        body: UpdateGroupBody,
        response: { 200: GroupEnvelope, ...errors },
      },
    },
    async (request) => {
      const b = request.body;
      return {
        group: await s.groups.update(callerOf(request), request.params.group_id, {
          name: b.name,
          avatarUrl: b.avatar_url,
          notice: b.notice,
          joinPolicy: b.join_policy,
        }),
      };
    },
  );

  app.delete(
    '/v1/groups/:group_id',
    {
      schema: {
        tags,
        security,
        summary: 'Dissolve the group (owner).',
        params: GroupParams,
        response: done,
      },
    },
    async (request, reply) => {
      await s.groups.dissolve(callerOf(request), request.params.group_id);
      return noContent(reply);
    },
  );

  app.get(
    '/v1/groups/:group_id/members',
    {
      schema: {
        tags,
        security,
        summary: 'Members, paged by cursor (members only).',
        params: GroupParams,
        querystring: MembersQuery,
        response: {
          200: z.object({ members: z.array(Member), next_cursor: z.string().nullable() }),
          ...errors,
        },
      },
    },
    async (request) =>
      s.groups.members(
        callerOf(request),
        request.params.group_id,
        request.query.limit,
        request.query.cursor,
      ),
  );

  app.post(
    '/v1/groups/:group_id/join',
    {
      schema: {
        tags,
        security,
        summary: 'Join an open group (200), or ask to join an approval group (202).',
        params: GroupParams,
        body: JoinBody,
        response: { 200: GroupEnvelope, 202: z.object({ request: JoinRequest }), ...errors },
      },
    },
    async (request, reply) => {
      const result = await s.membership.join(
        callerOf(request),
        request.params.group_id,
        request.body?.message ?? '',
      );
      return result.joined
        ? reply.status(200).send({ group: result.group })
        : reply.status(202).send({ request: result.request });
    },
  );

  app.get(
    '/v1/groups/:group_id/join-requests',
    {
      schema: {
        tags,
        security,
        summary: 'Pending join requests (owner and admins).',
        params: GroupParams,
        response: { 200: z.object({ requests: z.array(JoinRequest) }), ...errors },
      },
    },
    async (request) => ({
      requests: await s.membership.joinRequests(callerOf(request), request.params.group_id),
    }),
  );

  for (const [action, approve] of [
    ['approve', true],
    ['reject', false],
  ] as const) {
    app.post(
      `/v1/groups/:group_id/join-requests/:user_id/${action}`,
      {
        schema: {
          tags,
          security,
          summary: `${approve ? 'Approve' : 'Reject'} a join request (owner and admins).`,
          params: GroupMemberParams,
          response: { 200: z.object({ request: JoinRequest }), ...errors },
        },
      },
      async (request) => ({
        request: await s.membership.decide(
          callerOf(request),
          request.params.group_id,
          request.params.user_id,
          approve,
        ),
      }),
    );
  }

  app.post(
    '/v1/groups/:group_id/members',
    {
      schema: {
        tags,
        security,
        summary:
          'Add members (owner and admins; any member in an open group): friends are added, others invited.',
        params: GroupParams,
        body: InviteBody,
        response: { 200: z.object(Admitted), ...errors },
      },
    },
    async (request) =>
      s.membership.invite(callerOf(request), request.params.group_id, request.body.user_ids),
  );

  app.delete(
    '/v1/groups/:group_id/members/:user_id',
    {
      schema: {
        tags,
        security,
        summary: 'Remove a member (owners remove admins and members, admins remove members).',
        params: GroupMemberParams,
        response: done,
      },
    },
    async (request, reply) => {
      await s.membership.kick(callerOf(request), request.params.group_id, request.params.user_id);
      return noContent(reply);
    },
  );

  app.post(
    '/v1/groups/:group_id/leave',
    {
      schema: {
        tags,
        security,
        summary: 'Leave the group (the owner transfers ownership first).',
        params: GroupParams,
        response: done,
      },
    },
    async (request, reply) => {
      await s.membership.leave(callerOf(request), request.params.group_id);
      return noContent(reply);
    },
  );
};
