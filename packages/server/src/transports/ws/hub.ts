import {
  conversationTopic,
  userTopic,
  type Bus,
  type BusControl,
  type BusMessage,
} from '../../ports/bus.js';
import type { GatewayConnection } from './gateway-connection.js';
import { TextFrame } from './text-frame.js';

interface TopicEntry {
  readonly connections: Set<GatewayConnection>;
  readonly unsubscribe: () => void;
}

/**
 * The gateway's local index: which of its connections want which topic. It subscribes to a
 * bus topic while at least one local connection wants it, and hands each frame to those
 * connections, the same bytes to all.
 */
export class Hub {
  readonly #bus: Bus;
  readonly #topics = new Map<string, TopicEntry>();
  readonly #connections = new Set<GatewayConnection>();

  constructor(bus: Bus) {
    this.#bus = bus;
  }

  count(): number {
    return this.#connections.size;
  }

  connections(): IterableIterator<GatewayConnection> {
    return this.#connections.values();
  }

  /** Registers a connection for its user's topic and the given conversation topics. */
  add(conn: GatewayConnection, conversationIds: readonly string[]): void {
    this.#connections.add(conn);
    this.#join(userTopic(conn.auth.userId), conn);
    for (const id of conversationIds) this.#join(conversationTopic(id), conn);
  }

  remove(conn: GatewayConnection): void {
    if (!this.#connections.delete(conn)) return;
    for (const topic of [...conn.topics]) this.#leave(topic, conn);
  }

  #join(topic: string, conn: GatewayConnection): void {
    let entry = this.#topics.get(topic);
    if (entry === undefined) {
      const connections = new Set<GatewayConnection>();
      const unsubscribe = this.#bus.subscribe(topic, (message) =>
        this.#deliver(topic, connections, message),
      );
      entry = { connections, unsubscribe };
      this.#topics.set(topic, entry);
    }
    entry.connections.add(conn);
    conn.topics.add(topic);
  }

  #leave(topic: string, conn: GatewayConnection): void {
    conn.topics.delete(topic);
    const entry = this.#topics.get(topic);
    if (entry === undefined) return;
    entry.connections.delete(conn);
    if (entry.connections.size === 0) {
      entry.unsubscribe();
      this.#topics.delete(topic);
    }
  }

  #deliver(topic: string, connections: Set<GatewayConnection>, message: BusMessage): void {
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

  #control(topic: string, connections: Set<GatewayConnection>, control: BusControl): void {
    if (!topic.startsWith('user:')) {
      // On a conversation's own topic only 'unsubscribe' means something: everyone leaves it.
      if (control.kind === 'unsubscribe') {
        for (const conn of [...connections]) this.#leave(topic, conn);
      }
      return;
    }
    // Copy first: joining, leaving and closing change the sets being walked.
    for (const conn of [...connections]) {
      switch (control.kind) {
        case 'subscribe':
          this.#join(conversationTopic(control.conversationId), conn);
          break;
        case 'unsubscribe':
          this.#leave(conversationTopic(control.conversationId), conn);
          break;
        case 'close-session':
          if (conn.auth.sessionId === control.sessionId) conn.close(control.code, control.reason);
          break;
      }
    }
  }
}
