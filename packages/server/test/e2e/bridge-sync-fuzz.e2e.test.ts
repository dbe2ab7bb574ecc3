/**
 * Seeded fuzzing of both ingest transports, POST /v1/bridge/sync and Socket.IO `/worker`:
 * valid payloads with one to three random mutations (over Socket.IO, sometimes of the envelope
 * too). Each case: no 5xx and no dropped connection, the answer in its shape (an ack, or
 * `success: false` with an error), and — checked in the database afterwards — a refused
 * payload stored nothing, an accepted one did.
 */
import { describe, expect, it } from 'vitest';
import { openSqliteStore } from '../../src/adapters/store/sqlite.js';
import { fuzzCases, fuzzSeed, Rng } from '../fuzz/prng.js';
import { runPool } from '../fuzz/tally.js';
import { randomJson, randomString } from '../fuzz/values.js';
import { SocketIoWorker } from '../support/socketio-worker.js';
import {
  json,
  startTestServer,
  testStorage,
  type TestServer,
  type TestStorage,
} from '../support/test-server.js';

const SEED = fuzzSeed(0xb41d_2026);
const CASES = fuzzCases(10_000);
const ADMIN = 'an-operator-token-0f-some-length';
const LISTS = ['conversations', 'messages', 'comments', 'contents', 'notifications'];

function validPayload(rng: Rng, accountId: string): Record<string, unknown> {
  const data: Record<string, unknown> = {};
  for (const list of LISTS) {
    if (!rng.chance(0.5)) continue;
    data[list] = Array.from({ length: rng.int(0, 3) }, (_, i) => ({
      id: `${list}-${i}`,
      accountId,
      platform: 'douyin',
      createdAt: rng.int(0, 2_000_000_000_000),
      content: 'text',
      isRead: false,
      likeCount: 3,
    }));
  }
  return {
    accountId,
    platform: 'douyin',
    ...(rng.chance(0.5) && { mode: rng.pick(['snapshot', 'delta']) }),
    snapshot: { platform: 'douyin', data },
    timestamp: rng.int(0, 2_000_000_000_000),
  };
}

/** Every object and array inside `root`, with itself, to pick a place to mutate. */
function containers(root: unknown, out: (Record<string, unknown> | unknown[])[] = []) {
  if (typeof root !== 'object' || root === null) return out;
  out.push(root as Record<string, unknown> | unknown[]);
  for (const value of Object.values(root)) containers(value, out);
  return out;
}

function mutate(rng: Rng, payload: Record<string, unknown>): unknown {
  for (let n = rng.int(1, 3); n > 0; n -= 1) {
    const target = rng.pick(containers(payload));
    const keys = Object.keys(target);
    const key = keys.length === 0 || rng.chance(0.2) ? randomString(rng, 12) : rng.pick(keys);
    const choice = rng.int(0, 4);
    const record = target as Record<string, unknown>;
    if (choice === 0) delete record[key];
    else if (choice === 1) record[key] = randomJson(rng);
    else if (choice === 2) record[key] = [record[key]];
    else if (choice === 3) record[key] = String(record[key]);
    else record[key] = rng.pick([null, 0, -1, 1.5, '', true, {}, []]);
  }
  return rng.chance(0.02) ? [payload] : payload;
}

type Outcome = { accountId: string; accepted: boolean };

/** Records a case whose account and platform survived the mutations, to check the database. */
function outcomeOf(body: unknown, accountId: string, accepted: boolean): Outcome | undefined {
  const same = (body as { accountId?: unknown } | null)?.accountId === accountId;
  const platform = (body as { platform?: unknown } | null)?.platform === 'douyin';
  return same && platform ? { accountId, accepted } : undefined;
}

/** Runs the cases against a fresh server, then checks the database against the answers. */
async function fuzz(
  runCase: (server: TestServer, token: string, i: number) => Promise<Outcome | string | undefined>,
) {
  const storage = await testStorage('sqlite');
  const server = await startTestServer(storage, { admin_token: ADMIN });
  const outcomes: Outcome[] = [];
  const failures: string[] = [];
  try {
    const created = await server.fetch(
      '/v1/admin/worker-tokens',
      json({ name: 'fuzz' }, { authorization: `Bearer ${ADMIN}` }),
    );
    const token = created.body.token as string;
    await runPool(CASES, 8, async (i) => {
      const result = await runCase(server, token, i);
      if (typeof result === 'string') failures.push(`case ${i} (seed ${SEED}): ${result}`);
      else if (result !== undefined) outcomes.push(result);
    });
    expect((await server.fetch('/health')).status).toBe(200);
  } finally {
    await server.stop();
  }
  expect(failures.slice(0, 5)).toEqual([]);
  await checkStored(storage, outcomes);
}

