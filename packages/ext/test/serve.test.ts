import { status } from '@grpc/grpc-js';
import { MsgScene, MsgStatus } from '@parley/proto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  accept,
  ExtError,
  ExtRejection,
  parsePayload,
  reject,
  serveExtension,
  text,
  type RunningExtension,
  type ServeOptions,
} from '../src/index.js';
import { etcdClient, etcdEndpoint, readPrefix, uniquePrefix, waitUntil } from './support/etcd.js';
import {
  callHandle,
  callHandleAsync,
  codeOf,
  contentOf,
  extClient,
  request,
} from './support/grpc.js';

const etcd = etcdClient();
const running: RunningExtension[] = [];

async function serve(options: ServeOptions): Promise<RunningExtension> {
  const ext = await serveExtension(options);
  running.push(ext);
  return ext;
}

afterEach(async () => {
  await Promise.all(running.splice(0).map((ext) => ext.close()));
});

afterAll(() => etcd.close());

describe('registration in etcd', () => {
  it('writes one key per type with the contract JSON, and deletes them on close', async () => {
    const suffix = Math.random().toString(36).slice(2, 8);
    const [sync, async_] = [`t${suffix}.sync`, `t${suffix}.async`];
    const ext = await serve({
      types: {
        [sync]: { mode: 'sync', handle: () => accept() },
        [async_]: { mode: 'async', timeoutMs: 80, handleAsync: () => accept() },
      },
      etcd: {
        endpoints: [etcdEndpoint()],
        weight: 3,
        tags: { zone: 'a' },
        leaseTtlSeconds: 2,
        timeoutMs: 50,
      },
      instanceId: `inst-${suffix}`,
    });
    expect(ext.addr).toBe(`127.0.0.1:${ext.port}`);
    expect(ext.keys).toEqual([
      `/parley/ext/services/${sync}/inst-${suffix}`,
      `/parley/ext/services/${async_}/inst-${suffix}`,
    ]);
    const syncKeys = await readPrefix(etcd, `/parley/ext/services/${sync}/`);
    const asyncKeys = await readPrefix(etcd, `/parley/ext/services/${async_}/`);
    expect(JSON.parse(syncKeys[`/parley/ext/services/${sync}/inst-${suffix}`]!)).toEqual({
      addr: ext.addr,
      mode: 'sync',
      timeout_ms: 50,
      weight: 3,
      tags: { zone: 'a' },
    });
    expect(JSON.parse(asyncKeys[`/parley/ext/services/${async_}/inst-${suffix}`]!)).toEqual({
      addr: ext.addr,
      mode: 'async',
      timeout_ms: 80,
      weight: 3,
      tags: { zone: 'a' },
    });
    // Both keys share one lease.
    const leases = await Promise.all(
      ext.keys.map(async (k) => (await etcd.get(k).exec()).kvs[0]?.lease.toString()),
    );
    expect(leases[0]).not.toBe('0');
    expect(leases[1]).toBe(leases[0]);

    await ext.close();
    expect(await readPrefix(etcd, `/parley/ext/services/${sync}/`)).toEqual({});
    expect(await readPrefix(etcd, `/parley/ext/services/${async_}/`)).toEqual({});
    await ext.close(); // twice is fine
  });

  it('fails with REGISTRATION_FAILED, leaving nothing running, when etcd cannot be reached', async () => {
    const err = await serveExtension({
      types: { t: { mode: 'sync', handle: () => accept() } },
      etcd: { endpoints: ['http://127.0.0.1:9'], requestTimeoutMs: 300 },
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ExtError);
    expect((err as ExtError).code).toBe('REGISTRATION_FAILED');
  });

  it('refuses options it cannot work with, naming the option', async () => {
    const bad: unknown[] = [
      { types: {} },
      { types: { Bad: { mode: 'sync', handle: () => accept() } } },
      { types: { t: { mode: 'sync' } } },
      { types: { t: { mode: 'async', handle: () => accept() } } },
      { types: { t: { mode: 'sync', handle: () => accept() } }, port: 70_000 },
      { types: { t: { mode: 'sync', handle: () => accept() } }, etcd: { endpoints: [] } },
      {
        types: { t: { mode: 'sync', handle: () => accept() } },
        etcd: { endpoints: ['x'], ttl: 2 },
      },
    ];
    for (const options of bad) {
      const err = await serveExtension(options as ServeOptions).catch((e: unknown) => e);
      expect(err, JSON.stringify(options)).toBeInstanceOf(ExtError);
      expect((err as ExtError).code).toBe('INVALID_OPTIONS');
    }
  });
});

describe('ExtMessageService.Handle', () => {
  let ext: RunningExtension;
  let calls = 0;
  const prefix = uniquePrefix();
  let rpc: ReturnType<typeof extClient>;
  const client = () => rpc;

  beforeAll(async () => {
    ext = await serveExtension({
      types: {
        greet: {
          mode: 'sync',
          handle: (msg) => {
            calls += 1;
            const content = parsePayload(msg);
            if (typeof content.name !== 'string') return reject('name is required');
            if (content.name === 'mallory') throw new ExtRejection('not you');
            if (content.name === 'boom') throw new Error('database down');
            return accept(
              text(`hello ${content.name}`, { scene: 'system' }),
              text('second', { fromUid: 'bot' }),
            );
          },
        },
        later: { mode: 'async', handleAsync: () => accept() },
      },
      etcd: { endpoints: [etcdEndpoint()], keyPrefix: prefix },
    });
    rpc = extClient(ext.addr);
  });

  afterAll(async () => {
    rpc.close();
    await ext.close();
  });

  it('answers with the handler result and generated messages in the envelope', async () => {
    const req = request('greet', { name: 'bob' });
    const res = await callHandle(client(), req);
    expect(res).toMatchObject({ accept: true, reason: '', status: MsgStatus.MSG_SUCCESS });
    expect(res.generated).toHaveLength(2);
    const [first, second] = res.generated;
    expect(first).toMatchObject({
      msgId: `${req.message!.msgId}-g0`,
      conversation: 'c_1',
      toUid: 'bob',
      fromUid: '',
      msgType: 'text',
      scene: MsgScene.SCENE_SYSTEM,
    });
    expect(contentOf(first!)).toEqual({ text: 'hello bob' });
    expect(second).toMatchObject({ msgId: `${req.message!.msgId}-g1`, fromUid: 'bot' });
  });

  it('refuses a message with a reason: returned, thrown, or an unparsable payload', async () => {
    const refused = { accept: false, status: MsgStatus.MSG_REJECTED, generated: [] };
    expect(await callHandle(client(), request('greet', {}))).toMatchObject({
      ...refused,
      reason: 'name is required',
    });
    expect(await callHandle(client(), request('greet', { name: 'mallory' }))).toMatchObject({
      ...refused,
      reason: 'not you',
    });
    expect(await callHandle(client(), request('greet', 'not json'))).toMatchObject({
      ...refused,
      reason: 'The content is not valid JSON.',
    });
    expect(await callHandle(client(), request('greet', [1]))).toMatchObject({
      ...refused,
      reason: 'The content must be a JSON object.',
    });
  });

  it('answers INTERNAL when the handler fails, without its error text', async () => {
    const err = await callHandle(client(), request('greet', { name: 'boom' })).catch((e) => e);
    expect(err.code).toBe(status.INTERNAL);
    expect(err.details).not.toContain('database');
  });

  it('answers UNIMPLEMENTED for a type it does not serve, or serves in the other mode', async () => {
    expect(await codeOf(callHandle(client(), request('nope', {})))).toBe(status.UNIMPLEMENTED);
    expect(await codeOf(callHandle(client(), request('later', {})))).toBe(status.UNIMPLEMENTED);
    const toAsync = request('greet', { name: 'x' }, { callback: '127.0.0.1:1' });
    expect(await codeOf(callHandleAsync(client(), toAsync))).toBe(status.UNIMPLEMENTED);
  });

  it('answers INVALID_ARGUMENT for a call without a message, msg_type or msg_id', async () => {
    expect(await codeOf(callHandle(client(), { message: undefined }))).toBe(
      status.INVALID_ARGUMENT,
    );
    const noType = request('greet', {});
    noType.message!.msgType = '';
    expect(await codeOf(callHandle(client(), noType))).toBe(status.INVALID_ARGUMENT);
    const noId = request('greet', {});
    noId.message!.msgId = '';
    expect(await codeOf(callHandle(client(), noId))).toBe(status.INVALID_ARGUMENT);
    const noCallback = request('later', {});
    expect(await codeOf(callHandleAsync(client(), noCallback))).toBe(status.INVALID_ARGUMENT);
  });

  it('answers a repeated msg_id from the first call, without running the handler again', async () => {
    const first = request('greet', { name: 'carol' }, { msgId: 'dup-1', requestId: 'r-a' });
    const again = request('greet', { name: 'carol' }, { msgId: 'dup-1', requestId: 'r-b' });
    const before = calls;
    const [a, b] = await Promise.all([callHandle(client(), first), callHandle(client(), again)]);
    const c = await callHandle(client(), again);
    expect(calls - before).toBe(1);
    expect(b).toEqual(a);
    expect(c).toEqual(a);
  });

  it("aborts the handler's signal when Parley's deadline passes", async () => {
    let seen: AbortSignal | undefined;
    const slow = await serve({
      types: {
        slow: {
          mode: 'sync',
          handle: async (_msg, ctx) => {
            seen = ctx.signal;
            await new Promise((resolve) => ctx.signal.addEventListener('abort', resolve));
            return accept();
          },
        },
      },
    });
    const code = await codeOf(callHandle(extClient(slow.addr), request('slow', {}), 100));
    expect(code).toBe(status.DEADLINE_EXCEEDED);
    await waitUntil('the signal to abort', () => (seen?.aborted ? true : undefined));
  });

  it('runs a failed call again when it is retried', async () => {
    const req = request('greet', { name: 'boom' }, { msgId: 'dup-boom' });
    const before = calls;
    expect(await codeOf(callHandle(client(), req))).toBe(status.INTERNAL);
    expect(await codeOf(callHandle(client(), req))).toBe(status.INTERNAL);
    expect(calls - before).toBe(2);
  });
});

describe('close', () => {
  it('refuses new calls once closing, and lets a call in flight finish', async () => {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let started: () => void = () => undefined;
    const handlerStarted = new Promise<void>((resolve) => (started = resolve));
    const ext = await serve({
      types: {
        slow: {
          mode: 'sync',
          handle: async () => {
            started();
            await gate;
            return accept(text('done'));
          },
        },
      },
    });
    const client = extClient(ext.addr);
    const inFlight = callHandle(client, request('slow', {}));
    await handlerStarted;
    const closed = ext.close();
    const refused = await codeOf(callHandle(client, request('slow', {})));
    release();
    await closed;
    client.close();
    expect(refused).toBe(status.UNAVAILABLE);
    expect(await inFlight).toMatchObject({ accept: true });
  });
});
