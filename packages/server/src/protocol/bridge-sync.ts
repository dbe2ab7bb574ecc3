/**
 * The `worker:data:sync` payload of BRIDGE.md, checked whole before anything is stored: a
 * payload with one bad item is refused entirely, with the path of the first problem.
 */
import type {
  BridgeBatch,
  BridgeItemInput,
  BridgeKind,
  BridgeMode,
} from '../ports/bridge-store.js';

/** The payload's list names, as the original's workers send them, and their kinds. */
export const BRIDGE_LISTS: Readonly<Record<string, BridgeKind>> = {
  conversations: 'conversation',
  messages: 'message',
  comments: 'comment',
  contents: 'content',
  notifications: 'notification',
};

export const LIST_OF_KIND: Readonly<Record<BridgeKind, string>> = {
  conversation: 'conversations',
  message: 'messages',
  comment: 'comments',
  content: 'contents',
  notification: 'notifications',
};

type FieldType = 'string' | 'number' | 'boolean';

const COMMON: Readonly<Record<string, FieldType>> = {
  accountId: 'string',
  platform: 'string',
  createdAt: 'number',
  updatedAt: 'number',
  status: 'string',
  source: 'string',
};

/** The typed fields of each kind (BRIDGE.md); null is accepted for any, unknown fields kept. */
const FIELDS: Readonly<Record<BridgeKind, Readonly<Record<string, FieldType>>>> = {
  conversation: {
    conversationId: 'string',
    type: 'string',
    userId: 'string',
    userName: 'string',
    userAvatar: 'string',
    unreadCount: 'number',
    isPinned: 'boolean',
    isMuted: 'boolean',
    lastMessageContent: 'string',
    lastMessageType: 'string',
    lastMessageTime: 'number',
  },
  message: {
    messageId: 'string',
    conversationId: 'string',
    senderId: 'string',
    senderName: 'string',
    senderAvatar: 'string',
    recipientId: 'string',
    recipientName: 'string',
    type: 'string',
    content: 'string',
    mediaUrl: 'string',
    direction: 'string',
    isRecalled: 'boolean',
    replyToMessageId: 'string',
  },
  content: {
    contentId: 'string',
    type: 'string',
    title: 'string',
    description: 'string',
    coverUrl: 'string',
    url: 'string',
    viewCount: 'number',
    likeCount: 'number',
    commentCount: 'number',
    shareCount: 'number',
    publishTime: 'number',
  },
  comment: {
    commentId: 'string',
    contentId: 'string',
    parentCommentId: 'string',
    authorId: 'string',
    authorName: 'string',
    authorAvatar: 'string',
    content: 'string',
    likeCount: 'number',
    replyCount: 'number',
    isRead: 'boolean',
    isNew: 'boolean',
  },
  notification: {
    notificationId: 'string',
    type: 'string',
    title: 'string',
    content: 'string',
    isRead: 'boolean',
  },
};

/** Each kind's typed fields, common ones included, as a list made once (checked per item). */
const TYPED: Readonly<Record<BridgeKind, readonly (readonly [string, FieldType])[]>> = {
  conversation: Object.entries({ ...COMMON, ...FIELDS.conversation }),
  message: Object.entries({ ...COMMON, ...FIELDS.message }),
  comment: Object.entries({ ...COMMON, ...FIELDS.comment }),
  content: Object.entries({ ...COMMON, ...FIELDS.content }),
  notification: Object.entries({ ...COMMON, ...FIELDS.notification }),
};

/** Ids and names are keys in every engine's index: 191 characters at most (MySQL). */
export const MAX_BRIDGE_KEY = 191;

export type SyncParse =
  | { readonly ok: true; readonly batch: BridgeBatch }
  | { readonly ok: false; readonly message: string; readonly field: string };

class Refused extends Error {
  constructor(
    message: string,
    readonly field: string,
  ) {
    super(message);
  }
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

function key(value: unknown, field: string): string {
  if (typeof value === 'number' && Number.isSafeInteger(value)) return String(value);
  if (typeof value !== 'string' || value === '' || value.length > MAX_BRIDGE_KEY) {
    throw new Refused(
      `${field} must be a non-empty string of at most ${MAX_BRIDGE_KEY} characters.`,
      field,
    );
  }
  return value;
}

function time(value: unknown, field: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw new Refused(`${field} must be a time in milliseconds (a non-negative integer).`, field);
  }
  return value;
}

