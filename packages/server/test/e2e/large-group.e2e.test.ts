import type { AuthResult } from '@parley/client';
import { describe, expect, it } from 'vitest';
import type { UserRecord } from '../../src/domain/user.js';
import { e2eServer } from '../support/e2e-fixture.js';
import { ENGINES } from '../support/test-server.js';
import { eventually, type WsTestClient } from '../support/ws-test-client.js';
const MEMBERS = 10_000;
const ONLINE = 25;

describe.each(ENGINES)('a 10,000-member group (%s)', (engine) => {
  // This test is about a large group's fan-out, not about growing one: it names every
  // member in the create request, which a deployment bounds (group_members_per_request).
  const t = e2eServer(engine, { group_members_per_request: MEMBERS });
  const clients: WsTestClient[] = [];

  it('is created, paged and messaged; the message is stored once and reaches every online member', async () => {
    // Offline members are written straight to the store (signing up 10,000 people over HTTP
    // would only measure password hashing); the owner and the online members sign up.
    const offline: string[] = [];
    await t.server.parley.store.transaction(async (tx) => {
      for (let i = 0; i < MEMBERS - ONLINE - 1; i++) {
        const id = `01BULK${String(i).padStart(20, '0')}`;
        const record: UserRecord = {
          id,
          username: `bulk_${engine}_${i}`,
          passwordHash: null,
          nickname: `Bulk ${i}`,
          avatarUrl: '',
          bio: '',
          isGuest: false,
          createdAt: 1,
          updatedAt: 1,
        };
        await tx.users.insert(record);
        offline.push(id);
      }
    });
    const owner = await t.account('big_owner_');
    const online: AuthResult[] = [];
    for (let i = 0; i < ONLINE; i++) {
      online.push(await t.account('big_online_'));
    }
    const memberIds = [...offline, ...online.map((a) => a.user.user_id)];
    const created = await t.post('/v1/groups', owner, { name: 'Everyone', member_ids: memberIds });
    expect(created.status).toBe(201);
    expect(created.body.group.member_count).toBe(MEMBERS);

    // Paged: every member exactly once.
    const seen = new Set<string>();
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res: {
        status: number;
        body: { members: { user_id: string }[]; next_cursor: string | null };
      } = await t.get(
        `/v1/groups/${created.body.group.group_id}/members?limit=100${cursor ? `&cursor=${cursor}` : ''}`,
        owner,
      );
      expect(res.status).toBe(200);
      for (const m of res.body.members) seen.add(m.user_id);
      cursor = res.body.next_cursor;
      pages++;
    } while (cursor !== null);
    expect(seen.size).toBe(MEMBERS);
    expect(pages).toBe(MEMBERS / 100);

    for (const a of online) clients.push(await t.connect(a));
    const sender = await t.connect(owner);
    clients.push(sender);
    const conversationId = created.body.group.conversation_id as string;
    const sent = await sender.call('message.send', {
      conversation_id: conversationId,
      client_msg_id: 'all-hands',
      type: 'text',
      content: { text: 'hello, everyone' },
    });
    await eventually(() =>
      clients.slice(0, ONLINE).every((c) => c.events('message.new').length === 1),
    );
    for (const c of clients.slice(0, ONLINE))
      expect(c.events('message.new')[0]?.data.message).toEqual(sent.message);

    // Stored once: one message at seq 1, whatever the member count.
    const history = await sender.call('message.history', { conversation_id: conversationId });
    expect(history.messages.map((m: { seq: number }) => m.seq)).toEqual([1]);
    // An offline member catches up by seq later; its unread count is exact.
    const summary = await t.server.parley.store.conversations.summary(conversationId, offline[0]!);
    expect(summary).toMatchObject({
      unreadCount: 1,
      conversation: { maxSeq: 1, memberCount: MEMBERS },
    });
  });
});
