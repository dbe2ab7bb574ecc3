/**
 * Faults around the device gateway (issue 14): each measures what it claims — alerts seen,
 * reconnects counted, connections cut, memory bounded — and that other sessions and the chat
 * WebSocket go on.
 */
import { Server, ServerCredentials } from '@grpc/grpc-js';
import { AIServiceService } from '@parley/proto';
import { describe, expect, it } from 'vitest';
import { startAiService } from '../support/ai-service.js';
import { DeviceTestClient } from '../support/device-client.js';
import { e2eServersPerTest, type E2eServer } from '../support/e2e-fixture.js';
import { freePort } from '../support/ports.js';
import { run } from '../support/process.js';
import { eventually } from '../support/ws-test-client.js';

let mac = 0;
const newMac = () =>
  `fa:17:00:00:${String(Math.floor(mac / 100)).padStart(2, '0')}:${String(mac++ % 100).padStart(2, '0')}`;

async function device(t: E2eServer, version: 1 | 2 | 3 = 1) {
  const owner = await t.account('flt');
  const client = await DeviceTestClient.connect(t.url, {
    token: owner.access_token,
    deviceId: newMac(),
    version,
  });
  t.onClose(() => client.close());
  return client;
}

const metric = async (t: E2eServer, name: string): Promise<number> => {
  const text = (await t.server.fetch('/metrics')).body as string;
  return text
    .split('\n')
    .filter((l) => l.startsWith(name))
    .reduce((sum, l) => sum + Number(l.split(' ').at(-1)), 0);
};

/** A chat round trip on /v1/ws: the chat edge works whatever the AI service does. */
async function chatWorks(t: E2eServer): Promise<void> {
  const [a, b] = [await t.account('chat'), await t.account('chat')];
  const ws = await t.connect(a);
  const reply = await ws.request('message.send', {
    to_user_id: b.user.user_id,
    client_msg_id: `c${t.next()}`,
    type: 'text',
    content: { text: 'hello while the AI is away' },
  });
  expect(reply.ok).toBe(true);
}

