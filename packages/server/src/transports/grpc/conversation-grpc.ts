import {
  ConversationServiceService,
  type CreatePrivateConversationRequest,
  type CreatePrivateConversationResponse,
  type Empty,
  type GetConversationInfoRequest,
  type GetConversationInfoResponse,
  type GetConversationsRequest,
  type GetConversationsResponse,
  type MarkAsReadRequest,
} from '@parley/proto';
import { appError } from '../../domain/errors.js';
import type { WsServices } from '../ws/ws-ops.js';
import { authedUnary, type CallGuard } from './grpc-call.js';
import { toConversation } from './grpc-codec.js';
import { cursorOf, limitOf, nonNegative, requireId } from './grpc-input.js';
import type { GrpcServer } from './grpc-server.js';

const LIST_MAX = 100;

/** im.api.ConversationService: the conversation use cases of /v1/conversations. */
export function addConversationService(
  server: GrpcServer,
  guard: CallGuard,
  s: Pick<WsServices, 'conversations' | 'receipts'>,
): void {
  server.add('im.api.ConversationService', ConversationServiceService, {
    getConversations: authedUnary<GetConversationsRequest, GetConversationsResponse>(
      guard,
      'GetConversations',
      async (req, { auth }) => {
        if (req.userId !== '' && req.userId !== auth.userId) {
          throw appError('USER_ID_MISMATCH', 'Only your own conversations can be listed.', {
            field: 'user_id',
          });
        }
        const page = await s.conversations.list(auth, {
          cursor: cursorOf(req.cursor),
          limit: limitOf(req.limit, 'limit', LIST_MAX),
        });
        return {
          conversations: page.conversations.map((c) => toConversation(c)),
          nextCursor: page.next_cursor ?? '',
        };
      },
    ),
    createPrivateConversation: authedUnary<
      CreatePrivateConversationRequest,
      CreatePrivateConversationResponse
    >(guard, 'CreatePrivateConversation', async (req, { auth }) => {
      const opened = await s.conversations.openSingle(
        auth,
        requireId(req.peerUserId, 'peer_user_id'),
      );
      return { conversation: toConversation(opened.conversation), created: opened.created };
    }),
    markConversationAsRead: authedUnary<MarkAsReadRequest, Empty>(
      guard,
      'MarkConversationAsRead',
      async (req, { auth }) => {
        await s.receipts.markRead(
          auth,
          requireId(req.conversationId, 'conversation_id'),
          nonNegative(req.seq, 'seq'),
        );
        return {};
      },
    ),
    getConversationInfo: authedUnary<GetConversationInfoRequest, GetConversationInfoResponse>(
      guard,
      'GetConversationInfo',
      async (req, { auth }) => ({
        conversation: toConversation(
          await s.conversations.get(auth, requireId(req.conversationId, 'conversation_id')),
        ),
      }),
    ),
  });
}
