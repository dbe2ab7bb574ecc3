/**
 * The SQLite ingest thread (see threaded-bridge-ingest.ts): parses, checks and stores worker
 * payloads in bridges.db through a writer of its own, one payload at a time, and answers each
 * with its outcome and its commit's counts. The changed items themselves cross over only when
 * the event loop asks for them: when someone there is subscribed to the account. A composition root of its own: it runs the same ingest as the
 * network stores do on the event loop.
 */
import { readlinkSync } from 'node:fs';
import { setPriority } from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import { SystemClock } from '../adapters/system/system-clock.js';
import { openSqliteBridgeWriter } from '../adapters/store/sqlite-bridge-file.js';
import { SQLITE_FILE, SQLITE_SQL, withStatementCache } from '../adapters/store/sqlite.js';
import { BridgeSyncService, type SyncCommit } from '../app/bridges/bridge-sync.js';
import { LIST_OF_KIND } from '../protocol/bridge-sync.js';
import { InlineBridgeIngest } from '../transports/shared/bridge-ingest.js';
import type { ThreadReply, ThreadRequest } from './threaded-bridge-ingest.js';

const port = parentPort;
if (port === null) throw new Error('bridge-ingest-thread.js runs as a worker thread only');

/**
 * The thread's scheduling priority (nice): below the event loop's, so that when both want a
 * core, chat goes first and ingest takes what is left. Ingest is background work that workers
 * wait for; a chat message is someone waiting.
 */
const INGEST_NICE = 19;
try {
  // On Linux a thread has an id of its own (/proc/thread-self -> <pid>/task/<tid>), and
  // setpriority on it changes that thread only.
  const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
  if (Number.isInteger(tid) && tid > 0) setPriority(tid, INGEST_NICE);
} catch {
  // Another system, or not allowed: the thread keeps the process's priority.
}
const { dataDir } = workerData as { dataDir: string };
const writer = openSqliteBridgeWriter(dataDir, SQLITE_FILE, SQLITE_SQL, withStatementCache);
const sync = new BridgeSyncService({
  items: writer.items,
  clock: new SystemClock(),
  listOfKind: LIST_OF_KIND,
});
let committed: SyncCommit | undefined;
sync.onCommit((commit) => {
  committed = commit;
});
const ingest = new InlineBridgeIngest(sync);

/** The changed items of the last commits, until the event loop asks for them (or not). */
const KEPT_COMMITS = 4;
const kept = new Map<number, SyncCommit>();

async function handle(request: Extract<ThreadRequest, { kind: 'ingest' }>): Promise<ThreadReply> {
  committed = undefined;
  try {
    const outcome = await ingest.ingest(request.payload, request.workerId);
    const commit = committed as SyncCommit | undefined;
    if (commit === undefined) return { id: request.id, outcome };
    if (commit.changedCount > 0) {
      kept.set(request.id, commit);
      for (const id of kept.keys()) if (kept.size > KEPT_COMMITS) kept.delete(id);
    }
    const { changed: _items, ...summary } = commit;
    return { id: request.id, outcome, commit: summary };
  } catch (err) {
    return { id: request.id, error: err instanceof Error ? err.message : String(err) };
  }
}

// One payload at a time, in the order they came: one writer, and acks in commit order.
let queue = Promise.resolve();
port.on('message', (request: ThreadRequest) => {
  switch (request.kind) {
    case 'changed': {
      // Answered at once, not behind the next payload: its ack waits for this.
      const commit = kept.get(request.id);
      kept.delete(request.id);
      port.postMessage({
        id: request.id,
        changedJson: commit === undefined ? '[]' : JSON.stringify(commit.changed()),
      } satisfies ThreadReply);
      return;
    }
    case 'stop':
      queue = queue.then(async () => {
        await writer.close();
        port.close();
      });
      return;
    case 'ingest':
      queue = queue.then(async () => port.postMessage(await handle(request)));
  }
});
