import { describe, expect, it } from 'vitest';
import type { DeviceFrame } from '../support/device-client.js';
import { deviceServer, OPUS_UPLINK_FRAME as opusUp } from '../support/device-fixture.js';
import type { Engine } from '../support/test-server.js';
import { eventually, upgradeRefusal } from '../support/ws-test-client.js';

/** On every Store engine: what a device session leaves behind, activation, the dialogue. */
const ENGINES: readonly Engine[] = ['sqlite', 'postgres', 'mysql'];

describe.each(ENGINES)('device records, activation and dialogue (%s)', (engine) => {
  const { t, device, newMac } = deviceServer(engine, `ab:${ENGINES.indexOf(engine)}0:00`);

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

  it("posts a reply given as llm text only (no tts), committed once, in the turn's order", async () => {
    const { client, owner } = await device();
    const chat = await t.connect(owner!);
    await client.hello();
    const conversationId = ['assistant', owner!.user.user_id].sort().join('_');
    const committed = (text: string) =>
      chat.next(
        (f) =>
          f.event === 'message.updated' &&
          f.data.message.status === 'sent' &&
          f.data.message.content.text === text,
      );
    // Answered in text, then the next turn at once: the text reply goes before it.
    client.sendJson({ type: 'chat', text: 'first in writing' });
    expect((await client.next((f) => f.type === 'llm')).text).toBe('You wrote: first in writing');
    client.sendJson({ type: 'chat', text: 'then aloud' });
    await client.next((f) => f.type === 'tts' && f.state === 'stop');
    await committed('You said: then aloud Anything else?');
    // A text reply with no turn after it stands as the reply once the AI has not spoken it.
    client.sendJson({ type: 'listen', state: 'detect', text: 'last in writing' });
    await committed('You wrote: last in writing');
    const history = await t.get(`/v1/conversations/s_${conversationId}/messages`, owner);
    expect(
      history.body.messages.map((m: DeviceFrame) => [m.seq, m.sender_id, m.status, m.content.text]),
    ).toEqual([
      [1, owner!.user.user_id, 'sent', 'first in writing'],
      [2, 'assistant', 'sent', 'You wrote: first in writing'],
      [3, owner!.user.user_id, 'sent', 'then aloud'],
      [4, 'assistant', 'sent', 'You said: then aloud Anything else?'],
      [5, owner!.user.user_id, 'sent', 'last in writing'],
      [6, 'assistant', 'sent', 'You wrote: last in writing'],
    ]);
    const commits = chat.frames.filter(
      (f) =>
        f.event === 'message.updated' &&
        f.data.message.status === 'sent' &&
        f.data.message.sender_id === 'assistant',
    );
    expect(commits.map((f) => f.data.message.seq)).toEqual([2, 4, 6]);
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
    // Whoever merely names the bound device's id gets no token: another Client-Id gets none,
    // and a request without one is refused.
    const strangerHeaders = { ...headers, 'client-id': 'c0ffee00-0000-4000-8000-0000000000ff' };
    const stranger = await t.server.fetch('/xiaozhi/ota/', {
      method: 'POST',
      headers: strangerHeaders,
      body: systemInfo,
    });
    expect(stranger.status).toBe(200);
    expect(stranger.body.websocket.token).toBe('');
    expect(stranger.body.activation).toBeUndefined();
    expect(
      (
        await t.server.fetch('/xiaozhi/ota/activate', {
          method: 'POST',
          headers: strangerHeaders,
          body: '{}',
        })
      ).status,
    ).toBe(202);
    const { 'client-id': _omitted, ...anonymous } = headers;
    for (const url of ['/xiaozhi/ota/', '/xiaozhi/ota/activate']) {
      const refused = await t.server.fetch(url, { method: 'POST', headers: anonymous, body: '{}' });
      expect(refused.status).toBe(400);
      expect(JSON.stringify(refused.body)).not.toContain('pdv1.');
    }
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

  it('binds the client that was shown the code: another client of the device retires it', async () => {
    const deviceId = newMac();
    const ota = (clientId: string) =>
      t.server.fetch('/xiaozhi/ota/', {
        method: 'POST',
        headers: {
          'device-id': deviceId,
          'client-id': clientId,
          'content-type': 'application/json',
        },
        body: '{}',
      });
    const real = 'c0ffee00-0000-4000-8000-00000000000a';
    const intruder = 'c0ffee00-0000-4000-8000-00000000000b';
    const shown = (await ota(real)).body.activation.code as string;
    expect((await ota(real)).body.activation.code).toBe(shown);
    const intruderCode = (await ota(intruder)).body.activation.code as string;
    expect(intruderCode).not.toBe(shown);
    const owner = await t.account('dev');
    // The code the real device showed is retired; the one typed binds the client shown it.
    expect((await t.post('/v1/devices/bind', owner, { code: shown })).status).toBe(404);
    const again = (await ota(real)).body.activation.code as string;
    expect((await t.post('/v1/devices/bind', owner, { code: again })).status).toBe(200);
    expect((await ota(intruder)).body.websocket.token).toBe('');
    expect((await ota(real)).body.websocket.token).toMatch(/^pdv1\./);
  });
});
