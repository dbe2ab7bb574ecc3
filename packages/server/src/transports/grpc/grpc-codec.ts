/**
 * The gRPC codec: Parley's views (the objects REST sends as JSON) as the messages of seed 003.
 * One place for every field mapping, so that each service stays a list of calls.
 */
import type { Conversation, Group, GroupMember, Message, User } from '@parley/proto';
import type { PublicGroup, PublicMember } from '../../app/groups/group-views.js';
import type { PublicConversation } from '../../app/messaging/views.js';
import type { MessageRecord, PublicMessage } from '../../domain/message.js';
import type { PublicUser } from '../../domain/user.js';

/** Message.message_type: seed 003's numbers (1 text, 2 image, 3 file), Parley's after them. */
export const MESSAGE_TYPE_NUMBERS: Readonly<Record<string, number>> = {
  text: 1,
  image: 2,
  file: 3,
  audio: 4,
  video: 5,
  location: 6,
  custom: 7,
};
const TYPE_OF_NUMBER = new Map(Object.entries(MESSAGE_TYPE_NUMBERS).map(([t, n]) => [n, t]));

/** The type named by a number (undefined for one Parley does not number). */
export const messageTypeOfNumber = (n: number): string | undefined => TYPE_OF_NUMBER.get(n);

export const toUser = (u: PublicUser): User => ({
  userId: u.user_id,
  username: u.username,
  nickname: u.nickname,
  avatarUrl: u.avatar_url,
  isGuest: u.is_guest,
  createdAt: u.created_at,
  bio: u.bio,
});

/** A message; `senderName` is the sender's nickname ('' when the account is gone). */
export const toMessage = (m: PublicMessage, senderName: string): Message => ({
  messageId: m.message_id,
  conversationId: m.conversation_id,
  senderId: m.sender_id,
  senderName,
  content: JSON.stringify(m.content),
  messageType: MESSAGE_TYPE_NUMBERS[m.type] ?? 0,
  seqId: m.seq,
  sendTime: m.created_at,
  clientMsgId: m.client_msg_id,
  type: m.type,
  status: m.status,
  editedAt: m.edited_at ?? 0,
});

/** A stored message: its content goes out as stored (JSON text), never parsed. */
export const recordToMessage = (m: MessageRecord, senderName: string): Message => ({
  messageId: m.id,
  conversationId: m.conversationId,
  senderId: m.senderId,
  senderName,
  content: m.content,
  messageType: MESSAGE_TYPE_NUMBERS[m.type] ?? 0,
  seqId: m.seq,
  sendTime: m.createdAt,
  clientMsgId: m.clientMsgId,
  type: m.type,
  status: m.status,
  editedAt: m.editedAt ?? 0,
});

export function toConversation(c: PublicConversation, group?: PublicGroup): Conversation {
  const last = c.last_message;
  return {
    conversationId: c.conversation_id,
    type: c.type,
    target: {
      userId: c.peer?.user_id ?? '',
      username: c.peer?.username ?? '',
      groupId: group?.group_id ?? groupIdOf(c),
      groupName: c.type === 'single' ? '' : c.name,
      memberCount: c.member_count,
      avatarUrl: c.peer?.avatar_url ?? group?.avatar_url ?? '',
      description: group?.notice ?? '',
    },
    lastMessage: last === null ? '' : JSON.stringify(last.content),
    lastMessageTime: last?.created_at ?? 0,
    lastMessageSeq: last?.seq ?? 0,
    unreadCount: c.unread_count,
    name: c.name,
    readSeq: c.read_seq,
    maxSeq: c.max_seq,
    createdAt: c.created_at,
  };
}

/** A group conversation's id is `g_<group_id>` (domain/conversation.ts). */
const groupIdOf = (c: PublicConversation): string =>
  c.type === 'group' && c.conversation_id.startsWith('g_') ? c.conversation_id.slice(2) : '';

export const toGroup = (g: PublicGroup): Group => ({
  groupId: g.group_id,
  groupName: g.group_name,
  ownerId: g.owner_id,
  avatarUrl: g.avatar_url,
  memberCount: g.member_count,
  createdAt: g.created_at,
  conversationId: g.conversation_id,
  notice: g.notice,
  joinPolicy: g.join_policy,
  mutedAll: g.muted_all,
});

export const toGroupMember = (m: PublicMember): GroupMember => ({
  userId: m.user_id,
  role: m.role,
  joinedAt: m.joined_at,
  mutedUntil: m.muted_until ?? 0,
});
