import { headers, type Msg, type Subscription } from '@nats-io/transport-node';
import type { Bus, BusHandler, BusLink, BusMessage } from '../../ports/bus.js';
import { BUS_META_HEADER, decodeBusMessage, encodeBusMessage } from '../../protocol/bus-codec.js';
import type { NatsLink } from './nats-connection.js';
import { topicSubject } from './nats-subjects.js';

export interface NatsBusOptions {
  /** Subjects start with this (`im`); tests give each bus network a prefix of its own. */
  readonly subjectPrefix?: string;
  /** Whether close() closes the connection too (false: its owner closes it). */
  readonly ownsConnection?: boolean;
  /**
   * Bytes the client may buffer for the server while it is disconnected; past that, messages are
   * dropped (the bus is at most once, and clients catch up by seq). 8 MiB by default.
   */
  readonly maxBufferedWhileDisconnected?: number;
  /** Told when a handler throws; delivery to the others goes on. */
  readonly onHandlerError?: (err: unknown, topic: string) => void;
  /** Told when a received message is dropped because it does not decode. */
  readonly onMalformed?: (reason: string, subject: string) => void;
  /** Told when a message is dropped instead of published (closed, too large, buffer full). */
  readonly onDropped?: (reason: string, topic: string) => void;
}

export interface NatsBusStats {
  readonly published: number;
  readonly received: number;
  readonly dropped: number;
  readonly malformed: number;
  readonly handlerErrors: number;
}

interface TopicSubscription {
  readonly subscription: Subscription;
  readonly handlers: Set<BusHandler>;
}

/** Bytes of the header section around the meta text ("NATS/1.0\r\nparley-meta: …\r\n\r\n"). */
const HEADER_OVERHEAD = 32;

/**
 * The Bus over core NATS (no JetStream): at most once, in order per publisher (one connection),
 * one NATS subscription per topic per process whatever the number of local handlers. A
 * process's own messages reach its own subscribers at once, without NATS (and so even while
 * the link is down); the connection is opened without echo (nats-connection.ts).
 */
export class NatsBus implements Bus, BusLink {
  readonly #link: NatsLink;
  readonly #prefix: string;
  readonly #ownsConnection: boolean;
  readonly #maxBufferedWhileDisconnected: number;
  readonly #onHandlerError: (err: unknown, topic: string) => void;
  readonly #onMalformed: (reason: string, subject: string) => void;
  readonly #onDropped: (reason: string, topic: string) => void;
  readonly #topics = new Map<string, TopicSubscription>();
  #bufferedWhileDisconnected = 0;
  #closed = false;
  #stats = { published: 0, received: 0, dropped: 0, malformed: 0, handlerErrors: 0 };

  constructor(link: NatsLink, options: NatsBusOptions = {}) {
    this.#link = link;
    this.#prefix = options.subjectPrefix ?? 'im';
    this.#ownsConnection = options.ownsConnection ?? false;
    this.#maxBufferedWhileDisconnected = options.maxBufferedWhileDisconnected ?? 8 * 1024 * 1024;
    this.#onHandlerError = options.onHandlerError ?? (() => {});
    this.#onMalformed = options.onMalformed ?? (() => {});
    this.#onDropped = options.onDropped ?? (() => {});
  }

  publish(topic: string, message: BusMessage): void {
    // Local subscribers first, from memory: the connection has no echo, so the server sends
    // this process none of its own messages (a frame for the sender's other devices would
    // otherwise cross NATS twice to come back here).
    const local = this.#topics.get(topic);
    if (local !== undefined) this.#handle(topic, local.handlers, message);
    const { payload, meta } = encodeBusMessage(message);
    const size =
      payload.length + (meta === undefined ? 0 : Buffer.byteLength(meta) + HEADER_OVERHEAD);
    const refusal = this.#refusal(size);
    if (refusal !== undefined) {
      this.#drop(refusal, topic);
      return;
    }
    try {
      if (meta === undefined) {
        this.#link.connection.publish(topicSubject(topic, this.#prefix), payload);
      } else {
        const h = headers();
        h.set(BUS_META_HEADER, meta);
        this.#link.connection.publish(topicSubject(topic, this.#prefix), payload, { headers: h });
      }
      this.#stats.published++;
    } catch (err) {
      // The client refuses what the server would (size, closed connection): drop, never throw.
      this.#drop(err instanceof Error ? err.message : String(err), topic);
    }
  }

