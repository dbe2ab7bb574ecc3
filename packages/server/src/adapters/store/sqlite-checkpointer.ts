import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

export interface CheckpointerOptions {
  /** How often the worker moves committed WAL pages into the database file. */
  readonly intervalMs: number;
  /** Told when the worker fails; the main connection's own checkpoints take over. */
  readonly onFailure: (err: unknown) => void;
}

/**
 * The worker's whole program (CommonJS, run with `eval`, so it needs no file of its own next to
 * either the sources or the build). Its own connection runs PASSIVE checkpoints, which copy
 * what they can without waiting for, or holding up, the writer.
 */
const WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file);
db.pragma('synchronous = NORMAL');
const timer = setInterval(() => {
  try {
    db.pragma('wal_checkpoint(PASSIVE)');
  } catch (err) {
    // Another checkpoint (the main connection's backstop) is running: try again next time.
    if (err.code !== 'SQLITE_BUSY') throw err;
  }
}, workerData.intervalMs);
parentPort.on('message', () => {
  clearInterval(timer);
  db.close();
  parentPort.close();
});
`;

/**
 * WAL checkpoints on a worker thread. With SQLite's default, the connection that commits past
 * 1,000 WAL pages copies them into the database file and fsyncs it, inside that commit, on the
 * event loop: every few hundred milliseconds under load, a stall of several milliseconds for
 * every message in flight. Here a second connection on a worker thread does that copy, so
 * commits only append to the WAL. Durability is unchanged: a commit is in the WAL (in WAL mode
 * with synchronous=NORMAL it survives a crash of the process) before anything is acknowledged,
 * whoever checkpoints it later.
 *
 * The main connection keeps a raised automatic checkpoint as a backstop, so the WAL stays
 * bounded if the worker falls behind; if the worker fails, `onFailure` restores the default.
 */
export class SqliteCheckpointer {
  readonly #worker: Worker;
  #stopped = false;

  constructor(file: string, options: CheckpointerOptions) {
    const driver = createRequire(import.meta.url).resolve('better-sqlite3');
    this.#worker = new Worker(WORKER, {
      eval: true,
      workerData: { driver, file, intervalMs: options.intervalMs },
    });
    // A checkpointer never keeps the process alive.
    this.#worker.unref();
    this.#worker.on('error', (err) => {
      if (!this.#stopped) options.onFailure(err);
    });
    this.#worker.on('exit', (code) => {
      if (!this.#stopped) options.onFailure(new Error(`SQLite checkpointer exited (${code})`));
    });
  }

  /** Asks the worker to close its connection and end. */
  stop(): void {
    if (this.#stopped) return;
    this.#stopped = true;
    this.#worker.postMessage('stop');
  }
}
