import { Etcd3 } from 'etcd3';
import { fileURLToPath } from 'node:url';
import { describe, expect, inject, it } from 'vitest';
import { e2eServersPerTest } from '../support/e2e-fixture.js';
import { run, type RunningProcess } from '../support/process.js';
import { eventually } from '../support/ws-test-client.js';

const NODE_EXT = fileURLToPath(new URL('../fixtures/node-ext.mjs', import.meta.url));
const PY_EXT = fileURLToPath(new URL('../fixtures/python-ext/ext_server.py', import.meta.url));
const stamp = `${process.pid}${Date.now().toString(36)}`;

describe('real extension processes, found in etcd', () => {
  const { start, onClose } = e2eServersPerTest();

  async function parley() {
    const endpoint = inject('etcdEndpoint');
    const t = await start('sqlite', { etcd_endpoints: endpoint });
    const { server } = t;
    const alice = await t.account('alice');
    const bob = await t.account('bob');
    const a = await t.connect(alice);
    const b = await t.connect(bob);
    let n = 0;
    const send = (type: string, content: unknown = { n }) =>
      a.request('message.send', {
        to_user_id: bob.user.user_id,
        client_msg_id: `p${n++}`,
        type,
        content,
      });
    return { endpoint, server, a, b, send };
  }

  const spawnExt = async (command: string, args: string[]): Promise<RunningProcess> => {
    const proc = run(command, args, {});
    onClose(() => proc.signal('SIGKILL'));
    await proc.waitFor(/(SERVING|LISTENING) \S+/, 30_000);
    return proc;
  };

  it('works with an extension written in Python with grpcio', async () => {
    const { endpoint, b, send } = await parley();
    await spawnExt('/usr/bin/python3', [PY_EXT, '0', '--etcd', endpoint, '--ttl', '2']);
    await eventually(async () => (await send('py.echo', { text: 'hello' })).ok === true, 5_000);
    const echo = await b.next((f) => f.event === 'message.new' && f.data.message.type === 'text');
    expect(echo.data.message.content).toEqual({ text: 'echo: hello' });
  });

  it('degrades a killed extension within its deadline while text goes on', async () => {
    const { endpoint, send } = await parley();
    const type = `kill.rp${stamp}`;
    const etcd = new Etcd3({ hosts: [endpoint] });
    onClose(async () => {
      await etcd.delete().key(`/parley/ext/config/${type}`);
      etcd.close();
    });
    await etcd
      .put(`/parley/ext/config/${type}`)
      .value(JSON.stringify({ degrade: 'reject', timeout_ms: 200 }));
    const ext = await spawnExt('node', [NODE_EXT, endpoint, type, 'sync']);
    await eventually(async () => (await send(type)).ok === true, 5_000);

    const outcomes: string[] = [];
    for (let i = 0; i < 40; i++) {
      if (i === 15) {
        ext.signal('SIGKILL');
        await ext.exited;
      }
      const started = Date.now();
      const reply = await send(type);
      outcomes.push(reply.ok ? 'ok' : (reply.error?.code ?? '?'));
      // Deadline 200 ms, one retry at most within it: never a hang.
      expect(Date.now() - started).toBeLessThan(2_000);
      expect((await send('text', { text: `t${i}` })).ok).toBe(true);
    }
    expect(outcomes.slice(0, 15).every((o) => o === 'ok')).toBe(true);
    expect(outcomes.slice(15).every((o) => o === 'UNAVAILABLE')).toBe(true);
  });

  it('spreads calls over two processes, and keeps serving when one dies', async () => {
    const { endpoint, b, send } = await parley();
    const type = `two.proc${stamp}`;
    const first = await spawnExt('node', [NODE_EXT, endpoint, type, 'sync']);
    await spawnExt('node', [NODE_EXT, endpoint, type, 'sync']);
    await eventually(async () => (await send(type)).ok === true, 5_000);
    for (let i = 0; i < 40; i++) expect((await send(type)).ok).toBe(true);
    const pids = new Set(
      b
        .events('message.new')
        .map((f) => /pid (\d+)/.exec(String(f.data.message.content?.text ?? ''))?.[1])
        .filter(Boolean),
    );
    expect(pids.size).toBe(2);
    first.signal('SIGKILL');
    await first.exited;
    // The survivor takes the traffic: the dead one's failures are retried on it.
    for (let i = 0; i < 20; i++) expect((await send(type)).ok).toBe(true);
  });
});
