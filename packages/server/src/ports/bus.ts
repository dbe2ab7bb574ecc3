/**
 * Bus: delivers encoded frames to the connections of the gateways, by topic.
 *
 * Topics are `user:<user_id>` (every connection of a user), `conv:<conversation_id>` (every
 * connection subscribed to a group or world conversation), `bridge:<account_id>` (every
 * connection subscribed to a bridged platform account's updates) and `cache` (every node: cache
 * invalidations). A gateway subscribes to a topic while it holds a connection that wants it,
 * so in a cluster a frame travels only to gateways with interest (the NATS adapter maps topics
 * to subjects: `im.user.<id>`, `im.conv.<id>`, `im.cache`).
 *
 * Guarantees:
 * - At most once, no persistence: a subscriber that is not there when a message is published
 *   never sees it. Nothing depends on the bus for durability; clients catch up by seq.
 * - Messages one publisher sends to one topic arrive in the order they were published.
 * - A failing handler never stops delivery to the others.
 * - The frame is delivered byte for byte: the publisher encodes it once for everyone.
 */

export type BusControl =
  /** The user's connections start receiving a conversation's topic (after a join). */
  | { readonly kind: 'subscribe'; readonly conversationId: string }
  /** …and stop (after a leave). */
  | { readonly kind: 'unsubscribe'; readonly conversationId: string }
  /** The user's connections stop receiving a bridged account's updates (a grant withdrawn). */
  | { readonly kind: 'unsubscribe-bridge'; readonly accountId: string }
  /** Close every connection of a session (logout, revocation). */
  | {
      readonly kind: 'close-session';
      readonly sessionId: string;
      readonly code: number;
      readonly reason: string;
    }
  /** Entries of a per-process cache are stale on every node (published on the `cache` topic). */
  | {
      readonly kind: 'invalidate';
      readonly cache: CacheName;
      /** The entries' keys (user ids, conversation ids or session ids, per cache). */
      readonly keys: readonly string[];
      /** The node that made the change (it has updated its own cache already). */
      readonly origin: string;
    };

/** The per-process caches that listen for invalidations. */
export type CacheName = 'social' | 'conversation' | 'members' | 'session';

export interface BusMessage {
  /** A protocol frame, encoded once (UTF-8 JSON text). */
  readonly frame?: Buffer;
  /** Not delivered to this connection: the one that caused the event. */
  readonly exceptConnection?: string;
  /** Not delivered to any connection of this user. */
  readonly exceptUser?: string;
  readonly control?: BusControl;
}

export type BusHandler = (message: BusMessage) => void;

export interface Bus {
  publish(topic: string, message: BusMessage): void;
  /** Returns the function that ends this subscription. */
  subscribe(topic: string, handler: BusHandler): () => void;
  /** Resolves while the bus can deliver; rejects with the reason when it cannot (for /ready). */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/**
 * A bus that crosses a network and can lose its link (NATS). While the link is down, this
 * process misses what the others publish, and nothing is replayed once it is back: a gateway
 * makes its clients catch up by seq then. The in-process bus never loses its link.
 */
export interface BusLink {
  /** Told false when the link is lost and true when it is back, once per change. */
  onLinkChange(listener: (up: boolean) => void): () => void;
}

/**
 * An optional capability: a bus that sees every subscriber (the in-process one) can tell that
 * nobody listens on a topic, so that a publisher skips encoding frames no one would get. A
 * bus across a network does not implement it: its subscribers are on other nodes.
 */
export interface BusInterest {
  hasSubscribers(topic: string): boolean;
}

export const knowsInterest = (bus: Bus): bus is Bus & BusInterest =>
  typeof (bus as Partial<BusInterest>).hasSubscribers === 'function';

/** False only when the bus can tell that nobody listens on the topic. */
export const mayHaveSubscribers = (bus: Bus, topic: string): boolean =>
  !knowsInterest(bus) || bus.hasSubscribers(topic);

export const userTopic = (userId: string): string => `user:${userId}`;
export const conversationTopic = (conversationId: string): string => `conv:${conversationId}`;
export const bridgeTopic = (accountId: string): string => `bridge:${accountId}`;
export const CACHE_TOPIC = 'cache';
