import { connect, constants, type ClientHttp2Session, type ClientHttp2Stream } from 'node:http2';

export interface H2ChannelOptions {
  readonly keepaliveMs: number;
  readonly keepaliveTimeoutMs: number;
  /** How long a connect attempt may take before it counts as failed. */
  readonly connectTimeoutMs: number;
}

/** Receive windows: large enough that a busy AI service's answers never wait for an update. */
const STREAM_WINDOW = 4 * 1024 * 1024;
const SESSION_WINDOW = 16 * 1024 * 1024;

/**
 * One HTTP/2 connection to a gRPC server (the AI service), made when first needed and again
 * after it is lost. Keepalive as gRPC has it: a PING every `keepaliveMs`, and a PING not
 * answered within `keepaliveTimeoutMs` closes the connection (and so every stream on it) — how
 * a hung peer is found.
 */
export class H2Channel {
  readonly #authority: string;
  readonly #options: H2ChannelOptions;
  #session: ClientHttp2Session | undefined;
  #ready = false;
  #waiting: ((err: Error | undefined) => void)[] = [];
  #closed = false;

  constructor(addr: string, options: H2ChannelOptions) {
    this.#authority = `http://${addr}`;
    this.#options = options;
  }

  /** Calls back once the connection is up (at once if it is), or with why it could not be. */
  ready(cb: (err: Error | undefined) => void): void {
    if (this.#closed) return cb(new Error('the channel is closed'));
    if (this.#ready) return cb(undefined);
    this.#waiting.push(cb);
    if (this.#session === undefined) this.#connect();
  }

  /** Opens a stream on the live connection (call after `ready`). */
  request(headers: Record<string, string>): ClientHttp2Stream {
    const session = this.#session;
    if (session === undefined || !this.#ready) throw new Error('the AI service is not connected');
    return session.request(headers, { endStream: false });
  }

  close(): void {
    this.#closed = true;
    this.#session?.destroy();
    this.#settle(new Error('the channel is closed'));
  }

  #connect(): void {
    const session = connect(this.#authority, {
      settings: { enablePush: false, initialWindowSize: STREAM_WINDOW },
    });
    this.#session = session;
    const timer = setTimeout(() => {
      session.destroy(new Error(`no connection within ${this.#options.connectTimeoutMs} ms`));
    }, this.#options.connectTimeoutMs);
    let keepalive: NodeJS.Timeout | undefined;
    session.once('connect', () => {
      clearTimeout(timer);
      session.setLocalWindowSize(SESSION_WINDOW);
      this.#ready = true;
      keepalive = setInterval(() => this.#ping(session), this.#options.keepaliveMs).unref();
      this.#settle(undefined);
    });
    const lost = (err: Error | undefined) => {
      clearTimeout(timer);
      clearInterval(keepalive);
      if (this.#session !== session) return;
      this.#session = undefined;
      this.#ready = false;
      this.#settle(err ?? new Error('the connection closed'));
    };
    // A connection the server is retiring takes no new streams; the next one opens anew.
    session.on('goaway', () => lost(new Error('the AI service is going away')));
    session.on('error', (err: Error) => lost(err));
    session.on('close', () => lost(undefined));
  }

  #ping(session: ClientHttp2Session): void {
    if (session.destroyed) return;
    const timeout = setTimeout(() => {
      session.destroy(
        new Error(`keepalive: no answer to a ping within ${this.#options.keepaliveTimeoutMs} ms`),
        constants.NGHTTP2_CANCEL,
      );
    }, this.#options.keepaliveTimeoutMs);
    const sent = session.ping((err) => {
      clearTimeout(timeout);
      if (err !== null && !session.destroyed) session.destroy(err);
    });
    if (!sent) clearTimeout(timeout);
  }

  #settle(err: Error | undefined): void {
    const waiting = this.#waiting;
    this.#waiting = [];
    for (const cb of waiting) cb(err);
  }
}
