import {
  MessageServiceService,
  type GetMessagesRequest,
  type GetMessagesResponse,
  type SendMessageRequest,
  type SendMessageResponse,
} from '@parley/proto';
import { HISTORY_LIMIT_DEFAULT, HISTORY_LIMIT_MAX } from '../../app/messaging/history-service.js';
import { invalidArgument } from '../../domain/errors.js';
import { MESSAGE_TYPE_PATTERN, type PublicMessage } from '../../domain/message.js';
import type { WsServices } from '../ws/ws-ops.js';
import { authedUnary, type CallGuard } from './grpc-call.js';
import { messageTypeOfNumber, recordToMessage, toMessage } from './grpc-codec.js';
import { jsonContent, limitOf, nonNegative, optionalId, requireId } from './grpc-input.js';
import type { GrpcServer } from './grpc-server.js';
import type { SenderNames } from './sender-names.js';
import type { Subscriptions } from './subscribe-grpc.js';

export interface MessageGrpcDeps {
  readonly guard: CallGuard;
  readonly services: Pick<WsServices, 'messaging' | 'history'>;
  readonly names: SenderNames;
  readonly maxContentBytes: number;
}

/** Messages with their senders' nicknames. */
async function withSenderNames(names: SenderNames, messages: readonly PublicMessage[]) {
  const known = await names.of(messages.map((m) => m.sender_id));
  return messages.map((m) => toMessage(m, known.get(m.sender_id) ?? ''));
}

/**
 * im.api.MessageService. Subscribe's events are written as bytes the codec encoded once per
 * fan-out: its serializer passes them through.
 */
export function addMessageService(
  server: GrpcServer,
  deps: MessageGrpcDeps,
  subscriptions: Subscriptions,
): void {
  const definition = {
    ...MessageServiceService,
    subscribe: { ...MessageServiceService.subscribe, responseSerialize: (bytes: Buffer) => bytes },
  };
  server.add('im.api.MessageService', definition, {
    ...messageMethods(deps),
    subscribe: subscriptions.handle,
  });
}

/** MessageService.GetMessages and SendMessage (Subscribe is in subscribe-grpc.ts). */
function messageMethods(deps: MessageGrpcDeps) {
  const { guard, services: s, names } = deps;
  return {
    /**
     * Page `page` of `size` messages counted back from the newest (or from before_seq). Seqs are
     * gap-free, so the page is a seq range: total is the number of seqs, has_more whether older
     * ones are left. A page cut short by the reply byte budget has has_more too; paging by
     * before_seq (the first message's seq) then reads on without a gap.
     */
    getMessages: authedUnary<GetMessagesRequest, GetMessagesResponse>(
      guard,
      'GetMessages',
      async (req, { auth }) => {
        const conversationId = requireId(req.conversationId, 'conversation_id');
        const size = limitOf(req.size, 'size', HISTORY_LIMIT_MAX) ?? HISTORY_LIMIT_DEFAULT;
        const page = req.page === 0 ? 1 : pageOf(req.page);
        const beforeSeq = nonNegative(req.beforeSeq, 'before_seq') || undefined;
        const read = (before: number | undefined, limit: number) =>
          s.history.historyRecords(auth, { conversationId, beforeSeq: before, limit });
        // The newest message before before_seq gives the total (seqs are gap-free): page 1
        // is one read, later pages read that one message first.
        const newest = await read(beforeSeq, page === 1 ? size : 1);
        const total = newest.messages.at(-1)?.seq ?? 0;
        const upper = total - (page - 1) * size;
        const pagination = { page, size, total, hasMore: false };
        if (upper <= 0) return { messages: [], pagination };
        const found = page === 1 ? newest : await read(upper + 1, size);
        const known = await names.of(found.messages.map((m) => m.senderId));
        return {
          messages: found.messages.map((m) => recordToMessage(m, known.get(m.senderId) ?? '')),
          pagination: { ...pagination, hasMore: found.hasMore },
        };
      },
    ),
    sendMessage: authedUnary<SendMessageRequest, SendMessageResponse>(
      guard,
      'SendMessage',
      async (req, { auth, traceId }) => {
        const sent = await s.messaging.send(
          auth,
          {
            conversationId: optionalId(req.conversationId, 'conversation_id'),
            toUserId: optionalId(req.toUserId, 'to_user_id'),
            groupId: optionalId(req.groupId, 'group_id'),
            clientMsgId: req.clientMsgId,
            type: typeOf(req.messageType, req.type),
            content: jsonContent(req.content, 'content', deps.maxContentBytes),
          },
          { traceId },
        );
        const [message] = await withSenderNames(names, [sent.message]);
        return { message, duplicate: sent.duplicate };
      },
    ),
  };
}

function pageOf(value: number): number {
  if (!Number.isSafeInteger(value) || value < 1) {
    throw invalidArgument('page must be a whole number from 1 (0 for the first).', 'page');
  }
  return value;
}

/** The type a send names: by number (seed 003), by name, or both when they agree. */
function typeOf(number: number, name: string): string {
  if (name !== '' && !MESSAGE_TYPE_PATTERN.test(name)) {
    throw invalidArgument('type must be a message type name, e.g. "text".', 'type');
  }
  if (number === 0) {
    if (name === '') {
      throw invalidArgument('Give message_type (1 text, 2 image, 3 file, ...) or type.', 'type');
    }
    return name;
  }
  const numbered = messageTypeOfNumber(number);
  if (numbered === undefined) {
    throw invalidArgument(
      'message_type must be 1 text, 2 image, 3 file, 4 audio, 5 video, 6 location or 7 custom; other types go by name in type.',
      'message_type',
    );
  }
  if (name !== '' && name !== numbered) {
    throw invalidArgument(`message_type ${number} is ${numbered}, not "${name}".`, 'type');
  }
  return numbered;
}
