/** Extension messages (seed 000): instances, per-type policy and the call envelope. */

export type ExtMode = 'sync' | 'async';
export type DegradePolicy = 'reject' | 'skip' | 'passthrough';

/** One registered instance of an extension service for one message type. */
export interface ExtInstance {
  readonly msgType: string;
  readonly instanceId: string;
  readonly addr: string;
  readonly mode: ExtMode;
  /** The instance's own deadline per call, if it set one. */
  readonly timeoutMs?: number | undefined;
  readonly weight: number;
  readonly tags: Readonly<Record<string, string>>;
}

/** Per-type policy (`/parley/ext/config/<msg_type>` or the config file). */
export interface ExtTypeConfig {
  readonly timeoutMs?: number | undefined;
  readonly degrade: DegradePolicy;
  /** Instances carrying all of these tags are preferred (gray releases). */
  readonly tags: Readonly<Record<string, string>>;
}

export const DEFAULT_TYPE_CONFIG: ExtTypeConfig = { degrade: 'reject', tags: {} };

/** Extension statuses as the proto numbers them. */
export const EXT_STATUS = { unknown: 0, pending: 1, success: 2, failed: 3, rejected: 4 } as const;

/** What Parley sends an extension: the ExtMessage envelope, transport-neutral. */
export interface ExtEnvelope {
  readonly msgId: string;
  readonly conversation: string;
  readonly fromUid: string;
  readonly toUid: string;
  readonly groupId: string;
  readonly msgType: string;
  readonly scene: number;
  readonly clientTs: number;
  readonly serverTs: number;
  readonly seq: number;
  readonly requestId: string;
  readonly async: boolean;
  readonly timeoutMs: number;
  readonly tags: Readonly<Record<string, string>>;
  /** UTF-8 JSON of the content. */
  readonly payload: string;
  readonly status: number;
  /**
   * The W3C trace id of the request that caused the call, when known (sent as the call's
   * `traceparent` metadata; the invoker starts a new trace without one).
   */
  readonly traceId?: string | undefined;
}

/** A message an extension generated. */
export interface GeneratedMessage {
  readonly msgType: string;
  /** Empty or the original's conversation: a generated message lands nowhere else. */
  readonly conversation: string;
  /** Empty or the original sender: an extension never speaks for anyone else. */
  readonly fromUid: string;
  /** UTF-8 JSON of its content. */
  readonly payload: string;
  /** MsgScene: SCENE_SYSTEM makes it a system message (EXT_SCENE); absent is SCENE_CHAT. */
  readonly scene?: number | undefined;
}

/** MsgScene as the proto numbers it. */
export const EXT_SCENE = { chat: 0, system: 1, control: 2 } as const;

export interface HandleResult {
  readonly accept: boolean;
  readonly reason: string;
  readonly generated: readonly GeneratedMessage[];
  readonly status: number;
}

/** Ids of generated messages derive from the parent's, so a replay stores nothing twice. */
export const generatedMessageId = (parentId: string, index: number): string =>
  `${parentId}-g${index}`;
export const generatedClientMsgId = (parentId: string, index: number): string =>
  `${parentId}:g${index}`;

/**
 * Why a generated message may not be stored with `parent`, or undefined when it may: it stays
 * in the original's conversation and speaks for the original's sender (an empty field means
 * exactly that). An extension can never post as another user or into another conversation.
 */
export function foreignGenerated(
  parent: { readonly conversationId: string; readonly senderId: string },
  generated: Pick<GeneratedMessage, 'conversation' | 'fromUid'>,
): string | undefined {
  if (generated.conversation !== '' && generated.conversation !== parent.conversationId) {
    return `its conversation must be empty or the original's (${parent.conversationId})`;
  }
  if (generated.fromUid !== '' && generated.fromUid !== parent.senderId) {
    return `its from_uid must be empty or the original sender (${parent.senderId})`;
  }
  return undefined;
}

/** Header tag of every async call: host:port of Parley's ExtCallbackService. */
export const CALLBACK_TAG = 'x-parley-callback';
/**
 * Header tag of every async call, and the metadata key `Complete` must carry it back under:
 * the call's callback token (ports/extensions.ts CallbackTokens).
 */
export const CALLBACK_TOKEN_TAG = 'x-parley-callback-token';
