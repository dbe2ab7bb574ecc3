import type { DeviceSessionStatus } from '../../domain/device.js';
import type {
  ConnectionEventRecord,
  DeviceJournalBatch,
  DeviceSessionRecord,
  DeviceSessionRepository,
  MessageLogRecord,
} from '../../ports/device-store.js';

export interface DeviceJournalOptions {
  /** Log and event rows that may wait for the next write; more are dropped and counted. */
  readonly maxPendingRows: number;
  readonly onDropped?: (rows: number) => void;
  readonly onWriteFailed?: (err: unknown) => void;
  /**
   * Told whenever something is recorded (cheap: called per frame), so that a write can be
   * scheduled only while there is something to write, instead of a timer waking the node
   * all day for an empty journal.
   */
  readonly onPending?: () => void;
}

/**
 * Gathers what the device sessions of this node record — sessions, JSON frame logs, events,
 * activity — and writes it in one transaction per flush (scheduled when something waits: `onPending`), so
 * that a busy device costs no write per frame and last_active_at one update per session and
 * flush. Bounded: past `maxPendingRows` log and event rows wait, new ones are dropped and
 * counted; sessions and status changes (one or two per session) always wait. A failed write
 * is put back, the rows first in line next time.
 */
export class DeviceJournal {
  readonly #repo: Pick<DeviceSessionRepository, 'journal'>;
  readonly #options: DeviceJournalOptions;
  #opened: DeviceSessionRecord[] = [];
  #rows: (MessageLogRecord | ConnectionEventRecord)[] = [];
  #touched = new Map<string, number>();
  #statuses = new Map<string, { status: DeviceSessionStatus; at: number }>();
  #flushing: Promise<void> | undefined;

  constructor(repo: Pick<DeviceSessionRepository, 'journal'>, options: DeviceJournalOptions) {
    this.#repo = repo;
    this.#options = options;
  }

  get pendingRows(): number {
    return this.#rows.length;
  }

  /** True when nothing waits to be written. */
  get empty(): boolean {
    return (
      this.#opened.length === 0 &&
      this.#rows.length === 0 &&
      this.#touched.size === 0 &&
      this.#statuses.size === 0
    );
  }

  opened(session: DeviceSessionRecord): void {
    this.#opened.push(session);
    this.#options.onPending?.();
  }

  log(row: MessageLogRecord): void {
    this.#add(row);
  }

  event(row: ConnectionEventRecord): void {
    this.#add(row);
  }

  touch(sessionId: string, at: number): void {
    this.#touched.set(sessionId, at);
    this.#options.onPending?.();
  }

  status(sessionId: string, status: DeviceSessionStatus, at: number): void {
    this.#statuses.set(sessionId, { status, at });
    this.#options.onPending?.();
  }

  /** Writes what waits; one flush at a time (a second call waits for the first). */
  async flush(): Promise<void> {
    while (this.#flushing !== undefined) await this.#flushing;
    if (this.empty) return;
    this.#flushing = this.#write().finally(() => (this.#flushing = undefined));
    await this.#flushing;
  }

  async #write(): Promise<void> {
    const opened = this.#opened;
    const rows = this.#rows;
    const touched = this.#touched;
    const statuses = this.#statuses;
    this.#opened = [];
    this.#rows = [];
    this.#touched = new Map();
    this.#statuses = new Map();
    const batch: DeviceJournalBatch = {
      opened,
      logs: rows.filter((r): r is MessageLogRecord => 'direction' in r),
      events: rows.filter((r): r is ConnectionEventRecord => 'eventType' in r),
      touched: [...touched].map(([sessionId, at]) => ({ sessionId, at })),
      statuses: [...statuses].map(([sessionId, s]) => ({ sessionId, ...s })),
    };
    try {
      await this.#repo.journal(batch);
    } catch (err) {
      this.#options.onWriteFailed?.(err);
      this.#opened = [...opened, ...this.#opened];
      const room = Math.max(0, this.#options.maxPendingRows - this.#rows.length);
      const kept = rows.slice(0, room);
      if (kept.length < rows.length) this.#options.onDropped?.(rows.length - kept.length);
      this.#rows = [...kept, ...this.#rows];
      for (const [id, at] of touched) if (!this.#touched.has(id)) this.#touched.set(id, at);
      for (const [id, s] of statuses) if (!this.#statuses.has(id)) this.#statuses.set(id, s);
    }
  }

  #add(row: MessageLogRecord | ConnectionEventRecord): void {
    if (this.#rows.length >= this.#options.maxPendingRows) {
      this.#options.onDropped?.(1);
      return;
    }
    this.#rows.push(row);
    this.#options.onPending?.();
  }
}
