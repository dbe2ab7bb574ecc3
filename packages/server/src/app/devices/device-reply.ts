import type { DeviceDown } from '../../domain/device.js';
import type { Clock } from '../../ports/system.js';
import type { SessionDialogue } from './device-dialogue.js';
import type { DeviceOutput, DeviceSessionMeter } from './device-session.js';
import type { SessionRecord } from './session-record.js';

/**
 * How long llm text outside tts waits for the AI to start speaking it before it stands as the
 * reply of a text-only turn (checked by the gateway's sweep, once a second).
 */
export const TEXT_REPLY_LINGER_MS = 2_000;

export interface DeviceReplyDeps {
  readonly clock: Clock;
  readonly record: SessionRecord;
  readonly output: DeviceOutput;
  /** Sends a JSON frame to the device (and logs it). */
  readonly send: (down: DeviceDown) => void;
  readonly meter?: DeviceSessionMeter | undefined;
  readonly dialogue?: SessionDialogue | undefined;
}

/**
 * The AI's side of a device's turns as the device hears it: whether the AI is speaking, the
 * silence after an abort (the stopped turn's audio and sentences are not played), and llm text
 * that becomes a text-only turn's reply when no speech follows it.
 */
export class DeviceReply {
  readonly #deps: DeviceReplyDeps;
  #speaking = false;
  /** After an abort, the AI's audio for the turn it stopped is not played. */
  #muted = false;
  /** When the AI's llm text came outside tts (0: none waiting to be the reply). */
  #textReplyAt = 0;

  constructor(deps: DeviceReplyDeps) {
    this.#deps = deps;
  }

  /** The device starts a turn (or goes): the previous turn's text-only reply is committed. */
  nextTurn(): void {
    this.#textReplyAt = 0;
    this.#deps.dialogue?.nextTurn();
  }

  /** The device aborted: what the AI says for this turn from now on is not played. */
  abort(): void {
    this.#muted = true;
    this.#stopSpeaking();
  }

  /** The AI service's stream broke: a reply being spoken ends here. */
  streamLost(): void {
    this.#stopSpeaking();
  }

  audio(data: Uint8Array): void {
    if (this.#muted || !this.#speaking) {
      this.#deps.meter?.audioAborted();
      return;
    }
    this.#deps.record.audioDown(data.byteLength);
    this.#deps.meter?.audioDown(1);
    this.#deps.output.sendAudio(data);
  }

  llm(text: string, emotion: string): void {
    this.#deps.dialogue?.aiWrote(text);
    if (!this.#speaking && text !== '') this.#textReplyAt = this.#deps.clock.now();
    this.#deps.send({ type: 'llm', emotion, text });
  }

  tts(state: string, text: string): void {
    if (state === 'start') {
      this.#textReplyAt = 0;
      this.#muted = false;
      this.#speaking = true;
      this.#deps.record.endDownlink();
    } else if (this.#muted) {
      // The turn was aborted: its sentences and stop are not the device's business any more.
      return;
    }
    if (state === 'sentence_start') this.#deps.dialogue?.aiSaid(text);
    if (state === 'stop') {
      if (!this.#speaking) return;
      this.#speaking = false;
      this.#deps.record.endDownlink();
      this.#deps.dialogue?.aiDone();
    }
    this.#deps.send({ type: 'tts', state, text });
  }

  /** The AI answered in llm text and did not go on to speak it: that text is the reply. */
  sweep(now: number): void {
    if (this.#textReplyAt > 0 && now - this.#textReplyAt >= TEXT_REPLY_LINGER_MS) {
      this.#textReplyAt = 0;
      this.#deps.dialogue?.aiDone();
    }
  }

  #stopSpeaking(): void {
    if (!this.#speaking) return;
    this.#speaking = false;
    this.#deps.record.endDownlink();
    this.#deps.dialogue?.aiDone();
    this.#deps.send({ type: 'tts', state: 'stop', text: '' });
  }
}
