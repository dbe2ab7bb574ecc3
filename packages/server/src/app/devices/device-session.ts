import {
  DOWNLINK_AUDIO,
  type AiDown,
  type DeviceDown,
  type DeviceIdentity,
  type DeviceUp,
} from '../../domain/device.js';
import type { AiLink, AiSession } from '../../ports/ai-link.js';
import type { Clock, Ids } from '../../ports/system.js';
import type { DeviceDialogue, SessionDialogue } from './device-dialogue.js';
import type { DeviceJournal } from './device-journal.js';
import { DeviceReply } from './device-reply.js';
import { SessionRecord } from './session-record.js';

/** Where a session's answers go: the device's connection (the transport implements it). */
export interface DeviceOutput {
  /** Sends one JSON frame; returns its text as sent (for the log). */
  send(down: DeviceDown): string;
  sendAudio(opus: Uint8Array): void;
  /** Stop (true) or resume (false) reading the device's frames. */
  pauseReading(paused: boolean): void;
}

/** Counters the session reports (metrics). */
export interface DeviceSessionMeter {
  audioUp(frames: number): void;
  audioDown(frames: number): void;
  /** Uplink audio dropped: sent outside a listen. */
  audioDropped(reason: 'not_listening'): void;
  /** Downlink audio dropped after an abort. */
  audioAborted(): void;
}

export interface DeviceSessionDeps {
  readonly ai: AiLink;
  readonly journal: DeviceJournal;
  readonly clock: Clock;
  readonly ids: Ids;
  readonly meter?: DeviceSessionMeter;
  /** Posts each turn into the owner's conversation with the assistant (absent: not posted). */
  readonly dialogue?: DeviceDialogue;
  /** How long a turn may wait for the AI service's first answer before the device is told. */
  readonly answerTimeoutMs?: number;
}

/**
 * One device connection's session (seed 002): the hello handshake, turns, audio both ways,
 * abort, MCP both ways, and what is recorded. The device's frames arrive parsed; answers leave
 * as `DeviceDown` for the transport to encode.
 */
export class DeviceSession {
  readonly id: string;
  readonly who: DeviceIdentity;
  readonly #deps: DeviceSessionDeps;
  readonly #output: DeviceOutput;
  readonly #metadata: Record<string, unknown>;
  #ai: AiSession | undefined;
  #listening = false;
  readonly #record: SessionRecord;
  /** When the device's last turn went to the AI service with no answer since (0: none). */
  #awaitingSince = 0;
  #closed = false;
  #warnedBeforeHello = false;
  readonly #dialogue: SessionDialogue | undefined;
  readonly #reply: DeviceReply;

