import { backoffDelay, backoffOptions, type BackoffOptions } from './backoff.js';
import type { CatchUpDeps } from './catch-up.js';
import type { ClientEvents, ConnectionState, ParleyClientOptions } from './client-options.js';
import { Emitter, type Handler, type Unsubscribe } from './emitter.js';
import { Inbox } from './inbox.js';
import { ParleyError } from './errors.js';
import { Outbox, type SendInput } from './outbox.js';
import { SeqTracker } from './seq-tracker.js';
import { ParleyOps } from './ws-ops.js';
import type { Message, MessageSendData, OpData, OpName, OpReply, ReadyData } from './types.js';
import {
  CLOSE_SESSION_ENDED,
  WsConnection,
  webSocketUrl,
  type WebSocketConstructor,
} from './ws-connection.js';

type Timer = ReturnType<typeof setTimeout>;

/**
 * The Parley WebSocket API, typed, for browsers and Node. It reconnects with backoff, sends
 * messages through an outbox that survives reconnects without duplicates, and after a
 * reconnect fetches what was missed, emitting it as ordinary events.
 *
 * A message sent with `send` is reported by its promise only, never also as `message.new`.
 */
export class ParleyClient extends ParleyOps {
  readonly #url: string;
  readonly #token: ParleyClientOptions['token'];
  readonly #WebSocket: WebSocketConstructor;
  readonly #timeoutMs: number;
  readonly #backoff: BackoffOptions;
  readonly #reconnect: boolean;
  readonly #autoCatchUp: boolean;
  readonly #emitter = new Emitter<ClientEvents>((error, event) => this.#report(error, event));
  readonly #tracker = new SeqTracker();
  readonly #outbox: Outbox;
  readonly #inbox: Inbox;
  #state: ConnectionState = 'closed';
  /** The socket of the latest attempt, ready or not. */
  #connection: WsConnection | undefined;
  /** The socket past `ready`; requests go here. */
  #open: WsConnection | undefined;
  #ready: ReadyData | undefined;
  #everReady = false;
  /** Bumped by every close, so that callbacks of an older connection know to stand down. */
  #generation = 0;
  #attempt = 0;
  #timer: Timer | undefined;

