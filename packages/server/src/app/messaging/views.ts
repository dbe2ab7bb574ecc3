import type { ConversationType } from '../../domain/conversation.js';
import { singleConversationMembers } from '../../domain/conversation.js';
import { toPublicMessage, type PublicMessage } from '../../domain/message.js';
import { toPublicUser, type PublicUser } from '../../domain/user.js';
import type { ConversationSummary } from '../../ports/messaging-store.js';
import type { Store } from '../../ports/store.js';

/** The Conversation object of the protocol. */
export interface PublicConversation {
  readonly conversation_id: string;
  readonly type: ConversationType;
  readonly name: string;
  readonly created_at: number;
  readonly max_seq: number;
  readonly max_change_seq: number;
  readonly read_seq: number;
  readonly unread_count: number;
  readonly last_message: PublicMessage | null;
  readonly member_count: number;
  readonly peer: PublicUser | null;
}

/** Builds Conversation objects, reading the peers of single conversations in one query. */
export async function toPublicConversations(
  store: Store,
  viewerId: string,
  summaries: readonly ConversationSummary[],
): Promise<PublicConversation[]> {
  const peerOf = (s: ConversationSummary) =>
    s.conversation.type === 'single'
      ? singleConversationMembers(s.conversation.id)?.find((id) => id !== viewerId)
      : undefined;
  const peerIds = summaries.map(peerOf).filter((id): id is string => id !== undefined);
  const peers = new Map((await store.users.findByIds(peerIds)).map((u) => [u.id, u]));
  return summaries.map((s) => {
    const peer = peers.get(peerOf(s) ?? '');
    return {
      conversation_id: s.conversation.id,
      type: s.conversation.type,
      name: s.conversation.name,
      created_at: s.conversation.createdAt,
      max_seq: s.conversation.maxSeq,
      max_change_seq: s.conversation.maxChangeSeq,
      read_seq: s.membership.readSeq,
      unread_count: s.unreadCount,
      last_message: s.lastMessage && toPublicMessage(s.lastMessage),
      member_count: s.conversation.memberCount,
      peer: peer ? toPublicUser(peer) : null,
    };
  });
}
