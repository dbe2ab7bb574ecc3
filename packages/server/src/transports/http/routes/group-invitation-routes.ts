import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AuthService } from '../../../app/accounts/auth-service.js';
import {
  Group,
  GroupParams,
  Invitation,
  InvitationsQuery,
} from '../../../protocol/rest-group-schemas.js';
import { ErrorBody } from '../../../protocol/rest-schemas.js';
import { callerOf, requireAuth } from '../authenticate.js';
import type { GroupServices } from './group-routes.js';

const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody };
const security = [{ bearer: [] }];
const tags = ['groups'];

/** The invitee's side of group invitations: list, accept, decline. */
export const groupInvitationRoutes: FastifyPluginAsyncZod<{
  auth: AuthService;
  services: GroupServices;
}> = async (app, { auth, services: s }) => {
  app.addHook(
    'preHandler',
    requireAuth((token) => auth.authenticate(token)),
  );

  app.get(
    '/v1/groups/invitations',
    {
      schema: {
        tags,
        security,
        summary: 'Your pending invitations to groups, newest first.',
        querystring: InvitationsQuery,
        response: { 200: z.object({ invitations: z.array(Invitation) }), ...errors },
      },
    },
    async (request) => ({
      invitations: await s.membership.invitations(callerOf(request), request.query.limit),
    }),
  );

  app.post(
    '/v1/groups/invitations/:group_id/accept',
    {
      schema: {
        tags,
        security,
        summary: 'Accept an invitation: you become a member.',
        params: GroupParams,
        response: { 200: z.object({ group: Group }), ...errors },
      },
    },
    async (request) => ({
      group: await s.membership.accept(callerOf(request), request.params.group_id),
    }),
  );

  app.post(
    '/v1/groups/invitations/:group_id/decline',
    {
      schema: {
        tags,
        security,
        summary: 'Decline an invitation.',
        params: GroupParams,
        response: { 200: z.object({ invitation: Invitation }), ...errors },
      },
    },
    async (request) => ({
      invitation: await s.membership.decline(callerOf(request), request.params.group_id),
    }),
  );
};
