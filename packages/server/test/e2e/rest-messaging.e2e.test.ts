import { describe, expect, it } from 'vitest';
import { e2eServer } from '../support/e2e-fixture.js';
import { expectError } from '../support/expect-error.js';
import { ENGINES, json } from '../support/test-server.js';

describe.each(ENGINES)('conversations and messages over REST (%s)', (engine) => {
  const t = e2eServer(engine);

  async function pair() {
    const alice = await t.account('rest');
    const bob = await t.account('rest');
    return { alice, bob, a: t.bearer(alice), b: t.bearer(bob) };
  }

  it('opens the single conversation: 201 the first time, 200 after, the same id from both sides', async () => {
    const { alice, bob, a, b } = await pair();
    const first = await t.server.fetch('/v1/conversations', json({ user_id: bob.user.user_id }, a));
    expect(first.status).toBe(201);
    expect(first.body.conversation).toMatchObject({
      type: 'single',
      max_seq: 0,
      unread_count: 0,
      last_message: null,
      member_count: 2,
      peer: { user_id: bob.user.user_id, username: bob.user.username },
    });
    const again = await t.server.fetch(
      '/v1/conversations',
      json({ user_id: alice.user.user_id }, b),
    );
    expect(again.status).toBe(200);
    expect(again.body.conversation.conversation_id).toBe(first.body.conversation.conversation_id);
    expect(again.body.conversation.peer.user_id).toBe(alice.user.user_id);
    expectError(
      await t.server.fetch('/v1/conversations', json({ user_id: alice.user.user_id }, a)),
      400,
      'INVALID_ARGUMENT',
    );
    expectError(
      await t.server.fetch('/v1/conversations', json({ user_id: '01NOBODY' }, a)),
      404,
      'NOT_FOUND',
    );
  });

  it('sends (201, 200 with the original on a retry), lists, pages history and marks read', async () => {
    const { bob, a, b } = await pair();
    const open = await t.server.fetch('/v1/conversations', json({ user_id: bob.user.user_id }, a));
    const id = open.body.conversation.conversation_id as string;
    const path = `/v1/conversations/${id}/messages`;
    const sent = [];
    for (let i = 0; i < 5; i++) {
      const res = await t.server.fetch(
        path,
        json({ client_msg_id: `r${i}`, type: 'text', content: { text: `m${i}` } }, a),
      );
      expect(res.status).toBe(201);
      sent.push(res.body.message);
    }
    expect(sent.map((m) => m.seq)).toEqual([1, 2, 3, 4, 5]);
    const retry = await t.server.fetch(
      path,
      json({ client_msg_id: 'r2', type: 'text', content: { text: 'other' } }, a),
    );
    expect(retry.status).toBe(200);
    expect(retry.body.message).toEqual(sent[2]);

    const list = await t.server.fetch('/v1/conversations', { headers: b });
    expect(list.body.conversations[0]).toMatchObject({
      conversation_id: id,
      max_seq: 5,
      unread_count: 5,
      read_seq: 0,
    });
    expect(list.body.conversations[0].last_message).toEqual(sent[4]);

    const older = await t.server.fetch(`${path}?before_seq=4&limit=2`, { headers: b });
    expect(older.body).toEqual({ messages: [sent[1], sent[2]], has_more: true });
    const newer = await t.server.fetch(`${path}?after_seq=3`, { headers: b });
    expect(newer.body).toEqual({ messages: [sent[3], sent[4]], has_more: false });
    expectError(await t.server.fetch(`${path}?limit=101`, { headers: b }), 400, 'INVALID_ARGUMENT');
    expectError(
      await t.server.fetch(`${path}?after_seq=-1`, { headers: b }),
      400,
      'INVALID_ARGUMENT',
    );

    const read = await t.server.fetch(`/v1/conversations/${id}/read`, json({ seq: 4 }, b));
    expect(read.status).toBe(204);
    const one = await t.server.fetch(`/v1/conversations/${id}`, { headers: b });
    expect(one.body.conversation).toMatchObject({ read_seq: 4, unread_count: 1 });
  });

  it('edits and recalls over REST, with the change log', async () => {
    const { bob, a, b } = await pair();
    const open = await t.server.fetch('/v1/conversations', json({ user_id: bob.user.user_id }, a));
    const id = open.body.conversation.conversation_id as string;
    await t.server.fetch(
      `/v1/conversations/${id}/messages`,
      json({ client_msg_id: 'e', type: 'text', content: { text: 'draft' } }, a),
    );
    const edit = await t.server.fetch(`/v1/conversations/${id}/messages/1`, {
      ...json({ content: { text: 'final' } }, a),
      method: 'PATCH',
    });
    expect(edit.body.message).toMatchObject({
      content: { text: 'final' },
      edited_at: expect.any(Number),
    });
    expectError(
      await t.server.fetch(`/v1/conversations/${id}/messages/1/recall`, {
        method: 'POST',
        headers: b,
      }),
      403,
      'PERMISSION_DENIED',
    );
    const recall = await t.server.fetch(`/v1/conversations/${id}/messages/1/recall`, {
      method: 'POST',
      headers: a,
    });
    expect(recall.body.message).toMatchObject({ status: 'recalled', content: {} });
    expectError(
      await t.server.fetch(`/v1/conversations/${id}/messages/1/recall`, {
        method: 'POST',
        headers: a,
      }),
      409,
      'FAILED_PRECONDITION',
    );
    expectError(
      await t.server.fetch(`/v1/conversations/${id}/messages/9/recall`, {
        method: 'POST',
        headers: a,
      }),
      404,
      'NOT_FOUND',
    );
    const changes = await t.server.fetch(`/v1/conversations/${id}/changes?after_change_seq=0`, {
      headers: b,
    });
    expect(changes.body.changes.map((c: { kind: string }) => c.kind)).toEqual(['edit', 'recall']);
  });

  it('refuses bad message input with 400', async () => {
    const { bob, a } = await pair();
    const open = await t.server.fetch('/v1/conversations', json({ user_id: bob.user.user_id }, a));
    const path = `/v1/conversations/${open.body.conversation.conversation_id}/messages`;
    for (const body of [
      { client_msg_id: 'a', type: 'text', content: { text: '' } },
      { client_msg_id: 'a', type: 'text', content: 'just a string' },
      { client_msg_id: 'a', type: 'text' },
      { client_msg_id: 'has space', type: 'text', content: { text: 'x' } },
      { client_msg_id: 'a', type: 'Text', content: { text: 'x' } },
      { client_msg_id: 'a', type: 'image', content: { url: 'ftp://x/y.png' } },
      { client_msg_id: 'a', type: 'text', content: { text: 'x'.repeat(70 * 1024) } },
    ]) {
      expectError(await t.server.fetch(path, json(body, a)), 400, 'INVALID_ARGUMENT');
    }
    const image = await t.server.fetch(
      path,
      json(
        {
          client_msg_id: 'img',
          type: 'image',
          content: { url: 'https://cdn.example/a.png', width: 10, height: 20 },
        },
        a,
      ),
    );
    expect(image.status).toBe(201);
  });

  it('lets anyone join the lobby world conversation', async () => {
    const { bob, a } = await pair();
    const joined = await t.server.fetch('/v1/conversations/w_lobby/join', {
      method: 'POST',
      headers: a,
    });
    expect(joined.body.conversation).toMatchObject({
      conversation_id: 'w_lobby',
      type: 'world',
      peer: null,
    });
    const send = await t.server.fetch(
      '/v1/conversations/w_lobby/messages',
      json({ client_msg_id: 'w', type: 'text', content: { text: 'hi all' } }, a),
    );
    expect(send.status).toBe(201);
    const again = await t.server.fetch('/v1/conversations/w_lobby/join', {
      method: 'POST',
      headers: a,
    });
    expect(again.body.conversation.member_count).toBe(joined.body.conversation.member_count);
    // Only world conversations are open to all.
    const single = await t.server.fetch(
      '/v1/conversations',
      json({ user_id: bob.user.user_id }, a),
    );
    const id = single.body.conversation.conversation_id as string;
    expectError(
      await t.server.fetch(`/v1/conversations/${id}/join`, { method: 'POST', headers: a }),
      403,
      'PERMISSION_DENIED',
    );
  });
});
