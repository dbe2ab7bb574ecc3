import { MessageType } from '@parley/proto';
import OpusScript from 'opusscript';
import { describe, expect, it } from 'vitest';
import type { DeviceFrame } from '../support/device-client.js';
import { deviceServer, OPUS_UPLINK_FRAME as opusUp } from '../support/device-fixture.js';
import { eventually, upgradeRefusal } from '../support/ws-test-client.js';

describe('the device endpoint (seed 002, DEVICES.md)', () => {
  const { t, device, newMac, ai: aiService } = deviceServer('sqlite', 'aa:bb:cc:00');
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
      const relayed = async () => {
        const metrics = (await t.server.fetch('/metrics')).body as string;
        const count = (direction: string) =>
          counter(metrics, `parley_device_audio_frames_total{direction="${direction}"}`);
        return { up: count('up'), down: count('down') };
      };
      const before = await relayed();
      await client.hello();
      client.sendJson({ type: 'listen', state: 'start', mode: 'auto' });
      for (let i = 0; i < 5; i++) client.sendAudio(opusUp, i * 60);
      client.sendJson({ type: 'listen', state: 'stop' });
      expect((await client.next((f) => f.type === 'stt')).text).toBe('(heard 5 audio frames)');
      await client.next((f) => f.type === 'tts' && f.state === 'start');
      await client.next((f) => f.type === 'tts' && f.state === 'stop');
      expect(client.audio).toHaveLength(6);
      // Audio after listen stop is dropped: the next turn hears only its own frames.
      for (let i = 0; i < 3; i++) client.sendAudio(opusUp);
      client.sendJson({ type: 'listen', state: 'start', mode: 'manual' });
      client.sendAudio(opusUp);
      client.sendJson({ type: 'listen', state: 'stop' });
      await client.next((f) => f.type === 'stt' && f.text === '(heard 1 audio frames)');
      await client.next((f) => f.type === 'tts' && f.state === 'stop');
      // Relayed frames are counted (the three outside a listen are not); the server is shared
      // with other devices' tests, whose replies may still be counted downward meanwhile.
      const after = await relayed();
      expect(after.up - before.up).toBe(6);
      expect(after.down - before.down).toBeGreaterThanOrEqual(client.audio.length);
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

  it('passes vision and image frames to the AI as VISION and IMAGE requests of the session', async () => {
    const deviceId = newMac();
    const { client } = await device({ deviceId });
    const hello = await client.hello();
    const picture = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0xff]);
    client.sendJson({
      type: 'vision',
      url: 'https://camera.example/frame.jpg',
      mime: 'image/jpeg',
      question: 'what is on the table?',
    });
    // The seed's envelope form, with the picture inline (base64).
    client.sendJson({
      type: 'image',
      data: { data: picture.toString('base64'), mime: 'image/png' },
      timestamp: Date.now(),
    });
    const ofSession = () =>
      aiService().stats.recent.filter((r) => r.sessionId === hello.session_id);
    await eventually(() => ofSession().some((r) => r.image !== undefined));
    const vision = ofSession().find((r) => r.vision !== undefined);
    expect(vision).toMatchObject({
      type: MessageType.MESSAGE_TYPE_VISION,
      deviceId,
      sessionId: hello.session_id,
      vision: {
        url: 'https://camera.example/frame.jpg',
        mime: 'image/jpeg',
        question: 'what is on the table?',
      },
    });
    expect(vision?.vision?.data.length).toBe(0);
    expect(vision?.image).toBeUndefined();
    const image = ofSession().find((r) => r.image !== undefined);
    expect(image).toMatchObject({
      type: MessageType.MESSAGE_TYPE_IMAGE,
      deviceId,
      image: { url: '', mime: 'image/png', question: '' },
    });
    expect(Buffer.from(image!.image!.data).equals(picture)).toBe(true);
    // Accepted without complaint: no alert, and the session goes on.
    client.sendJson({ type: 'chat', text: 'after the pictures' });
    expect((await client.next((f) => f.type === 'llm')).text).toBe('You said: after the pictures');
    expect(client.frames.filter((f) => f.type === 'alert')).toEqual([]);
  });

  it('passes legacy iot frames on to the AI as MCP content of type UNSPECIFIED', async () => {
    const deviceId = newMac();
    const { client } = await device({ deviceId });
    const hello = await client.hello();
    const descriptors = {
      type: 'iot',
      session_id: hello.session_id,
      update: true,
      descriptors: [
        {
          name: 'Speaker',
          description: 'The speaker',
          properties: { volume: { description: 'volume', type: 'number' } },
          methods: { SetVolume: { description: 'set the volume', parameters: {} } },
        },
      ],
    };
    const states = {
      type: 'iot',
      session_id: hello.session_id,
      update: true,
      states: [{ name: 'Speaker', state: { volume: 70 } }],
    };
    client.sendJson(descriptors);
    client.sendJson(states);
    const iot = () =>
      aiService().stats.recent.filter(
        (r) => r.sessionId === hello.session_id && r.type === MessageType.MESSAGE_TYPE_UNSPECIFIED,
      );
    await eventually(() => iot().length === 2);
    expect(iot().map((r) => r.deviceId)).toEqual([deviceId, deviceId]);
    // Passed on as the device sent them, in order.
    expect(iot().map((r) => JSON.parse(r.mcp!.payloadJson) as unknown)).toEqual([
      descriptors,
      states,
    ]);
    client.sendJson({ type: 'chat', text: 'after iot' });
    expect((await client.next((f) => f.type === 'llm')).text).toBe('You said: after iot');
    expect(client.frames.filter((f) => f.type === 'alert')).toEqual([]);
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
    aiService().breakStreams();
    const lost = await client.next((f) => f.type === 'alert' && /interrupted/.test(f.message));
    expect(lost).toMatchObject({ status: 'error', emotion: 'sad', session_id: expect.any(String) });
    await client.next((f) => f.type === 'alert' && /reachable again/.test(f.message));
    await eventually(
      async () => (await t.server.fetch('/health')).body.grpc_status === 'connected',
    );
    await eventually(() => aiService().openStreams() === 2);
    client.clear();
    client.sendJson({ type: 'chat', text: 'after the break' });
    expect((await client.next((f) => f.type === 'llm')).text).toBe('You said: after the break');
    const after = (await t.server.fetch('/metrics')).body as string;
    expect(counter(after, 'parley_ai_stream_reconnects_total')).toBeGreaterThan(
      counter(before, 'parley_ai_stream_reconnects_total'),
    );
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
});