  constructor(options: ParleyClientOptions) {
    super();
    const WebSocketClass =
      options.WebSocket ?? (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
    if (WebSocketClass === undefined) {
      throw new TypeError('no global WebSocket: pass the `ws` package as options.WebSocket');
    }
    webSocketUrl(options.url, ''); // refuses a bad URL now rather than at the first connect
    this.#url = options.url;
    this.#token = options.token;
    this.#WebSocket = WebSocketClass;
    this.#timeoutMs = options.requestTimeoutMs ?? 10_000;
    this.#reconnect = options.reconnect !== false;
    this.#backoff = backoffOptions(options.reconnect === false ? {} : options.reconnect);
    this.#autoCatchUp = options.autoCatchUp ?? true;
    this.#outbox = new Outbox({
      transmit: (data) => this.request('message.send', data),
      maxSize: options.maxOutbox ?? 1000,
      retryDelayMs: (attempt) => backoffDelay(attempt, this.#backoff),
    });
    this.#inbox = new Inbox({
      tracker: this.#tracker,
      outbox: this.#outbox,
      emitter: this.#emitter,
      userId: () => this.#ready?.user.user_id,
    });
  }

  get state(): ConnectionState {
    return this.#state;
  }

  /** The `ready` of the current connection, or of the last one. */
  get readyData(): ReadyData | undefined {
    return this.#ready;
  }

  /** Subscribes to an event; returns the function that unsubscribes. */
  on<K extends keyof ClientEvents>(event: K, handler: Handler<ClientEvents[K]>): Unsubscribe {
    return this.#emitter.on(event, handler);
  }

  /**
   * Opens the connection; resolves with `ready`. A first connect that fails rejects (the
   * state returns to `closed`); once connected, lost connections are reopened automatically.
   */
  async connect(): Promise<ReadyData> {
    if (this.#state === 'open' && this.#ready !== undefined) return this.#ready;
    if (this.#state !== 'closed') return this.#nextReady();
    this.#setState('connecting');
    const generation = this.#generation;
    try {
      return await this.#openSocket(generation);
    } catch (error) {
      if (generation === this.#generation) this.#terminate(error);
      throw error;
    }
  }

  /** Closes for good: no reconnect; pending requests and unsent messages reject. */
  close(): void {
    if (this.#state === 'closed') return;
    const wasOpen = this.#open !== undefined;
    if (wasOpen) this.#emitter.emit('close', { code: 1000, reason: 'closed by the client' });
    this.#terminate(new ParleyError('UNAVAILABLE', 'the client was closed', 0));
  }

  /**
   * Sends one op and resolves with its reply's data. Rejects with ParleyError: the server's
   * code for an error reply, UNAVAILABLE when not connected, on timeout, or when the
   * connection drops first. Replies carrying messages feed the seq tracker.
   */
  override async request<K extends OpName>(
    op: K,
    data: OpData<K>,
    options: { timeoutMs?: number } = {},
  ): Promise<OpReply<K>> {
    const connection = this.#open;
    if (connection === undefined) throw new ParleyError('UNAVAILABLE', 'not connected', 0);
    const reply = await connection.request(op, data, options.timeoutMs ?? this.#timeoutMs);
    this.#inbox.observeReply(op, data, reply);
    return reply;
  }

  /**
   * Sends a message through the outbox: it waits while disconnected and is retried with the
   * same `client_msg_id` until stored. Resolves with the stored message.
   */
  async send(input: SendInput): Promise<Message> {
    return (await this.#outbox.send(input)).message;
  }

  /** Messages given to `send` and not yet stored, oldest first per target. */
  pendingSends(): MessageSendData[] {
    return this.#outbox.pending();
  }

  /** The seq up to which this client has seen every message of the conversation. */
  lastSeq(conversationId: string): number | undefined {
    return this.#tracker.lastSeq(conversationId);
  }

  async #openSocket(generation: number): Promise<ReadyData> {
    this.#connection = undefined;
    const token = typeof this.#token === 'function' ? await this.#token() : this.#token;
    if (generation !== this.#generation) throw new ParleyError('UNAVAILABLE', 'closed', 0);
    const socket = new this.#WebSocket(webSocketUrl(this.#url, token));
    const connection: WsConnection = new WsConnection(
      socket,
      {
        onReady: (ready) => {
          if (generation === this.#generation) this.#becomeOpen(connection, ready);
        },
        onEvent: (name, data) => {
          if (this.#open === connection) this.#inbox.onServerEvent(name, data);
        },
        onClose: (code, reason) => {
          if (this.#open === connection) this.#onDrop(code, reason);
        },
      },
      this.#timeoutMs,
    );
    this.#connection = connection;
    const ready = await connection.ready;
    // The connection may already be gone again; if it went by itself, reconnecting has
    // started and this attempt still counts as a success.
    if (generation !== this.#generation) throw new ParleyError('UNAVAILABLE', 'closed', 0);
    return ready;
  }

  #becomeOpen(connection: WsConnection, ready: ReadyData): void {
    this.#open = connection;
    this.#ready = ready;
    this.#attempt = 0;
    this.#setState('open');
    this.#outbox.setOnline(true);
    if (this.#everReady && this.#autoCatchUp) this.#catchUp(connection, 0);
    this.#everReady = true;
    this.#emitter.emit('ready', ready);
  }

  #onDrop(code: number, reason: string): void {
    this.#open = undefined;
    this.#outbox.setOnline(false);
    clearTimeout(this.#timer);
    this.#emitter.emit('close', { code, reason });
    if (code === CLOSE_SESSION_ENDED) {
      this.#terminate(new ParleyError('UNAUTHENTICATED', reason || 'the session ended', 0));
    } else if (!this.#reconnect) {
      this.#terminate(new ParleyError('UNAVAILABLE', `connection closed (${code})`, 0));
    } else {
      this.#setState('reconnecting');
      this.#scheduleReconnect();
    }
  }

  #scheduleReconnect(): void {
    const generation = this.#generation;
    const delay = backoffDelay(this.#attempt, this.#backoff);
    this.#attempt += 1;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#openSocket(generation).catch((error: unknown) => {
        if (generation !== this.#generation) return;
        if (this.#connection?.closeCode === CLOSE_SESSION_ENDED) return this.#terminate(error);
        // Anything else may pass (network, restart, a token the app is about to refresh).
        this.#report(error);
        this.#scheduleReconnect();
      });
    }, delay);
  }

  /** Ends everything: no more reconnects; unsent messages reject with `error`. */
  #terminate(error: unknown): void {
    this.#generation += 1;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    const connection = this.#connection;
    this.#connection = undefined;
    this.#open = undefined;
    connection?.close();
    this.#outbox.setOnline(false);
    this.#outbox.failAll(error);
    this.#setState('closed');
  }

  #nextReady(): Promise<ReadyData> {
    return new Promise((resolve, reject) => {
      const stop = (): void => {
        offReady();
        offState();
      };
      const offReady = this.on('ready', (ready) => {
        stop();
        resolve(ready);
      });
      const offState = this.on('state', (state) => {
        if (state !== 'closed') return;
        stop();
        reject(new ParleyError('UNAVAILABLE', 'closed before the connection was ready', 0));
      });
    });
  }

  #setState(state: ConnectionState): void {
    if (state === this.#state) return;
    this.#state = state;
    this.#emitter.emit('state', state);
  }

  #catchUp(connection: WsConnection, attempt: number): void {
    const request: CatchUpDeps['request'] = (op, data) =>
      connection.request(op, data, this.#timeoutMs);
    this.#inbox.catchUp(request).then(
      (conversations) => {
        if (this.#open === connection) this.#emitter.emit('caught_up', { conversations });
      },
      (error: unknown) => {
        if (this.#open !== connection) return; // the next connection catches up instead
        this.#report(error);
        this.#timer = setTimeout(
          () => {
            if (this.#open === connection) this.#catchUp(connection, attempt + 1);
          },
          backoffDelay(attempt, this.#backoff),
        );
      },
    );
  }

  /** Errors no promise can carry go to `error` handlers; a handler's own bug is rethrown. */
  #report(error: unknown, fromEvent?: keyof ClientEvents): void {
    if (fromEvent !== 'error' && this.#emitter.listenerCount('error') > 0) {
      this.#emitter.emit('error', error);
    } else if (fromEvent !== undefined) {
      // Like an EventTarget listener's exception: surfaced, without breaking the client.
      queueMicrotask(() => {
        throw error;
      });
    }
  }
}
