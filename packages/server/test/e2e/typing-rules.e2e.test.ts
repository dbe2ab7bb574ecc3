import type { AuthResult } from '@parley/client';
import { describe, expect, it } from 'vitest';
import { e2eServer } from '../support/e2e-fixture.js';
import { ENGINES } from '../support/test-server.js';
import type { WsTestClient } from '../support/ws-test-client.js';

/** Typing announces words to come: it passes the same checks as a send. */
describe.each(ENGINES)('typing rules (%s)', (engine) => {
  const t = e2eServer(engine, { dm_policy: 'friends' });
  const { account, post, del, connect, befriend } = t;
  const typing = (client: WsTestClient, conversationId: string) =>
    client.request('typing', { conversation_id: conversationId });
  /** Who a client saw typing, after every frame sent to it before this call arrived. */
  const typists = async (client: WsTestClient) => {
    await client.call('ping');
    return client.events('typing').map((f) => f.data.user_id as string);
  };

  it('refuses typing from a muted member and, during mute-all, from plain members', async () => {
    const [owner, member, muted] = [await account(), await account(), await account()];
    const created = await post('/v1/groups', owner, {
      name: 'Quiet',
      member_ids: [member.user.user_id, muted.user.user_id],
    });
    const { group_id: groupId, conversation_id: id } = created.body.group;
    const [o, m, x] = [await connect(owner), await connect(member), await connect(muted)];
    await post(`/v1/groups/${groupId}/members/${muted.user.user_id}/mute`, owner, {
      duration_s: 600,
    });

    const refused = await typing(x, id);
    expect(refused.error?.code).toBe('PERMISSION_DENIED');
    expect(refused.error?.message).toMatch(/muted/);
    // The same op from a member who may post reaches the others; the muted one's never did.
    expect((await typing(m, id)).ok).toBe(true);
    expect(await typists(o)).toEqual([member.user.user_id]);
    expect(await typists(m)).toEqual([]);

    await post(`/v1/groups/${groupId}/mute`, owner, { muted: true });
    expect((await typing(m, id)).error?.code).toBe('PERMISSION_DENIED');
    // The owner still talks, and types, while everyone is muted.
    expect((await typing(o, id)).ok).toBe(true);
    expect(await typists(o)).toEqual([member.user.user_id]);
    expect(await typists(m)).toEqual([owner.user.user_id]);
    expect(await typists(x)).toEqual([member.user.user_id, owner.user.user_id]);
  });

  it('refuses typing to a user who blocked the typist, or who is no longer a friend', async () => {
    const [alice, bob, carol] = [await account(), await account(), await account()];
    await befriend(alice, bob);
    await befriend(alice, carol);
    const [a, b, c] = [await connect(alice), await connect(bob), await connect(carol)];
    const send = (to: AuthResult) =>
      a.call('message.send', {
        to_user_id: to.user.user_id,
        client_msg_id: `m-${t.next()}`,
        type: 'text',
        content: { text: 'hi' },
      });
    const bobChat = (await send(bob)).message.conversation_id as string;
    const carolChat = (await send(carol)).message.conversation_id as string;

    // Bob blocks Alice (they stay friends): her typing reaches him no more, and she is not
    // told why.
    await post('/v1/blocks', bob, { user_id: alice.user.user_id });
    const refused = await typing(a, bobChat);
    expect(refused.error?.code).toBe('PERMISSION_DENIED');
    expect(refused.error?.message).not.toMatch(/block/i);
    expect(await typists(b)).toEqual([]);
    // Bob may still write to Alice, and so type.
    expect((await typing(b, bobChat)).ok).toBe(true);
    expect(await typists(a)).toEqual([bob.user.user_id]);

    // Under the friends DM policy an old friend cannot type either.
    await del(`/v1/friends/${carol.user.user_id}`, alice);
    expect((await typing(a, carolChat)).error?.code).toBe('PERMISSION_DENIED');
    expect(await typists(c)).toEqual([]);
    await befriend(carol, alice);
    expect((await typing(a, carolChat)).ok).toBe(true);
    expect(await typists(c)).toEqual([alice.user.user_id]);
  });
});
