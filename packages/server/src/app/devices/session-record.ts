import type { ConnectionEventType, DeviceIdentity } from '../../domain/device.js';
import type { LogDirection } from '../../ports/device-store.js';
import type { Clock, Ids } from '../../ports/system.js';
import type { DeviceJournal } from './device-journal.js';

/** JSON frames logged past this many characters are cut (and say so). */
const MAX_LOGGED_CHARS = 8_192;
/** A session with no frame either way for this long is recorded as inactive. */
export const INACTIVE_AFTER_MS = 60_000;
/** How current last_active_at is kept: one write per session at most this often. */
export const TOUCH_EVERY_MS = 10_000;

interface AudioTally {
  frames: number;
  bytes: number;
}

/**
 * What one device session records (seed 002's tables, through the journal): its row and
 * status, every JSON frame, its events, and its audio as one summary per turn and direction —
 * never a row per frame, and last_active_at at most every TOUCH_EVERY_MS.
 */
export class SessionRecord {
  readonly #journal: DeviceJournal;
  readonly #ids: Ids;
  readonly #clock: Clock;
  readonly #sessionId: string;
  #up: AudioTally = { frames: 0, bytes: 0 };
  #down: AudioTally = { frames: 0, bytes: 0 };
  #lastActive: number;
  #touchedAt = 0;
  #inactive = false;

  constructor(deps: { journal: DeviceJournal; ids: Ids; clock: Clock }, sessionId: string) {
    this.#journal = deps.journal;
    this.#ids = deps.ids;
    this.#clock = deps.clock;
    this.#sessionId = sessionId;
    this.#lastActive = deps.clock.now();
  }

  opened(who: DeviceIdentity, metadata: Record<string, unknown>): void {
    const now = this.#clock.now();
    this.#journal.opened({
      sessionId: this.#sessionId,
      ...who,
      connectedAt: now,
      lastActiveAt: now,
      status: 'active',
      metadata: JSON.stringify(metadata),
    });
  }

  log(direction: LogDirection, messageType: string, content: string): void {
    const text =
      content.length > MAX_LOGGED_CHARS
        ? `${content.slice(0, MAX_LOGGED_CHARS)}… (${content.length} characters)`
        : content;
    this.#journal.log({
      id: this.#ids.next(),
      sessionId: this.#sessionId,
      messageType,
      content: text,
      direction,
      createdAt: this.#clock.now(),
    });
  }

  event(eventType: ConnectionEventType, data: Record<string, unknown>): void {
    this.#journal.event({
      id: this.#ids.next(),
      sessionId: this.#sessionId,
      eventType,
      eventData: JSON.stringify(data),
      createdAt: this.#clock.now(),
    });
  }

  audioUp(bytes: number): void {
    this.#up.frames++;
    this.#up.bytes += bytes;
  }

  audioDown(bytes: number): void {
    this.#down.frames++;
    this.#down.bytes += bytes;
  }

  /** The uplink turn ended (or begins afresh): its audio as one row. */
  endUplink(): void {
    if (this.#up.frames > 0) this.log('inbound', 'audio', JSON.stringify(this.#up));
    this.#up = { frames: 0, bytes: 0 };
  }

  endDownlink(): void {
    if (this.#down.frames > 0) this.log('outbound', 'audio', JSON.stringify(this.#down));
    this.#down = { frames: 0, bytes: 0 };
  }

  /** A frame either way: the session is active (again). */
  active(): void {
    this.#lastActive = this.#clock.now();
    if (this.#inactive) {
      this.#inactive = false;
      this.#journal.status(this.#sessionId, 'active', this.#lastActive);
    }
  }

  /** Called now and then: activity kept current, a long-quiet session recorded inactive. */
  sweep(now: number): void {
    if (this.#lastActive > this.#touchedAt && now - this.#touchedAt >= TOUCH_EVERY_MS) {
      this.#touchedAt = now;
      this.#journal.touch(this.#sessionId, this.#lastActive);
    }
    if (!this.#inactive && now - this.#lastActive > INACTIVE_AFTER_MS) {
      this.#inactive = true;
      this.#journal.status(this.#sessionId, 'inactive', now);
    }
  }

  closed(code: number, reason: string): void {
    this.endUplink();
    this.endDownlink();
    this.#journal.touch(this.#sessionId, this.#lastActive);
    this.#journal.status(this.#sessionId, 'disconnected', this.#clock.now());
    this.event('disconnected', { code, reason });
  }
}
