/**
 * Bridge ingest on SQLite, off the event loop. better-sqlite3 runs every statement
 * synchronously, and a 10,000-item payload is megabytes of JSON to parse and check and as
 * many rows to write, with the garbage that makes: on the event loop, chat waited behind all
 * of it (p99 50-76 ms at 1,000 msgs/s while snapshots landed). Here the event loop hands the
 * body's bytes to a thread (bridge-ingest-thread.ts) and gets the ack back; the commit's
 * listeners (live delivery, metrics) still run on the event loop.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { Logger } from 'pino';
import type { BridgeSyncService, SyncCommit } from '../app/bridges/bridge-sync.js';
import type { BridgeItemRecord } from '../ports/bridge-store.js';
import type {
  BridgeIngest,
  IngestOutcome,
  SyncPayload,
} from '../transports/shared/bridge-ingest.js';

export type ThreadRequest =
  | { readonly kind: 'ingest'; readonly id: number; payload: SyncPayload; workerId: string }
  /** The changed items of ingest `id`'s commit, as JSON. */
  | { readonly kind: 'changed'; readonly id: number }
  | { readonly kind: 'stop' };

export type ThreadReply =
  | {
      readonly id: number;
      readonly outcome: IngestOutcome;
      readonly commit?: Omit<SyncCommit, 'changed'>;
    }
  | { readonly id: number; readonly changedJson: string }
  | { readonly id: number; readonly error: string };

/** Payloads waiting for the thread, past which a worker is told to retry (503). */
export const MAX_WAITING_PAYLOADS = 16;
/** Before a thread that stopped is started again. */
const RESTART_DELAY_MS = 1_000;
/**
 * The thread's young generation, in MB (V8's default is 48 on 64 bits). A parsed payload lives
 * as long as its transaction, and the young-generation collections that copy it run on V8's
 * helper threads at the process's priority, not at the thread's nice 19: with the default, each
 * one took both cores from the event loop for long enough to show in chat's p99. A small young
 * generation promotes the payload after few, short collections (docs/bridges.md: chat p99
 * during ingest 12.6–17.9 ms, mean 15.4, → 10.9–15.6 ms, mean 12.6; ingest rate unchanged).
 */
const INGEST_YOUNG_GENERATION_MB = 4;

/** The compiled thread: from the sources (the tests run them), its build in dist/. */
function threadFile(): string {
  const beside = fileURLToPath(new URL('./bridge-ingest-thread.js', import.meta.url));
  if (existsSync(beside)) return beside;
  return beside.replace(/([\\/])src([\\/]main[\\/])/, '$1dist$2');
}

/**
 * A body's bytes are moved to the thread, not copied (megabytes, on the event loop), when they
 * fill their buffer alone, as a large body's do; a small one is copied.
 */
function transferable(payload: SyncPayload): ArrayBuffer[] {
  if (!('json' in payload)) return [];
  const { buffer, byteOffset, byteLength } = payload.json;
  return buffer instanceof ArrayBuffer && byteOffset === 0 && byteLength === buffer.byteLength
    ? [buffer]
    : [];
}

interface Waiting {
  resolve(outcome: IngestOutcome): void;
  reject(err: Error): void;
}

export class ThreadedBridgeIngest implements BridgeIngest {
  readonly #dataDir: string;
  readonly #sync: BridgeSyncService;
  readonly #logger: Logger;
  readonly #wants: (accountId: string) => boolean;
  readonly #waiting = new Map<number, Waiting>();
  /** Commits whose changed items were asked for, with the ingest's outcome held until then. */
  readonly #fetching = new Map<number, (changedJson: string) => void>();
  #thread: Worker | undefined;
  #next = 1;
  #running = false;
  #restart: NodeJS.Timeout | undefined;

  constructor(deps: {
    dataDir: string;
    sync: BridgeSyncService;
    logger: Logger;
    /** Whether someone on this node may want an account's changed items (live delivery). */
    wants: (accountId: string) => boolean;
  }) {
    this.#dataDir = deps.dataDir;
    this.#sync = deps.sync;
    this.#logger = deps.logger;
    this.#wants = deps.wants;
  }

