import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { e2eServer, e2eServersPerTest } from '../support/e2e-fixture.js';
import { eventually, type Frame, type WsTestClient } from '../support/ws-test-client.js';

describe('the gateway under bad input and load', () => {
  const t = e2eServer('sqlite', {
    ws_rate_per_second: 50,
    ws_rate_burst: 50,
    ws_max_frame_bytes: 256 * 1024,
    max_content_bytes: 8 * 1024,
  });
  const account = () => t.account('limits');
  const { connect } = t;

  it('answers malformed frames, unknown ops and invalid data with errors and stays open', async () => {
    const alice = await account();
    const a = await connect(alice);
    const sendRaw = (text: string) => a.ws.send(text);
    sendRaw('not json');
    sendRaw('[1, 2, 3]');
    sendRaw('{"id": 7}');
    sendRaw('{"id": "x", "op": 42}');
    a.ws.send(Buffer.from([1, 2, 3]), { binary: true });
    await eventually(() => a.frames.filter((f) => f.ok === false).length === 5);
    for (const frame of a.frames.filter((f) => f.ok === false)) {
      expect(frame.error?.code).toBe('INVALID_ARGUMENT');
    }
    expect(a.frames.find((f) => f.id === 7)).toBeDefined();

    expect((await a.request('no.such.op', {})).error).toMatchObject({
      code: 'INVALID_ARGUMENT',
      message: expect.stringContaining('no.such.op'),
    });
    expect((await a.request('message.send', { to_user_id: 42 })).error?.code).toBe(
      'INVALID_ARGUMENT',
    );
    expect(
      (await a.request('message.history', { conversation_id: 'x', limit: 1000 })).error?.code,
    ).toBe('INVALID_ARGUMENT');
    const bob = await account();
    const unknownType = await a.request('message.send', {
      to_user_id: bob.user.user_id,
      client_msg_id: 'u',
      type: 'red_packet',
      content: { amount: 1 },
    });
    expect(unknownType.error).toMatchObject({
      code: 'INVALID_ARGUMENT',
      message: expect.stringContaining('red_packet'),
    });
    const badContent = await a.request('message.send', {
      to_user_id: bob.user.user_id,
      client_msg_id: 'b',
      type: 'location',
      content: { latitude: 91, longitude: 0 },
    });
    expect(badContent.error?.code).toBe('INVALID_ARGUMENT');
    const tooMuch = await a.request('message.send', {
      to_user_id: bob.user.user_id,
      client_msg_id: 'big',
      type: 'text',
      content: { text: 'x'.repeat(9 * 1024) },
    });
    expect(tooMuch.error).toMatchObject({
      code: 'INVALID_ARGUMENT',
      message: expect.stringContaining('8192'),
    });
    expect(await a.call('ping')).toEqual({});
  });

  it('closes a connection that sends a frame over the limit with 1009, and only that one', async () => {
    const alice = await account();
    const a = await connect(alice);
    const other = await connect(await account());
    a.ws.send(JSON.stringify({ id: 1, op: 'ping', data: { pad: 'x'.repeat(300 * 1024) } }));
    expect((await a.closed).code).toBe(1009);
    expect(await other.call('ping')).toEqual({});
  });

  it('answers a flood with RESOURCE_EXHAUSTED beyond the rate limit, then recovers', async () => {
    const alice = await account();
    const a = await connect(alice);
    const replies = await Promise.all(Array.from({ length: 120 }, () => a.request('ping', {})));
    const limited = replies.filter((r) => r.error?.code === 'RESOURCE_EXHAUSTED').length;
    expect(limited).toBeGreaterThan(0);
    expect(replies.filter((r) => r.ok).length).toBeGreaterThanOrEqual(50);
    await new Promise((r) => setTimeout(r, 200));
    expect(await a.call('ping')).toEqual({});
  });
});

describe('a burst on one connection', () => {
  // The default burst and in-flight bound; one token a second, so the burst is all there is.
  const t = e2eServer('sqlite', { ws_rate_per_second: 1 });

  /** Sends `count` pings at once and returns their replies. */
  async function pipelinedPings(client: WsTestClient, count: number): Promise<Frame[]> {
    const ids = Array.from({ length: count }, (_, i) => `burst-${i}`);
    const text = ids.map((id) => JSON.stringify({ id, op: 'ping', data: {} }));
    for (const frame of text) client.ws.send(frame);
    return Promise.all(ids.map((id) => client.next((f) => f.id === id, 15_000)));
  }

  it('answers 1,000 pipelined requests, every one of them ok', async () => {
    const alice = await t.account('burster');
    const a = await t.connect(alice);
    const replies = await pipelinedPings(a, 1_000);
    expect(replies.filter((r) => r.ok !== true)).toEqual([]);
    a.close();
  });

  it('refuses what goes beyond the burst with RESOURCE_EXHAUSTED', async () => {
    const bob = await t.account('overburster');
    const b = await t.connect(bob);
    const replies = await pipelinedPings(b, 1_100);
    const ok = replies.filter((r) => r.ok === true).length;
    const limited = replies.filter((r) => r.error?.code === 'RESOURCE_EXHAUSTED').length;
    expect(ok + limited).toBe(1_100);
    expect(ok).toBeGreaterThanOrEqual(1_000);
    expect(limited).toBeGreaterThan(0);
    b.close();
  });
});

