import type { AiSession, AiSendResult, AiSessionHandlers } from '../../ports/ai-link.js';
import type { DeviceIdentity, DeviceUp } from '../../domain/device.js';
import type { AudioRequestEncoder } from './ai-wire.js';

/** The stream a session is pinned to, as the session sees it. */
export interface SessionStream {
  /** Writes a framed message now when the stream is live and not congested; false when not. */
  tryWrite(framed: Buffer): boolean;
  readonly live: boolean;
  readonly congested: boolean;
}

/** A framed message waiting for its stream; audio may be dropped, the rest may not. */
interface Waiting {
  readonly framed: Buffer;
  readonly audio: boolean;
}

/**
 * One device session on the AI link: its bounded queue toward the AI service and its pin to a
 * stream. Audio waits only while its stream is congested (and is dropped past the bound or
 * while the stream is down: it would arrive too late); control frames always wait their turn,
 * and past the bound the device is told to stop sending.
 */
export class AiSessionQueue implements AiSession {
  readonly id: string;
  readonly who: DeviceIdentity;
  readonly handlers: AiSessionHandlers;
  stream: SessionStream | undefined;
  /** The session's hello, sent again when the session moves to another stream. */
  hello: DeviceUp | undefined;
  uplink = { sampleRate: 16_000, frameDuration: 60 };
  /** Encodes this session's audio requests (made for the uplink its hello announced). */
  audioEncoder: AudioRequestEncoder | undefined;
  released = false;
  readonly #queue: Waiting[] = [];
  readonly #bound: number;
  readonly #build: (up: DeviceUp, session: AiSessionQueue) => Buffer;
  readonly #onDropped: () => void;
  readonly #onRelease: (session: AiSessionQueue) => void;
  #paused = false;

  constructor(init: {
    id: string;
    who: DeviceIdentity;
    handlers: AiSessionHandlers;
    bound: number;
    build: (up: DeviceUp, session: AiSessionQueue) => Buffer;
    onDropped: () => void;
    onRelease: (session: AiSessionQueue) => void;
  }) {
    this.id = init.id;
    this.who = init.who;
    this.handlers = init.handlers;
    this.#bound = init.bound;
    this.#build = init.build;
    this.#onDropped = init.onDropped;
    this.#onRelease = init.onRelease;
  }

  get waiting(): number {
    return this.#queue.length;
  }

  send(up: DeviceUp): AiSendResult {
    if (this.released) return 'dropped';
    if (up.type === 'hello') {
      this.uplink = {
        sampleRate: up.audioParams.sampleRate,
        frameDuration: up.audioParams.frameDuration,
      };
      this.hello = up;
      this.audioEncoder = undefined;
    }
    const request = this.#build(up, this);
    const stream = this.stream;
    // What waits goes first: a stream that takes frames again may never say 'drain' to us
    // (it did not refuse this session's last write), so the queue is not left to stall.
    while (this.#queue.length > 0 && this.flushOne());
    if (this.#queue.length === 0 && stream?.tryWrite(request) === true) {
      this.updatePause();
      return 'sent';
    }
    if (up.type === 'audio') {
      if (stream === undefined || !stream.live || this.#queue.length >= this.#bound) {
        this.#onDropped();
        return 'dropped';
      }
      this.#queue.push({ framed: request, audio: true });
      return 'queued';
    }
    // Never dropped; an abort goes first, ahead of audio the AI should no longer act on.
    if (up.type === 'abort') this.#queue.unshift({ framed: request, audio: false });
    else this.#queue.push({ framed: request, audio: false });
    this.updatePause();
    return 'queued';
  }

  /** Writes what waits until the stream is congested again; true when the queue emptied. */
  flushOne(): boolean {
    const next = this.#queue[0];
    if (next === undefined || this.stream?.tryWrite(next.framed) !== true) return false;
    this.#queue.shift();
    return true;
  }

  /** Audio that waited for a stream that broke is stale: it goes; control frames stay. */
  dropWaitingAudio(): void {
    const before = this.#queue.length;
    const kept = this.#queue.filter((waiting) => !waiting.audio);
    this.#queue.length = 0;
    this.#queue.push(...kept);
    for (let i = kept.length; i < before; i++) this.#onDropped();
  }

  /** Tells the device to stop or resume sending when the stream's or the queue's state changed. */
  updatePause(): void {
    const congested = this.stream?.congested ?? false;
    const want = !this.released && (congested || this.#queue.length > this.#bound);
    if (want === this.#paused) return;
    this.#paused = want;
    this.handlers.onCongestion(want);
  }

  release(): void {
    if (this.released) return;
    this.released = true;
    this.#queue.length = 0;
    this.#onRelease(this);
  }
}
