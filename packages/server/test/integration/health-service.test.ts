import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openSqliteStore } from '../../src/adapters/store/sqlite.js';
import { SystemClock } from '../../src/adapters/system/system-clock.js';
import { HealthService } from '../../src/app/ops/health-service.js';

describe('HealthService', () => {
  it('is healthy while the store answers and unhealthy once it does not', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'parley-health-'));
    const store = openSqliteStore(dir);
    const health = new HealthService({
      store,
      clock: new SystemClock(),
      connections: { count: () => 7 },
    });
    try {
      expect(await health.check()).toMatchObject({
        status: 'healthy',
        connections: 7,
        store: { engine: 'sqlite', status: 'up' },
      });
      await store.close();
      const report = await health.check();
      expect(report).toMatchObject({ status: 'unhealthy', store: { status: 'down' } });
      expect(report.store.error).toEqual(expect.any(String));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('is ready only between start and the beginning of a shutdown', () => {
    const dir = mkdtempSync(join(tmpdir(), 'parley-health-'));
    const store = openSqliteStore(dir);
    const health = new HealthService({
      store,
      clock: new SystemClock(),
      connections: { count: () => 0 },
    });
    expect(health.isReady()).toBe(false);
    health.markReady();
    expect(health.isReady()).toBe(true);
    health.markDraining();
    expect([health.isReady(), health.isDraining()]).toEqual([false, true]);
    void store.close().then(() => rmSync(dir, { recursive: true, force: true }));
  });
});
