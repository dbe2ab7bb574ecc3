import OpusScript from 'opusscript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAiService, type AiService } from '../support/ai-service.js';
import { DeviceTestClient, type DeviceFrame } from '../support/device-client.js';
import { e2eServer, e2eServersPerTest } from '../support/e2e-fixture.js';
import { eventually, upgradeRefusal } from '../support/ws-test-client.js';

const opusUp = (() => {
  const encoder = new OpusScript(16_000, 1, OpusScript.Application.VOIP);
  const pcm = Buffer.alloc(960 * 2);
  for (let i = 0; i < 960; i++) pcm.writeInt16LE(Math.round(4000 * Math.sin(i / 5)), i * 2);
  const packet = Buffer.from(encoder.encode(pcm, 960));
  encoder.delete();
  return packet;
})();

let mac = 0;
const newMac = () =>
  `aa:bb:cc:00:${String(Math.floor(mac / 100)).padStart(2, '0')}:${String(mac++ % 100).padStart(2, '0')}`;

describe('the device endpoint (seed 002, DEVICES.md)', () => {
  let ai: AiService;
  const overrides: Record<string, unknown> = {};
  beforeAll(async () => {
    ai = await startAiService({ replyFrames: 6, frameIntervalMs: 20 });
    overrides.ai_addr = ai.addr;
    overrides.ai_streams = 2;
    overrides.ai_reconnect_max_ms = 500;
  });
  afterAll(() => ai.close());
  const t = e2eServer('sqlite', overrides);

  async function device(options: Partial<Parameters<typeof DeviceTestClient.connect>[1]> = {}) {
    const owner = options.token === undefined ? await t.account('dev') : undefined;
    const client = await DeviceTestClient.connect(t.url, {
      token: options.token ?? owner!.access_token,
      deviceId: options.deviceId ?? newMac(),
      ...options,
    });
    t.onClose(() => client.close());
    return { client, owner };
  }

  it('answers hello in the xiaozhi form (headers) with the server hello', async () => {
    const { client } = await device();
    const hello = await client.hello();
    expect(hello).toMatchObject({
      type: 'hello',
      transport: 'websocket',
      session_id: expect.any(String),
      audio_params: { format: 'opus', sample_rate: 24000, channels: 1, frame_duration: 60 },
      timestamp: expect.any(Number),
    });
  });

  it("answers hello in the seed's envelope form (query parameters, /ws)", async () => {
    const { client } = await device({ viaQuery: true, path: '/ws' });
    client.sendJson({
      type: 'hello',
      data: {
        version: 1,
        transport: 'websocket',
        audio_params: { format: 'opus', sample_rate: 16000, channels: 1, frame_duration: 60 },
      },
      timestamp: Date.now(),
    });
    const hello = await client.next((f) => f.type === 'hello');
    expect(hello.session_id).toEqual(expect.any(String));
    expect(hello.data.audio_params.sample_rate).toBe(24000);
    client.sendJson({ type: 'chat', data: { text: 'envelope' }, timestamp: Date.now() });
    const llm = await client.next((f) => f.type === 'llm');
    expect(llm.text).toBe('You said: envelope');
  });

  it('refuses a missing token, a bad token and a missing Device-Id with 401', async () => {
    const owner = await t.account('dev');
    const url = `${t.url.replace(/^http/, 'ws')}/xiaozhi/v1/`;
    expect((await upgradeRefusal(url, { 'device-id': newMac() })).status).toBe(401);
    expect(
      (await upgradeRefusal(url, { authorization: 'Bearer nope', 'device-id': newMac() })).status,
    ).toBe(401);
    expect(
      (await upgradeRefusal(url, { authorization: `Bearer ${owner.access_token}` })).status,
    ).toBe(401);
  });

  it("refuses another user's device", async () => {
    const deviceId = newMac();
    await device({ deviceId });
    const intruder = await t.account('dev');
    const url = `${t.url.replace(/^http/, 'ws')}/ws`;
    const refused = await upgradeRefusal(url, {
      authorization: `Bearer ${intruder.access_token}`,
      'device-id': deviceId,
    });
    expect(refused.status).toBe(401);
  });

  for (const version of [1, 2, 3] as const) {
    it(`relays audio both ways in Protocol-Version ${version}`, async () => {
      const { client } = await device({ version });
      await client.hello();
      client.sendJson({ type: 'listen', state: 'start', mode: 'auto' });
      for (let i = 0; i < 5; i++) client.sendAudio(opusUp, i * 60);
      client.sendJson({ type: 'listen', state: 'stop' });
      expect((await client.next((f) => f.type === 'stt')).text).toBe('(heard 5 audio frames)');
      await client.next((f) => f.type === 'tts' && f.state === 'start');
      await client.next((f) => f.type === 'tts' && f.state === 'stop');
      expect(client.audio).toHaveLength(6);
      // Real Opus: each frame decodes to 60 ms of 24 kHz audio.
      const decoder = new OpusScript(24_000, 1);
      for (const packet of client.audio) expect(decoder.decode(packet).length).toBe(1440 * 2);
      decoder.delete();
    });
  }

  it('answers a text turn (listen detect) with stt, llm, tts and audio in order', async () => {
    const { client } = await device();
    await client.hello();
    client.sendJson({ type: 'listen', state: 'detect', text: '你好小智' });
    await client.next((f) => f.type === 'tts' && f.state === 'stop');
    const types = client.frames.map((f) => (f.type === 'tts' ? `tts:${f.state}` : f.type));
    expect(types).toEqual([
      'hello',
      'stt',
      'llm',
      'tts:start',
      'tts:sentence_start',
      'tts:sentence_start',
      'tts:stop',
    ]);
    expect(client.frames[1]).toMatchObject({ type: 'stt', text: '你好小智' });
    expect(client.frames[4]).toMatchObject({ text: 'You said: 你好小智' });
  });

  it('routes MCP both ways: the AI lists and calls a device tool, and hears the answer', async () => {
    const { client } = await device();
    await client.hello({ mcp: true });
    const init = await client.next((f) => f.type === 'mcp' && f.payload.method === 'initialize');
    client.sendJson({
      type: 'mcp',
      payload: {
        jsonrpc: '2.0',
        id: init.payload.id,
        result: { protocolVersion: '2024-11-05', capabilities: { tools: {} } },
      },
    });
    client.sendJson({ type: 'chat', text: 'use a tool please' });
    const list = await client.next((f) => f.type === 'mcp' && f.payload.method === 'tools/list');
    client.sendJson({
      type: 'mcp',
      payload: {
        jsonrpc: '2.0',
        id: list.payload.id,
        result: {
          tools: [
            {
              name: 'self.get_device_status',
              description: 'status',
              inputSchema: { type: 'object', properties: {} },
            },
          ],
        },
      },
    });
    const call = await client.next((f) => f.type === 'mcp' && f.payload.method === 'tools/call');
    expect(call.payload.params.name).toBe('self.get_device_status');
    client.sendJson({
      type: 'mcp',
      payload: {
        jsonrpc: '2.0',
        id: call.payload.id,
        result: { content: [{ type: 'text', text: 'battery 80%' }], isError: false },
      },
    });
    const llm = await client.next(
      (f) => f.type === 'llm' && typeof f.text === 'string' && f.text.startsWith('The tool'),
    );
    expect(llm.text).toBe('The tool said: battery 80%');
  });

  it('tells sessions of a broken AI stream, reconnects, and the next turn works', async () => {
    const { client } = await device();
    await client.hello();
    const before = (await t.server.fetch('/metrics')).body as string;
    ai.breakStreams();
    const lost = await client.next((f) => f.type === 'alert' && /interrupted/.test(f.message));
    expect(lost).toMatchObject({ status: 'error', emotion: 'sad', session_id: expect.any(String) });
    await client.next((f) => f.type === 'alert' && /reachable again/.test(f.message));
    await eventually(
      async () => (await t.server.fetch('/health')).body.grpc_status === 'connected',
    );
    await eventually(() => ai.openStreams() === 2);
    client.clear();
    client.sendJson({ type: 'chat', text: 'after the break' });
    expect((await client.next((f) => f.type === 'llm')).text).toBe('You said: after the break');
    const after = (await t.server.fetch('/metrics')).body as string;
    expect(counter(after, 'parley_ai_stream_reconnects_total')).toBeGreaterThan(
      counter(before, 'parley_ai_stream_reconnects_total'),
    );
  });

  it("posts each turn into the owner's conversation with the assistant, the reply streamed then committed", async () => {
    const { client, owner } = await device();
    const chat = await t.connect(owner!);
    await client.hello();
    client.sendJson({ type: 'listen', state: 'detect', text: 'what time is it' });
    await client.next((f) => f.type === 'tts' && f.state === 'stop');
    const conversationId = ['assistant', owner!.user.user_id].sort().join('_');
    const committed = await chat.next(
      (f) =>
        f.event === 'message.updated' &&
        f.data.message.status === 'sent' &&
        f.data.message.sender_id === 'assistant',
    );
    // Stored pending at its first sentence, grown by a partial update, committed once.
    const started = chat.frames.find(
      (f) => f.event === 'message.new' && f.data.message.sender_id === 'assistant',
    );
    expect(started?.data.message).toMatchObject({
      status: 'pending',
      content: { text: 'You said: what time is it' },
    });
    const partial = chat.frames.find(
      (f) => f.event === 'message.updated' && f.data.partial === true,
    );
    expect(partial?.data.message.content.text).toBe('You said: what time is it Anything else?');
    expect(partial?.data.message.seq).toBe(started?.data.message.seq);
    expect(committed.data.message.content.text).toBe('You said: what time is it Anything else?');
    const history = await t.get(`/v1/conversations/s_${conversationId}/messages`, owner);
    expect(history.status).toBe(200);
    expect(
      history.body.messages.map((m: DeviceFrame) => [m.seq, m.sender_id, m.status, m.content.text]),
    ).toEqual([
      [1, owner!.user.user_id, 'sent', 'what time is it'],
      [2, 'assistant', 'sent', 'You said: what time is it Anything else?'],
    ]);
  });

  it('reports grpc_status in /health', async () => {
    const health = await t.server.fetch('/health');
    expect(health.body.grpc_status).toBe('connected');
  });

  it('answers bad input with the alert of the contract and stays fine', async () => {
    const { client } = await device({ version: 2 });
    const alerts = () => client.frames.filter((f) => f.type === 'alert');
    client.sendJson({ type: 'listen', state: 'start' });
    await eventually(() => alerts().length === 1);
    expect(alerts()[0]).toMatchObject({
      status: 'error',
      emotion: 'sad',
      message: expect.stringContaining('hello'),
    });
    await client.hello();
    client.sendJson('{"type": "chat", "text": ');
    client.sendJson({ type: 'teleport' });
    client.sendJson({ type: 'chat', text: 42 });
    client.sendJson({ no: 'type' });
    client.sendJson([1, 2]);
    const wrongVersion = Buffer.alloc(20);
    wrongVersion.writeUInt16BE(3, 0);
    wrongVersion.writeUInt32BE(4, 12);
    client.ws.send(wrongVersion); // a header of version 3 on a version 2 connection
    const lying = Buffer.alloc(20);
    lying.writeUInt16BE(2, 0);
    lying.writeUInt32BE(999, 12);
    client.ws.send(lying);
    await eventually(() => alerts().length === 8);
    for (const alert of alerts()) {
      expect(alert).toMatchObject({ type: 'alert', status: 'error', emotion: 'sad' });
      expect(typeof alert.message).toBe('string');
    }
    expect(
      alerts()
        .map((a) => a.message)
        .join('\n'),
    ).toMatch(
      /JSON[\s\S]*teleport[\s\S]*text[\s\S]*type[\s\S]*type[\s\S]*header version 3[\s\S]*payload_size 999/,
    );
    client.sendJson({ type: 'chat', text: 'still here' });
    expect((await client.next((f) => f.type === 'llm')).text).toBe('You said: still here');
    // Larger than the frame limit: closed with 1009.
    client.ws.send(Buffer.alloc(70 * 1024));
    expect((await client.closed).code).toBe(1009);
    const { client: other } = await device();
    await other.hello();
  });

  it('records sessions, logs and events, and serves them to the owner only, paged', async () => {
    const deviceId = newMac();
    const { client, owner } = await device({ deviceId });
    const hello = await client.hello();
    client.sendJson({ type: 'listen', state: 'start', mode: 'manual' });
    for (let i = 0; i < 4; i++) client.sendAudio(opusUp);
    client.sendJson({ type: 'listen', state: 'stop' });
    await client.next((f) => f.type === 'tts' && f.state === 'stop');
    client.close();
    await client.closed;
    const sessionId = hello.session_id as string;
    const get = (path: string, who = owner!) => t.get(path, who);
    await eventually(async () =>
      (await get(`/v1/device-sessions/${sessionId}/events`)).body.events?.some(
        (e: DeviceFrame) => e.event_type === 'disconnected',
      ),
    );

    const devices = await get('/v1/devices');
    expect(devices.body.devices.map((d: DeviceFrame) => d.device_id)).toEqual([deviceId]);
    const sessions = await get(`/v1/devices/${encodeURIComponent(deviceId)}/sessions`);
    expect(sessions.body.sessions[0]).toMatchObject({
      session_id: sessionId,
      status: 'disconnected',
      device_id: deviceId,
    });
    expect(sessions.body.sessions[0].last_active_at).toBeGreaterThanOrEqual(
      sessions.body.sessions[0].connected_at,
    );

    const logs: DeviceFrame[] = [];
    let cursor: string | null = null;
    do {
      const page: { body: { logs: DeviceFrame[]; next_cursor: string | null } } = await get(
        `/v1/device-sessions/${sessionId}/logs?limit=3${cursor === null ? '' : `&cursor=${cursor}`}`,
      );
      expect(page.body.logs.length).toBeLessThanOrEqual(3);
      logs.push(...page.body.logs);
      cursor = page.body.next_cursor;
    } while (cursor !== null);
    const audio = logs.filter((l) => l.message_type === 'audio');
    expect(audio.map((l) => [l.direction, JSON.parse(l.content).frames])).toEqual([
      ['inbound', 4],
      ['outbound', 6],
    ]);
    expect(logs.filter((l) => l.direction === 'inbound').map((l) => l.message_type)).toEqual([
      'hello',
      'listen',
      'listen',
      'audio',
    ]);
    expect(logs.some((l) => l.direction === 'outbound' && l.message_type === 'stt')).toBe(true);
    // One row per JSON frame and one per turn's audio: never a row per audio frame.
    expect(logs.length).toBeLessThan(20);

    const events = await get(`/v1/device-sessions/${sessionId}/events`);
    expect(events.body.events.map((e: DeviceFrame) => e.event_type)).toEqual([
      'connected',
      'hello',
      'disconnected',
    ]);

    const stranger = await t.account('dev');
    expect(
      (await get(`/v1/devices/${encodeURIComponent(deviceId)}/sessions`, stranger)).status,
    ).toBe(404);
    expect((await get(`/v1/device-sessions/${sessionId}/logs`, stranger)).status).toBe(404);
    expect((await get(`/v1/device-sessions/${sessionId}/events`, stranger)).status).toBe(404);
    expect((await get('/v1/devices', stranger)).body.devices).toEqual([]);
  });

  it('activates a device: OTA code, bind, device token, connect', async () => {
    const deviceId = newMac();
    const headers = {
      'device-id': deviceId,
      'client-id': 'c0ffee00-0000-4000-8000-000000000001',
      'content-type': 'application/json',
    };
    const systemInfo = JSON.stringify({
      application: { version: '1.6.2', name: 'xiaozhi' },
      mac_address: deviceId,
    });
    const first = await t.server.fetch('/xiaozhi/ota/', {
      method: 'POST',
      headers,
      body: systemInfo,
    });
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({
      websocket: { url: expect.stringMatching(/^ws:\/\/.+\/xiaozhi\/v1\/$/), token: '' },
      server_time: { timestamp: expect.any(Number), timezone_offset: expect.any(Number) },
      firmware: { version: '1.6.2', url: '' },
      activation: {
        code: expect.stringMatching(/^\d{6}$/),
        message: expect.any(String),
        challenge: expect.any(String),
      },
    });
    expect(
      (await t.server.fetch('/xiaozhi/ota/activate', { method: 'POST', headers, body: '{}' }))
        .status,
    ).toBe(202);
    const owner = await t.account('dev');
    expect(
      (
        await t.post('/v1/devices/bind', owner, {
          code: '000000' === first.body.activation.code ? '000001' : '000000',
        })
      ).status,
    ).toBe(404);
    const bound = await t.post('/v1/devices/bind', owner, { code: first.body.activation.code });
    expect(bound.status).toBe(200);
    expect(bound.body.device.device_id).toBe(deviceId);
    expect(
      (await t.server.fetch('/xiaozhi/ota/activate', { method: 'POST', headers, body: '{}' }))
        .status,
    ).toBe(200);
    const again = await t.server.fetch('/xiaozhi/ota/', {
      method: 'POST',
      headers,
      body: systemInfo,
    });
    expect(again.body.activation).toBeUndefined();
    const token = again.body.websocket.token as string;
    expect(token).not.toBe('');
    const { client } = await device({ token, deviceId });
    await client.hello();
    client.sendJson({ type: 'chat', text: 'activated' });
    expect((await client.next((f) => f.type === 'llm')).text).toBe('You said: activated');
    const url = `${t.url.replace(/^http/, 'ws')}/xiaozhi/v1/`;
    const wrongDevice = await upgradeRefusal(url, {
      authorization: `Bearer ${token}`,
      'device-id': newMac(),
    });
    expect(wrongDevice.status).toBe(401);
    expect((await t.get('/v1/devices', owner)).body.devices[0].device_id).toBe(deviceId);
  });
});