  /** Why a message of `size` bytes cannot go out now, if it cannot. */
  #refusal(size: number): string | undefined {
    if (this.#closed) return 'the bus is closed';
    const state = this.#link.state();
    if (state === 'closed') return 'the NATS connection is closed';
    const max = this.#link.maxPayload();
    if (size > max) return `the message (${size} bytes) exceeds NATS max_payload (${max} bytes)`;
    if (state === 'connected') {
      this.#bufferedWhileDisconnected = 0;
      return undefined;
    }
    if (this.#bufferedWhileDisconnected + size > this.#maxBufferedWhileDisconnected) {
      return 'NATS is reconnecting and the client buffer for it is full';
    }
    this.#bufferedWhileDisconnected += size;
    return undefined;
  }

  #drop(reason: string, topic: string): void {
    this.#stats.dropped++;
    this.#onDropped(reason, topic);
  }

  subscribe(topic: string, handler: BusHandler): () => void {
    if (this.#closed) throw new Error('The NATS bus is closed');
    let entry = this.#topics.get(topic);
    if (entry === undefined) {
      const handlers = new Set<BusHandler>();
      const subscription = this.#link.connection.subscribe(topicSubject(topic, this.#prefix), {
        callback: (err, msg) => {
          if (err !== null) this.#reportHandlerError(err, topic);
          else this.#deliver(topic, handlers, msg);
        },
      });
      entry = { subscription, handlers };
      this.#topics.set(topic, entry);
    }
    // A wrapper per subscription, so the same handler may hold two independent subscriptions.
    const subscription: BusHandler = (message) => handler(message);
    entry.handlers.add(subscription);
    return () => {
      const current = this.#topics.get(topic);
      if (current === undefined || !current.handlers.delete(subscription)) return;
      if (current.handlers.size > 0) return;
      this.#topics.delete(topic);
      this.#unsubscribe(current.subscription);
    };
  }

  #deliver(topic: string, handlers: Set<BusHandler>, msg: Msg): void {
    this.#stats.received++;
    let decoded: ReturnType<typeof decodeBusMessage>;
    try {
      const meta = msg.headers?.has(BUS_META_HEADER) ? msg.headers.get(BUS_META_HEADER) : undefined;
      decoded = decodeBusMessage(msg.data, meta);
    } catch (err) {
      // A header section the driver cannot parse, for one.
      decoded = { ok: false, reason: err instanceof Error ? err.message : String(err) };
    }
    if (!decoded.ok) {
      this.#stats.malformed++;
      this.#onMalformed(decoded.reason, msg.subject);
      return;
    }
    this.#handle(topic, handlers, decoded.message);
  }

  #handle(topic: string, handlers: Set<BusHandler>, message: BusMessage): void {
    for (const handler of handlers) {
      try {
        handler(message);
      } catch (err) {
        this.#reportHandlerError(err, topic);
      }
    }
  }

  #reportHandlerError(err: unknown, topic: string): void {
    this.#stats.handlerErrors++;
    this.#onHandlerError(err, topic);
  }

  #unsubscribe(subscription: Subscription): void {
    try {
      subscription.unsubscribe();
    } catch {
      // The connection is closed: the server has forgotten the subscription already.
    }
  }

  /** Topics with at least one local handler, each one NATS subscription (for tests and metrics). */
  topicCount(): number {
    return this.#topics.size;
  }

  stats(): NatsBusStats {
    return { ...this.#stats };
  }

  onLinkChange(listener: (up: boolean) => void): () => void {
    return this.#link.onChange((state) => {
      // 'closed' is this process's own doing (a stop), not a lost link.
      if (state !== 'closed') listener(state === 'connected');
    });
  }

  ping(): Promise<void> {
    if (this.#closed) return Promise.reject(new Error('The NATS bus is closed'));
    return this.#link.ping();
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const entry of this.#topics.values()) this.#unsubscribe(entry.subscription);
    this.#topics.clear();
    if (this.#ownsConnection) await this.#link.close();
  }
}
