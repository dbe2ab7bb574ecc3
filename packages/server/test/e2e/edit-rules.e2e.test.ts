import { describe, expect, it } from 'vitest';
import { e2eServer } from '../support/e2e-fixture.js';
import { ENGINES } from '../support/test-server.js';
import type { WsTestClient } from '../support/ws-test-client.js';

/** Edits pass the send path's checks; recalls need membership only. */
describe.each(ENGINES)('edit and recall rules (%s)', (engine) => {
  const t = e2eServer(engine, { dm_policy: 'friends' });
  const { account, post, del, connect, befriend } = t;
  const say = (client: WsTestClient, target: Record<string, string>, text: string) =>
    client.call('message.send', {
      ...target,
      client_msg_id: `m-${t.next()}`,
      type: 'text',
      content: { text },
    });
  const edit = (client: WsTestClient, conversationId: string, seq: number, text: string) =>
    client.request('message.edit', { conversation_id: conversationId, seq, content: { text } });
  /** The texts of the message.updated events a client got, after every earlier frame arrived. */
  const updates = async (client: WsTestClient) => {
    await client.call('ping');
    return client
      .events('message.updated')
      .map((f) => `${f.data.message.status}:${f.data.message.content.text ?? ''}`);
  };

  it('refuses edits from a muted member and, during mute-all, from plain members', async () => {
    const [owner, member] = [await account(), await account()];
    const created = await post('/v1/groups', owner, {
      name: 'Quiet',
      member_ids: [member.user.user_id],
    });
    const { group_id: groupId, conversation_id: id } = created.body.group;
    const [o, m] = [await connect(owner), await connect(member)];
    await say(m, { conversation_id: id }, 'first'); // seq 1
    await say(m, { conversation_id: id }, 'second'); // seq 2
    await say(o, { conversation_id: id }, 'owner'); // seq 3

    await post(`/v1/groups/${groupId}/members/${member.user.user_id}/mute`, owner, {
      duration_s: 600,
    });
    const muted = await edit(m, id, 1, 'x'.repeat(60_000));
    expect(muted.error?.code).toBe('PERMISSION_DENIED');
    expect(muted.error?.message).toMatch(/muted/);
    // Taking words back is harmless: a muted member may recall.
    expect((await m.call('message.recall', { conversation_id: id, seq: 2 })).message.status).toBe(
      'recalled',
    );
    await post(`/v1/groups/${groupId}/members/${member.user.user_id}/mute`, owner, {
      duration_s: 0,
    });

    await post(`/v1/groups/${groupId}/mute`, owner, { muted: true });
    expect((await edit(m, id, 1, 'during mute-all')).error?.code).toBe('PERMISSION_DENIED');
    // The owner still talks, and edits, while everyone is muted.
    expect((await edit(o, id, 3, 'owner, edited')).ok).toBe(true);
    expect(await updates(o)).toEqual(['recalled:']);
    expect(await updates(m)).toEqual(['sent:owner, edited']);

    await post(`/v1/groups/${groupId}/mute`, owner, { muted: false });
    expect((await edit(m, id, 1, 'first, edited')).ok).toBe(true);
    expect(await updates(o)).toEqual(['recalled:', 'sent:first, edited']);
  });

  it('refuses edits to a user who blocked the sender, or who is no longer a friend', async () => {
    const [alice, bob, carol] = [await account(), await account(), await account()];
    await befriend(alice, bob);
    await befriend(alice, carol);
    const [a, b, c] = [await connect(alice), await connect(bob), await connect(carol)];
    const toBob = await say(a, { to_user_id: bob.user.user_id }, 'hi bob');
    await say(a, { to_user_id: bob.user.user_id }, 'again');
    const bobChat = toBob.message.conversation_id as string;
    const toCarol = await say(a, { to_user_id: carol.user.user_id }, 'hi carol');
    const carolChat = toCarol.message.conversation_id as string;

    // Bob blocks Alice (they stay friends): twenty large edits reach him no more.
    await post('/v1/blocks', bob, { user_id: alice.user.user_id });
    for (let i = 0; i < 20; i++) {
      const refused = await edit(a, bobChat, 1, `${i}`.repeat(60_000));
      expect(refused.error?.code).toBe('PERMISSION_DENIED');
      expect(refused.error?.message).not.toMatch(/block/i);
    }
    // A recall only takes Alice's words away, so it is allowed.
    expect(
      (await a.call('message.recall', { conversation_id: bobChat, seq: 2 })).message.status,
    ).toBe('recalled');
    expect(await updates(b)).toEqual(['recalled:']);

    // Under the friends DM policy an old friend cannot edit either.
    await del(`/v1/friends/${carol.user.user_id}`, alice);
    expect((await edit(a, carolChat, 1, 'still there?')).error?.code).toBe('PERMISSION_DENIED');
    expect(await updates(c)).toEqual([]);
    await befriend(carol, alice);
    expect((await edit(a, carolChat, 1, 'hi again')).ok).toBe(true);
    expect(await updates(c)).toEqual(['sent:hi again']);
  });
});