describe('abort (seed 002)', () => {
  // A long reply (200 frames, 20 ms apart): the abort surely lands in the middle of it.
  const { t, device, ai } = deviceServer('sqlite', 'aa:bb:cc:01', {
    replyFrames: 200,
    frameIntervalMs: 20,
  });

  it('reaches the AI at once and stops the audio to the device', async () => {
    const { client, owner } = await device();
    const hello = await client.hello();
    client.sendJson({ type: 'chat', text: 'talk for a long time' });
    await eventually(() => client.audio.length >= 2);
    client.sendJson({ type: 'abort', reason: 'wake_word_detected' });
    await client.next((f) => f.type === 'tts' && f.state === 'stop');
    const heard = client.audio.length;
    await eventually(() => ai().stats.aborts === 1);
    // A frame the AI sent before the abort reached it is not played either.
    await new Promise((r) => setTimeout(r, 200));
    expect(client.audio.length).toBe(heard);
    expect(heard).toBeLessThan(200);
    // The journal writes the session and its events within 250 ms: until then, a 404.
    await eventually(async () => {
      const events = await t.get(`/v1/device-sessions/${hello.session_id}/events`, owner!);
      return (
        events.status === 200 &&
        events.body.events.some((e: DeviceFrame) => e.event_type === 'aborted')
      );
    });
  });
});

function counter(metrics: string, name: string): number {
  const line = metrics.split('\n').find((l) => l.startsWith(`${name} `));
  return line === undefined ? 0 : Number(line.split(' ')[1]);
}