function item(
  raw: unknown,
  kind: BridgeKind,
  path: string,
  batch: { accountId: string; platform: string; timestamp: number },
): BridgeItemInput {
  if (!isObject(raw)) throw new Refused(`${path} must be an object.`, path);
  const itemId = key(raw.id, `${path}.id`);
  for (const [name, type] of TYPED[kind]) {
    const value = raw[name];
    if (value === undefined || value === null) continue;
    const ok =
      type === 'number'
        ? typeof value === 'number' && Number.isFinite(value)
        : typeof value === type;
    if (!ok) throw new Refused(`${path}.${name} must be a ${type}.`, `${path}.${name}`);
  }
  // An item must not claim another account than the payload it came in.
  for (const name of ['accountId', 'platform'] as const) {
    if (typeof raw[name] === 'string' && raw[name] !== batch[name]) {
      throw new Refused(`${path}.${name} differs from the payload's ${name}.`, `${path}.${name}`);
    }
  }
  const createdAt = typeof raw.createdAt === 'number' ? Math.trunc(raw.createdAt) : batch.timestamp;
  const conversationId =
    kind === 'message' && raw.conversationId !== undefined && raw.conversationId !== null
      ? key(raw.conversationId, `${path}.conversationId`)
      : null;
  return { itemId, raw: JSON.stringify(raw), createdAt, conversationId };
}

/** Items checked between two yields of the event loop: a 10,000-item payload never holds it. */
const ITEMS_PER_TURN = 500;
const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

async function parse(payload: unknown): Promise<BridgeBatch> {
  if (!isObject(payload)) throw new Refused('The payload must be a JSON object.', 'payload');
  const accountId = key(payload.accountId, 'accountId');
  const platform = key(payload.platform, 'platform');
  const timestamp = time(payload.timestamp, 'timestamp');
  const mode: BridgeMode =
    payload.mode === undefined || payload.mode === null ? 'snapshot' : (payload.mode as BridgeMode);
  if (mode !== 'snapshot' && mode !== 'delta') {
    throw new Refused('mode must be "snapshot" or "delta".', 'mode');
  }
  const snapshot = payload.snapshot;
  if (!isObject(snapshot)) throw new Refused('snapshot must be an object.', 'snapshot');
  if (snapshot.platform !== undefined && snapshot.platform !== platform) {
    throw new Refused(
      "snapshot.platform differs from the payload's platform.",
      'snapshot.platform',
    );
  }
  const data = snapshot.data;
  if (!isObject(data)) throw new Refused('snapshot.data must be an object.', 'snapshot.data');
  const items: Partial<Record<BridgeKind, BridgeItemInput[]>> = {};
  for (const [list, value] of Object.entries(data)) {
    const path = `snapshot.data.${list}`;
    const kind = Object.hasOwn(BRIDGE_LISTS, list) ? BRIDGE_LISTS[list] : undefined;
    if (kind === undefined) {
      throw new Refused(
        `${path} is not a kind Parley knows; send ${Object.keys(BRIDGE_LISTS).join(', ')}.`,
        path,
      );
    }
    // An absent list and null leave that kind alone, even in a snapshot.
    if (value === null) continue;
    if (!Array.isArray(value)) throw new Refused(`${path} must be an array.`, path);
    const checked: BridgeItemInput[] = [];
    for (let i = 0; i < value.length; i++) {
      if (i > 0 && i % ITEMS_PER_TURN === 0) await nextTurn();
      checked.push(item(value[i], kind, `${path}[${i}]`, { accountId, platform, timestamp }));
    }
    items[kind] = checked;
  }
  return { accountId, platform, timestamp, mode, items };
}

/** Checks a payload, yielding the event loop every 500 items; never rejects. */
export async function parseSyncPayload(payload: unknown): Promise<SyncParse> {
  try {
    return { ok: true, batch: await parse(payload) };
  } catch (err) {
    if (err instanceof Refused) return { ok: false, message: err.message, field: err.field };
    throw err;
  }
}
