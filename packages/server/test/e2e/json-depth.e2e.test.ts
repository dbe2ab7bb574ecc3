import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectError } from '../support/expect-error.js';
import {
  ENGINES,
  json,
  startTestServer,
  testStorage,
  type TestServer,
  type TestStorage,
} from '../support/test-server.js';
import { WsTestClient } from '../support/ws-test-client.js';

const PASSWORD = 'correct horse battery';

/** `{"a":{"a":…{"a":1}…}}` nested `depth` objects deep, as text. */
const nestedText = (depth: number): string => '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);
/** `[[[…[1]…]]]` nested `depth` arrays deep, as text. */
const nestedArrays = (depth: number): string => '['.repeat(depth) + '1' + ']'.repeat(depth);

describe.each(ENGINES)('JSON nesting depth at every edge (%s)', (engine) => {
  let storage: TestStorage;
  let server: TestServer;
  let n = 0;

  beforeAll(async () => {
    storage = await testStorage(engine);
    server = await startTestServer(storage, { signup_limit: 100_000 });
  });
  afterAll(async () => {
    await server.stop();
    storage.dispose();
  });

  async function user() {
    const res = await server.fetch(
      '/v1/auth/register',
      json({ username: `deep${n++}`, password: PASSWORD }),
    );
    expect(res.status).toBe(201);
    const body = res.body as { access_token: string; user: { user_id: string } };
    return { token: body.access_token, id: body.user.user_id };
  }
  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

  it('refuses deeply nested content over REST and WS with INVALID_ARGUMENT, and the lobby stays readable', async () => {
    const alice = await user();
    const bob = await user();
    for (const u of [alice, bob]) {
      const joined = await server.fetch(
        '/v1/conversations/w_lobby/join',
        json({}, bearer(u.token)),
      );
      expect(joined.status).toBeLessThan(300);
    }
    const ws = await WsTestClient.connect(server.url, bob.token);

    for (const depth of [33, 4_100, 20_000, 100_000]) {
      const body = `{"client_msg_id":"deep-${depth}","type":"custom","content":{"data":${nestedText(depth)}}}`;
      const rest = await server.fetch(
        '/v1/conversations/w_lobby/messages',
        json(body, bearer(alice.token)),
      );
      expectError(rest, 400, 'INVALID_ARGUMENT');
      expect(rest.body.error.message).toMatch(/nest/i);

      const frame = `{"id":"d${depth}","op":"message.send","data":{"conversation_id":"w_lobby","client_msg_id":"wsdeep-${depth}","type":"custom","content":{"data":${nestedArrays(depth)}}}}`;
      ws.ws.send(frame);
      const reply = await ws.next((f) => f.id === `d${depth}`);
      expect(reply.ok).toBe(false);
      expect(reply.error?.code).toBe('INVALID_ARGUMENT');
    }
    // Up to 32 levels is fine.
    const ok = await server.fetch(
      '/v1/conversations/w_lobby/messages',
      json(
        `{"client_msg_id":"fine","type":"custom","content":{"data":${nestedText(30)}}}`,
        bearer(alice.token),
      ),
    );
    expect(ok.status).toBe(201);

    for (const token of [alice.token, bob.token]) {
      expect((await server.fetch('/v1/conversations', { headers: bearer(token) })).status).toBe(
        200,
      );
      expect(
        (await server.fetch('/v1/conversations/w_lobby/messages', { headers: bearer(token) }))
          .status,
      ).toBe(200);
      expect(
        (await server.fetch('/v1/conversations/w_lobby', { headers: bearer(token) })).status,
      ).toBe(200);
    }
    expect((await ws.request('conversation.list', {})).ok).toBe(true);
    expect((await ws.request('conversation.get', { conversation_id: 'w_lobby' })).ok).toBe(true);
    ws.close();
  });

  it('refuses deep nesting in any body, not only in content', async () => {
    const alice = await user();
    for (const depth of [33, 100_000]) {
      const res = await server.fetch('/v1/users/me', {
        ...json(`{"nickname":${nestedText(depth)}}`, bearer(alice.token)),
        method: 'PATCH',
      });
      expectError(res, 400, 'INVALID_ARGUMENT');
      const reg = await server.fetch('/v1/auth/register', json(nestedArrays(depth)));
      expectError(reg, 400, 'INVALID_ARGUMENT');
    }
  });
});

describe.each(ENGINES)('reads of stored data survive one bad row (%s)', (engine) => {
  let storage: TestStorage;
  let server: TestServer;

  beforeAll(async () => {
    storage = await testStorage(engine);
    server = await startTestServer(storage);
  });
  afterAll(async () => {
    await server.stop();
    storage.dispose();
  });

  it('serves the lobby, its history and the conversation list around poisoned rows', async () => {
    const res = await server.fetch(
      '/v1/auth/register',
      json({ username: 'reader', password: PASSWORD }),
    );
    const { access_token: token, user } = res.body as {
      access_token: string;
      user: { user_id: string };
    };
    const headers = { authorization: `Bearer ${token}` };
    expect((await server.fetch('/v1/conversations/w_lobby/join', json({}, headers))).status).toBe(
      200,
    );
    // Rows written before the depth bound existed, or edited by hand.
    const poisons = [nestedText(4_100), nestedArrays(50_000), '{not json', '[1,2]'];
    await server.parley.store.messages.appendBatch(
      poisons.map((content, i) => ({
        id: `01JPOISON00000000000000000${i}`,
        conversationId: 'w_lobby',
        senderId: user.user_id,
        clientMsgId: `poison-${i}`,
        type: 'custom',
        content,
        status: 'sent' as const,
        createdAt: Date.now(),
      })),
    );

    const list = await server.fetch('/v1/conversations', { headers });
    expect(list.status).toBe(200);
    const history = await server.fetch('/v1/conversations/w_lobby/messages?limit=100', { headers });
    expect(history.status).toBe(200);
    const poisoned = (
      history.body.messages as { client_msg_id: string; content: unknown }[]
    ).filter((m) => m.client_msg_id.startsWith('poison-'));
    expect(poisoned).toHaveLength(poisons.length);
    for (const m of poisoned) expect(m.content).toEqual({ unreadable: true });
    expect((await server.fetch('/v1/conversations/w_lobby', { headers })).status).toBe(200);

    const ws = await WsTestClient.connect(server.url, token);
    expect((await ws.request('conversation.list', {})).ok).toBe(true);
    expect((await ws.request('conversation.get', { conversation_id: 'w_lobby' })).ok).toBe(true);
    const page = await ws.call('message.history', { conversation_id: 'w_lobby', limit: 100 });
    expect(
      page.messages.filter((m: { content: unknown }) => 'unreadable' in (m.content as object)),
    ).toHaveLength(poisons.length);
    ws.close();
  });
});
