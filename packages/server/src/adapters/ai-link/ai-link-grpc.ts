import type { DeviceIdentity, DeviceUp } from '../../domain/device.js';
import type {
  AiLink,
  AiLinkState,
  AiLinkStats,
  AiSession,
  AiSessionHandlers,
} from '../../ports/ai-link.js';
import { toChatRequest } from './ai-codec.js';
import { AiSessionQueue } from './ai-session-queue.js';
import { AudioRequestEncoder, frameRequest, readResponse, type ReadResponse } from './ai-wire.js';
import { H2Call, type H2CallEvents } from './h2-call.js';
import { H2Channel } from './h2-channel.js';
import { PooledStream, STREAM_BUFFER_BYTES, type StreamOwner } from './pooled-stream.js';

export interface GrpcAiLinkOptions {
  /** host:port of the AI service. */
  readonly addr: string;
  readonly streams: number;
  readonly keepaliveMs: number;
  readonly keepaliveTimeoutMs: number;
  /** The first reconnect waits about this long, each next one twice as long... */
  readonly reconnectBaseMs?: number;
  /** ...up to this (then with jitter between half and all of it). */
  readonly reconnectMaxMs: number;
  /** Frames one session may have waiting. */
  readonly sessionQueue: number;
}

export interface GrpcAiLinkHooks {
  readonly now: () => number;
  readonly nextId: () => string;
  readonly onDropped?: () => void;
  readonly onReconnect?: () => void;
  /** A stream's write buffer filled: its devices are paused until it drains. */
  readonly onCongested?: () => void;
  /** A stream broke (with why) or a response could not be delivered. */
  readonly onWarning?: (what: string, detail: Record<string, unknown>) => void;
}

/** How long a connect attempt waits for the channel to be ready before it backs off. */
const CONNECT_WAIT_MS = 3_000;

/** The method's path, and the request headers gRPC over HTTP/2 asks for. */
const CHAT_STREAM_HEADERS = {
  ':method': 'POST',
  ':path': '/im.ai.v1.AIService/ChatStream',
  'content-type': 'application/grpc',
  te: 'trailers',
  'grpc-accept-encoding': 'identity',
  'user-agent': 'parley-ai-link',
};

/** The largest message taken from the AI service: gRPC's default limit. */
const MAX_MESSAGE_BYTES = 4 * 1024 * 1024;

/**
 * The AI link over gRPC: `streams` long-lived `AIService.ChatStream` calls on one HTTP/2
 * connection (as the seed has it), opened at start and reopened with exponential backoff and
 * jitter when they break. See the AiLink port for the guarantees.
 *
 * gRPC is spoken here on node:http2 directly rather than through @grpc/grpc-js (which the
 * public API and the extension services use): a device's every 60 ms frame crosses this link,
 * and grpc-js costs about 15 µs of CPU to send one and 9 µs to receive one, where this costs
 * about 2 µs each — the frames of one event-loop turn leave in one write, and audio is encoded
 * and read by hand (ai-wire.ts). Keepalive and the framing are gRPC's (h2-channel.ts, h2-call.ts).
 */
export class GrpcAiLink implements AiLink, StreamOwner {
  readonly #options: GrpcAiLinkOptions;
  readonly #hooks: GrpcAiLinkHooks;
  readonly #channel: H2Channel;
  readonly #streams: PooledStream[] = [];
  readonly #sessions = new Map<string, AiSessionQueue>();
  #reconnects = 0;
  #stopped = false;

