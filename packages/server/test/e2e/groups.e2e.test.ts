import type { AuthResult } from '@parley/client';
import { describe, expect, it } from 'vitest';
import { expectError } from '../support/expect-error.js';
import { e2eServer } from '../support/e2e-fixture.js';
import { ENGINES } from '../support/test-server.js';
import { eventually, type WsTestClient } from '../support/ws-test-client.js';

describe.each(ENGINES)('groups (%s)', (engine) => {
  const t = e2eServer(engine);
  const { account, post, get, patch, del, connect } = t;
  const say = (client: WsTestClient, conversationId: string, text: string) =>
    client.request('message.send', {
      conversation_id: conversationId,
      client_msg_id: `m-${t.next()}`,
      type: 'text',
      content: { text },
    });

  async function makeGroup(
    members: AuthResult[],
    owner: AuthResult,
    extra: Record<string, unknown> = {},
  ) {
    const res = await post('/v1/groups', owner, {
      name: 'Climbers',
      member_ids: members.map((m) => m.user.user_id),
      ...extra,
    });
    expect(res.status).toBe(201);
    return res.body as {
      group: { group_id: string; conversation_id: string; member_count: number };
      conversation: { conversation_id: string };
    };
  }

  it('creates a group with its conversation; members talk, outsiders neither read nor post', async () => {
    const [owner, alice, outsider] = [await account(), await account(), await account()];
    const { group, conversation } = await makeGroup([alice], owner);
    expect(group).toMatchObject({
      group_name: 'Climbers',
      owner_id: owner.user.user_id,
      member_count: 2,
      join_policy: 'open',
      muted_all: false,
    });
    expect(conversation).toMatchObject({
      conversation_id: group.conversation_id,
      type: 'group',
      member_count: 2,
    });
    const a = await connect(alice);
    const o = await connect(owner);
    const x = await connect(outsider);
    expect((await say(a, group.conversation_id, 'hello group')).ok).toBe(true);
    expect((await o.next((f) => f.event === 'message.new')).data.message.content).toEqual({
      text: 'hello group',
    });
    expect((await say(x, group.conversation_id, 'intrude')).error?.code).toBe('PERMISSION_DENIED');
    expect(
      (await x.request('message.history', { conversation_id: group.conversation_id })).error?.code,
    ).toBe('PERMISSION_DENIED');
    expectError(
      await get(`/v1/groups/${group.group_id}/members`, outsider),
      403,
      'PERMISSION_DENIED',
    );
    await x.call('ping');
    expect(x.events('message.new')).toEqual([]);
    // Sending by group_id works the same as by conversation_id.
    const byGroup = await a.request('message.send', {
      group_id: group.group_id,
      client_msg_id: `g-${t.next()}`,
      type: 'text',
      content: { text: 'by group id' },
    });
    expect(byGroup.data.message.conversation_id).toBe(group.conversation_id);
  });

  it('enforces the role matrix: kicks, roles, transfer, leave, update and dissolve', async () => {
    const [owner, admin1, admin2, member1, member2] = await Promise.all([
      account(),
      account(),
      account(),
      account(),
      account(),
    ]);
    const { group } = await makeGroup([admin1, admin2, member1, member2], owner);
    const id = group.group_id;
    const role = (who: AuthResult, target: AuthResult, r: string) =>
      post(`/v1/groups/${id}/members/${target.user.user_id}/role`, who, { role: r });
    expectError(await role(admin1, member1, 'admin'), 403, 'PERMISSION_DENIED');
    expect((await role(owner, admin1, 'admin')).status).toBe(204);
    expect((await role(owner, admin2, 'admin')).status).toBe(204);

    const kick = (who: AuthResult, target: AuthResult) =>
      del(`/v1/groups/${id}/members/${target.user.user_id}`, who);
    expectError(await kick(member1, member2), 403, 'PERMISSION_DENIED');
    expectError(await kick(admin1, admin2), 403, 'PERMISSION_DENIED');
    expectError(await kick(admin1, owner), 403, 'PERMISSION_DENIED');
    expect((await kick(admin1, member2)).status).toBe(204);
    expect((await kick(owner, admin2)).status).toBe(204);

    expectError(await patch(`/v1/groups/${id}`, member1, { name: 'X' }), 403, 'PERMISSION_DENIED');
    const renamed = await patch(`/v1/groups/${id}`, admin1, {
      name: 'Boulderers',
      notice: 'Meet at 6',
    });
    expect(renamed.body.group).toMatchObject({ group_name: 'Boulderers', notice: 'Meet at 6' });

    expectError(await post(`/v1/groups/${id}/leave`, owner), 409, 'FAILED_PRECONDITION');
    expectError(
      await post(`/v1/groups/${id}/transfer`, admin1, { user_id: member1.user.user_id }),
      403,
      'PERMISSION_DENIED',
    );
    expect(
      (await post(`/v1/groups/${id}/transfer`, owner, { user_id: member1.user.user_id })).status,
    ).toBe(204);
    expect((await get(`/v1/groups/${id}`, owner)).body.group.owner_id).toBe(member1.user.user_id);
    expect((await post(`/v1/groups/${id}/leave`, owner)).status).toBe(204);

    expectError(await del(`/v1/groups/${id}`, admin1), 403, 'PERMISSION_DENIED');
    const watcher = await connect(admin1);
    expect((await del(`/v1/groups/${id}`, member1)).status).toBe(204);
    expect((await watcher.next((f) => f.event === 'group.dissolved')).data).toEqual({
      group_id: id,
      conversation_id: group.conversation_id,
    });
    expect((await say(watcher, group.conversation_id, 'anyone?')).error?.code).toBe(
      'PERMISSION_DENIED',
    );
    expectError(await get(`/v1/groups/${id}`, admin1), 404, 'NOT_FOUND');
  });

  it('mutes a member, and everyone but the managers', async () => {
    const [owner, admin, member] = [await account(), await account(), await account()];
    const { group } = await makeGroup([admin, member], owner);
    await post(`/v1/groups/${group.group_id}/members/${admin.user.user_id}/role`, owner, {
      role: 'admin',
    });
    const [o, a, m] = [await connect(owner), await connect(admin), await connect(member)];
    expectError(
      await post(`/v1/groups/${group.group_id}/members/${owner.user.user_id}/mute`, admin, {
        duration_s: 60,
      }),
      403,
      'PERMISSION_DENIED',
    );
    expect(
      (
        await post(`/v1/groups/${group.group_id}/members/${member.user.user_id}/mute`, admin, {
          duration_s: 60,
        })
      ).status,
    ).toBe(204);
    expect((await say(m, group.conversation_id, 'muted?')).error?.code).toBe('PERMISSION_DENIED');
    await post(`/v1/groups/${group.group_id}/members/${member.user.user_id}/mute`, admin, {
      duration_s: 0,
    });
    expect((await say(m, group.conversation_id, 'free again')).ok).toBe(true);

    expectError(
      await post(`/v1/groups/${group.group_id}/mute`, member, { muted: true }),
      403,
      'PERMISSION_DENIED',
    );
    expect((await post(`/v1/groups/${group.group_id}/mute`, admin, { muted: true })).status).toBe(
      204,
    );
    expect((await say(m, group.conversation_id, 'hello?')).error?.code).toBe('PERMISSION_DENIED');
    expect((await say(a, group.conversation_id, 'admins only')).ok).toBe(true);
    expect((await say(o, group.conversation_id, 'owner too')).ok).toBe(true);
    expect((await get(`/v1/groups/${group.group_id}`, member)).body.group.muted_all).toBe(true);
  });

  it('joins open groups at once, approval groups by request, invite-only groups not at all', async () => {
    const [owner, member, joiner, other] = [
      await account(),
      await account(),
      await account(),
      await account(),
    ];
    const open = await makeGroup([member], owner);
    const joined = await post(`/v1/groups/${open.group.group_id}/join`, joiner);
    expect(joined.status).toBe(200);
    expect(joined.body.group.member_count).toBe(3);
    // In an open group any member may add people.
    expect(
      (
        await post(`/v1/groups/${open.group.group_id}/members`, member, {
          user_ids: [other.user.user_id],
        })
      ).body.added,
    ).toEqual([other.user.user_id]);

    const approval = await makeGroup([member], owner, { join_policy: 'approval' });
    const ownerWs = await connect(owner);
    const asked = await post(`/v1/groups/${approval.group.group_id}/join`, joiner, {
      message: 'let me in',
    });
    expect(asked.status).toBe(202);
    expect(asked.body.request).toMatchObject({
      user_id: joiner.user.user_id,
      status: 'pending',
      message: 'let me in',
    });
    expect(
      (await ownerWs.next((f) => f.event === 'group.join_requested')).data.request.user_id,
    ).toBe(joiner.user.user_id);
    expectError(
      await post(`/v1/groups/${approval.group.group_id}/members`, member, {
        user_ids: [other.user.user_id],
      }),
      403,
      'PERMISSION_DENIED',
    );
    expectError(
      await get(`/v1/groups/${approval.group.group_id}/join-requests`, member),
      403,
      'PERMISSION_DENIED',
    );
    const pending = await get(`/v1/groups/${approval.group.group_id}/join-requests`, owner);
    expect(pending.body.requests.map((r: { user_id: string }) => r.user_id)).toEqual([
      joiner.user.user_id,
    ]);
    const approved = await post(
      `/v1/groups/${approval.group.group_id}/join-requests/${joiner.user.user_id}/approve`,
      owner,
    );
    expect(approved.body.request.status).toBe('approved');
    expectError(
      await post(
        `/v1/groups/${approval.group.group_id}/join-requests/${joiner.user.user_id}/approve`,
        owner,
      ),
      404,
      'NOT_FOUND',
    );
    expect(
      (await get(`/v1/groups/${approval.group.group_id}`, joiner)).body.group.member_count,
    ).toBe(3);

    const invite = await makeGroup([member], owner, { join_policy: 'invite' });
    expectError(
      await post(`/v1/groups/${invite.group.group_id}/join`, joiner),
      403,
      'PERMISSION_DENIED',
    );
    expectError(await get(`/v1/groups/${invite.group.group_id}`, joiner), 403, 'PERMISSION_DENIED');
    expect(
      (
        await post(`/v1/groups/${invite.group.group_id}/members`, owner, {
          user_ids: [joiner.user.user_id],
        })
      ).body.added,
    ).toEqual([joiner.user.user_id]);
  });

  it('keeps member_count consistent under concurrent joins and leaves', async () => {
    const owner = await account();
    const people = await Promise.all(Array.from({ length: 24 }, () => account()));
    const { group } = await makeGroup(people.slice(0, 12), owner);
    await Promise.all([
      ...people.slice(12).map((p) => post(`/v1/groups/${group.group_id}/join`, p)),
      ...people.slice(0, 8).map((p) => post(`/v1/groups/${group.group_id}/leave`, p)),
      ...people.slice(12, 16).map((p) => post(`/v1/groups/${group.group_id}/join`, p)),
    ]);
    const members: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { body: { members: { user_id: string }[]; next_cursor: string | null } } =
        await get(
          `/v1/groups/${group.group_id}/members?limit=5${cursor ? `&cursor=${cursor}` : ''}`,
          owner,
        );
      members.push(...page.body.members.map((m) => m.user_id));
      cursor = page.body.next_cursor;
    } while (cursor !== null);
    expect(new Set(members).size).toBe(members.length);
    expect(members.length).toBe(1 + 4 + 12);
    expect((await get(`/v1/groups/${group.group_id}`, owner)).body.group.member_count).toBe(
      members.length,
    );
  });

  it('sends membership events to every online device of the members and nobody else', async () => {
    const [owner, member, joiner, outsider] = [
      await account(),
      await account(),
      await account(),
      await account(),
    ];
    const memberPhone = await t.login(member, 'phone');
    const { group } = await makeGroup([member], owner);
    const devices = [await connect(member), await connect(memberPhone), await connect(owner)];
    const joinerWs = await connect(joiner);
    const outsiderWs = await connect(outsider);
    await post(`/v1/groups/${group.group_id}/join`, joiner);
    for (const d of [...devices, joinerWs]) {
      const event = await d.next(
        (f) => f.event === 'group.member_joined' && f.data.user_ids?.includes(joiner.user.user_id),
      );
      expect(event.data).toMatchObject({
        group_id: group.group_id,
        conversation_id: group.conversation_id,
        by: joiner.user.user_id,
      });
    }
    // The joiner's live connection now receives the group's messages without reconnecting.
    await say(devices[2]!, group.conversation_id, 'welcome');
    expect((await joinerWs.next((f) => f.event === 'message.new')).data.message.content.text).toBe(
      'welcome',
    );

    await patch(`/v1/groups/${group.group_id}`, owner, { notice: 'new rules' });
    for (const d of [...devices, joinerWs]) {
      expect((await d.next((f) => f.event === 'group.updated')).data.group.notice).toBe(
        'new rules',
      );
    }
    await del(`/v1/groups/${group.group_id}/members/${joiner.user.user_id}`, owner);
    for (const d of [...devices, joinerWs]) {
      expect((await d.next((f) => f.event === 'group.member_left')).data).toMatchObject({
        user_id: joiner.user.user_id,
        reason: 'kicked',
      });
    }
    await say(devices[2]!, group.conversation_id, 'after the kick');
    await eventually(() => devices[0]!.events('message.new').length === 2);
    await joinerWs.call('ping');
    expect(joinerWs.events('message.new').map((f) => f.data.message.content.text)).toEqual([
      'welcome',
    ]);
    await outsiderWs.call('ping');
    expect(
      outsiderWs.frames.filter((f) => f.event?.startsWith('group.') || f.event === 'message.new'),
    ).toEqual([]);
  });

  it('lists, creates and moderates world conversations', async () => {
    const [creator, visitor] = [await account(), await account()];
    const created = await post('/v1/worlds', creator, { name: 'Off-topic' });
    expect(created.status).toBe(201);
    const id = created.body.world.conversation_id as string;
    const list = await get('/v1/worlds', visitor);
    expect(list.body.worlds.map((w: { conversation_id: string }) => w.conversation_id)).toEqual(
      expect.arrayContaining(['w_lobby', id]),
    );
    await post(`/v1/conversations/${id}/join`, visitor);
    const v = await connect(visitor);
    expect((await say(v, id, 'hi')).ok).toBe(true);
    expectError(
      await post(`/v1/conversations/${id}/members/${creator.user.user_id}/mute`, visitor, {
        duration_s: 30,
      }),
      403,
      'PERMISSION_DENIED',
    );
    expect(
      (
        await post(`/v1/conversations/${id}/members/${visitor.user.user_id}/mute`, creator, {
          duration_s: 30,
        })
      ).status,
    ).toBe(204);
    expect((await say(v, id, 'still here?')).error?.code).toBe('PERMISSION_DENIED');
    expect((await post(`/v1/conversations/${id}/leave`, visitor)).status).toBe(204);
    expect((await v.request('message.history', { conversation_id: id })).error?.code).toBe(
      'PERMISSION_DENIED',
    );
    expectError(await post(`/v1/conversations/${id}/leave`, creator), 409, 'FAILED_PRECONDITION');
  });

  it('keeps guests from creating groups and worlds under the restricted guest policy', async () => {
    const guest = await t.server.client().guest();
    const member = await account();
    expectError(
      await post('/v1/groups', guest, { name: 'Guests', member_ids: [member.user.user_id] }),
      403,
      'PERMISSION_DENIED',
    );
    expectError(await post('/v1/worlds', guest, { name: 'Guests' }), 403, 'PERMISSION_DENIED');
    // Guests may still join open groups and world conversations.
    const { group } = await makeGroup([member], member);
    expect((await post(`/v1/groups/${group.group_id}/join`, guest)).status).toBe(200);
    expect((await post('/v1/conversations/w_lobby/join', guest)).status).toBe(200);
  });

  it('refuses bad group input', async () => {
    const owner = await account();
    expectError(
      await post('/v1/groups', owner, { name: '', member_ids: [] }),
      400,
      'INVALID_ARGUMENT',
    );
    expectError(
      await post('/v1/groups', owner, { name: 'x', member_ids: ['01NOSUCHUSER'] }),
      404,
      'NOT_FOUND',
    );
    expectError(
      await post('/v1/groups', owner, { name: 'x', member_ids: 'all' }),
      400,
      'INVALID_ARGUMENT',
    );
    expectError(await post('/v1/groups', owner, { name: 'bell\u0007' }), 400, 'INVALID_ARGUMENT');
    expectError(await get('/v1/groups/01NOSUCHGROUP', owner), 404, 'NOT_FOUND');
    expectError(await post('/v1/groups/01NOSUCHGROUP/join', owner), 404, 'NOT_FOUND');
  });
});