  async start(): Promise<void> {
    this.#running = true;
    this.#spawn();
  }

  async stop(): Promise<void> {
    this.#running = false;
    clearTimeout(this.#restart);
    const thread = this.#thread;
    if (thread === undefined) return;
    // Payloads already handed over are stored and answered before the thread ends.
    const exited = new Promise<void>((resolve) => thread.once('exit', () => resolve()));
    thread.postMessage({ kind: 'stop' } satisfies ThreadRequest);
    await exited;
  }

  ingest(payload: SyncPayload, workerId: string): Promise<IngestOutcome> {
    const thread = this.#thread;
    if (thread === undefined || this.#waiting.size >= MAX_WAITING_PAYLOADS) {
      return Promise.resolve({
        ok: false,
        refusal: {
          code: 'UNAVAILABLE',
          reason: 'SERVER_BUSY',
          message: 'The server is busy storing bridge data; retry shortly.',
        },
      });
    }
    const id = this.#next++;
    return new Promise<IngestOutcome>((resolve, reject) => {
      this.#waiting.set(id, { resolve, reject });
      try {
        const request: ThreadRequest = { kind: 'ingest', id, payload, workerId };
        thread.postMessage(request, transferable(payload));
      } catch (err) {
        // A value that cannot be copied to the thread (not JSON-like): nothing was stored.
        this.#waiting.delete(id);
        resolve({
          ok: false,
          refusal: {
            code: 'INVALID_ARGUMENT',
            reason: 'INVALID_ARGUMENT',
            message: `The payload cannot be stored: ${err instanceof Error ? err.message : err}`,
          },
        });
      }
    });
  }

  #spawn(): void {
    const thread = new Worker(threadFile(), {
      workerData: { dataDir: this.#dataDir },
      resourceLimits: { maxYoungGenerationSizeMb: INGEST_YOUNG_GENERATION_MB },
    });
    this.#thread = thread;
    thread.on('message', (reply: ThreadReply) => this.#answer(reply));
    thread.on('error', (err) => this.#logger.error({ err }, 'the bridge ingest thread failed'));
    thread.on('exit', (code) => {
      this.#thread = undefined;
      // Whatever it held was not acknowledged: its workers send it again.
      for (const waiting of this.#waiting.values()) {
        waiting.reject(new Error(`The bridge ingest thread stopped (exit code ${code})`));
      }
      this.#waiting.clear();
      // Commits whose items were being fetched: announced without them (live is at most once).
      for (const fetched of this.#fetching.values()) fetched('[]');
      this.#fetching.clear();
      if (!this.#running) return;
      this.#logger.error({ code }, 'the bridge ingest thread stopped; starting it again');
      this.#restart = setTimeout(() => this.#running && this.#spawn(), RESTART_DELAY_MS);
    });
  }

  #answer(reply: ThreadReply): void {
    if ('changedJson' in reply) {
      this.#fetching.get(reply.id)?.(reply.changedJson);
      this.#fetching.delete(reply.id);
      return;
    }
    const waiting = this.#waiting.get(reply.id);
    this.#waiting.delete(reply.id);
    if ('error' in reply) {
      waiting?.reject(new Error(reply.error));
      return;
    }
    const { commit } = reply;
    if (commit === undefined || commit.changedCount === 0 || !this.#wants(commit.accountId)) {
      if (commit !== undefined) this.#sync.announce({ ...commit, changed: () => [] });
      waiting?.resolve(reply.outcome);
      return;
    }
    // Someone here follows the account: its items come over, then the ack goes out (after the
    // live frames are queued, as on the network stores).
    this.#fetching.set(reply.id, (changedJson) => {
      let changed: readonly BridgeItemRecord[] | undefined;
      this.#sync.announce({
        ...commit,
        changed: () => (changed ??= JSON.parse(changedJson) as BridgeItemRecord[]),
      });
      waiting?.resolve(reply.outcome);
    });
    this.#thread?.postMessage({ kind: 'changed', id: reply.id } satisfies ThreadRequest);
  }
}
