import { ParleyClient, ParleyError, ParleyHttpClient, type Message } from '@parley/client';
import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { cliServer } from '../support/cli-server.js';
import { e2eServersPerTest, PASSWORD } from '../support/e2e-fixture.js';
import { testStorage } from '../support/test-server.js';
import { eventually } from '../support/ws-test-client.js';

const WS = WebSocket as unknown as ConstructorParameters<typeof ParleyClient>[0]['WebSocket'];

describe('@parley/client against a real server', () => {
  const { start: startServer, onClose } = e2eServersPerTest();

  it('connects, sends through the outbox, and delivers typed events to the peer', async () => {
    const t = await startServer('sqlite');
    const { server } = t;
    const alice = await t.account('sdk_alice');
    const bob = await t.account('sdk_bob');
    const a = new ParleyClient({ url: server.url, token: alice.access_token, WebSocket: WS });
    const b = new ParleyClient({ url: server.url, token: () => bob.access_token, WebSocket: WS });
    onClose(
      () => a.close(),
      () => b.close(),
    );
    expect((await a.connect()).user.user_id).toBe(alice.user.user_id);
    await b.connect();
    const received: Message[] = [];
    b.on('message.new', ({ message }) => received.push(message));

    const sent = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        a.send({ to_user_id: bob.user.user_id, type: 'text', content: { text: `n${i}` } }),
      ),
    );
    // One target's sends are stored in the order they were made.
    expect(sent.map((m) => m.seq)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    expect(sent.map((m) => m.content.text)).toEqual(Array.from({ length: 20 }, (_, i) => `n${i}`));
    await eventually(() => received.length === 20);
    expect(received).toEqual(sent);
    expect(b.lastSeq(sent[0]!.conversation_id)).toBe(20);

    const err = await a
      .send({ to_user_id: bob.user.user_id, type: 'text', content: { text: '' } })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ParleyError);
    expect((err as ParleyError).code).toBe('INVALID_ARGUMENT');
    expect((err as ParleyError).reason).toBe('INVALID_ARGUMENT');
    const missing = (await b.history('g_none').catch((e: unknown) => e)) as ParleyError;
    expect([missing.code, missing.reason]).toEqual(['NOT_FOUND', 'CONVERSATION_NOT_FOUND']);
    const page = await b.history(sent[0]!.conversation_id, { after_seq: 18 });
    expect(page.messages.map((m) => m.seq)).toEqual([19, 20]);
  });

  it('survives a SIGKILL of the server: the outbox resends with the same ids, the peer catches up, nothing is lost or doubled', async () => {
    const storage = await testStorage('sqlite');
    onClose(() => storage.dispose());
    const { url, start } = await cliServer(storage, onClose);
    let server = await start();
    const http = new ParleyHttpClient({ baseUrl: url });
    const alice = await http.register({ username: 'kill_alice', password: PASSWORD });
    const bob = await http.register({ username: 'kill_bob', password: PASSWORD });
    const fast = { initialDelayMs: 50, maxDelayMs: 300 };
    const a = new ParleyClient({ url, token: alice.access_token, WebSocket: WS, reconnect: fast });
    const b = new ParleyClient({ url, token: bob.access_token, WebSocket: WS, reconnect: fast });
    onClose(
      () => a.close(),
      () => b.close(),
    );
    await a.connect();
    await b.connect();
    const seen: number[] = [];
    b.on('message.new', ({ message }) => seen.push(message.seq));
    let caughtUp = 0;
    b.on('caught_up', () => caughtUp++);

    const first = await a.send({
      to_user_id: bob.user.user_id,
      type: 'text',
      content: { text: 'first' },
    });
    const sends: Promise<Message>[] = [];
    for (let i = 0; i < 200; i++) {
      sends.push(
        a.send({
          conversation_id: first.conversation_id,
          type: 'text',
          content: { text: `t${i}` },
        }),
      );
      if (i === 60) {
        server.signal('SIGKILL');
        await server.exited;
      }
      if (i === 120) server = await start();
    }
    const stored = await Promise.all(sends);
    await eventually(() => caughtUp > 0 && seen.length >= 201, 15_000);

    // Every send resolved once, in order, with seqs 2..201: no loss, no duplicate.
    expect(stored.map((m) => m.seq)).toEqual(Array.from({ length: 200 }, (_, i) => i + 2));
    expect(new Set(stored.map((m) => m.client_msg_id)).size).toBe(200);
    // The peer saw every seq exactly once, live or by catching up.
    expect([...seen].sort((x, y) => x - y)).toEqual(Array.from({ length: 201 }, (_, i) => i + 1));
    http.setAccessToken(bob.access_token);
    const { conversation } = await http.request<{ conversation: { max_seq: number } }>(
      'GET',
      `/v1/conversations/${first.conversation_id}`,
    );
    expect(conversation.max_seq).toBe(201);
  });
});
