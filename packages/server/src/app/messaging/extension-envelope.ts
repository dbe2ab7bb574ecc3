import type { ConversationType } from '../../domain/conversation.js';
import { singleConversationMembers } from '../../domain/conversation.js';
import { CALLBACK_TAG, EXT_STATUS, type ExtEnvelope } from '../../domain/extension.js';
import type { MessageRecord } from '../../domain/message.js';
import type { Clock, Ids } from '../../ports/system.js';
import type { ExtensionGateway } from './extension-gateway.js';

export interface EnvelopeContext {
  readonly clock: Clock;
  readonly ids: Ids;
  readonly gateway: Pick<ExtensionGateway, 'deadlineFor'>;
  /** host:port of Parley's ExtCallbackService, put in every async call's tags. */
  readonly callbackAddr: () => string;
}

/** The seed's ExtMessage for one call of an extension service about `message`. */
export function extEnvelope(
  context: EnvelopeContext,
  message: Pick<MessageRecord, 'id' | 'senderId' | 'type' | 'content' | 'createdAt'>,
  conversation: { id: string; type: ConversationType },
  seq: number,
  async: boolean,
  traceId?: string,
): ExtEnvelope {
  const peer =
    conversation.type === 'single'
      ? (singleConversationMembers(conversation.id)?.find((id) => id !== message.senderId) ?? '')
      : '';
  return {
    msgId: message.id,
    conversation: conversation.id,
    fromUid: message.senderId,
    toUid: peer,
    groupId: conversation.type === 'group' ? conversation.id.replace(/^g_/, '') : '',
    msgType: message.type,
    scene: 0,
    clientTs: message.createdAt,
    serverTs: context.clock.now(),
    seq,
    requestId: `${message.id}.${context.ids.next()}`,
    async,
    timeoutMs: context.gateway.deadlineFor(message.type),
    tags: async ? { [CALLBACK_TAG]: context.callbackAddr() } : {},
    payload: message.content,
    status: async || seq > 0 ? EXT_STATUS.pending : EXT_STATUS.unknown,
    ...(traceId !== undefined && { traceId }),
  };
}