describe('slow consumers', () => {
  // Room for a few messages: a reader that falls behind briefly on a busy machine is not cut.
  const t = e2eServer('sqlite', { ws_send_queue_bytes: 512 * 1024 });
  const account = () => t.account('slow');
  const { connect } = t;

  it('cuts off a consumer that stops reading, while a reading one gets everything', async () => {
    const alice = await account();
    const bob = await account();
    const carol = await account();
    const sender = await connect(alice);
    await sender.call('conversation.join', { conversation_id: 'w_lobby' });
    const slowAuth = bob.access_token;
    await t.server.client(slowAuth).request('POST', '/v1/conversations/w_lobby/join');
    await t.server.client(carol.access_token).request('POST', '/v1/conversations/w_lobby/join');
    const reader = await connect(carol);

    // A client that stops reading its socket: the kernel buffers fill, then the server's queue.
    const slow = new WebSocket(`${t.server.url.replace('http', 'ws')}/v1/ws`, {
      headers: { authorization: `Bearer ${slowAuth}` },
    });
    await new Promise((resolve) => slow.once('message', resolve));
    (slow as unknown as { _socket: { pause(): void } })._socket.pause();
    const before = t.server.parley.connectionCount();

    // 60 KiB messages until the server gives up on the reader that stopped (socket buffers
    // on loopback can take tens of MiB first); capped at ~120 MiB.
    const text = 'y'.repeat(60 * 1024);
    let total = 0;
    for (let i = 0; i < 2_000 && t.server.parley.connectionCount() === before; i += 50) {
      total += 50;
      await Promise.all(
        Array.from({ length: 50 }, (_, j) =>
          sender.call('message.send', {
            conversation_id: 'w_lobby',
            client_msg_id: `flood-${i + j}`,
            type: 'text',
            content: { text },
          }),
        ),
      );
    }
    await eventually(() => t.server.parley.connectionCount() === before - 1, 5_000);
    const metrics = (await t.server.fetch('/metrics')).body as string;
    expect(
      Number(/parley_ws_slow_consumer_closes_total (\d+)/.exec(metrics)?.[1]),
    ).toBeGreaterThanOrEqual(1);
    await eventually(() => reader.events('message.new').length === total, 10_000);
    expect(await reader.call('ping')).toEqual({});
    slow.terminate();
  });
});

describe('large replies', () => {
  const { start } = e2eServersPerTest();

  it('reach a reader that keeps up, even past the send-queue bound', async () => {
    // A queue far smaller than one reply: only bytes already waiting count against it.
    const server = await start('sqlite', { ws_send_queue_bytes: 64 * 1024 });
    const alice = await server.account('large_a');
    const bob = await server.account('large_b');
    const a = await server.connect(alice);
    let conversationId = '';
    for (let i = 0; i < 4; i++) {
      const sent = await a.call('message.send', {
        to_user_id: bob.user.user_id,
        client_msg_id: `large${i}`,
        type: 'text',
        content: { text: 'z'.repeat(50 * 1024) },
      });
      conversationId = sent.message.conversation_id;
    }
    const page = await a.call('message.history', { conversation_id: conversationId });
    expect(page.messages.map((m: { seq: number }) => m.seq)).toEqual([1, 2, 3, 4]);
    expect(await a.call('ping')).toEqual({});
    a.close();
  });
});

describe('idle connections', () => {
  const { start } = e2eServersPerTest();

  it('are closed with 4000 after the idle timeout', async () => {
    const server = await start('sqlite', { ws_idle_timeout: 1, ws_ping_interval: 3600 });
    const alice = await server.account('idler');
    const a = await server.connect(alice);
    const started = Date.now();
    expect((await a.closed).code).toBe(4000);
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
  });

  it('stay open while they answer the server pings', async () => {
    const server = await start('sqlite', { ws_idle_timeout: 2, ws_ping_interval: 1 });
    const alice = await server.account('pinger');
    const a = await server.connect(alice);
    await new Promise((r) => setTimeout(r, 3_500));
    expect(await a.call('ping')).toEqual({});
    a.close();
  });
});
