import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ENGINES,
  startTestServer,
  testStorage,
  type TestServer,
  type TestStorage,
} from '../support/test-server.js';
import { WsTestClient } from '../support/ws-test-client.js';

const PASSWORD = 'correct horse battery';

/**
 * The WebSocket gateway writes history pages from the stored JSON (no parse and re-encode);
 * REST builds them as objects. Both must say exactly the same thing.
 */
describe.each(ENGINES)('history over WebSocket and REST (%s)', (engine) => {
  let storage: TestStorage;
  let server: TestServer;
  const clients: WsTestClient[] = [];

  beforeAll(async () => {
    storage = await testStorage(engine);
    server = await startTestServer(storage);
  });
  afterAll(async () => {
    for (const c of clients) c.close();
    await server.stop();
    storage.dispose();
  });

  it('gives the same page both ways, edits, recalls and awkward text included', async () => {
    const register = (username: string) =>
      server.client().register({ username: `${engine}${username}`, password: PASSWORD });
    const alice = await register('hist_a');
    const bob = await register('hist_b');
    const a = await WsTestClient.connect(server.url, alice.access_token);
    clients.push(a);
    const contents: [string, Record<string, unknown>][] = [
      ['text', { text: 'plain' }],
      ['text', { text: 'é "quoted" \\ back\nslash ✓ 😀 \u2028 </script>' }],
      ['image', { url: 'https://example.com/a.png', width: 640, height: 480 }],
      ['location', { latitude: 52.52, longitude: 13.405, name: 'Berlin' }],
      ['text', { text: 'to be edited' }],
      ['text', { text: 'to be recalled' }],
    ];
    let conversationId = '';
    for (const [i, [type, content]] of contents.entries()) {
      const sent = await a.call('message.send', {
        to_user_id: bob.user.user_id,
        client_msg_id: `h${i}`,
        type,
        content,
      });
      conversationId = sent.message.conversation_id;
    }
    await a.call('message.edit', {
      conversation_id: conversationId,
      seq: 5,
      content: { text: 'edited ✓' },
    });
    await a.call('message.recall', { conversation_id: conversationId, seq: 6 });

    for (const query of [{}, { after_seq: 1, limit: 3 }, { before_seq: 6, limit: 2 }]) {
      const ws = await a.call('message.history', { conversation_id: conversationId, ...query });
      const search = new URLSearchParams(
        Object.entries(query).map(([k, v]) => [k, String(v)]),
      ).toString();
      const rest = await server.fetch(
        `/v1/conversations/${conversationId}/messages${search === '' ? '' : `?${search}`}`,
        { headers: { authorization: `Bearer ${alice.access_token}` } },
      );
      expect(rest.status).toBe(200);
      expect(ws).toEqual(rest.body);
    }
    const all = await a.call('message.history', { conversation_id: conversationId });
    expect(all.messages.map((m: { seq: number }) => m.seq)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(all.messages[1].content).toEqual(contents[1]?.[1]);
    expect(all.messages[4]).toMatchObject({ content: { text: 'edited ✓' } });
    expect(all.messages[4].edited_at).toEqual(expect.any(Number));
    expect(all.messages[5].status).toBe('recalled');
  });
});
