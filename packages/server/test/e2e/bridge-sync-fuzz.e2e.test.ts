/**
 * Seeded fuzzing of POST /v1/bridge/sync: valid payloads with one to three random mutations.
 * Each case: no 5xx, the answer in its shape (an ack, or `success: false` with an error), and
 * — checked in the database afterwards — a refused payload stored nothing, an accepted one did.
 */
import { describe, expect, it } from 'vitest';
import { openSqliteStore } from '../../src/adapters/store/sqlite.js';
import { fuzzCases, fuzzSeed, Rng } from '../fuzz/prng.js';
import { runPool } from '../fuzz/tally.js';
import { randomJson, randomString } from '../fuzz/values.js';
import { json, startTestServer, testStorage } from '../support/test-server.js';

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

describe('fuzzing POST /v1/bridge/sync', () => {
  it(
    `${CASES} mutated payloads: no 5xx, answers in shape, refused ones store nothing`,
    { timeout: Math.max(120_000, CASES * 30) },
    async () => {
      const storage = await testStorage('sqlite');
      const server = await startTestServer(storage, { admin_token: ADMIN });
      const outcomes: { accountId: string; accepted: boolean }[] = [];
      const failures: string[] = [];
      try {
        const created = await server.fetch(
          '/v1/admin/worker-tokens',
          json({ name: 'fuzz' }, { authorization: `Bearer ${ADMIN}` }),
        );
        const token = created.body.token as string;
        const root = new Rng(SEED);
        await runPool(CASES, 8, async (i) => {
          const rng = root.fork(i);
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
          if (!shaped) {
            failures.push(`case ${i} (seed ${SEED}): ${res.status} ${JSON.stringify(res.body)}`);
          }
          const same = (body as { accountId?: unknown }).accountId === accountId;
          const platform = (body as { platform?: unknown }).platform === 'douyin';
          if (same && platform) outcomes.push({ accountId, accepted: res.status === 200 });
        });
        expect((await server.fetch('/health')).status).toBe(200);
      } finally {
        await server.stop();
      }
      expect(failures.slice(0, 5)).toEqual([]);
      const store = openSqliteStore(storage.dataDir);
      try {
        const wrong: string[] = [];
        for (const { accountId, accepted } of outcomes) {
          const stored = (await store.bridgeItems.findAccount('douyin', accountId)) !== undefined;
          if (stored !== accepted)
            wrong.push(`${accountId}: accepted ${accepted}, stored ${stored}`);
        }
        expect(wrong.slice(0, 5)).toEqual([]);
        // Both outcomes happened often enough for the check to mean something.
        expect(outcomes.filter((o) => o.accepted).length).toBeGreaterThan(100);
        expect(outcomes.filter((o) => !o.accepted).length).toBeGreaterThan(1_000);
      } finally {
        await store.close();
        storage.dispose();
      }
    },
  );
});
