import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { MemoryRateLimiter } from '../../src/adapters/rate-limit/rate-limiter-memory.js';
import { JoseAccessTokens } from '../../src/adapters/security/jose-access-tokens.js';
import { RandomSecretTokens } from '../../src/adapters/security/secret-tokens.js';
import { openSqliteStore } from '../../src/adapters/store/sqlite.js';
import { UlidIds } from '../../src/adapters/system/ulid-ids.js';
import { AuthService } from '../../src/app/accounts/auth-service.js';
import { isAppError } from '../../src/domain/errors.js';
import type { PasswordHasher } from '../../src/ports/security.js';

const WINDOW_MS = 60_000;
const PASSWORD = 'correct horse battery';

/** A cheap hasher that counts the password checks and yields like a real one. */
class CountingHasher implements PasswordHasher {
  checks = 0;
  async hash(password: string): Promise<string> {
    return `plain:${password}`;
  }
  async verify(hash: string, password: string): Promise<boolean> {
    this.checks++;
    await new Promise((resolve) => setImmediate(resolve));
    return hash === `plain:${password}`;
  }
}

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

async function authService(limits: { perUsername: number; perAddress: number }) {
  const dir = mkdtempSync(join(tmpdir(), 'parley-login-'));
  dirs.push(dir);
  const store = openSqliteStore(dir);
  await store.migrate();
  const clock = { t: 10 * WINDOW_MS + 1_000, now: () => clock.t };
  const hasher = new CountingHasher();
  const auth = new AuthService(
    {
      store,
      hasher,
      accessTokens: await JoseAccessTokens.load({ keyFile: join(dir, 'key.pem') }),
      secrets: new RandomSecretTokens(),
      limiter: new MemoryRateLimiter(clock),
      clock,
      ids: new UlidIds(),
    },
    {
      accessTokenTtlSeconds: 900,
      refreshTokenTtlSeconds: 3600,
      loginFailures: { limit: limits.perUsername, windowMs: WINDOW_MS },
      loginFailuresPerAddress: { limit: limits.perAddress, windowMs: WINDOW_MS },
      signups: { limit: 1_000, windowMs: WINDOW_MS },
    },
  );
  return { auth, hasher, clock, close: () => store.close() };
}

const from = (ip: string) => ({ ip, userAgent: 'test' });

/** 'ok', or the error code the attempt failed with. */
const outcome = (attempt: Promise<unknown>): Promise<string> =>
  attempt.then(
    () => 'ok',
    (err: unknown) => (isAppError(err) ? err.code : 'thrown'),
  );

const count = (outcomes: string[], code: string) => outcomes.filter((o) => o === code).length;

describe('login failure limits under concurrency', () => {
  it('checks at most the limit of passwords for a burst on one username, the right one included', async () => {
    const { auth, hasher, close } = await authService({ perUsername: 10, perAddress: 1_000 });
    await auth.register({ username: 'target', password: PASSWORD }, from('10.0.0.1'));
    hasher.checks = 0;
    const outcomes = await Promise.all(
      Array.from({ length: 400 }, (_, i) =>
        outcome(
          auth.login(
            { username: 'target', password: i >= 100 && i % 10 === 0 ? PASSWORD : `wrong-${i}` },
            from(`10.1.${i >> 8}.${i & 255}`),
          ),
        ),
      ),
    );
    expect(hasher.checks).toBe(10);
    expect(count(outcomes, 'UNAUTHENTICATED')).toBe(10);
    expect(count(outcomes, 'RESOURCE_EXHAUSTED')).toBe(390);
    expect(count(outcomes, 'ok')).toBe(0);
    await close();
  });

  it('limits failures per client address across usernames', async () => {
    const { auth, hasher, close } = await authService({ perUsername: 10, perAddress: 50 });
    const outcomes = await Promise.all(
      Array.from({ length: 120 }, (_, i) =>
        outcome(auth.login({ username: `nobody${i}`, password: 'guess' }, from('10.0.0.9'))),
      ),
    );
    expect(hasher.checks).toBe(50);
    expect(count(outcomes, 'RESOURCE_EXHAUSTED')).toBe(70);
    // Another address is not affected.
    await expect(
      outcome(auth.login({ username: 'nobody0', password: 'guess' }, from('10.0.0.10'))),
    ).resolves.toBe('UNAUTHENTICATED');
    await close();
  });

  it('gives a successful login its reservation back, and counts failures until the window slides', async () => {
    const { auth, clock, close } = await authService({ perUsername: 3, perAddress: 1_000 });
    await auth.register({ username: 'owner', password: PASSWORD }, from('10.0.0.1'));
    const attempt = (password: string) =>
      outcome(auth.login({ username: 'owner', password }, from('10.0.0.2')));
    expect(await attempt('wrong-1')).toBe('UNAUTHENTICATED');
    expect(await attempt('wrong-2')).toBe('UNAUTHENTICATED');
    for (let i = 0; i < 5; i++) expect(await attempt(PASSWORD)).toBe('ok');
    expect(await attempt('wrong-3')).toBe('UNAUTHENTICATED');
    expect(await attempt(PASSWORD)).toBe('RESOURCE_EXHAUSTED');
    clock.t += 2 * WINDOW_MS;
    expect(await attempt(PASSWORD)).toBe('ok');
    await close();
  });
});
