import { describe, expect, it } from 'vitest';
import { cliServer } from '../support/cli-server.js';
import { e2eServersPerTest } from '../support/e2e-fixture.js';
import { CLI, run } from '../support/process.js';
import { SocketIoWorker } from '../support/socketio-worker.js';
import { ENGINES, testStorage, type TestStorage } from '../support/test-server.js';

const delta = (n: number) => ({
  accountId: 'acc-crash',
  platform: 'douyin',
  mode: 'delta',
  timestamp: 1_000 + n,
  snapshot: {
    platform: 'douyin',
    data: {
      messages: Array.from({ length: 200 }, (_, i) => ({
        id: `p${n}-m${i}`,
        conversationId: `c${i % 7}`,
        content: `payload ${n} item ${i}`,
        createdAt: n * 1_000 + i,
      })),
    },
  },
});

describe.each(ENGINES)('a server killed with SIGKILL while workers push (%s)', (engine) => {
  const { onClose } = e2eServersPerTest();

  /** Fresh storage and a worker token made with the CLI, as an operator would. */
  async function setup(): Promise<{ storage: TestStorage; token: string }> {
    const storage = await testStorage(engine);
    onClose(() => storage.dispose());
    const env = {
      PARLEY_DATA_DIR: storage.dataDir,
      ...(storage.databaseUrl !== undefined && { PARLEY_DATABASE_URL: storage.databaseUrl }),
    };
    const created = run('node', [CLI, 'worker-token', 'create', '--name', 'crawler'], env);
    expect(await created.exited).toBe(0);
    return { storage, token: /^(pwk_\S+)$/m.exec(created.output())?.[1] ?? '' };
  }

  /** Replaying each payload acknowledged before the kill inserts nothing: it is all there. */
  async function expectAllThere(url: string, token: string, acked: readonly number[]) {
    for (const n of acked) {
      const res = await fetch(`${url}/v1/bridge/sync`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify(delta(n)),
      });
      expect(res.status).toBe(200);
      const { stats } = (await res.json()) as { stats: { messages: { inserted: number } } };
      expect(stats.messages, `payload ${n}`).toEqual({
        inserted: 0,
        updated: 0,
        deleted: 0,
        unchanged: 200,
      });
    }
  }

  it('has every acknowledged payload after a restart', async () => {
    const { storage, token } = await setup();
    const { url, start } = await cliServer(storage, onClose);
    const push = (n: number) =>
      fetch(`${url}/v1/bridge/sync`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify(delta(n)),
      });

    let server = await start();
    const acked: number[] = [];
    let next = 0;
    let dead = false;
    const pump = async () => {
      while (!dead) {
        const n = next++;
        const res = await push(n).catch(() => undefined);
        if (res?.status !== 200) return;
        const body = (await res.json().catch(() => undefined)) as { success?: boolean } | undefined;
        if (body?.success === true) acked.push(n);
      }
    };
    const pumps = Array.from({ length: 4 }, pump);
    while (acked.length < 20) await new Promise((r) => setTimeout(r, 5));
    const ackedAtKill = [...acked];
    server.signal('SIGKILL');
    dead = true;
    await server.exited;
    await Promise.all(pumps);

    server = await start();
    await expectAllThere(url, token, ackedAtKill);
    server.signal('SIGTERM');
    await server.exited;
  }, 180_000);

  it('has every payload acknowledged over Socket.IO after a restart', async () => {
    const { storage, token } = await setup();
    const { url, start } = await cliServer(storage, onClose);
    let server = await start();
    const workers = await Promise.all(
      Array.from({ length: 4 }, () => SocketIoWorker.connect(url, token)),
    );
    onClose(() => workers.forEach((w) => w.close()));
    const acked: number[] = [];
    let next = 0;
    let dead = false;
    const pump = async (worker: SocketIoWorker) => {
      while (!dead) {
        const n = next++;
        const answer = await worker.sync(delta(n)).catch(() => undefined);
        if (answer?.payload.success !== true) return;
        acked.push(n);
      }
    };
    const pumps = workers.map(pump);
    while (acked.length < 20) await new Promise((r) => setTimeout(r, 5));
    // Killed right after an ack: the payload acked last is there too.
    const ackedAtKill = [...acked];
    server.signal('SIGKILL');
    dead = true;
    await server.exited;
    await Promise.all(pumps);

    server = await start();
    await expectAllThere(url, token, ackedAtKill);
    server.signal('SIGTERM');
    await server.exited;
  }, 180_000);
});
