import type { AuthResult } from '@parley/client';
import { describe, expect, it } from 'vitest';
import { expectError } from '../support/expect-error.js';
import { e2eServer, type E2eServer, type Who } from '../support/e2e-fixture.js';
import { ENGINES, json, type RawResponse } from '../support/test-server.js';
import type { WsTestClient } from '../support/ws-test-client.js';

describe.each(ENGINES)('friends and blocks (%s)', (engine) => {
  /** dm_policy friends, guest_policy restricted (the defaults of a real deployment). */
  const server = e2eServer(engine, { dm_policy: 'friends' });
  /** dm_policy anyone, guest_policy restricted. */
  const open = e2eServer(engine, { dm_policy: 'anyone' });
  /** dm_policy anyone, guest_policy full. */
  const lenient = e2eServer(engine, { dm_policy: 'anyone', guest_policy: 'full' });

  const account = (s = server, device = 'd1') => s.account('friend', device);
  const login = (s: E2eServer, a: AuthResult, device: string) => s.login(a, device);
  const connect = (s: E2eServer, a: Who) => s.connect(a);
  /** A POST with a JSON body, or with none at all when `body` is undefined. */
  const post = (s: E2eServer, path: string, a: Who, body?: unknown) =>
    body === undefined
      ? s.server.fetch(path, { method: 'POST', headers: s.bearer(a) })
      : s.post(path, a, body);
  const get = (s: E2eServer, path: string, a: Who) => s.get(path, a);
  const del = (s: E2eServer, path: string, a: Who) => s.del(path, a);
  const idOf = (a: AuthResult) => a.user.user_id;

  const sendRequest = (s: E2eServer, from: AuthResult, to: AuthResult, message?: string) =>
    post(s, '/v1/friends/requests', from, {
      user_id: idOf(to),
      ...(message !== undefined && { message }),
    });
  const requests = async (s: E2eServer, a: AuthResult, direction: 'incoming' | 'outgoing') =>
    (await get(s, `/v1/friends/requests?direction=${direction}`, a)).body.requests;
  const friendIds = async (s: E2eServer, a: AuthResult): Promise<string[]> =>
    (await get(s, '/v1/friends', a)).body.friends.map((u: { user_id: string }) => u.user_id);
  async function befriend(s: E2eServer, a: AuthResult, b: AuthResult) {
    const sent = await sendRequest(s, a, b);
    expect(sent.status).toBe(201);
    const accepted = await post(
      s,
      `/v1/friends/requests/${sent.body.request.request_id}/accept`,
      b,
    );
    expect(accepted.status).toBe(200);
  }
  const text = (i: number | string) => ({
    client_msg_id: `c-${i}-${server.next()}`,
    type: 'text',
    content: { text: `hello ${i}` },
  });
  /** Every event sent to the client before now has arrived (same socket, in order). */
  const settle = (clients: WsTestClient[]) => Promise.all(clients.map((c) => c.call('ping')));
  const expectRefusal = (res: RawResponse | { error?: { code: string; message: string } }) => {
    const error = 'status' in res ? res.body.error : res.error;
    expect(error?.code).toBe('PERMISSION_DENIED');
    expect(error?.message).not.toMatch(/block/i);
    return error?.message;
  };

  it('sends a request, lists it both ways, accepts it, and lists the friends', async () => {
    const alice = await account();
    const bob = await account();
    const sent = await sendRequest(server, alice, bob, '  Hi Bob, it is Alice  ');
    expect(sent.status).toBe(201);
    const request = sent.body.request;
    expect(sent.body).toEqual({
      request: {
        request_id: expect.any(String),
        from_user_id: idOf(alice),
        to_user_id: idOf(bob),
        status: 'pending',
        message: 'Hi Bob, it is Alice',
        created_at: expect.any(Number),
        updated_at: request.created_at,
      },
    });
    expect(await requests(server, alice, 'outgoing')).toEqual([request]);
    expect(await requests(server, bob, 'incoming')).toEqual([request]);
    expect(await requests(server, alice, 'incoming')).toEqual([]);
    expect(await requests(server, bob, 'outgoing')).toEqual([]);
    // direction defaults to incoming
    expect((await get(server, '/v1/friends/requests', bob)).body).toEqual({
      requests: [request],
      next_cursor: null,
    });

    // The same request again: the pending one, unchanged.
    const again = await sendRequest(server, alice, bob, 'another note');
    expect(again.status).toBe(200);
    expect(again.body.request).toEqual(request);

    const accepted = await post(server, `/v1/friends/requests/${request.request_id}/accept`, bob);
    expect(accepted.status).toBe(200);
    expect(accepted.body.request).toEqual({
      ...request,
      status: 'accepted',
      updated_at: expect.any(Number),
    });
    expect(accepted.body.request.updated_at).toBeGreaterThanOrEqual(request.created_at);
    // Idempotent: accepting again returns the accepted request.
    const twice = await post(server, `/v1/friends/requests/${request.request_id}/accept`, bob);
    expect(twice.status).toBe(200);
    expect(twice.body.request).toEqual(accepted.body.request);
    expectError(
      await post(server, `/v1/friends/requests/${request.request_id}/reject`, bob),
      409,
      'FAILED_PRECONDITION',
    );

    expect(await requests(server, bob, 'incoming')).toEqual([]);
    const friends = await get(server, '/v1/friends', alice);
    expect(friends.status).toBe(200);
    expect(friends.body).toEqual({
      friends: [(await get(server, `/v1/users/${idOf(bob)}`, alice)).body.user],
      next_cursor: null,
    });
    expect(await friendIds(server, bob)).toEqual([idOf(alice)]);

    expectError(await sendRequest(server, alice, bob), 409, 'ALREADY_EXISTS');
    expectError(await sendRequest(server, bob, alice), 409, 'ALREADY_EXISTS');
  });

  it('lets only the recipient answer, and rejects idempotently', async () => {
    const alice = await account();
    const bob = await account();
    const carol = await account();
    const { request } = (await sendRequest(server, alice, bob)).body;
    const path = (verb: string) => `/v1/friends/requests/${request.request_id}/${verb}`;
    expectError(await post(server, path('accept'), alice), 403, 'PERMISSION_DENIED');
    expectError(await post(server, path('reject'), alice), 403, 'PERMISSION_DENIED');
    expectError(await post(server, path('accept'), carol), 404, 'NOT_FOUND');
    expectError(
      await post(server, '/v1/friends/requests/01NOSUCHREQUEST/accept', bob),
      404,
      'NOT_FOUND',
    );

    const rejected = await post(server, path('reject'), bob);
    expect(rejected.status).toBe(200);
    expect(rejected.body.request).toMatchObject({
      request_id: request.request_id,
      status: 'rejected',
    });
    const twice = await post(server, path('reject'), bob);
    expect(twice.status).toBe(200);
    expect(twice.body.request).toEqual(rejected.body.request);
    expectError(await post(server, path('accept'), bob), 409, 'FAILED_PRECONDITION');
    expect(await friendIds(server, alice)).toEqual([]);
    expect(await requests(server, bob, 'incoming')).toEqual([]);

    // After a rejection a new request may be sent.
    const anew = await sendRequest(server, alice, bob);
    expect(anew.status).toBe(201);
    expect(anew.body.request.request_id).not.toBe(request.request_id);
  });

  it('turns a request to someone who asked you first into a friendship', async () => {
    const alice = await account();
    const bob = await account();
    const first = (await sendRequest(server, alice, bob)).body.request;
    const mutual = await sendRequest(server, bob, alice, 'me too');
    expect(mutual.status).toBe(200);
    expect(mutual.body.request).toMatchObject({
      request_id: first.request_id,
      from_user_id: idOf(alice),
      to_user_id: idOf(bob),
      status: 'accepted',
    });
    expect(await friendIds(server, alice)).toEqual([idOf(bob)]);
    expect(await friendIds(server, bob)).toEqual([idOf(alice)]);
    expect(await requests(server, alice, 'outgoing')).toEqual([]);
  });

  it('makes one friendship from concurrent mutual requests, never two pending ones', async () => {
    for (let round = 0; round < 5; round++) {
      const alice = await account();
      const bob = await account();
      const [ab, ba] = await Promise.all([
        sendRequest(server, alice, bob),
        sendRequest(server, bob, alice),
      ]);
      expect([ab.status, ba.status].sort()).toEqual([200, 201]);
      const accepted = ab.status === 200 ? ab : ba;
      const created = ab.status === 201 ? ab : ba;
      expect(accepted.body.request).toMatchObject({
        request_id: created.body.request.request_id,
        status: 'accepted',
      });
      expect(await friendIds(server, alice)).toEqual([idOf(bob)]);
      expect(await friendIds(server, bob)).toEqual([idOf(alice)]);
      for (const who of [alice, bob]) {
        expect(await requests(server, who, 'outgoing')).toEqual([]);
        expect(await requests(server, who, 'incoming')).toEqual([]);
      }
    }
  });

  it('makes one friendship, and one event per device, from two concurrent accepts', async () => {
    const alice = await account();
    const bob = await account();
    const bob2 = await login(server, bob, 'd2');
    const [a1, b1, b2] = await Promise.all([
      connect(server, alice),
      connect(server, bob),
      connect(server, bob2),
    ]);
    const { request } = (await sendRequest(server, alice, bob)).body;
    const path = `/v1/friends/requests/${request.request_id}/accept`;
    const answers = await Promise.all([post(server, path, bob), post(server, path, bob2)]);
    for (const answer of answers) {
      expect(answer.status).toBe(200);
      expect(answer.body.request.status).toBe('accepted');
    }
    expect(answers[0]!.body.request).toEqual(answers[1]!.body.request);
    expect(await friendIds(server, alice)).toEqual([idOf(bob)]);
    expect(await friendIds(server, bob)).toEqual([idOf(alice)]);
    await settle([a1, b1, b2]);
    for (const client of [a1, b1, b2]) {
      expect(client.events('friend.accepted').map((f) => f.data)).toEqual([
        { request: answers[0]!.body.request },
      ]);
    }
  });

  it('sends friend.* events to every online device of both users and nobody else', async () => {
    const alice = await account();
    const bob = await account();
    const carol = await account();
    const [a1, a2, b1, b2, c1] = await Promise.all([
      connect(server, alice),
      connect(server, await login(server, alice, 'd2')),
      connect(server, bob),
      connect(server, await login(server, bob, 'd2')),
      connect(server, carol),
    ]);
    const both = [a1, a2, b1, b2];

    // A request: the recipient's devices and the sender's.
    const { request } = (await sendRequest(server, alice, bob, 'hello')).body;
    for (const client of both) {
      const frame = await client.next((f) => f.event === 'friend.request');
      expect(frame.data).toEqual({ request });
    }
    // Accepted: both users' devices.
    const accepted = (await post(server, `/v1/friends/requests/${request.request_id}/accept`, bob))
      .body.request;
    for (const client of both) {
      const frame = await client.next((f) => f.event === 'friend.accepted');
      expect(frame.data).toEqual({ request: accepted });
    }
    // Removed: both users, each told the other's id.
    expect((await del(server, `/v1/friends/${idOf(bob)}`, alice)).status).toBe(204);
    for (const client of [a1, a2]) {
      const frame = await client.next((f) => f.event === 'friend.removed');
      expect(frame.data).toEqual({ user_id: idOf(bob) });
    }
    for (const client of [b1, b2]) {
      const frame = await client.next((f) => f.event === 'friend.removed');
      expect(frame.data).toEqual({ user_id: idOf(alice) });
    }
    // Rejected: both users' devices.
    const second = (await sendRequest(server, bob, alice)).body.request;
    const rejected = (await post(server, `/v1/friends/requests/${second.request_id}/reject`, alice))
      .body.request;
    for (const client of both) {
      const frame = await client.next((f) => f.event === 'friend.rejected');
      expect(frame.data).toEqual({ request: rejected });
    }

    // Idempotent repeats announce nothing; the outsider heard nothing at all.
    await post(server, `/v1/friends/requests/${second.request_id}/reject`, alice);
    await del(server, `/v1/friends/${idOf(bob)}`, alice);
    await settle([...both, c1]);
    for (const client of both) {
      expect(client.events('friend.request')).toHaveLength(2);
      expect(client.events('friend.accepted')).toHaveLength(1);
      expect(client.events('friend.removed')).toHaveLength(1);
      expect(client.events('friend.rejected')).toHaveLength(1);
    }
    expect(c1.frames.filter((f) => f.event?.startsWith('friend.'))).toEqual([]);
  });

  it('pages the friend list', async () => {
    const alice = await account();
    const others = [];
    for (let i = 0; i < 5; i++) {
      const other = await account();
      await befriend(server, other, alice);
      others.push(idOf(other));
    }
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const query: string = cursor === null ? '' : `&cursor=${cursor}`;
      const page: RawResponse = await get(server, `/v1/friends?limit=2${query}`, alice);
      expect(page.status).toBe(200);
      expect(page.body.friends.length).toBeLessThanOrEqual(2);
      seen.push(...page.body.friends.map((u: { user_id: string }) => u.user_id));
      cursor = page.body.next_cursor;
      pages++;
    } while (cursor !== null);
    expect(pages).toBe(3);
    expect(seen).toEqual([...others].sort());
    expect((await get(server, '/v1/friends?limit=100', alice)).body.friends).toHaveLength(5);
  });

  it('ends a friendship on both sides, idempotently', async () => {
    const alice = await account();
    const bob = await account();
    await befriend(server, alice, bob);
    const removed = await del(server, `/v1/friends/${idOf(alice)}`, bob);
    expect(removed.status).toBe(204);
    expect(removed.body).toBeUndefined();
    expect(await friendIds(server, alice)).toEqual([]);
    expect(await friendIds(server, bob)).toEqual([]);
    expect((await del(server, `/v1/friends/${idOf(alice)}`, bob)).status).toBe(204);
    expect((await del(server, `/v1/friends/01NOBODYATALL`, bob)).status).toBe(204);
    // Friends again after a new request.
    await befriend(server, bob, alice);
    expect(await friendIds(server, alice)).toEqual([idOf(bob)]);
  });

  it('allows one-to-one messages between friends only under dm_policy friends', async () => {
    const alice = await account();
    const bob = await account();
    const a = await connect(server, alice);
    const b = await connect(server, bob);

    // Strangers: no conversation, no message, by any route.
    expectRefusal(await a.request('message.send', { to_user_id: idOf(bob), ...text(1) }));
    expectRefusal(await a.request('conversation.create', { user_id: idOf(bob) }));
    expectRefusal(await post(server, '/v1/conversations', alice, { user_id: idOf(bob) }));
    // An unknown user is still not found; yourself is still a bad argument.
    expect(
      (await a.request('message.send', { to_user_id: '01NOBODYATALL', ...text(2) })).error?.code,
    ).toBe('NOT_FOUND');
    expectError(
      await post(server, '/v1/conversations', alice, { user_id: idOf(alice) }),
      400,
      'INVALID_ARGUMENT',
    );

    await befriend(server, alice, bob);
    const { message } = await a.call('message.send', { to_user_id: idOf(bob), ...text(3) });
    expect((await b.next((f) => f.event === 'message.new')).data.message).toEqual(message);
    await b.call('message.send', { conversation_id: message.conversation_id, ...text(4) });

    // Unfriended: refused again at once, by to_user_id and by conversation_id, both ways.
    expect((await del(server, `/v1/friends/${idOf(bob)}`, alice)).status).toBe(204);
    expectRefusal(await a.request('message.send', { to_user_id: idOf(bob), ...text(5) }));
    expectRefusal(
      await b.request('message.send', { conversation_id: message.conversation_id, ...text(6) }),
    );
    expectRefusal(
      await post(server, `/v1/conversations/${message.conversation_id}/messages`, bob, text(7)),
    );
    // Reading what was said is still allowed.
    const history = await a.call('message.history', { conversation_id: message.conversation_id });
    expect(history.messages).toHaveLength(2);
  });

  it('allows one-to-one messages between strangers under dm_policy anyone', async () => {
    const alice = await account(open);
    const bob = await account(open);
    const a = await connect(open, alice);
    const reply = await a.call('message.send', { to_user_id: idOf(bob), ...text(1) });
    expect(reply.message.sender_id).toBe(idOf(alice));
    expect((await post(open, '/v1/conversations', bob, { user_id: idOf(alice) })).status).toBe(200);
  });

  it('refuses friend requests and messages to a user who blocked you, without saying so', async () => {
    for (const s of [server, open]) {
      const alice = await account(s);
      const bob = await account(s);
      const carol = await account(s);
      await befriend(s, alice, bob);
      const a = await connect(s, alice);
      const b = await connect(s, bob);
      const { message } = await a.call('message.send', { to_user_id: idOf(bob), ...text(1) });
      const conversationId = message.conversation_id;

      // Carol has a request pending with Bob; Bob blocks Alice and Carol.
      const pending = (await sendRequest(s, carol, bob)).body.request;
      for (const who of [alice, carol]) {
        const blocked = await post(s, '/v1/blocks', bob, { user_id: idOf(who) });
        expect(blocked.status).toBe(204);
        expect(blocked.body).toBeUndefined();
      }
      expect((await post(s, '/v1/blocks', bob, { user_id: idOf(alice) })).status).toBe(204);
      const list = await get(s, '/v1/blocks', bob);
      expect(list.status).toBe(200);
      expect(list.body.users.map((u: { user_id: string }) => u.user_id)).toEqual(
        [idOf(alice), idOf(carol)].sort(),
      );
      expect(list.body.next_cursor).toBeNull();
      expect((await get(s, '/v1/blocks', alice)).body.users).toEqual([]);

      // The pending request was canceled.
      expect(await requests(s, bob, 'incoming')).toEqual([]);
      expect(await requests(s, carol, 'outgoing')).toEqual([]);
      expectError(
        await post(s, `/v1/friends/requests/${pending.request_id}/accept`, bob),
        409,
        'FAILED_PRECONDITION',
      );

      // Blocked: friend requests and messages (both addressing forms, WS and REST) refused.
      const refusedRequest = await sendRequest(s, carol, bob);
      expect(refusedRequest.status).toBe(403);
      expect(expectRefusal(refusedRequest)).toBe('You cannot send a friend request to this user.');
      expect(
        expectRefusal(await a.request('message.send', { to_user_id: idOf(bob), ...text(2) })),
      ).toBe('You cannot message this user.');
      expectRefusal(
        await a.request('message.send', { conversation_id: conversationId, ...text(3) }),
      );
      expectRefusal(await post(s, `/v1/conversations/${conversationId}/messages`, alice, text(4)));
      expectRefusal(await a.request('conversation.create', { user_id: idOf(bob) }));
      // Bob, who blocked, may still write; Bob may not send requests to whom he blocked.
      await b.call('message.send', { conversation_id: conversationId, ...text(5) });
      expectError(await sendRequest(s, bob, carol), 409, 'FAILED_PRECONDITION');
      await settle([b]);
      expect(b.events('message.new').map((f) => f.data.message.sender_id)).toEqual([idOf(alice)]);

      // Unblocked (idempotent): Alice may write again.
      expect((await del(s, `/v1/blocks/${idOf(alice)}`, bob)).status).toBe(204);
      expect((await del(s, `/v1/blocks/${idOf(alice)}`, bob)).status).toBe(204);
      await a.call('message.send', { conversation_id: conversationId, ...text(6) });
      expect((await get(s, '/v1/blocks', bob)).body.users).toHaveLength(1);
    }
  });

  it('keeps restricted guests to friends: no friend requests, no messages to strangers', async () => {
    for (const s of [server, open]) {
      const guest = await s.server.client().guest();
      const alice = await account(s);
      const g = await connect(s, guest);
      expectError(await sendRequest(s, guest, alice), 403, 'PERMISSION_DENIED');
      expectRefusal(await g.request('message.send', { to_user_id: idOf(alice), ...text(1) }));
      expectRefusal(await post(s, '/v1/conversations', guest, { user_id: idOf(alice) }));

      // A registered user may befriend a guest; then they talk.
      await befriend(s, alice, guest);
      await g.call('message.send', { to_user_id: idOf(alice), ...text(2) });
    }
  });

  it('treats guests as users under guest_policy full', async () => {
    const guest = await lenient.server.client().guest();
    const alice = await account(lenient);
    const g = await connect(lenient, guest);
    await g.call('message.send', { to_user_id: idOf(alice), ...text(1) });
    const sent = await sendRequest(lenient, guest, alice);
    expect(sent.status).toBe(201);
  });

  it('refuses bad input with 400, a missing token with 401, unknown users with 404', async () => {
    const alice = await account();
    const bob = await account();
    const bad400 = [
      await post(server, '/v1/friends/requests', alice),
      await post(server, '/v1/friends/requests', alice, {}),
      await post(server, '/v1/friends/requests', alice, { user_id: 'not an id!' }),
      await post(server, '/v1/friends/requests', alice, { user_id: 42 }),
      await post(server, '/v1/friends/requests', alice, { user_id: idOf(bob), message: 7 }),
      await post(server, '/v1/friends/requests', alice, {
        user_id: idOf(bob),
        message: 'x'.repeat(201),
      }),
      await post(server, '/v1/friends/requests', alice, {
        user_id: idOf(bob),
        message: 'bell\u0007',
      }),
      await post(server, '/v1/friends/requests', alice, { user_id: idOf(alice) }),
      await get(server, '/v1/friends/requests?direction=sideways', alice),
      await get(server, '/v1/friends/requests?limit=0', alice),
      await get(server, '/v1/friends?limit=101', alice),
      await get(server, '/v1/friends?limit=many', alice),
      await get(server, '/v1/friends?cursor=not%20a%20cursor', alice),
      await get(server, '/v1/blocks?limit=0', alice),
      await post(server, '/v1/friends/requests/bad%20id/accept', alice),
      await post(server, '/v1/blocks', alice),
      await post(server, '/v1/blocks', alice, { user_id: '' }),
      await post(server, '/v1/blocks', alice, { user_id: idOf(alice) }),
      await del(server, '/v1/blocks/bad%20id', alice),
      await del(server, `/v1/friends/${idOf(alice)}`, alice),
    ];
    bad400.forEach((res) => expectError(res, 400, 'INVALID_ARGUMENT'));
    expectError(
      await post(server, '/v1/friends/requests', alice, { user_id: '01NOBODYATALL' }),
      404,
      'NOT_FOUND',
    );
    expectError(
      await post(server, '/v1/blocks', alice, { user_id: '01NOBODYATALL' }),
      404,
      'NOT_FOUND',
    );
    for (const [method, path] of [
      ['GET', '/v1/friends'],
      ['GET', '/v1/friends/requests'],
      ['GET', '/v1/blocks'],
      ['DELETE', `/v1/blocks/${idOf(bob)}`],
      ['DELETE', `/v1/friends/${idOf(bob)}`],
    ] as const) {
      expectError(await server.server.fetch(path, { method }), 401, 'UNAUTHENTICATED');
    }
    expectError(
      await server.server.fetch('/v1/friends/requests', json({ user_id: idOf(bob) })),
      401,
      'UNAUTHENTICATED',
    );
    // Nothing was stored by any of it.
    expect(await requests(server, bob, 'incoming')).toEqual([]);
  });
});
