import {
  bridgeTopic,
  conversationTopic,
  userTopic,
  type Bus,
  type BusControl,
  type BusMessage,
} from '../../ports/bus.js';
import type { AuthContext } from '../../app/accounts/auth-context.js';
import { encodeEvent } from '../../protocol/ws-frames.js';
import type { GatewayConnection } from './gateway-connection.js';
import { TextFrame } from './text-frame.js';

/**
 * What the hub delivers to: a WebSocket connection, or a gRPC MessageService.Subscribe stream.
 * `send` must never buffer without bound; `close` ends it with a WebSocket close code (a
 * stream maps it to a gRPC status).
 */
export interface HubConnection {
  readonly id: string;
  readonly auth: AuthContext;
  /** Topics this connection is registered under in the hub (the hub keeps it). */
  readonly topics: Set<string>;
  send(frame: TextFrame): boolean;
  close(code: number, reason: string): void;
}

/** Topics joined or left per event-loop turn when a connection opens or closes. */
export const TOPICS_PER_TURN = 1_000;

export interface HubOptions {
  readonly topicsPerTurn?: number;
  /** Resolves on a later event-loop turn (tests count what happens within one). */
  readonly nextTurn?: () => Promise<void>;
}

interface TopicEntry<C> {
  readonly connections: Set<C>;
  readonly unsubscribe: () => void;
}

/**
 * The gateway's local index: which of its connections want which topic. It subscribes to a
 * bus topic while at least one local connection wants it, and hands each frame to those
 * connections, the same bytes to all.
 */
export class Hub<C extends HubConnection = GatewayConnection> {
  readonly #bus: Bus;
  readonly #topics = new Map<string, TopicEntry<C>>();
  readonly #connections = new Set<C>();

  readonly #chunk: number;
  readonly #nextTurn: () => Promise<void>;

  constructor(bus: Bus, options: HubOptions = {}) {
    this.#bus = bus;
    this.#chunk = options.topicsPerTurn ?? TOPICS_PER_TURN;
    this.#nextTurn = options.nextTurn ?? (() => new Promise((resolve) => setImmediate(resolve)));
  }

  count(): number {
    return this.#connections.size;
  }

  connections(): IterableIterator<C> {
    return this.#connections.values();
  }

  /**
   * Registers a connection for its user's topic, then for the given conversation topics a
   * chunk per event-loop turn, so that a user in tens of thousands of groups never stalls
   * everyone else. False when the connection was removed before it finished (nothing is
   * left subscribed then).
   */
  async add(conn: C, conversationIds: readonly string[]): Promise<boolean> {
    this.#connections.add(conn);
    this.#join(userTopic(conn.auth.userId), conn);
    for (let i = 0; i < conversationIds.length; i += this.#chunk) {
      if (i > 0) await this.#nextTurn();
      if (!this.#connections.has(conn)) return false;
      const end = Math.min(i + this.#chunk, conversationIds.length);
      for (let j = i; j < end; j++)
        this.#join(conversationTopic(conversationIds[j] as string), conn);
    }
    return this.#connections.has(conn);
  }

  /**
   * Adds a registered connection to one more topic (a bridge account's updates); false when
   * the connection is gone.
   */
  joinTopic(conn: C, topic: string): boolean {
    if (!this.#connections.has(conn)) return false;
    this.#join(topic, conn);
    return true;
  }

  leaveTopic(conn: C, topic: string): void {
    this.#leave(topic, conn);
  }

  /** Unregisters a connection at once; its topics are left a chunk per event-loop turn. */
  remove(conn: C): void {
    if (!this.#connections.delete(conn)) return;
    this.#leaveChunk(conn);
  }

  #leaveChunk(conn: C): void {
    let left = 0;
    // Deleting the entry being visited is safe while iterating a Set.
    for (const topic of conn.topics) {
      this.#leave(topic, conn);
      if (++left === this.#chunk && conn.topics.size > 0) {
        void this.#nextTurn().then(() => this.#leaveChunk(conn));
        return;
      }
    }
  }

  #join(topic: string, conn: C): void {
    let entry = this.#topics.get(topic);
    if (entry === undefined) {
      const connections = new Set<C>();
      const unsubscribe = this.#bus.subscribe(topic, (message) =>
        this.#deliver(topic, connections, message),
      );
      entry = { connections, unsubscribe };
      this.#topics.set(topic, entry);
    }
    entry.connections.add(conn);
    conn.topics.add(topic);
  }

  #leave(topic: string, conn: C): void {
    conn.topics.delete(topic);
    const entry = this.#topics.get(topic);
    if (entry === undefined) return;
    entry.connections.delete(conn);
    if (entry.connections.size === 0) {
      entry.unsubscribe();
      this.#topics.delete(topic);
    }
  }

  #deliver(topic: string, connections: Set<C>, message: BusMessage): void {
    if (message.control !== undefined) {
      this.#control(topic, connections, message.control);
    }
    if (message.frame === undefined) return;
    // Framed at most once, on the first connection that gets it, however many follow.
    let frame: TextFrame | undefined;
    for (const conn of connections) {
      if (conn.id === message.exceptConnection || conn.auth.userId === message.exceptUser) continue;
      frame ??= new TextFrame(message.frame);
      conn.send(frame);
    }
  }

  #control(topic: string, connections: Set<C>, control: BusControl): void {
    if (!topic.startsWith('user:')) {
      // On a conversation's own topic only 'unsubscribe' means something: everyone leaves it.
      if (control.kind === 'unsubscribe') {
        for (const conn of [...connections]) this.#leave(topic, conn);
      }
      return;
    }
    // Framed at most once, for the first connection that needs it.
    let unsubscribed: TextFrame | undefined;
    // Copy first: joining, leaving and closing change the sets being walked.
    for (const conn of [...connections]) {
      switch (control.kind) {
        case 'subscribe':
          this.#join(conversationTopic(control.conversationId), conn);
          break;
        case 'unsubscribe':
          this.#leave(conversationTopic(control.conversationId), conn);
          break;
        case 'unsubscribe-bridge': {
          // A connection that followed the account is told its subscription ended.
          const topic = bridgeTopic(control.accountId);
          if (!conn.topics.has(topic)) break;
          this.#leave(topic, conn);
          unsubscribed ??= new TextFrame(
            encodeEvent('bridge.unsubscribed', {
              account_id: control.accountId,
              reason: 'GRANT_WITHDRAWN',
            }),
          );
          conn.send(unsubscribed);
          break;
        }
        case 'close-session':
          if (conn.auth.sessionId === control.sessionId) conn.close(control.code, control.reason);
          break;
      }
    }
  }
}
