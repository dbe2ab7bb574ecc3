// The examples under examples/, run as a user would (node, env), against a real etcd and a
// real callback server. They import @parley/ext's build: run `npm run build` first.
import { MsgScene, MsgStatus } from '@parley/proto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startChild, type Child } from './support/child.js';
import { etcdClient, etcdEndpoint, readPrefix, uniquePrefix } from './support/etcd.js';
import {
  callHandle,
  callHandleAsync,
  contentOf,
  extClient,
  request,
  startCallbackServer,
  type CallbackServer,
} from './support/grpc.js';

const etcd = etcdClient();
let parley: CallbackServer;

beforeAll(async () => {
  parley = await startCallbackServer();
});

afterAll(async () => {
  await parley.close();
  etcd.close();
});

/** Starts an example; resolves with its address once it says it serves. */
async function startExample(
  name: string,
  env: Record<string, string> = {},
): Promise<{ child: Child; addr: string; prefix: string }> {
  const prefix = uniquePrefix();
  const child = startChild(process.execPath, [`examples/${name}/index.mjs`], {
    PARLEY_ETCD_ENDPOINTS: etcdEndpoint(),
    PARLEY_EXT_KEY_PREFIX: prefix,
    ...env,
  });
  const addr = await child.waitFor(/serving on (\S+) /);
  return { child, addr, prefix };
}

/** SIGTERM: the example exits 0 and its keys are gone. */
async function stopExample(child: Child, prefix: string): Promise<void> {
  child.kill('SIGTERM');
  expect(await child.exited).toBe(0);
  expect(await readPrefix(etcd, prefix)).toEqual({});
}

describe('examples/redpacket', () => {
  it('registers as sync, accepts a good packet with a notice and rejects bad ones', async () => {
    const { child, addr, prefix } = await startExample('redpacket');
    try {
      const keys = await readPrefix(etcd, `${prefix}/redpacket/`);
      expect(Object.values(keys).map((v) => JSON.parse(v))).toMatchObject([{ addr, mode: 'sync' }]);
      const client = extClient(addr);

      const good = await callHandle(
        client,
        request('redpacket', { amount: 888, count: 3, greeting: 'Happy new year' }),
      );
      expect(good).toMatchObject({ accept: true, status: MsgStatus.MSG_SUCCESS });
      expect(good.generated).toHaveLength(1);
      expect(good.generated[0]).toMatchObject({ msgType: 'text', scene: MsgScene.SCENE_SYSTEM });
      expect(contentOf(good.generated[0]!)).toEqual({
        text: 'alice sent a red packet: Happy new year',
      });
      const plain = await callHandle(client, request('redpacket', { amount: 1, count: 1 }));
      expect(contentOf(plain.generated[0]!)).toEqual({
        text: 'alice sent a red packet: Best wishes!',
      });

      const bad = [
        { count: 1 },
        { amount: 0, count: 1 },
        { amount: 1.5, count: 1 },
        { amount: '100', count: 1 },
        { amount: 100, count: 0 },
        { amount: 100, count: 101 },
        { amount: 2, count: 3 },
        { amount: 100, count: 1, greeting: 7 },
        { amount: 100, count: 1, greeting: 'x'.repeat(101) },
      ];
      for (const content of bad) {
        const res = await callHandle(client, request('redpacket', content));
        expect(res, JSON.stringify(content)).toMatchObject({
          accept: false,
          status: MsgStatus.MSG_REJECTED,
          generated: [],
        });
        expect(res.reason).not.toBe('');
      }
    } finally {
      await stopExample(child, prefix);
    }
  });
});

describe('examples/image', () => {
  it('completes with image.meta derived from the content, and rejects a bad url', async () => {
    const { child, addr, prefix } = await startExample('image');
    try {
      const keys = await readPrefix(etcd, `${prefix}/image.upload/`);
      expect(Object.values(keys).map((v) => JSON.parse(v))).toMatchObject([
        { addr, mode: 'async' },
      ]);
      const client = extClient(addr);
      const good = request(
        'image.upload',
        { url: 'https://cdn.example.com/a/cat.PNG', width: 1920, height: 1080 },
        { callback: parley.addr },
      );
      expect(await callHandleAsync(client, good)).toMatchObject({ accepted: true });
      const [done] = await parley.final(good.message!.msgId);
      expect(done).toMatchObject({ status: MsgStatus.MSG_SUCCESS });
      expect(done!.generated).toHaveLength(1);
      expect(done!.generated[0]!.msgType).toBe('custom');
      expect(contentOf(done!.generated[0]!)).toEqual({
        custom_type: 'image.meta',
        data: {
          url: 'https://cdn.example.com/a/cat.PNG',
          host: 'cdn.example.com',
          format: 'png',
          width: 1920,
          height: 1080,
          orientation: 'landscape',
          aspect_ratio: '16:9',
          megapixels: 2.07,
        },
      });

      const noSize = request('image.upload', { url: 'http://x.test/p' }, { callback: parley.addr });
      await callHandleAsync(client, noSize);
      const [plain] = await parley.final(noSize.message!.msgId);
      expect(contentOf(plain!.generated[0]!)).toEqual({
        custom_type: 'image.meta',
        data: { url: 'http://x.test/p', host: 'x.test', format: 'unknown' },
      });

      for (const content of [
        { url: 'ftp://x/y.png' },
        { url: 'nope' },
        { url: 'http://x/y', width: 0 },
      ]) {
        const bad = request('image.upload', content, { callback: parley.addr });
        await callHandleAsync(client, bad);
        const [refused] = await parley.final(bad.message!.msgId);
        expect(refused, JSON.stringify(content)).toMatchObject({
          status: MsgStatus.MSG_REJECTED,
          generated: [],
        });
        expect(refused!.reason).not.toBe('');
      }
    } finally {
      await stopExample(child, prefix);
    }
  });
});

describe('examples/ai-bot', () => {
  it('streams the answer word by word (MSG_PENDING, growing text), then MSG_SUCCESS', async () => {
    const { child, addr, prefix } = await startExample('ai-bot', { PARLEY_AI_BOT_DELAY_MS: '1' });
    try {
      const keys = await readPrefix(etcd, `${prefix}/ai/`);
      expect(Object.values(keys).map((v) => JSON.parse(v))).toMatchObject([
        { addr, mode: 'async' },
      ]);
      const ask = request('ai', { text: 'What is Parley?' }, { callback: parley.addr });
      expect(await callHandleAsync(extClient(addr), ask)).toMatchObject({ accepted: true });
      const calls = await parley.final(ask.message!.msgId);
      const texts = calls.map((c) => (contentOf(c.generated[0]!) as { text: string }).text);
      const answer = texts.at(-1)!;
      expect(answer).toContain('What is Parley?');
      const words = answer.split(' ');
      expect(calls.map((c) => c.status)).toEqual([
        ...Array<MsgStatus>(words.length - 1).fill(MsgStatus.MSG_PENDING),
        MsgStatus.MSG_SUCCESS,
      ]);
      // Each partial result is the answer so far, one word longer than the one before.
      expect(texts).toEqual(words.map((_, i) => words.slice(0, i + 1).join(' ')));
      expect(new Set(calls.map((c) => c.generated[0]!.msgId)).size).toBe(1);

      const empty = request('ai', { text: ' ' }, { callback: parley.addr });
      await callHandleAsync(extClient(addr), empty);
      expect(await parley.final(empty.message!.msgId)).toMatchObject([
        { status: MsgStatus.MSG_REJECTED, reason: 'text is required.' },
      ]);
    } finally {
      await stopExample(child, prefix);
    }
  });
});
