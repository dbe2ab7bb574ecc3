/**
 * `bridge`: bridge workers' ingest (BRIDGE.md) on the server under test. Items per second in
 * 1,000-item deltas and 10,000-item snapshots over POST /v1/bridge/sync, `/api/im/messages`
 * pages per second with their latency, and direct-chat latency at a fixed rate, first alone,
 * then while workers keep pushing snapshots and deltas.
 */
import { Worker } from 'node:worker_threads';
import { connectUser, inBatches, signUp } from './clients.js';
import type { LoadContext, ScenarioResult } from './context.js';
import { drive, type Pair } from './direct.js';
import { summarize } from '../stats.js';
import { callJson as call } from './http-call.js';

/** Pushes a 10,000-item snapshot, then a 1,000-item delta, in turn, until told to stop. */
const PUSHER = `
const { parentPort, workerData } = require('node:worker_threads');
const { url, token, snapshots, deltas } = workerData;
let stop = false;
parentPort.once('message', () => { stop = true; });
const http = require('node:http');
const agent = new http.Agent({ keepAlive: true });
const target = new URL(url + '/v1/bridge/sync');
const push = (body, ts) => new Promise((resolve, reject) => {
  const payload = body.replace(/"timestamp":0}$/, '"timestamp":' + ts + '}');
  const req = http.request(target, {
    agent,
    method: 'POST',
    headers: {
      authorization: 'Bearer ' + token,
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(payload),
    },
  }, (res) => {
    const chunks = [];
    res.on('data', (c) => chunks.push(c));
    res.on('error', reject);
    res.on('end', () => {
      if (res.statusCode === 200) resolve();
      else reject(new Error('sync: ' + res.statusCode + ' ' + Buffer.concat(chunks).toString().slice(0, 200)));
    });
  });
  req.on('error', reject);
  req.end(payload);
});
(async () => {
  const started = performance.now();
  let items = 0;
  let ts = 1000000;
  for (let i = 0; !stop; i++) {
    await push(snapshots[i % 2], ts++);
    items += 10000;
    if (stop) break;
    await push(deltas[i % deltas.length], ts++);
    items += 1000;
  }
  parentPort.postMessage({ items, seconds: (performance.now() - started) / 1000 });
})();
`;

export const BRIDGE_ADMIN_TOKEN = 'bench-admin-token-for-the-bridge-scenario';

export interface BridgeParams {
  readonly deltas: number;
  readonly snapshots: number;
  readonly readers: number;
  /** Pages per second offered by the same readers, open loop, for the page latency target. */
  readonly pageRate: number;
  readonly durationMs: number;
  /** Direct chat: messages per second over all pairs, and how many pairs. */
  readonly chatRate: number;
  readonly pairs: number;
}

const DELTA_ITEMS = 1_000;
const SNAPSHOT_ITEMS = 10_000;

/** A sync body with `count` messages; `round` changes every item's content. */
function body(
  accountId: string,
  mode: 'delta' | 'snapshot',
  from: number,
  count: number,
  round: number,
  timestamp: number,
): string {
  const messages = Array.from({ length: count }, (_, i) => ({
    id: `m${from + i}`,
    messageId: `m${from + i}`,
    conversationId: `c${(from + i) % 50}`,
    senderId: `u${i % 100}`,
    senderName: 'Sender',
    type: 'text',
    content: `message ${from + i}, round ${round}: some text of a typical length for a DM`,
    direction: i % 2 === 0 ? 'inbound' : 'outbound',
    createdAt: 1_700_000_000_000 + from + i,
    updatedAt: 1_700_000_000_000 + from + i,
  }));
  return JSON.stringify({
    accountId,
    platform: 'douyin',
    mode,
    snapshot: { platform: 'douyin', data: { messages } },
    timestamp,
  });
}

/** Reads the page at `cursor`; resolves with the next page's cursor (0: back to the start). */
type PageRead = (cursor: string | number) => Promise<string | number>;

/**
 * Page reads offered at `rate` a second in all, open loop: each reader walks its own cursor and
 * sends a page at its due time (or when its previous page is back, if that is later). A page's
 * latency runs from its due time, so a server that falls behind shows in the figure instead of
 * slowing the readers down.
 */
async function readAtRate(
  page: PageRead,
  readers: number,
  rate: number,
  durationMs: number,
): Promise<number[]> {
  const latencies: number[] = [];
  const intervalMs = (1000 * readers) / rate;
  const start = performance.now() + 100;
  await Promise.all(
    Array.from({ length: readers }, async (_, r) => {
      let cursor: string | number = 0;
      for (
        let due = start + (r * intervalMs) / readers;
        due < start + durationMs;
        due += intervalMs
      ) {
        const wait = due - performance.now();
        if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
        cursor = await page(cursor);
        latencies.push(performance.now() - due);
      }
    }),
  );
  return latencies;
}

/** Pushes the bodies one after the other; items per second over them. */
async function ingest(url: string, token: string, bodies: readonly string[], items: number) {
  const started = performance.now();
  const latencies: number[] = [];
  for (const b of bodies) {
    const t0 = performance.now();
    await call(url, '/v1/bridge/sync', token, { body: b });
    latencies.push(performance.now() - t0);
  }
  const seconds = (performance.now() - started) / 1000;
  return {
    itemsPerS: Math.round((bodies.length * items) / seconds),
    latency: summarize(latencies),
  };
}

