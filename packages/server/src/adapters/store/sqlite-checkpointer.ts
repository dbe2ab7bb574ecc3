import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/**
 * Checkpoints a SQLite WAL from a worker thread, so that the fsync of a checkpoint never runs
 * on the event loop. With `wal_autocheckpoint = 0` on the writer, the commit that passes the
 * threshold would otherwise copy and sync megabytes synchronously (a 10,000-item snapshot
 * writes several). PASSIVE: it never blocks the writer or the readers; what it cannot copy yet
 * it copies next time. The worker is JS given inline: it runs from the sources and from dist.
 */
const SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.path);
db.pragma('busy_timeout = 5000');
const timer = setInterval(() => {
  try { db.pragma('wal_checkpoint(PASSIVE)'); } catch (err) { parentPort.postMessage(String(err)); }
}, workerData.intervalMs);
// Ends by running out of work: process.exit here would set the whole process's exit code.
parentPort.on('message', () => { clearInterval(timer); db.close(); parentPort.close(); });
`;

/** How often the stores checkpoint their WALs (parley.db and bridges.db alike). */
export const CHECKPOINT_INTERVAL_MS = 1_000;

export interface SqliteCheckpointer {
  close(): Promise<void>;
}

export function startSqliteCheckpointer(
  path: string,
  options: { intervalMs: number; onError?: (message: string) => void },
): SqliteCheckpointer {
  const driver = createRequire(import.meta.url).resolve('better-sqlite3');
  const worker = new Worker(SOURCE, {
    eval: true,
    workerData: { path, driver, intervalMs: options.intervalMs },
  });
  worker.unref();
  worker.on('message', (message: string) => options.onError?.(message));
  worker.on('error', (err) => options.onError?.(err.message));
  return {
    async close() {
      // Held again while it stops: unreferenced, the process could end before its exit event.
      worker.ref();
      const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
      worker.postMessage('stop');
      await exited;
    },
  };
}
