import type { Duplex } from 'node:stream';
import type { WebSocket } from 'ws';
import type { DeviceSession, DeviceOutput } from '../../app/devices/device-session.js';
import type { DeviceDown } from '../../domain/device.js';
import {
  AUDIO_HEADER_BYTES,
  decodeBinaryFrame,
  encodeAudioFrame,
  type ProtocolVersion,
} from '../../protocol/device-audio.js';
import {
  DEVICE_CLOSE,
  encodeDeviceFrame,
  errorAlert,
  parseDeviceFrame,
  type FrameForm,
} from '../../protocol/device-frames.js';

export interface DeviceConnectionLimits {
  /** Bytes that may wait toward the device; more cuts it off (4008). */
  readonly sendQueueBytes: number;
  /** Frames per second a device may send (sustained) and in a burst; more are dropped. */
  readonly framesPerSecond: number;
  readonly frameBurst: number;
}

const TERMINATE_AFTER_MS = 1_000;
/** A WebSocket frame's first byte for a whole (FIN) binary message. */
const WS_FIN_BINARY = 0x82;
const MAX_V3_PAYLOAD = 0xffff;
/** One "too many frames" alert per this many ms at most. */
const FLOOD_ALERT_EVERY_MS = 1_000;

/**
 * One device's WebSocket: decodes its frames (text and binary, in its Protocol-Version) for
 * its session, encodes the session's answers, and enforces the connection's bounds (frame
 * rate, send queue).
 */
export class DeviceConnection implements DeviceOutput {
  readonly #ws: WebSocket;
  /** The socket under `#ws`, which audio frames are written to directly. */
  readonly #socket: Duplex;
  readonly #version: ProtocolVersion;
  readonly #limits: DeviceConnectionLimits;
  readonly #now: () => number;
  readonly #startedAt: number;
  readonly #onSlow: (buffered: number) => void;
  #session: DeviceSession | undefined;
  #form: FrameForm = 'flat';
  #tokens: number;
  #refilledAt: number;
  #floodAlertAt = 0;
  #closing = false;
  lastPing = 0;

  constructor(init: {
    ws: WebSocket;
    socket: Duplex;
    version: ProtocolVersion;
    limits: DeviceConnectionLimits;
    now: () => number;
    onSlow: (buffered: number) => void;
  }) {
    this.#ws = init.ws;
    this.#socket = init.socket;
    this.#version = init.version;
    this.#limits = init.limits;
    this.#now = init.now;
    this.#startedAt = init.now();
    this.#onSlow = init.onSlow;
    this.#tokens = init.limits.frameBurst;
    this.#refilledAt = this.#startedAt;
  }

  /** Calls `fn` once the socket has closed (at once if it has). */
  onClosed(fn: () => void): void {
    if (this.#ws.readyState === this.#ws.CLOSED) fn();
    else this.#ws.once('close', () => fn());
  }

  /** The session the frames go to (set once, right after construction). */
  bind(session: DeviceSession): void {
    this.#session = session;
  }

  get isOpen(): boolean {
    return !this.#closing && this.#ws.readyState === this.#ws.OPEN;
  }

  /** A frame from the device. */
  receive(data: Buffer, isBinary: boolean): void {
    const session = this.#session;
    if (session === undefined || !this.#takeToken()) return;
    if (!isBinary) return this.#receiveText(session, data.toString('utf8'));
    const frame = decodeBinaryFrame(this.#version, data);
    if (frame.kind === 'audio') session.receiveAudio(frame.data);
    else if (frame.kind === 'json') this.#receiveText(session, frame.text);
    else session.alert('error', frame.message, 'sad');
  }

  send(down: DeviceDown): string {
    const session = this.#session;
    const text = encodeDeviceFrame(down, session?.id ?? '', this.#now(), this.#form);
    if (this.isOpen) {
      this.#ws.send(text);
      this.#checkQueue();
    }
    return text;
  }

  sendAudio(opus: Uint8Array): void {
    if (!this.isOpen) return;
    // Version 3 says the size in 16 bits: a larger packet (no real Opus packet is) cannot go.
    if (this.#version === 3 && opus.byteLength > MAX_V3_PAYLOAD) return;
    // The WebSocket frame is built here around the audio frame, in one buffer and one write:
    // ws writes every message to this socket as it is sent (no compression, no queue), so
    // frames written here and by ws never interleave.
    const payload = AUDIO_HEADER_BYTES[this.#version] + opus.byteLength;
    const head = payload < 126 ? 2 : payload <= 0xffff ? 4 : 10;
    const frame = encodeAudioFrame(this.#version, opus, this.#now() - this.#startedAt, head);
    frame[0] = WS_FIN_BINARY;
    if (head === 2) frame[1] = payload;
    else if (head === 4) {
      frame[1] = 126;
      frame.writeUInt16BE(payload, 2);
    } else {
      frame[1] = 127;
      frame.writeUInt32BE(0, 2);
      frame.writeUInt32BE(payload, 6);
    }
    this.#socket.write(frame);
    this.#checkQueue();
  }

  pauseReading(paused: boolean): void {
    if (paused) this.#ws.pause();
    else this.#ws.resume();
  }

  ping(now: number): void {
    this.lastPing = now;
    if (this.isOpen) this.#ws.ping();
  }

  close(code: number, reason: string): void {
    if (this.#closing) return;
    this.#closing = true;
    this.#ws.resume();
    this.#ws.close(code, reason);
    setTimeout(() => this.#ws.terminate(), TERMINATE_AFTER_MS).unref();
  }

  #receiveText(session: DeviceSession, text: string): void {
    const parsed = parseDeviceFrame(text);
    if (!parsed.ok) {
      this.send(errorAlert(parsed.message));
      return;
    }
    // Answers follow the form of the device's hello (a seed client reads `data`).
    if (parsed.up.type === 'hello') this.#form = parsed.form;
    session.receive(parsed.up, text);
  }

  #checkQueue(): void {
    const buffered = this.#ws.bufferedAmount;
    if (buffered <= this.#limits.sendQueueBytes || this.#closing) return;
    this.#onSlow(buffered);
    this.close(DEVICE_CLOSE.slowConsumer, 'slow consumer: send queue full');
  }

  /** A token bucket of frames; the first frame over it in a second gets one alert. */
  #takeToken(): boolean {
    const now = this.#now();
    const { framesPerSecond, frameBurst } = this.#limits;
    this.#tokens = Math.min(
      frameBurst,
      this.#tokens + ((now - this.#refilledAt) * framesPerSecond) / 1000,
    );
    this.#refilledAt = now;
    if (this.#tokens >= 1) {
      this.#tokens -= 1;
      return true;
    }
    if (now - this.#floodAlertAt >= FLOOD_ALERT_EVERY_MS) {
      this.#floodAlertAt = now;
      this.send(
        errorAlert(`Too many frames: at most ${framesPerSecond} per second; some were dropped.`),
      );
    }
    return false;
  }
}
