import { describe, expect, it } from 'vitest';
import { expectError } from '../support/expect-error.js';
import { e2eServer } from '../support/e2e-fixture.js';
import { ENGINES } from '../support/test-server.js';

/** `{"a":{"a":…{"a":1}…}}` nested `depth` objects deep, as text. */
const nestedText = (depth: number): string => '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);
/** `[[[…[1]…]]]` nested `depth` arrays deep, as text. */
const nestedArrays = (depth: number): string => '['.repeat(depth) + '1' + ']'.repeat(depth);

describe.each(ENGINES)('JSON nesting depth at every edge (%s)', (engine) => {
  const { account, post, get, patch, connect } = e2eServer(engine, { signup_limit: 100_000 });
  const user = () => account('deep');

  it('refuses deeply nested content over REST and WS with INVALID_ARGUMENT, and the lobby stays readable', async () => {
    const alice = await user();
    const bob = await user();
    for (const u of [alice, bob]) {
      const joined = await post('/v1/conversations/w_lobby/join', u);
      expect(joined.status).toBeLessThan(300);
    }
    const ws = await connect(bob);

    for (const depth of [33, 4_100, 20_000, 100_000]) {
      const body = `{"client_msg_id":"deep-${depth}","type":"custom","content":{"data":${nestedText(depth)}}}`;
      const rest = await post('/v1/conversations/w_lobby/messages', alice, body);
      expectError(rest, 400, 'INVALID_ARGUMENT');
      expect(rest.body.error.message).toMatch(/nest/i);

      const frame = `{"id":"d${depth}","op":"message.send","data":{"conversation_id":"w_lobby","client_msg_id":"wsdeep-${depth}","type":"custom","content":{"data":${nestedArrays(depth)}}}}`;
      ws.ws.send(frame);
      const reply = await ws.next((f) => f.id === `d${depth}`);
      expect(reply.ok).toBe(false);
      expect(reply.error?.code).toBe('INVALID_ARGUMENT');
    }
    // Up to 32 levels is fine.
    const ok = await post(
      '/v1/conversations/w_lobby/messages',
      alice,
      `{"client_msg_id":"fine","type":"custom","content":{"data":${nestedText(30)}}}`,
    );
    expect(ok.status).toBe(201);

    for (const who of [alice, bob]) {
      expect((await get('/v1/conversations', who)).status).toBe(200);
      expect((await get('/v1/conversations/w_lobby/messages', who)).status).toBe(200);
      expect((await get('/v1/conversations/w_lobby', who)).status).toBe(200);
    }
    expect((await ws.request('conversation.list', {})).ok).toBe(true);
    expect((await ws.request('conversation.get', { conversation_id: 'w_lobby' })).ok).toBe(true);
    ws.close();
  });

  it('refuses deep nesting in any body, not only in content', async () => {
    const alice = await user();
    for (const depth of [33, 100_000]) {
      const res = await patch('/v1/users/me', alice, `{"nickname":${nestedText(depth)}}`);
      expectError(res, 400, 'INVALID_ARGUMENT');
      const reg = await post('/v1/auth/register', undefined, nestedArrays(depth));
      expectError(reg, 400, 'INVALID_ARGUMENT');
    }
  });
});

describe.each(ENGINES)('reads of stored data survive one bad row (%s)', (engine) => {
  const t = e2eServer(engine);

  it('serves the lobby, its history and the conversation list around poisoned rows', async () => {
    const reader = await t.account('reader');
    const { server } = t;
    expect((await t.post('/v1/conversations/w_lobby/join', reader)).status).toBe(200);
    // Rows written before the depth bound existed, or edited by hand.
    const poisons = [nestedText(4_100), nestedArrays(50_000), '{not json', '[1,2]'];
    await server.parley.store.messages.appendBatch(
      poisons.map((content, i) => ({
        id: `01JPOISON00000000000000000${i}`,
        conversationId: 'w_lobby',
        senderId: reader.user.user_id,
        clientMsgId: `poison-${i}`,
        type: 'custom',
        content,
        status: 'sent' as const,
        createdAt: Date.now(),
      })),
    );

    const list = await t.get('/v1/conversations', reader);
    expect(list.status).toBe(200);
    const history = await t.get('/v1/conversations/w_lobby/messages?limit=100', reader);
    expect(history.status).toBe(200);
    const poisoned = (
      history.body.messages as { client_msg_id: string; content: unknown }[]
    ).filter((m) => m.client_msg_id.startsWith('poison-'));
    expect(poisoned).toHaveLength(poisons.length);
    for (const m of poisoned) expect(m.content).toEqual({ unreadable: true });
    expect((await t.get('/v1/conversations/w_lobby', reader)).status).toBe(200);

    const ws = await t.connect(reader);
    expect((await ws.request('conversation.list', {})).ok).toBe(true);
    expect((await ws.request('conversation.get', { conversation_id: 'w_lobby' })).ok).toBe(true);
    const page = await ws.call('message.history', { conversation_id: 'w_lobby', limit: 100 });
    expect(
      page.messages.filter((m: { content: unknown }) => 'unreadable' in (m.content as object)),
    ).toHaveLength(poisons.length);
    ws.close();
  });
});