  constructor(options: GrpcAiLinkOptions, hooks: GrpcAiLinkHooks) {
    this.#options = options;
    this.#hooks = hooks;
    this.#channel = new H2Channel(options.addr, {
      keepaliveMs: options.keepaliveMs,
      keepaliveTimeoutMs: options.keepaliveTimeoutMs,
      connectTimeoutMs: CONNECT_WAIT_MS,
    });
    for (let i = 0; i < options.streams; i++) this.#streams.push(new PooledStream(i, this));
  }

  state(): AiLinkState {
    if (this.#streams.some((s) => s.live)) return 'connected';
    return this.#streams.some((s) => s.connecting) ? 'connecting' : 'disconnected';
  }

  async start(): Promise<void> {
    this.#stopped = false;
    // Not awaited: a node starts, and devices get alerts, while the AI service is away.
    for (const stream of this.#streams) stream.connect();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    for (const stream of this.#streams) stream.close();
    this.#channel.close();
  }

  open(sessionId: string, who: DeviceIdentity, handlers: AiSessionHandlers): AiSession {
    const session = new AiSessionQueue({
      id: sessionId,
      who,
      handlers,
      bound: this.#options.sessionQueue,
      build: (up, s) => this.#request(up, s),
      onDropped: () => this.#hooks.onDropped?.(),
      onRelease: (s) => {
        this.#sessions.delete(s.id);
        (s.stream as PooledStream | undefined)?.sessions.delete(s);
        s.stream = undefined;
      },
    });
    this.#sessions.set(sessionId, session);
    const stream = this.#leastLoaded();
    if (stream !== undefined) this.#pin(session, stream);
    return session;
  }

  stats(): AiLinkStats {
    return {
      streams: this.#streams.length,
      liveStreams: this.#streams.filter((s) => s.live).length,
      sessions: this.#sessions.size,
      reconnects: this.#reconnects,
    };
  }

  // --- used by PooledStream ---

  get stopped(): boolean {
    return this.#stopped;
  }

  get options(): GrpcAiLinkOptions {
    return this.#options;
  }

  openCall(events: H2CallEvents): H2Call {
    return new H2Call(this.#channel.request(CHAT_STREAM_HEADERS), events, {
      congestedBytes: STREAM_BUFFER_BYTES,
      maxMessageBytes: MAX_MESSAGE_BYTES,
    });
  }

  waitForReady(cb: (err: Error | undefined) => void): void {
    this.#channel.ready(cb);
  }

  deliver(message: Buffer): void {
    let read: ReadResponse;
    try {
      read = readResponse(message);
    } catch (err) {
      // Bytes that are not a ChatResponse: the stream is broken (it is reopened).
      throw new Error(`the AI service sent a message that is not a ChatResponse: ${String(err)}`);
    }
    const session = this.#sessions.get(read.sessionId);
    if (session === undefined || read.down === undefined) {
      this.#hooks.onWarning?.('dropped a response of the AI service', {
        session_id: read.sessionId.slice(0, 64),
        reason: session === undefined ? 'unknown session' : 'type and content disagree',
      });
      return;
    }
    try {
      session.handlers.onMessage(read.down);
    } catch (err) {
      // A session's failure stays the session's: the stream and its other sessions go on.
      this.#hooks.onWarning?.('a response could not be delivered', {
        session_id: session.id,
        err,
      });
    }
  }

  streamUp(stream: PooledStream, wasReconnect: boolean): void {
    if (wasReconnect) {
      this.#reconnects++;
      this.#hooks.onReconnect?.();
    }
    // Sessions that had no live stream come here, spread over the live ones.
    for (const session of this.#sessions.values()) {
      if (session.stream !== undefined) continue;
      this.#pin(session, this.#leastLoaded() ?? stream);
      session.handlers.onStreamRestored();
    }
  }

  streamDown(stream: PooledStream, reason: string): void {
    this.#hooks.onWarning?.('a stream to the AI service broke', { stream: stream.index, reason });
    const moved = [...stream.sessions];
    stream.sessions.clear();
    for (const session of moved) {
      session.stream = undefined;
      session.dropWaitingAudio();
      session.handlers.onStreamLost(reason);
      const target = this.#leastLoaded();
      if (target === undefined) {
        session.updatePause();
        continue;
      }
      this.#pin(session, target);
      session.handlers.onStreamRestored();
    }
  }

  congested(): void {
    this.#hooks.onCongested?.();
  }

  drained(stream: PooledStream): void {
    // Round robin over the stream's sessions until it is congested again or all is sent.
    let progress = true;
    while (progress && stream.live && !stream.congested) {
      progress = false;
      for (const session of stream.sessions) {
        if (session.flushOne()) progress = true;
        if (stream.congested) break;
      }
    }
    for (const session of stream.sessions) session.updatePause();
  }

  #pin(session: AiSessionQueue, stream: PooledStream): void {
    session.stream = stream;
    stream.sessions.add(session);
    // The AI service knows a session by its hello: a session that moved says it again there.
    if (session.hello !== undefined) stream.tryWrite(this.#request(session.hello, session));
    this.drained(stream);
  }

  #leastLoaded(): PooledStream | undefined {
    let best: PooledStream | undefined;
    for (const stream of this.#streams) {
      if (!stream.live) continue;
      if (best === undefined || stream.sessions.size < best.sessions.size) best = stream;
    }
    return best;
  }

  /** The framed ChatRequest for a device frame, with a new message id and the time. */
  #request(up: DeviceUp, session: AiSessionQueue): Buffer {
    const messageId = this.#hooks.nextId();
    const now = this.#hooks.now();
    if (up.type === 'audio') {
      session.audioEncoder ??= new AudioRequestEncoder(session.who, session.id, session.uplink);
      const framed = session.audioEncoder.encode(messageId, now, up.data);
      if (framed !== undefined) return framed;
    }
    return frameRequest(toChatRequest(up, session.id, session.who, messageId, now, session.uplink));
  }
}
