import type { z } from 'zod';
import type { AuthContext } from '../../app/accounts/auth-context.js';
import type { ConversationService } from '../../app/messaging/conversation-service.js';
import type { EditService } from '../../app/messaging/edit-service.js';
import type { HistoryService } from '../../app/messaging/history-service.js';
import type { MessagingService, Origin } from '../../app/messaging/messaging-service.js';
import type { ReceiptService } from '../../app/messaging/receipt-service.js';
import {
  ChangesData,
  ConversationData,
  ConversationListData,
  CreateConversationData,
  EditData,
  EmptyData,
  HistoryData,
  MessageRefData,
  ReadData,
  SendData,
} from '../../protocol/ws-schemas.js';
import { publicMessageJson } from '../../protocol/message-json.js';
import { RawJson } from '../../protocol/ws-frames.js';
import type { GatewayConnection } from './gateway-connection.js';

export interface WsServices {
  readonly messaging: MessagingService;
  readonly conversations: ConversationService;
  readonly history: HistoryService;
  readonly receipts: ReceiptService;
  readonly edits: EditService;
}

export interface Op<S extends z.ZodType> {
  readonly schema: S;
  /** `conn` is the connection the request came on (ops that subscribe it to a topic). */
  readonly run: (
    data: z.output<S>,
    auth: AuthContext,
    origin: Origin,
    conn: GatewayConnection,
  ) => Promise<unknown>;
}

export const op = <S extends z.ZodType>(schema: S, run: Op<S>['run']): Op<z.ZodType> =>
  ({ schema, run }) as unknown as Op<z.ZodType>;

const EMPTY = Object.freeze({});

/**
 * The table of WebSocket ops: each validates its data and calls one use case. `more` adds
 * the ops of other capabilities (bridge subscriptions).
 */
export function wsOps(
  s: WsServices,
  more: Iterable<readonly [string, Op<z.ZodType>]> = [],
): ReadonlyMap<string, Op<z.ZodType>> {
  return new Map<string, Op<z.ZodType>>([
    ...more,
    ['ping', op(EmptyData, async () => EMPTY)],
    [
      'message.send',
      op(SendData, async (d, auth, origin) => {
        const sent = await s.messaging.send(
          auth,
          {
            conversationId: d.conversation_id,
            toUserId: d.to_user_id,
            groupId: d.group_id,
            clientMsgId: d.client_msg_id,
            type: d.type,
            content: d.content,
          },
          origin,
        );
        // The message's JSON text is shared with the fan-out: encoded once per send.
        return new RawJson(`{"message":${sent.messageJson},"duplicate":${sent.duplicate}}`);
      }),
    ],
    [
      'message.history',
      op(HistoryData, async (d, auth) => {
        const page = await s.history.historyRecords(auth, {
          conversationId: d.conversation_id,
          beforeSeq: d.before_seq,
          afterSeq: d.after_seq,
          limit: d.limit,
        });
        // A reconnecting client's catch-up: each stored content is spliced in, not re-encoded.
        const messages = page.messages.map(publicMessageJson).join(',');
        return new RawJson(`{"messages":[${messages}],"has_more":${page.hasMore}}`);
      }),
    ],
    [
      'message.changes',
      op(ChangesData, (d, auth) =>
        s.history.changes(auth, {
          conversationId: d.conversation_id,
          afterChangeSeq: d.after_change_seq,
          limit: d.limit,
        }),
      ),
    ],
    [
      'message.recall',
      op(MessageRefData, (d, auth, origin) =>
        s.edits.recall(auth, d.conversation_id, d.seq, origin),
      ),
    ],
    [
      'message.edit',
      op(EditData, (d, auth, origin) =>
        s.edits.edit(auth, d.conversation_id, d.seq, d.content, origin),
      ),
    ],
    [
      'message.delivered',
      op(MessageRefData, async (d, auth) => {
        await s.receipts.markDelivered(auth, d.conversation_id, d.seq);
        return EMPTY;
      }),
    ],
    [
      'conversation.list',
      op(ConversationListData, (d, auth) =>
        s.conversations.list(auth, { cursor: d.cursor, limit: d.limit }),
      ),
    ],
    [
      'conversation.get',
      op(ConversationData, async (d, auth) => ({
        conversation: await s.conversations.get(auth, d.conversation_id),
      })),
    ],
    [
      'conversation.create',
      op(CreateConversationData, (d, auth) => s.conversations.openSingle(auth, d.user_id)),
    ],
    [
      'conversation.join',
      op(ConversationData, async (d, auth) => ({
        conversation: await s.conversations.join(auth, d.conversation_id),
      })),
    ],
    [
      'conversation.read',
      op(ReadData, async (d, auth, origin) => {
        await s.receipts.markRead(auth, d.conversation_id, d.seq, origin);
        return EMPTY;
      }),
    ],
    [
      'typing',
      op(ConversationData, async (d, auth) => {
        await s.receipts.typing(auth, d.conversation_id);
        return EMPTY;
      }),
    ],
  ]);
}