export async function runBridge(ctx: LoadContext, p: BridgeParams): Promise<ScenarioResult> {
  const { url } = ctx;
  const worker = await call(url, '/v1/admin/worker-tokens', BRIDGE_ADMIN_TOKEN, {
    body: JSON.stringify({ name: 'bench' }),
  });
  const token = worker.token as string;
  const reader = await signUp(url);
  for (const account of ['deltas', 'snapshots', 'live']) {
    await call(url, `/v1/bridge/accounts/${account}/grants`, BRIDGE_ADMIN_TOKEN, {
      body: JSON.stringify({ user_id: reader.userId }),
    });
  }
  let ts = 1;
  const deltaBodies = Array.from({ length: p.deltas }, (_, i) =>
    body('deltas', 'delta', i * DELTA_ITEMS, DELTA_ITEMS, 0, ts++),
  );
  // Each snapshot rewrites every item (its content changes): the heavy case.
  const snapshotBodies = Array.from({ length: p.snapshots }, (_, round) =>
    body('snapshots', 'snapshot', 0, SNAPSHOT_ITEMS, round, ts++),
  );

  await ctx.mark('start');
  const deltas = await ingest(url, token, deltaBodies, DELTA_ITEMS);
  const snapshots = await ingest(url, token, snapshotBodies, SNAPSHOT_ITEMS);

  // Page reads: readers walk the deltas account (p.deltas × 1,000 items) 20 at a time, first
  // as fast as they can (the capacity), then at a fixed rate (the latency at a stated load).
  const page: PageRead = async (cursor) => {
    const path = `/api/im/messages?account_id=deltas&count=20&cursor=${cursor}`;
    const data = (await call(url, path, reader.token)).data as {
      has_more?: boolean;
      cursor?: string;
    };
    return data.has_more === true ? (data.cursor ?? 0) : 0;
  };
  const pageLatencies: number[] = [];
  const readStarted = performance.now();
  const stopReads = readStarted + p.durationMs;
  await Promise.all(
    Array.from({ length: p.readers }, async () => {
      let cursor: string | number = 0;
      while (performance.now() < stopReads) {
        const t0 = performance.now();
        cursor = await page(cursor);
        pageLatencies.push(performance.now() - t0);
      }
    }),
  );
  const pagesPerS = Math.round(pageLatencies.length / ((performance.now() - readStarted) / 1000));
  const pages = summarize(pageLatencies);
  const paced = summarize(await readAtRate(page, p.readers, p.pageRate, p.durationMs));

  // Chat alone, then chat while a worker pushes a 10,000-item snapshot and a 1,000-item delta
  // in turn (the snapshots alternate between two contents, so each one rewrites everything).
  const pairs: (readonly [Pair, Pair])[] = await inBatches(
    Array.from({ length: p.pairs }, (_, i) => i),
    20,
    async () => [await connectUser(url), await connectUser(url)] as const,
  );
  await drive(pairs, p.chatRate, 1_000, 'w');
  const quiet = await drive(pairs, p.chatRate, p.durationMs, 'q');
  const live = [0, 1].map((round) => body('live', 'snapshot', 0, SNAPSHOT_ITEMS, round, 0));
  const liveDeltas = Array.from({ length: 20 }, (_, i) =>
    body('live', 'delta', SNAPSHOT_ITEMS + i * DELTA_ITEMS, DELTA_ITEMS, 0, 0),
  );
  // The worker pushes from a thread of its own: preparing and uploading megabytes of JSON
  // must not delay this thread, which times the chat deliveries.
  const pusher = new Worker(PUSHER, {
    eval: true,
    workerData: { url, token, snapshots: live, deltas: liveDeltas },
  });
  const pushed = new Promise<{ items: number; seconds: number }>((resolve, reject) => {
    pusher.once('message', resolve);
    pusher.once('error', reject);
  });
  const busy = await drive(pairs, p.chatRate, p.durationMs, 'b');
  pusher.postMessage('stop');
  const during = await pushed;
  await pusher.terminate();
  const ingestDuringChat = Math.round(during.items / during.seconds);
  await ctx.mark('end');
  for (const [a, b] of pairs) {
    a.ws.close();
    b.ws.close();
  }
  const chatQuiet = summarize(quiet.latencies);
  const chatBusy = summarize(busy.latencies);
  return {
    scenario: 'bridge',
    clients: p.pairs * 2 + p.readers + 1,
    sent: busy.expected,
    delivered: busy.latencies.length,
    msgs_per_s: Math.round(busy.latencies.length / busy.elapsedS),
    delta_items_per_s: deltas.itemsPerS,
    delta_p99_ms: deltas.latency.p99,
    snapshot_items_per_s: snapshots.itemsPerS,
    snapshot_p50_ms: snapshots.latency.p50,
    snapshot_max_ms: snapshots.latency.max,
    pages_per_s: pagesPerS,
    page_p50_ms: pages.p50,
    page_p99_ms: pages.p99,
    page_rate: p.pageRate,
    paced_page_p50_ms: paced.p50,
    paced_page_p99_ms: paced.p99,
    chat_rate: p.chatRate,
    chat_quiet_p99_ms: chatQuiet.p99,
    ingest_during_chat_items_per_s: ingestDuringChat,
    chat_failed: busy.failed,
    p50_ms: chatBusy.p50,
    p95_ms: chatBusy.p95,
    p99_ms: chatBusy.p99,
    max_ms: chatBusy.max,
  };
}