describe('abort (seed 002)', () => {
  const servers = e2eServersPerTest();

  it('reaches the AI at once and stops the audio to the device', async () => {
    const ai = await startAiService({ replyFrames: 200, frameIntervalMs: 20 });
    servers.onClose(() => ai.close());
    const t = await servers.start('sqlite', { ai_addr: ai.addr });
    const owner = await t.account('abort');
    const client = await DeviceTestClient.connect(t.url, {
      token: owner.access_token,
      deviceId: newMac(),
    });
    t.onClose(() => client.close());
    await client.hello();
    client.sendJson({ type: 'chat', text: 'talk for a long time' });
    await eventually(() => client.audio.length >= 2);
    client.sendJson({ type: 'abort', reason: 'wake_word_detected' });
    await client.next((f) => f.type === 'tts' && f.state === 'stop');
    const heard = client.audio.length;
    await eventually(() => ai.stats.aborts === 1);
    // A frame the AI sent before the abort reached it is not played either.
    await new Promise((r) => setTimeout(r, 200));
    expect(client.audio.length).toBe(heard);
    expect(heard).toBeLessThan(200);
    const events = await t.get(`/v1/device-sessions/${client.frames[0]!.session_id}/events`, owner);
    await eventually(async () =>
      (
        await t.get(`/v1/device-sessions/${client.frames[0]!.session_id}/events`, owner)
      ).body.events.some((e: DeviceFrame) => e.event_type === 'aborted'),
    );
    expect(events.status).toBe(200);
  });
});

function counter(metrics: string, name: string): number {
  const line = metrics.split('\n').find((l) => l.startsWith(`${name} `));
  return line === undefined ? 0 : Number(line.split(' ')[1]);
}
