/**
 * Building the messages an extension generates, and reading the payload of the one it handles.
 *
 * Parley's payloads are the UTF-8 JSON of a message's content, both ways.
 */
import { createHash } from 'node:crypto';
import { ExtMessage, MsgScene } from '@parley/proto';
import { ExtRejection } from './errors.js';

/** A JSON object: the shape of every message's content. */
export type JsonObject = { [key: string]: unknown };

/** Where a generated message belongs: a chat message, a system notice or a control message. */
export type Scene = 'chat' | 'system' | 'control';

/** What may be set on a generated message besides its type and content. */
export interface GeneratedOptions {
  /** Default `chat`. A notice that no user wrote ("alice sent a red packet") is `system`. */
  scene?: Scene;
  /**
   * The generated message's id. By default it is derived from the handled message's `msg_id`
   * and the message's position in `generated`, so that a repeated call (Parley retries after a
   * timeout) and every partial result of a stream name the same message.
   */
  msgId?: string;
  /** Who it is from. Default: empty, which Parley reads as the handled message's sender. */
  fromUid?: string;
  /** Default: the handled message's conversation. */
  conversation?: string;
  /** Default: the handled message's `to_uid`. */
  toUid?: string;
  /** Default: the handled message's `group_id`. */
  groupId?: string;
}

/** A message an extension asks Parley to deliver too (`generated` in the contract). */
export interface GeneratedMessage extends GeneratedOptions {
  /** The message type, e.g. `text` or `custom`. */
  readonly type: string;
  /** The content, sent as its UTF-8 JSON. */
  readonly content: JsonObject;
}

/** A generated message of any type. */
export function generated(
  type: string,
  content: JsonObject,
  options: GeneratedOptions = {},
): GeneratedMessage {
  return { ...options, type, content };
}

/** A `text` message: content `{"text": value}`. */
export function text(value: string, options: GeneratedOptions = {}): GeneratedMessage {
  return generated('text', { text: value }, options);
}

/** A `custom` message: content `{"custom_type": customType, "data": data}`. */
export function custom(
  customType: string,
  data: unknown,
  options: GeneratedOptions = {},
): GeneratedMessage {
  return generated('custom', { custom_type: customType, data }, options);
}

/**
 * The handled message's content: its payload parsed as a JSON object. A payload that is not a
 * JSON object throws an {@link ExtRejection}, so a handler that lets it propagate refuses the
 * message with that reason.
 */
export function parsePayload(message: Pick<ExtMessage, 'payload'>): JsonObject {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(message.payload).toString('utf8'));
  } catch {
    throw new ExtRejection('The content is not valid JSON.');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ExtRejection('The content must be a JSON object.');
  }
  return value as JsonObject;
}

const SCENES: Record<Scene, MsgScene> = {
  chat: MsgScene.SCENE_CHAT,
  system: MsgScene.SCENE_SYSTEM,
  control: MsgScene.SCENE_CONTROL,
};

/** Parley's id alphabet; a derived id must stay within it and within 64 characters. */
const SAFE_ID = /^[A-Za-z0-9_-]{1,58}$/;

/**
 * The id of the `index`th message generated for `sourceMsgId`: `<msg_id>-g<index>` when that is
 * a short, URL-safe id, otherwise a hash of both (32 hex characters). The same inputs always
 * give the same id.
 */
export function derivedMsgId(sourceMsgId: string, index: number): string {
  if (SAFE_ID.test(sourceMsgId) && index < 100_000) return `${sourceMsgId}-g${index}`;
  const hash = createHash('sha256').update(`${sourceMsgId}\u0000${index}`).digest('hex');
  return hash.slice(0, 32);
}

/** The contract's envelope for a generated message, with defaults taken from `source`. */
export function toExtMessage(
  draft: GeneratedMessage,
  source: ExtMessage,
  index: number,
): ExtMessage {
  const json = JSON.stringify(draft.content);
  if (json === undefined) throw new TypeError('A generated message needs a JSON content.');
  return ExtMessage.fromPartial({
    msgId: draft.msgId ?? derivedMsgId(source.msgId, index),
    conversation: draft.conversation ?? source.conversation,
    fromUid: draft.fromUid ?? '',
    toUid: draft.toUid ?? source.toUid,
    groupId: draft.groupId ?? source.groupId,
    msgType: draft.type,
    scene: SCENES[draft.scene ?? 'chat'],
    payload: Buffer.from(json, 'utf8'),
  });
}