describe('device gateway faults', () => {
  const servers = e2eServersPerTest();
  const fast = { ai_reconnect_max_ms: 400, ai_keepalive_ms: 1000, ai_keepalive_timeout_ms: 500 };

  it('without an AI service: devices get an alert, grpc_status is disabled', async () => {
    const t = await servers.start('sqlite');
    expect((await t.server.fetch('/health')).body.grpc_status).toBe('disabled');
    const client = await device(t);
    await client.hello();
    const alert = await client.next((f) => f.type === 'alert');
    expect(alert).toMatchObject({
      status: 'error',
      message: expect.stringContaining('No AI service'),
    });
    client.sendJson({ type: 'chat', text: 'anyone?' });
    await chatWorks(t);
  });

  it('spreads sessions over the pool of streams, each pinned to one', async () => {
    const ai = await startAiService({ replyFrames: 1, frameIntervalMs: 5 });
    servers.onClose(() => ai.close());
    const t = await servers.start('sqlite', { ai_addr: ai.addr, ai_streams: 3 });
    await eventually(() => ai.openStreams() === 3);
    const clients = [];
    for (let i = 0; i < 9; i++) {
      const client = await device(t);
      await client.hello();
      clients.push(client);
    }
    await eventually(() => ai.sessionsPerStream().reduce((a, b) => a + b, 0) === 9);
    expect(ai.sessionsPerStream()).toEqual([3, 3, 3]);
    // Every turn comes on the stream that saw the session's hello: a stream that did not
    // would answer "Say hello first" (an alert) instead.
    for (const client of clients) {
      client.sendJson({ type: 'chat', text: 'one' });
      expect((await client.next((f) => f.type === 'llm')).text).toBe('You said: one');
    }
    expect(clients.flatMap((c) => c.frames).filter((f) => f.type === 'alert')).toEqual([]);
  });

  it('closes a device that never says hello', async () => {
    const t = await servers.start('sqlite', { device_hello_timeout: 1 });
    const client = await device(t);
    const closed = await client.closed;
    expect(closed.code).toBe(4002);
  });

  it('the AI service killed and restarted on its port: alerts, reconnect, the next turn works', async () => {
    const port = await freePort();
    let ai = await startAiService({ port, replyFrames: 2, frameIntervalMs: 5 });
    servers.onClose(() => ai.close());
    const t = await servers.start('sqlite', { ai_addr: ai.addr, ...fast });
    const client = await device(t);
    await client.hello();
    await ai.close();
    await client.next((f) => f.type === 'alert' && /interrupted/.test(f.message));
    await eventually(
      async () => (await t.server.fetch('/health')).body.grpc_status !== 'connected',
    );
    client.sendJson({ type: 'chat', text: 'lost in the void' });
    await chatWorks(t);
    ai = await startAiService({ port, replyFrames: 2, frameIntervalMs: 5 });
    await client.next((f) => f.type === 'alert' && /reachable again/.test(f.message), 10_000);
    client.sendJson({ type: 'chat', text: 'back again' });
    await client.next((f) => f.type === 'llm' && f.text === 'You said: back again');
    // The turn sent while the AI was away was kept (control frames are never dropped).
    const answers = client.frames.filter((f) => f.type === 'llm').map((f) => f.text);
    expect(answers).toEqual(['You said: lost in the void', 'You said: back again']);
    expect(await metric(t, 'parley_ai_stream_reconnects_total')).toBeGreaterThanOrEqual(1);
    expect((await t.server.fetch('/health')).body.grpc_status).toBe('connected');
  });

  it('the AI service hung (SIGSTOP): keepalive finds it, devices are told, it comes back', async () => {
    const port = await freePort();
    const ai = run(process.execPath, ['examples/ai-service/index.mjs', String(port)], {});
    servers.onClose(async () => {
      ai.signal('SIGCONT');
      ai.signal('SIGTERM');
      await ai.exited;
    });
    await ai.waitFor(/listening on/);
    const t = await servers.start('sqlite', { ai_addr: `127.0.0.1:${port}`, ...fast });
    const client = await device(t);
    await client.hello();
    await eventually(
      async () => (await t.server.fetch('/health')).body.grpc_status === 'connected',
    );
    ai.signal('SIGSTOP');
    await client.next((f) => f.type === 'alert' && /interrupted/.test(f.message), 15_000);
    await chatWorks(t);
    ai.signal('SIGCONT');
    await client.next((f) => f.type === 'alert' && /reachable again/.test(f.message), 15_000);
    client.clear();
    client.sendJson({ type: 'listen', state: 'detect', text: 'awake?' });
    expect((await client.next((f) => f.type === 'stt')).text).toBe('awake?');
  });

  it('an AI service that takes frames and never answers: the turn gets an alert', async () => {
    const silent = new Server();
    let received = 0;
    silent.addService(AIServiceService, {
      chatStream: (call: { on(e: string, f: () => void): void }) => {
        call.on('data', () => received++);
        call.on('error', () => {});
      },
    });
    const port = await new Promise<number>((resolve, reject) =>
      silent.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (err, p) =>
        err ? reject(err) : resolve(p),
      ),
    );
    servers.onClose(() => silent.forceShutdown());
    const t = await servers.start('sqlite', { ai_addr: `127.0.0.1:${port}`, ai_answer_timeout: 1 });
    const client = await device(t);
    await eventually(
      async () => (await t.server.fetch('/health')).body.grpc_status === 'connected',
    );
    await client.hello();
    client.sendJson({ type: 'chat', text: 'hello?' });
    const alert = await client.next((f) => f.type === 'alert' && /did not answer/.test(f.message));
    expect(alert).toMatchObject({ status: 'error', emotion: 'sad' });
    // Said once per turn, and the AI service did get the turn.
    expect(received).toBeGreaterThanOrEqual(2);
    await chatWorks(t);
    expect(client.frames.filter((f) => /did not answer/.test(f.message ?? ''))).toHaveLength(1);
  });

  it('an AI service answering garbage: alerts, reconnects with backoff, memory bounded', async () => {
    // A server on the AIService path whose answers are not ChatResponses at all.
    const garbage = new Server();
    let opened = 0;
    garbage.addService(
      { chatStream: { ...AIServiceService.chatStream, responseSerialize: (v: Buffer) => v } },
      {
        chatStream: (call: { write(b: Buffer): void; on(e: string, f: () => void): void }) => {
          opened++;
          call.write(Buffer.from([0xff, 0xff, 0xff, 0xff, 0x0f, 0x12, 0x99]));
          call.on('error', () => {});
        },
      },
    );
    const port = await new Promise<number>((resolve, reject) =>
      garbage.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (err, p) =>
        err ? reject(err) : resolve(p),
      ),
    );
    servers.onClose(() => garbage.forceShutdown());
    const t = await servers.start('sqlite', {
      ai_addr: `127.0.0.1:${port}`,
      ai_streams: 2,
      ...fast,
    });
    const client = await device(t);
    await client.hello();
    await client.next((f) => f.type === 'alert' && /interrupted|not reachable/.test(f.message));
    const rssBefore = process.memoryUsage().rss;
    await eventually(() => opened >= 12, 20_000);
    // Every garbage stream was seen broken, and opened again (after a growing wait).
    expect(await metric(t, 'parley_ai_link_warnings_total')).toBeGreaterThanOrEqual(10);
    expect(await metric(t, 'parley_ai_stream_reconnects_total')).toBeGreaterThanOrEqual(10);
    await chatWorks(t);
    global.gc?.();
    expect(process.memoryUsage().rss - rssBefore).toBeLessThan(64 * 1024 * 1024);
  });

  it('cuts off a device that does not read, and others go on', async () => {
    const ai = await startAiService({ replyFrames: 4000, frameIntervalMs: 0, bitrate: 256_000 });
    servers.onClose(() => ai.close());
    const t = await servers.start('sqlite', {
      ai_addr: ai.addr,
      device_send_queue_bytes: 64 * 1024,
    });
    const slow = await device(t);
    const fine = await device(t);
    await slow.hello();
    await fine.hello();
    (slow.ws as unknown as { _socket: { pause(): void } })._socket.pause();
    slow.sendJson({ type: 'chat', text: 'talk a lot' });
    await eventually(
      async () => (await metric(t, 'parley_device_slow_consumer_closes_total')) === 1,
      20_000,
    );
    (slow.ws as unknown as { _socket: { resume(): void } })._socket.resume();
    expect((await slow.closed).code).toBe(4008);
    fine.sendJson({ type: 'listen', state: 'detect', text: 'still fine' });
    expect((await fine.next((f) => f.type === 'stt')).text).toBe('still fine');
  });

  it('10,000 frames at once from one device: dropped past the rate, alerted, others unharmed', async () => {
    const ai = await startAiService({ replyFrames: 2, frameIntervalMs: 5 });
    servers.onClose(() => ai.close());
    const t = await servers.start('sqlite', { ai_addr: ai.addr });
    const flood = await device(t, 3);
    const calm = await device(t);
    await flood.hello();
    await calm.hello();
    flood.sendJson({ type: 'listen', state: 'start', mode: 'realtime' });
    const frame = Buffer.alloc(4 + 120);
    frame.writeUInt16BE(120, 2);
    for (let i = 0; i < 10_000; i++) flood.ws.send(frame);
    const alert = await flood.next((f) => f.type === 'alert' && /Too many frames/.test(f.message));
    expect(alert).toMatchObject({ status: 'error', emotion: 'sad' });
    calm.sendJson({ type: 'chat', text: 'calm' });
    expect((await calm.next((f) => f.type === 'llm')).text).toBe('You said: calm');
    // The AI service got at most the burst, not 10,000 frames.
    await eventually(() => ai.stats.audioIn > 0);
    expect(ai.stats.audioIn).toBeLessThan(1_000);
  });
});
