import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openSqliteStore } from '../../src/adapters/store/sqlite.js';
import { UlidIds } from '../../src/adapters/system/ulid-ids.js';
import type { Store } from '../../src/ports/store.js';
import { hashWorkerToken, WorkerTokenService } from '../../src/app/bridges/worker-tokens.js';

describe('WorkerTokenService', () => {
  let dir: string;
  let store: Store;
  let now = 1_000;
  let service: WorkerTokenService;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'parley-worker-tokens-'));
    store = openSqliteStore(dir);
    await store.migrate();
    service = new WorkerTokenService({
      tokens: store.workerTokens,
      clock: { now: () => now },
      ids: new UlidIds(),
    });
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('shows the token once and stores only its hash', async () => {
    const created = await service.create('  crawler-1 ');
    expect(created.token).toMatch(/^pwk_[A-Za-z0-9_-]{43}$/);
    expect(created).toMatchObject({ name: 'crawler-1', createdAt: 1_000, revokedAt: null });
    const [stored] = await store.workerTokens.list();
    expect(stored?.tokenHash).toBe(hashWorkerToken(created.token));
    expect(JSON.stringify(await service.list())).not.toContain(created.token);
    expect(await service.authenticate(created.token)).toMatchObject({ id: created.id });
  });

  it('refuses forged, unknown and revoked tokens', async () => {
    const created = await service.create('crawler');
    expect(await service.authenticate(`${created.token}x`)).toBeUndefined();
    expect(await service.authenticate(created.token.slice(4))).toBeUndefined();
    now = 2_000;
    expect(await service.revoke(created.id)).toBe(true);
    expect(await service.revoke(created.id)).toBe(false);
    expect(await service.revoke('nope')).toBe(false);
    expect(await service.authenticate(created.token)).toBeUndefined();
    expect(await service.list()).toEqual([
      { id: created.id, name: 'crawler', createdAt: 1_000, revokedAt: 2_000 },
    ]);
  });

  it('refuses an empty or overlong name', async () => {
    await expect(service.create(' ')).rejects.toThrow(/name of 1 to 100/);
    await expect(service.create('x'.repeat(101))).rejects.toThrow(/name of 1 to 100/);
  });
});