  constructor(
    deps: DeviceSessionDeps,
    init: {
      id: string;
      who: DeviceIdentity;
      output: DeviceOutput;
      metadata: Record<string, unknown>;
    },
  ) {
    this.#deps = deps;
    this.id = init.id;
    this.who = init.who;
    this.#output = init.output;
    this.#metadata = init.metadata;
    this.#record = new SessionRecord(deps, init.id);
    this.#dialogue = deps.dialogue?.forSession(init.id, init.who.userId);
    this.#reply = new DeviceReply({
      clock: deps.clock,
      record: this.#record,
      output: init.output,
      send: (down) => this.#sendJson(down),
      meter: deps.meter,
      dialogue: this.#dialogue,
    });
  }

  get started(): boolean {
    return this.#ai !== undefined;
  }

  /** A parsed JSON frame from the device; `raw` is its text, for the log. */
  receive(up: DeviceUp, raw: string): void {
    if (this.#closed) return;
    this.#record.active();
    if (up.type === 'hello') return this.#hello(up, raw);
    const ai = this.#ai;
    this.#record.log('inbound', up.type, raw);
    if (ai === undefined) {
      return this.alert('error', `Send "hello" before "${up.type}".`, 'sad');
    }
    switch (up.type) {
      case 'listen':
        this.#nextTurn();
        if (up.state === 'start') {
          this.#listening = true;
          this.#record.endUplink();
        } else if (up.state === 'stop') {
          this.#listening = false;
          this.#record.endUplink();
          this.#turnSent();
        } else this.#turnSent();
        break;
      case 'abort':
        this.#abort(up.reason);
        break;
      case 'chat':
        this.#nextTurn();
        this.#dialogue?.userSaid(up.text);
        this.#turnSent();
        break;
      case 'close':
        break;
      default:
    }
    ai.send(up);
  }

  /** One Opus packet from the device. */
  receiveAudio(data: Uint8Array): void {
    if (this.#closed) return;
    this.#record.active();
    const ai = this.#ai;
    if (ai === undefined) {
      if (!this.#warnedBeforeHello) {
        this.#warnedBeforeHello = true;
        this.alert('error', 'Send "hello" before audio.', 'sad');
      }
      return;
    }
    if (!this.#listening) {
      this.#deps.meter?.audioDropped('not_listening');
      return;
    }
    this.#record.audioUp(data.byteLength);
    this.#deps.meter?.audioUp(1);
    // Audio the link cannot deliver in time is dropped and counted there.
    ai.send({ type: 'audio', data });
  }

  /** An alert frame to the device (and the log). */
  alert(status: string, message: string, emotion: string): void {
    this.#sendJson({ type: 'alert', status, message, emotion });
  }

  /** Records the session at connection time (the device may never send its hello). */
  connected(): void {
    this.#record.opened(this.who, this.#metadata);
    this.#record.event('connected', this.#metadata);
  }

  /** The device went away (or was closed): tell the AI service, record it, let go. */
  disconnected(reason: string, code: number): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#nextTurn();
    if (this.#ai !== undefined) {
      this.#ai.send({ type: 'close', reason: reason || `closed with ${code}` });
      this.#ai.release();
    }
    this.#record.closed(code, reason);
  }

  /** Called now and then: a long-quiet session is recorded inactive, and its activity kept. */
  sweep(now: number): void {
    if (this.#closed) return;
    this.#record.sweep(now);
    this.#reply.sweep(now);
    const timeout = this.#deps.answerTimeoutMs;
    if (timeout !== undefined && this.#awaitingSince > 0 && now - this.#awaitingSince > timeout) {
      // A hung AI service (alive, never answering) is not found by keepalive: the turn says so.
      this.#awaitingSince = 0;
      this.#record.event('ai_no_answer', { waited_ms: timeout });
      this.alert('error', 'The AI service did not answer in time.', 'sad');
    }
  }

  /** The device was cut off for not reading. */
  slowConsumer(bufferedBytes: number): void {
    this.#record.event('slow_consumer', { buffered_bytes: bufferedBytes });
  }

  #hello(up: Extract<DeviceUp, { type: 'hello' }>, raw: string): void {
    if (this.#ai !== undefined) {
      // A device that says hello again gets the same answer; the session goes on.
      this.#record.log('inbound', 'hello', raw);
      this.#sendJson({ type: 'hello', audioParams: DOWNLINK_AUDIO });
      return;
    }
    this.#record.log('inbound', 'hello', raw);
    this.#record.event('hello', {
      version: up.version,
      audio_params: up.audioParams,
      features: JSON.parse(up.featuresJson) as unknown,
    });
    this.#ai = this.#deps.ai.open(this.id, this.who, {
      onMessage: (down) => this.#fromAi(down),
      onStreamLost: (reason) => this.#streamLost(reason),
      onStreamRestored: () => this.#streamRestored(),
      onCongestion: (congested) => this.#output.pauseReading(congested),
    });
    this.#ai.send(up);
    this.#sendJson({ type: 'hello', audioParams: DOWNLINK_AUDIO });
    const state = this.#deps.ai.state();
    if (state === 'disabled') {
      this.alert('error', 'No AI service is configured on this server.', 'sad');
    } else if (state !== 'connected') {
      this.alert('warning', 'The AI service is not reachable yet; retrying.', 'thinking');
    }
  }

  #nextTurn(): void {
    this.#reply.nextTurn();
  }

  #turnSent(): void {
    if (this.#deps.ai.state() !== 'disabled') this.#awaitingSince = this.#deps.clock.now();
  }

  #abort(reason: string): void {
    this.#record.event('aborted', { reason });
    this.#reply.abort();
  }

  #fromAi(down: AiDown): void {
    if (this.#closed) return;
    this.#awaitingSince = 0;
    switch (down.type) {
      case 'audio':
        return this.#reply.audio(down.data);
      case 'text':
        if (down.kind !== 'stt') return this.#reply.llm(down.text, down.emotion);
        this.#dialogue?.userSaid(down.text);
        return this.#sendJson({ type: 'stt', text: down.text });
      case 'status':
        return this.#reply.tts(down.ttsState, down.text);
      case 'mcp':
        return this.#sendJson({ type: 'mcp', payloadJson: down.payloadJson });
      case 'error':
        return this.alert('error', down.message || `The AI service failed (${down.code}).`, 'sad');
      case 'image':
        // No device frame carries pictures: recorded only.
        this.#record.log('outbound', 'image', JSON.stringify({ url: down.url, mime: down.mime }));
        return;
    }
  }

  #streamLost(reason: string): void {
    this.#record.event('ai_stream_lost', { reason: reason.slice(0, 256) });
    this.#reply.streamLost();
    this.alert('error', 'The link to the AI service was interrupted; reconnecting.', 'sad');
  }

  #streamRestored(): void {
    this.#record.event('ai_reconnected', {});
    this.alert('info', 'The AI service is reachable again.', 'happy');
  }

  #sendJson(down: DeviceDown): void {
    this.#record.active();
    this.#record.log('outbound', down.type, this.#output.send(down));
  }
}
