import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AuthService } from '../../../app/accounts/auth-service.js';
import type { WsServices } from '../../ws/ws-ops.js';
import {
  Change,
  ChangesQuery,
  Conversation,
  ConversationListQuery,
  ConversationParams,
  CreateConversationBody,
  EditBody,
  HistoryQuery,
  Message,
  MessageParams,
  ReadBody,
  SendBody,
} from '../../../protocol/rest-messaging-schemas.js';
import { ErrorBody } from '../../../protocol/rest-schemas.js';
import { callerOf, requireAuth } from '../authenticate.js';

const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody };
const bearer = [{ bearer: [] }];
const tags = ['conversations'];
const MessageEnvelope = z.object({ message: Message });
const ConversationEnvelope = z.object({ conversation: Conversation });

/** Conversations and messages over REST: the same use cases as the WebSocket ops. */
export const conversationRoutes: FastifyPluginAsyncZod<{
  auth: AuthService;
  services: WsServices;
}> = async (app, { auth, services: s }) => {
  app.addHook(
    'preHandler',
    requireAuth((token) => auth.authenticate(token)),
  );

  app.get(
    '/v1/conversations',
    {
      schema: {
        tags,
        security: bearer,
        summary: "The caller's conversations, most recent activity first, a page at a time.",
        querystring: ConversationListQuery,
        response: {
          200: z.object({
            conversations: z.array(Conversation),
            next_cursor: z.string().nullable(),
          }),
          ...errors,
        },
      },
    },
    async (request) => s.conversations.list(callerOf(request), request.query),
  );

  app.post(
    '/v1/conversations',
    {
      schema: {
        tags,
        security: bearer,
        summary: 'Open the single conversation with a user (created on first use).',
        body: CreateConversationBody,
        response: { 200: ConversationEnvelope, 201: ConversationEnvelope, ...errors },
      },
    },
    async (request, reply) => {
      const { conversation, created } = await s.conversations.openSingle(
        callerOf(request),
        request.body.user_id,
      );
      return reply.status(created ? 201 : 200).send({ conversation });
    },
  );

  app.get(
    '/v1/conversations/:id',
    {
      schema: {
        tags,
        security: bearer,
        summary: 'One conversation.',
        params: ConversationParams,
        response: { 200: ConversationEnvelope, ...errors },
      },
    },
    async (request) => ({
      conversation: await s.conversations.get(callerOf(request), request.params.id),
    }),
  );

  app.post(
    '/v1/conversations/:id/join',
    {
      schema: {
        tags,
        security: bearer,
        summary: 'Join a world conversation.',
        params: ConversationParams,
        response: { 200: ConversationEnvelope, ...errors },
      },
    },
    async (request) => ({
      conversation: await s.conversations.join(callerOf(request), request.params.id),
    }),
  );

  app.get(
    '/v1/conversations/:id/messages',
    {
      schema: {
        tags,
        security: bearer,
        summary: 'Message history, ascending by seq.',
        params: ConversationParams,
        querystring: HistoryQuery,
        response: {
          200: z.object({ messages: z.array(Message), has_more: z.boolean() }),
          ...errors,
        },
      },
    },
    async (request) =>
      s.history.history(callerOf(request), {
        conversationId: request.params.id,
        beforeSeq: request.query.before_seq,
        afterSeq: request.query.after_seq,
        limit: request.query.limit,
      }),
  );

  app.post(
    '/v1/conversations/:id/messages',
    {
      schema: {
        tags,
        security: bearer,
        summary: 'Send a message (201; 200 with the original on a retry).',
        params: ConversationParams,
        body: SendBody,
        response: {
          200: MessageEnvelope,
          201: MessageEnvelope,
          409: ErrorBody,
          429: ErrorBody,
          ...errors,
        },
      },
    },
    async (request, reply) => {
      const { message, duplicate } = await s.messaging.send(
        callerOf(request),
        {
          conversationId: request.params.id,
          clientMsgId: request.body.client_msg_id,
          type: request.body.type,
          content: request.body.content,
        },
        // The request id is its trace id (transports/shared/trace.ts).
        { traceId: request.id },
      );
      return reply.status(duplicate ? 200 : 201).send({ message });
    },
  );

  app.patch(
    '/v1/conversations/:id/messages/:seq',
    {
      schema: {
        tags,
        security: bearer,
        summary: 'Edit a message (sender only).',
        params: MessageParams,
        body: EditBody,
        response: { 200: MessageEnvelope, 409: ErrorBody, ...errors },
      },
    },
    async (request) => {
      const { message } = await s.edits.edit(
        callerOf(request),
        request.params.id,
        request.params.seq,
        request.body.content,
      );
      return { message };
    },
  );

  app.post(
    '/v1/conversations/:id/messages/:seq/recall',
    {
      schema: {
        tags,
        security: bearer,
        summary: 'Recall a message (sender only, within the recall window).',
        params: MessageParams,
        response: { 200: MessageEnvelope, 409: ErrorBody, ...errors },
      },
    },
    async (request) => {
      const { message } = await s.edits.recall(
        callerOf(request),
        request.params.id,
        request.params.seq,
      );
      return { message };
    },
  );

  app.get(
    '/v1/conversations/:id/changes',
    {
      schema: {
        tags,
        security: bearer,
        summary: 'The change log (recalls, edits), ascending.',
        params: ConversationParams,
        querystring: ChangesQuery,
        response: { 200: z.object({ changes: z.array(Change), has_more: z.boolean() }), ...errors },
      },
    },
    async (request) =>
      s.history.changes(callerOf(request), {
        conversationId: request.params.id,
        afterChangeSeq: request.query.after_change_seq,
        limit: request.query.limit,
      }),
  );

  app.post(
    '/v1/conversations/:id/read',
    {
      schema: {
        tags,
        security: bearer,
        summary: 'Move read_seq forward.',
        params: ConversationParams,
        body: ReadBody,
        response: { 204: z.null().describe('Done.'), ...errors },
      },
    },
    async (request, reply) => {
      await s.receipts.markRead(callerOf(request), request.params.id, request.body.seq);
      return reply.status(204).send(null);
    },
  );
};