async function checkStored(storage: TestStorage, outcomes: readonly Outcome[]) {
  const store = openSqliteStore(storage.dataDir);
  try {
    const wrong: string[] = [];
    for (const { accountId, accepted } of outcomes) {
      const stored = (await store.bridgeItems.findAccount('douyin', accountId)) !== undefined;
      if (stored !== accepted) wrong.push(`${accountId}: accepted ${accepted}, stored ${stored}`);
    }
    expect(wrong.slice(0, 5)).toEqual([]);
    // Both outcomes happened often enough for the check to mean something.
    expect(outcomes.filter((o) => o.accepted).length).toBeGreaterThan(100);
    expect(outcomes.filter((o) => !o.accepted).length).toBeGreaterThan(1_000);
  } finally {
    await store.close();
    storage.dispose();
  }
}

/** Mutates the envelope around the payload now and then: its type, version or shape. */
function envelopeOf(rng: Rng, payload: unknown, requestId: string): unknown {
  const envelope: Record<string, unknown> = {
    type: 'worker:data:sync',
    version: 'v1',
    payload,
    timestamp: Date.now(),
    requestId,
  };
  if (rng.chance(0.9)) return envelope;
  const key = rng.pick(['type', 'version', 'payload', 'timestamp']);
  envelope[key] = rng.pick([null, 0, '', 'worker:other', 'v2', [], {}, randomString(rng, 8)]);
  return envelope;
}

describe('fuzzing the bridge ingest transports', () => {
  it(
    `${CASES} mutated payloads over POST /v1/bridge/sync: no 5xx, answers in shape, refused ones store nothing`,
    { timeout: Math.max(120_000, CASES * 30) },
    () =>
      fuzz(async (server, token, i) => {
        const rng = new Rng(SEED).fork(i);
        const accountId = `fz-${i}`;
        const body = mutate(rng, validPayload(rng, accountId));
        const res = await server.fetch(
          '/v1/bridge/sync',
          json(body, { authorization: `Bearer ${token}` }),
        );
        const shaped =
          res.status === 200
            ? res.body?.success === true && typeof res.body.stats === 'object'
            : res.status >= 400 &&
              res.status < 500 &&
              res.body?.success === false &&
              typeof res.body.error?.message === 'string';
        if (!shaped) return `${res.status} ${JSON.stringify(res.body)}`;
        return outcomeOf(body, accountId, res.status === 200);
      }),
  );

  it(
    `${CASES} mutated payloads and envelopes over Socket.IO /worker: answered in shape, connection kept, refused ones store nothing`,
    { timeout: Math.max(120_000, CASES * 30) },
    async () => {
      const workers: SocketIoWorker[] = [];
      try {
        await fuzz(async (server, token, i) => {
          // Eight connections, one per pool lane: every case goes over a live one.
          const lane = i % 8;
          workers[lane] ??= await SocketIoWorker.connect(server.url, token, {
            transports: ['websocket'],
          });
          const worker = workers[lane];
          const rng = new Rng(SEED ^ 0x5107).fork(i);
          const accountId = `fz-${i}`;
          const payload = mutate(rng, validPayload(rng, accountId));
          const envelope = envelopeOf(rng, payload, `q${i}`);
          const isSync =
            (envelope as { type?: unknown }).type === 'worker:data:sync' &&
            (envelope as { version?: unknown }).version === 'v1';
          if (!isSync) {
            // Not a sync (another type, or not an envelope Parley can read): acked or answered
            // with an error, never stored.
            const ack = await worker.emitWithAck('message', envelope);
            const fine =
              (ack as { success?: unknown })?.success === true ||
              (ack as { payload?: { success?: unknown } })?.payload?.success === false;
            if (!fine) return `not a sync, answered ${JSON.stringify(ack)}`;
            return outcomeOf(payload, accountId, false);
          }
          const answer = await worker.send(envelope, `q${i}`).catch((err: Error) => err.message);
          if (typeof answer === 'string') return answer;
          const p = answer.payload;
          const shaped =
            answer.type === 'worker:data:sync:ack' &&
            answer.version === 'v1' &&
            (p.success === true
              ? typeof p.stats === 'object'
              : p.success === false &&
                typeof p.error?.message === 'string' &&
                p.error.code !== 'INTERNAL');
          if (!shaped) return JSON.stringify(answer);
          return outcomeOf(payload, accountId, p.success === true);
        });
      } finally {
        for (const worker of workers) worker?.close();
      }
    },
  );
});
