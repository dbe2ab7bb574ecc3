import { beforeAll, describe, expect, it } from 'vitest';
import { e2eServer, PASSWORD } from '../support/e2e-fixture.js';
import { expectError } from '../support/expect-error.js';
import { ENGINES, json } from '../support/test-server.js';
/** The rate-limit window the test server runs with (`rate_limit_window`, in seconds there). */
const WINDOW_MS = 60_000;

/**
 * The limiter's windows are aligned to the clock (a sliding window weighs the previous one by
 * how much of it still overlaps). Requests that straddle a window edge are counted partly in
 * each, so these tests start well inside a window: they take a few seconds at most.
 */
async function awayFromWindowEdge(): Promise<void> {
  const into = Date.now() % WINDOW_MS;
  if (into > WINDOW_MS - 15_000) await new Promise((r) => setTimeout(r, WINDOW_MS - into + 50));
}

describe('auth rate limits', () => {
  const t = e2eServer('sqlite', { signup_limit: 5, rate_limit_window: WINDOW_MS / 1000 });
  const { post } = t;
  beforeAll(awayFromWindowEdge);

  it('allows 10 failed logins per username per minute, then answers 429 even for the right password', async () => {
    const created = await post('/v1/auth/register', undefined, {
      username: 'target',
      password: PASSWORD,
    });
    expect(created.status).toBe(201);
    for (let i = 0; i < 10; i++) {
      const res = await post('/v1/auth/login', undefined, {
        username: 'target',
        password: `wrong-pass-${i}`,
      });
      expect(res.status).toBe(401);
    }
    const limited = await post('/v1/auth/login', undefined, {
      username: 'TARGET',
      password: PASSWORD,
    });
    expectError(limited, 429, 'RESOURCE_EXHAUSTED');
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    // Another username is not affected.
    const other = await post('/v1/auth/login', undefined, {
      username: 'someone-else',
      password: PASSWORD,
    });
    expect(other.status).toBe(401);
  });

  it('limits registrations and guest logins per client address', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++) {
      // X-Forwarded-For is not trusted unless trust_proxy is set: changing it changes nothing.
      const spoof = { 'x-forwarded-for': `10.0.0.${i}` };
      const res =
        i % 2 === 0
          ? await t.server.fetch('/v1/auth/guest', { method: 'POST', headers: spoof })
          : await t.server.fetch(
              '/v1/auth/register',
              json({ username: `many${i}`, password: PASSWORD }, spoof),
            );
      statuses.push(res.status);
      if (res.status === 429) expectError(res, 429, 'RESOURCE_EXHAUSTED');
    }
    // Five per window: registering "target" above spent one, so four pass and the rest are refused.
    expect(statuses).toEqual([201, 201, 201, 201, 429, 429, 429]);
  });
});

describe.each(ENGINES)('a burst of logins on %s', (engine) => {
  // Real password-hashing cost: a check takes long enough for a burst to arrive during it.
  const { post } = e2eServer(engine, {
    rate_limit_window: WINDOW_MS / 1000,
    argon2_memory_kib: 19_456,
    argon2_iterations: 2,
  });
  beforeAll(awayFromWindowEdge);

  it('checks at most 10 passwords of 400 simultaneous attempts; the right one never gets in', async () => {
    const created = await post('/v1/auth/register', undefined, {
      username: 'burst-target',
      password: PASSWORD,
    });
    expect(created.status).toBe(201);
    // The right password is tried many times, all of them after the limit's worth of guesses.
    const statuses = await Promise.all(
      Array.from({ length: 400 }, async (_, i) => {
        const password = i >= 100 && i % 10 === 0 ? PASSWORD : `wrong-pass-${i}`;
        const res = await post('/v1/auth/login', undefined, { username: 'burst-target', password });
        return res.status;
      }),
    );
    const checked = statuses.filter((s) => s !== 429);
    expect(checked.length).toBeLessThanOrEqual(10);
    expect(statuses.filter((s) => s === 200)).toEqual([]);
    const after = await post('/v1/auth/login', undefined, {
      username: 'burst-target',
      password: PASSWORD,
    });
    expectError(after, 429, 'RESOURCE_EXHAUSTED');
  });
});
