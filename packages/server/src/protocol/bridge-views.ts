/**
 * The read shapes of BRIDGE.md (snake_case, as the original's IM clients expect them), made
 * from the raw items workers sent (camelCase). Enumerations are free strings: known values are
 * mapped, others pass through; a missing field reads as null (false, 0 for flags and counts).
 */
import type { BridgeItemRecord } from '../ports/bridge-store.js';

type Raw = Record<string, unknown>;
export type BridgeView = Record<string, unknown>;
export type BusinessType = 'comment' | 'discussion' | 'direct_message';

const str = (v: unknown): string | null =>
  typeof v === 'string' ? v : typeof v === 'number' ? String(v) : null;
const num = (v: unknown, fallback: number): number =>
  typeof v === 'number' && Number.isFinite(v) ? v : fallback;
const bool = (v: unknown): boolean => v === true;
/** The platform's own id of the item (`messageId`, `commentId`, …), else its `id`. */
const ownId = (raw: Raw, field: string, record: BridgeItemRecord): string =>
  str(raw[field]) ?? str(raw.id) ?? record.itemId;

const CONVERSATION_TYPES: Readonly<Record<string, string>> = {
  private: 'one_on_one',
  one_on_one: 'one_on_one',
  single: 'one_on_one',
  group: 'group',
};

function parse(record: BridgeItemRecord): Raw {
  try {
    const value: unknown = JSON.parse(record.raw);
    return typeof value === 'object' && value !== null ? (value as Raw) : {};
  } catch {
    return {};
  }
}

const createdOf = (raw: Raw, record: BridgeItemRecord) => num(raw.createdAt, record.sortTime);

function conversation(raw: Raw, record: BridgeItemRecord): BridgeView {
  const id = ownId(raw, 'conversationId', record);
  const type = str(raw.type);
  const created = createdOf(raw, record);
  const hasLast = ['lastMessageContent', 'lastMessageTime', 'lastMessageType'].some(
    (f) => raw[f] !== undefined && raw[f] !== null,
  );
  return {
    conversation_id: id,
    conversation_short_id: str(raw.conversationShortId) ?? id,
    conversation_type: type === null ? 'one_on_one' : (CONVERSATION_TYPES[type] ?? type),
    participant: {
      user_id: str(raw.userId),
      user_name: str(raw.userName),
      avatar: str(raw.userAvatar),
    },
    last_message: hasLast
      ? {
          content: str(raw.lastMessageContent),
          msg_type: str(raw.lastMessageType),
          create_time: typeof raw.lastMessageTime === 'number' ? raw.lastMessageTime : null,
        }
      : null,
    unread_count: num(raw.unreadCount, 0),
    is_pinned: bool(raw.isPinned),
    is_muted: bool(raw.isMuted),
    last_message_type: str(raw.lastMessageType),
    create_time: created,
    update_time: num(raw.updatedAt, created),
    platform: record.platform,
    status: str(raw.status),
  };
}

function message(raw: Raw, record: BridgeItemRecord): BridgeView {
  return {
    msg_id: ownId(raw, 'messageId', record),
    conversation_id: str(raw.conversationId),
    sender: {
      user_id: str(raw.senderId),
      user_name: str(raw.senderName),
      avatar: str(raw.senderAvatar),
    },
    receiver: {
      user_id: str(raw.recipientId),
      user_name: str(raw.recipientName),
      avatar: str(raw.recipientAvatar),
    },
    msg_type: str(raw.type) ?? 'text',
    content: str(raw.content),
    create_time: createdOf(raw, record),
    status: str(raw.status),
    is_read: bool(raw.isRead),
    is_deleted: record.deletedAt !== null,
    is_recalled: bool(raw.isRecalled),
    reply_to_message_id: str(raw.replyToMessageId),
    media_url: str(raw.mediaUrl),
    direction: str(raw.direction),
    platform: record.platform,
  };
}

