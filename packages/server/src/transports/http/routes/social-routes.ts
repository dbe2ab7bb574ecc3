import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AuthService } from '../../../app/accounts/auth-service.js';
import type { BlockService } from '../../../app/social/block-service.js';
import type { FriendRequestService } from '../../../app/social/friend-request-service.js';
import type { FriendService } from '../../../app/social/friend-service.js';
import { ErrorBody, UserIdParams } from '../../../protocol/rest-schemas.js';
import {
  BlockBody,
  BlockedList,
  FriendList,
  FriendRequestEnvelope,
  FriendRequestList,
  FriendRequestListQuery,
  FriendRequestParams,
  PageQuery,
  SendFriendRequestBody,
} from '../../../protocol/rest-social-schemas.js';
import { callerOf, requireAuth } from '../authenticate.js';

/** The social-graph use cases the REST edge calls. */
export interface SocialServices {
  readonly requests: FriendRequestService;
  readonly friends: FriendService;
  readonly blocks: BlockService;
}

const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody };
const bearer = [{ bearer: [] }];
const friendTags = ['friends'];
const blockTags = ['blocks'];
const noContent = z.null().describe('Done.');

/** Friend requests, friendships and blocks: /v1/friends/*, /v1/blocks/*. */
export const socialRoutes: FastifyPluginAsyncZod<{
  auth: AuthService;
  social: SocialServices;
}> = async (app, { auth, social }) => {
  app.addHook(
    'preHandler',
    requireAuth((token) => auth.authenticate(token)),
  );

  app.post(
    '/v1/friends/requests',
    {
      schema: {
        tags: friendTags,
        security: bearer,
        summary:
          'Send a friend request (201). 200 with your request already pending, or with their request to you, now accepted.',
        body: SendFriendRequestBody,
        response: {
          200: FriendRequestEnvelope,
          201: FriendRequestEnvelope,
          409: ErrorBody,
          ...errors,
        },
      },
    },
    async (request, reply) => {
      const sent = await social.requests.send(
        callerOf(request),
        request.body.user_id,
        request.body.message,
      );
      return reply.status(sent.created ? 201 : 200).send({ request: sent.request });
    },
  );

  app.get(
    '/v1/friends/requests',
    {
      schema: {
        tags: friendTags,
        security: bearer,
        summary:
          'Pending friend requests to (incoming) or from (outgoing) the caller, newest first.',
        querystring: FriendRequestListQuery,
        response: { 200: FriendRequestList, ...errors },
      },
    },
    async (request) => {
      const { direction, limit, cursor } = request.query;
      return social.requests.list(callerOf(request), direction, { limit, cursor });
    },
  );

  app.post(
    '/v1/friends/requests/:request_id/accept',
    {
      schema: {
        tags: friendTags,
        security: bearer,
        summary: 'Accept a friend request to the caller (idempotent).',
        params: FriendRequestParams,
        response: { 200: FriendRequestEnvelope, 409: ErrorBody, ...errors },
      },
    },
    async (request) => ({
      request: await social.requests.accept(callerOf(request), request.params.request_id),
    }),
  );

  app.post(
    '/v1/friends/requests/:request_id/reject',
    {
      schema: {
        tags: friendTags,
        security: bearer,
        summary: 'Reject a friend request to the caller (idempotent).',
        params: FriendRequestParams,
        response: { 200: FriendRequestEnvelope, 409: ErrorBody, ...errors },
      },
    },
    async (request) => ({
      request: await social.requests.reject(callerOf(request), request.params.request_id),
    }),
  );

  app.get(
    '/v1/friends',
    {
      schema: {
        tags: friendTags,
        security: bearer,
        summary: "The caller's friends, a page at a time.",
        querystring: PageQuery,
        response: { 200: FriendList, ...errors },
      },
    },
    async (request) => social.friends.list(callerOf(request), request.query),
  );

  app.delete(
    '/v1/friends/:user_id',
    {
      schema: {
        tags: friendTags,
        security: bearer,
        summary: 'End a friendship, on both sides (idempotent).',
        params: UserIdParams,
        response: { 204: noContent, ...errors },
      },
    },
    async (request, reply) => {
      await social.friends.remove(callerOf(request), request.params.user_id);
      return reply.status(204).send(null);
    },
  );

  app.post(
    '/v1/blocks',
    {
      schema: {
        tags: blockTags,
        security: bearer,
        summary: 'Block a user (idempotent); cancels the pending friend requests between you.',
        body: BlockBody,
        response: { 204: noContent, ...errors },
      },
    },
    async (request, reply) => {
      await social.blocks.block(callerOf(request), request.body.user_id);
      return reply.status(204).send(null);
    },
  );

  app.delete(
    '/v1/blocks/:user_id',
    {
      schema: {
        tags: blockTags,
        security: bearer,
        summary: 'Unblock a user (idempotent).',
        params: UserIdParams,
        response: { 204: noContent, ...errors },
      },
    },
    async (request, reply) => {
      await social.blocks.unblock(callerOf(request), request.params.user_id);
      return reply.status(204).send(null);
    },
  );

  app.get(
    '/v1/blocks',
    {
      schema: {
        tags: blockTags,
        security: bearer,
        summary: 'The users the caller has blocked, a page at a time.',
        querystring: PageQuery,
        response: { 200: BlockedList, ...errors },
      },
    },
    async (request) => social.blocks.list(callerOf(request), request.query),
  );
};
