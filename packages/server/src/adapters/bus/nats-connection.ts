/**
 * One NATS connection for a Parley process, shared by the NATS Bus and the JetStream TaskQueue:
 * it reconnects forever, and tracks whether it is connected so that `/ready` can say so at once
 * instead of waiting on a flush that only completes after the reconnect.
 */
import { connect, type NatsConnection, type Status } from '@nats-io/transport-node';

export type NatsLinkState = 'connected' | 'reconnecting' | 'closed';

export interface NatsConnectOptions {
  /** nats://host:port, or several separated by commas (PARLEY_NATS_URL). */
  readonly url: string;
  /** The connection's name, shown by the server's monitoring (e.g. `parley-<node id>`). */
  readonly name: string;
  /** Told of every state change and server notice (disconnects, reconnects, errors). */
  readonly onStatus?: (state: NatsLinkState, status: Status) => void;
  /** How long `ping` waits for the server's answer; 2 s by default. */
  readonly pingTimeoutMs?: number;
  /** Time between reconnect attempts; 500 ms by default (plus up to 100 ms of jitter). */
  readonly reconnectWaitMs?: number;
}

export interface NatsLink {
  readonly connection: NatsConnection;
  /** The server's max_payload (headers included), from the last server it connected to. */
  maxPayload(): number;
  state(): NatsLinkState;
  /** Told of each change of state (not of every status); returns the function that stops it. */
  onChange(listener: (state: NatsLinkState) => void): () => void;
  /** Resolves once the server answers a flush in time; rejects at once while disconnected. */
  ping(): Promise<void>;
  /** Drains the connection: what was published is sent, then it closes. */
  close(): Promise<void>;
}

/** nats-server's default max_payload (1 MiB), until the server tells its own. */
const DEFAULT_MAX_PAYLOAD = 1024 * 1024;
const DRAIN_TIMEOUT_MS = 5_000;

/** Connects to NATS: the first connection must succeed, the ones after a disconnect retry forever. */
export async function connectNats(options: NatsConnectOptions): Promise<NatsLink> {
  let connection: NatsConnection;
  try {
    connection = await connect({
      servers: options.url.split(',').map((s) => s.trim()),
      name: options.name,
      // The bus hands a process's own messages to its local subscribers itself (bus-nats.ts):
      // the server need not send them back.
      noEcho: true,
      maxReconnectAttempts: -1,
      reconnectTimeWait: options.reconnectWaitMs ?? 500,
      reconnectJitter: 100,
      // A dead server is noticed within 30 s even when its socket does not close.
      pingInterval: 10_000,
      maxPingOut: 3,
      // A request (a JetStream publish, one per task) skips capturing a stack for its error
      // in case it fails: that capture cost more than the rest of the publish.
      noAsyncTraces: true,
    });
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    throw new Error(`Cannot connect to NATS at ${options.url} (PARLEY_NATS_URL): ${reason}`, {
      cause: err,
    });
  }
  return new TrackedNatsLink(connection, options);
}

class TrackedNatsLink implements NatsLink {
  #state: NatsLinkState = 'connected';
  readonly #pingTimeoutMs: number;
  readonly #listeners = new Set<(state: NatsLinkState) => void>();

  constructor(
    readonly connection: NatsConnection,
    private readonly options: NatsConnectOptions,
  ) {
    this.#pingTimeoutMs = options.pingTimeoutMs ?? 2_000;
    void this.#watch();
    void connection.closed().then(() => this.#set('closed'));
  }

  async #watch(): Promise<void> {
    for await (const status of this.connection.status()) {
      if (status.type === 'disconnect' || status.type === 'reconnecting') {
        if (this.#state !== 'closed') this.#set('reconnecting');
      } else if (status.type === 'reconnect') {
        this.#set('connected');
      } else if (status.type === 'close') {
        this.#set('closed');
      }
      this.options.onStatus?.(this.#state, status);
    }
  }

  #set(state: NatsLinkState): void {
    if (state === this.#state) return;
    this.#state = state;
    for (const listener of this.#listeners) {
      try {
        listener(state);
      } catch {
        // A listener's failure is its own: the link's state stays tracked for the others.
      }
    }
  }

  onChange(listener: (state: NatsLinkState) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  maxPayload(): number {
    return this.connection.info?.max_payload ?? DEFAULT_MAX_PAYLOAD;
  }

  state(): NatsLinkState {
    if (this.connection.isClosed()) return 'closed';
    return this.#state;
  }

  async ping(): Promise<void> {
    const state = this.state();
    if (state !== 'connected') throw new Error(`NATS at ${this.options.url} is ${state}`);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new Error(`NATS at ${this.options.url} did not answer in ${this.#pingTimeoutMs} ms`),
          ),
        this.#pingTimeoutMs,
      );
    });
    try {
      await Promise.race([this.connection.flush(), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  async close(): Promise<void> {
    if (this.connection.isClosed()) return;
    // Drain sends what was published, but only to a server that is there, and not forever.
    if (this.state() === 'connected' && !this.connection.isDraining()) {
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, DRAIN_TIMEOUT_MS);
      });
      await Promise.race([this.connection.drain().catch(() => {}), late]);
      clearTimeout(timer);
    }
    if (!this.connection.isClosed()) await this.connection.close();
  }
}
