import type { AuthResult } from '@parley/client';
import { describe, expect, it } from 'vitest';
import { expectError } from '../support/expect-error.js';
import { e2eServer, type E2eServer } from '../support/e2e-fixture.js';
import { ENGINES } from '../support/test-server.js';

/** Being put into a group needs consent; creating groups and naming members are bounded. */
describe.each(ENGINES)('group consent and bounds (%s)', (engine) => {
  /** The defaults of a real deployment: group_add_policy friends; small bounds. */
  const t = e2eServer(engine, {
    group_add_policy: 'friends',
    group_create_limit: 3,
    group_members_per_request: 5,
  });
  /** group_add_policy anyone. */
  const open = e2eServer(engine, { group_add_policy: 'anyone' });
  const { account, post, get, connect, befriend } = t;

  const idOf = (a: AuthResult) => a.user.user_id;
  const createGroup = (owner: AuthResult, members: AuthResult[], s: E2eServer = t) =>
    s.post('/v1/groups', owner, { name: 'Consent', member_ids: members.map(idOf) });
  const invitations = async (who: AuthResult) =>
    (await get('/v1/groups/invitations', who)).body.invitations as { group_id: string }[];

  it('adds friends, invites strangers, and makes them members only when they accept', async () => {
    const [stranger, friend, victim] = [await account(), await account(), await account()];
    await befriend(stranger, friend);
    const v = await connect(victim);

    const created = await createGroup(stranger, [friend, victim]);
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      group: { member_count: 2 },
      added: [idOf(friend)],
      invited: [idOf(victim)],
    });
    const group = created.body.group as { group_id: string; conversation_id: string };
    const invited = await v.next((f) => f.event === 'group.invited');
    expect(invited.data.invitation).toMatchObject({
      group_id: group.group_id,
      group_name: 'Consent',
      user_id: idOf(victim),
      invited_by: idOf(stranger),
      status: 'pending',
    });
    // Invited is not a member: no history, no messages.
    expect(
      (await v.request('message.history', { conversation_id: group.conversation_id })).error?.code,
    ).toBe('PERMISSION_DENIED');
    expect((await invitations(victim)).map((i) => i.group_id)).toEqual([group.group_id]);

    const owner = await connect(stranger);
    const accepted = await post(`/v1/groups/invitations/${group.group_id}/accept`, victim);
    expect(accepted.status).toBe(200);
    expect(accepted.body.group.member_count).toBe(3);
    expect((await owner.next((f) => f.event === 'group.member_joined')).data.user_ids).toEqual([
      idOf(victim),
    ]);
    expect(
      (await v.request('message.history', { conversation_id: group.conversation_id })).ok,
    ).toBe(true);
    expect(await invitations(victim)).toEqual([]);
    expectError(
      await post(`/v1/groups/invitations/${group.group_id}/accept`, victim),
      404,
      'NOT_FOUND',
    );

    // Adding members follows the same policy; declining keeps the victim out.
    const second = (await createGroup(stranger, [friend])).body.group as { group_id: string };
    const other = await account();
    const added = await post(`/v1/groups/${second.group_id}/members`, stranger, {
      user_ids: [idOf(victim), idOf(other)],
    });
    expect(added.body).toEqual({ added: [], invited: [idOf(victim), idOf(other)] });
    const declined = await post(`/v1/groups/invitations/${second.group_id}/decline`, victim);
    expect(declined.body.invitation).toMatchObject({ status: 'declined' });
    expectError(
      await post(`/v1/groups/invitations/${second.group_id}/accept`, victim),
      404,
      'NOT_FOUND',
    );
    expectError(
      await get(`/v1/groups/${second.group_id}/members`, victim),
      403,
      'PERMISSION_DENIED',
    );
    // Asking again after a decline invites nobody: the group cannot pester the victim.
    const again = await post(`/v1/groups/${second.group_id}/members`, stranger, {
      user_ids: [idOf(victim)],
    });
    expect(again.body).toEqual({ added: [], invited: [idOf(victim)] });
    expect(await invitations(victim)).toEqual([]);
    expect((await get(`/v1/groups/${second.group_id}`, stranger)).body.group.member_count).toBe(2);
  });

  it('neither adds nor invites a user who blocked the adder, and does not say so', async () => {
    const [pest, victim] = [await account(), await account()];
    await befriend(pest, victim);
    await post('/v1/blocks', victim, { user_id: idOf(pest) });
    const v = await connect(victim);
    const created = await createGroup(pest, [victim]);
    expect(created.body).toMatchObject({ added: [], invited: [idOf(victim)] });
    expect(created.body.group.member_count).toBe(1);
    await v.call('ping');
    expect(v.frames.filter((f) => f.event?.startsWith('group.'))).toEqual([]);
    expect(await invitations(victim)).toEqual([]);
  });

  it('adds anyone directly under group_add_policy anyone', async () => {
    const [owner, stranger] = [await open.account(), await open.account()];
    const created = await createGroup(owner, [stranger], open);
    expect(created.body).toMatchObject({
      group: { member_count: 2 },
      added: [idOf(stranger)],
      invited: [],
    });
  });

  it('limits groups created per user per window, and users named per request', async () => {
    const [owner, other] = [await account(), await account()];
    for (let i = 0; i < 3; i++) expect((await createGroup(owner, [])).status).toBe(201);
    expectError(await createGroup(owner, []), 429, 'RESOURCE_EXHAUSTED');
    // The limit is per user.
    const theirs = await createGroup(other, []);
    expect(theirs.status).toBe(201);

    const six = await Promise.all(Array.from({ length: 6 }, () => account()));
    expectError(await createGroup(other, six), 400, 'INVALID_ARGUMENT');
    expectError(
      await post(`/v1/groups/${theirs.body.group.group_id}/members`, other, {
        user_ids: six.map(idOf),
      }),
      400,
      'INVALID_ARGUMENT',
    );
    expect(
      (
        await post(`/v1/groups/${theirs.body.group.group_id}/members`, other, {
          user_ids: six.slice(0, 5).map(idOf),
        })
      ).body.invited,
    ).toHaveLength(5);
  });
});