function discussion(raw: Raw, record: BridgeItemRecord, titles?: TitleLookup): BridgeView {
  const id = ownId(raw, 'commentId', record);
  const contentId = str(raw.contentId);
  return {
    discussion_id: id,
    platform: record.platform,
    platform_discussion_id: id,
    parent_comment_id: str(raw.parentCommentId),
    content: str(raw.content),
    author: { author_id: str(raw.authorId), author_name: str(raw.authorName) },
    content_id: contentId,
    post_title:
      str(raw.postTitle) ?? (contentId === null ? null : (titles?.get(contentId) ?? null)),
    is_read: bool(raw.isRead),
    is_new: bool(raw.isNew),
    created_at: createdOf(raw, record),
  };
}

function content(raw: Raw, record: BridgeItemRecord): BridgeView {
  const id = ownId(raw, 'contentId', record);
  const created = createdOf(raw, record);
  return {
    content_id: id,
    platform: record.platform,
    platform_content_id: id,
    content_type: str(raw.type),
    title: str(raw.title),
    description: str(raw.description),
    cover: str(raw.coverUrl),
    url: str(raw.url),
    publish_time: num(raw.publishTime, created),
    stats: {
      total_comments: num(raw.commentCount, 0),
      likes: num(raw.likeCount, 0),
      shares: num(raw.shareCount, 0),
      views: num(raw.viewCount, 0),
    },
    is_new: bool(raw.isNew),
    created_at: created,
    updated_at: num(raw.updatedAt, created),
  };
}

/** Not a read endpoint of BRIDGE.md: the shape `bridge.updated` carries notifications in. */
function notification(raw: Raw, record: BridgeItemRecord): BridgeView {
  return {
    notification_id: ownId(raw, 'notificationId', record),
    platform: record.platform,
    type: str(raw.type),
    title: str(raw.title),
    content: str(raw.content),
    is_read: bool(raw.isRead),
    create_time: createdOf(raw, record),
  };
}

/** Post titles by content id, for the discussions of a page. */
export type TitleLookup = ReadonlyMap<string, string>;

function viewOf(raw: Raw, record: BridgeItemRecord, titles?: TitleLookup): BridgeView {
  switch (record.kind) {
    case 'conversation':
      return conversation(raw, record);
    case 'message':
      return message(raw, record);
    case 'comment':
      return discussion(raw, record, titles);
    case 'content':
      return content(raw, record);
    case 'notification':
      return notification(raw, record);
  }
}

export function bridgeView(record: BridgeItemRecord, titles?: TitleLookup): BridgeView {
  return viewOf(parse(record), record, titles);
}

/** A comment that answers another is a discussion; a top-level one, a comment. */
const businessType = (raw: Raw, record: BridgeItemRecord): BusinessType =>
  record.kind === 'message'
    ? 'direct_message'
    : str(raw.parentCommentId) === null
      ? 'comment'
      : 'discussion';

export function businessTypeOf(record: BridgeItemRecord): BusinessType {
  return record.kind === 'message' ? 'direct_message' : businessType(parse(record), record);
}

/** The item in its kind's shape, with its business type: the raw item is parsed once. */
export function unifiedView(record: BridgeItemRecord, titles?: TitleLookup): BridgeView {
  const raw = parse(record);
  const view = viewOf(raw, record, titles);
  view.business_type = businessType(raw, record);
  view.created_at = createdOf(raw, record);
  return view;
}

/** The content ids the comments of a page point at (for their post titles). */
export function contentIdsOf(records: readonly BridgeItemRecord[]): string[] {
  const ids = new Set<string>();
  for (const record of records) {
    if (record.kind !== 'comment') continue;
    const id = str(parse(record).contentId);
    if (id !== null) ids.add(id);
  }
  return [...ids];
}

/** The title of a content item, keyed by its platform content id. */
export function titleOf(record: BridgeItemRecord): [string, string] | undefined {
  const raw = parse(record);
  const title = str(raw.title);
  return title === null ? undefined : [ownId(raw, 'contentId', record), title];
}
