/** The messaging part of the Store contract, run against every engine. */
import { beforeEach, describe, expect, it } from 'vitest';
import { LOBBY_ID, singleConversationId } from '../../src/domain/conversation.js';
import type { NewMessage } from '../../src/domain/message.js';
import type { ConversationPosition } from '../../src/ports/messaging-store.js';
import type { Store } from '../../src/ports/store.js';
import { storeForEachCase, user, type StoreHarness } from './store.contract.js';

let serial = 0;

function message(conversationId: string, senderId: string, clientMsgId?: string): NewMessage {
  serial++;
  return {
    id: `m${serial.toString().padStart(8, '0')}`,
    conversationId,
    senderId,
    clientMsgId: clientMsgId ?? `c${serial}`,
    type: 'text',
    content: JSON.stringify({ text: `hello ${serial}` }),
    status: 'sent',
    createdAt: 1_000 + serial,
  };
}

export function describeMessagingStoreContract(
  engine: string,
  makeHarness: () => Promise<StoreHarness>,
) {
  describe(`Store contract, messaging: ${engine}`, () => {
    const current = storeForEachCase(makeHarness);
    let store: Store;
    let alice: string;
    let bob: string;
    let convo: string;

    // After storeForEachCase's own beforeEach: the case's store is open and migrated.
    beforeEach(async () => {
      store = current();
      const a = user();
      const b = user();
      await store.users.insert(a);
      await store.users.insert(b);
      alice = a.id;
      bob = b.id;
      convo = singleConversationId(alice, bob);
      await store.conversations.ensure({ id: convo, type: 'single', name: '', createdAt: 500 }, [
        alice,
        bob,
      ]);
    });

    it('creates a conversation once, counts its members, and starts with the lobby', async () => {
      const again = await store.conversations.ensure(
        { id: convo, type: 'single', name: '', createdAt: 600 },
        [alice, bob],
      );
      expect(again).toBe(false);
      expect(await store.conversations.find(convo)).toMatchObject({
        type: 'single',
        maxSeq: 0,
        memberCount: 2,
        createdAt: 500,
      });
      expect(await store.conversations.membership(convo, alice)).toMatchObject({ readSeq: 0 });
      expect(await store.conversations.find(LOBBY_ID)).toMatchObject({
        type: 'world',
        memberCount: 0,
      });
      expect(await store.conversations.addMember(LOBBY_ID, alice, 700)).toBe(true);
      expect(await store.conversations.addMember(LOBBY_ID, alice, 701)).toBe(false);
      expect((await store.conversations.find(LOBBY_ID))?.memberCount).toBe(1);
      expect(await store.conversations.idsForUser(alice, ['world'])).toEqual([LOBBY_ID]);
      expect(await store.conversations.contactsOf(alice)).toEqual([bob]);
    });

    it('allocates seqs 1, 2, 3 … and returns the original for a repeated client_msg_id', async () => {
      const first = await store.messages.appendBatch([
        message(convo, alice, 'k1'),
        message(convo, bob),
        message(convo, alice, 'k1'),
      ]);
      expect(first.map((r) => [r.message.seq, r.duplicate])).toEqual([
        [1, false],
        [2, false],
        [1, true],
      ]);
      const retry = await store.messages.appendBatch([
        message(convo, alice, 'k1'),
        message(convo, alice),
      ]);
      expect(retry.map((r) => [r.message.seq, r.duplicate])).toEqual([
        [1, true],
        [3, false],
      ]);
      expect(retry[0]?.message.id).toBe(first[0]?.message.id);
      expect((await store.conversations.find(convo))?.maxSeq).toBe(3);
    });

    it('numbers each conversation of a batch on its own, and refuses a batch naming a missing one whole', async () => {
      const other = singleConversationId(bob, `${alice}x`);
      await store.conversations.ensure({ id: other, type: 'single', name: '', createdAt: 500 }, [
        bob,
      ]);
      const mixed = await store.messages.appendBatch([
        message(convo, alice),
        message(other, bob),
        message(convo, bob),
        message(other, bob),
      ]);
      expect(mixed.map((r) => [r.message.conversationId, r.message.seq])).toEqual([
        [convo, 1],
        [other, 1],
        [convo, 2],
        [other, 2],
      ]);
      await expect(
        store.messages.appendBatch([message(convo, alice), message('s_missing', alice)]),
      ).rejects.toThrow(/No conversation s_missing/);
      expect((await store.conversations.find(convo))?.maxSeq).toBe(2);
      const page = await store.messages.history({ conversationId: convo, afterSeq: 0, limit: 10 });
      expect(page.messages.map((m) => m.seq)).toEqual([1, 2]);
    });

    it('keeps seqs gap-free under concurrent batches', async () => {
      const batches = Array.from({ length: 40 }, (_, b) =>
        Array.from({ length: 25 }, (_, i) => message(convo, i % 2 ? alice : bob, `b${b}-${i}`)),
      );
      const results = (await Promise.all(batches.map((b) => store.messages.appendBatch(b)))).flat();
      const seqs = results.map((r) => r.message.seq).sort((x, y) => x - y);
      expect(seqs).toEqual(Array.from({ length: 1000 }, (_, i) => i + 1));
      const page = await store.messages.history({
        conversationId: convo,
        afterSeq: 990,
        limit: 100,
      });
      expect(page.messages.map((m) => m.seq)).toEqual([
        991, 992, 993, 994, 995, 996, 997, 998, 999, 1000,
      ]);
    });

    it('keeps a batch appended while another transaction is open when that one rolls back', async () => {
      let release = () => {};
      const held = new Promise<void>((resolve) => (release = resolve));
      let begun = () => {};
      const started = new Promise<void>((resolve) => (begun = resolve));
      const rolledBack = store.transaction(async (repos) => {
        await repos.messages.appendBatch([message(convo, bob, 'undone')]);
        begun();
        await held;
        throw new Error('roll back');
      });
      await started;
      // Must neither join the open transaction nor write a seq that the rollback reuses.
      const appending = store.messages.appendBatch([message(convo, alice, 'kept')]);
      release();
      await expect(rolledBack).rejects.toThrow('roll back');
      const [kept] = await appending;
      expect(kept?.message.seq).toBe(1);
      expect(await store.messages.findByClientMsgId(alice, 'kept')).toMatchObject({ seq: 1 });
      expect(await store.messages.findByClientMsgId(bob, 'undone')).toBeUndefined();
      expect((await store.conversations.find(convo))?.maxSeq).toBe(1);
    });

    it('pages history forward from after_seq and back from before_seq', async () => {
      await store.messages.appendBatch(Array.from({ length: 10 }, () => message(convo, alice)));
      const seqs = (p: { messages: { seq: number }[] }) => p.messages.map((m) => m.seq);
      const latest = await store.messages.history({ conversationId: convo, limit: 3 });
      expect([seqs(latest), latest.hasMore]).toEqual([[8, 9, 10], true]);
      const back = await store.messages.history({ conversationId: convo, beforeSeq: 8, limit: 3 });
      expect([seqs(back), back.hasMore]).toEqual([[5, 6, 7], true]);
      const start = await store.messages.history({ conversationId: convo, beforeSeq: 3, limit: 5 });
      expect([seqs(start), start.hasMore]).toEqual([[1, 2], false]);
      const after = await store.messages.history({ conversationId: convo, afterSeq: 6, limit: 3 });
      expect([seqs(after), after.hasMore]).toEqual([[7, 8, 9], true]);
      const end = await store.messages.history({ conversationId: convo, afterSeq: 8, limit: 3 });
      expect([seqs(end), end.hasMore]).toEqual([[9, 10], false]);
      const between = await store.messages.history({
        conversationId: convo,
        afterSeq: 2,
        beforeSeq: 6,
        limit: 10,
      });
      expect([seqs(between), between.hasMore]).toEqual([[3, 4, 5], false]);
    });

    it('counts unread messages not sent by the member and moves read_seq forward only', async () => {
      await store.messages.appendBatch([
        message(convo, alice),
        message(convo, bob),
        message(convo, alice),
      ]);
      const forBob = await store.conversations.summary(convo, bob);
      expect(forBob).toMatchObject({ unreadCount: 2, membership: { readSeq: 0 } });
      expect(forBob?.lastMessage?.seq).toBe(3);
      expect((await store.conversations.summary(convo, alice))?.unreadCount).toBe(1);

      expect(await store.conversations.markRead(convo, bob, 2)).toBe(2);
      expect(await store.conversations.markRead(convo, bob, 1)).toBeUndefined();
      expect((await store.conversations.summary(convo, bob))?.unreadCount).toBe(1);
      expect(await store.conversations.markRead(convo, bob, 99)).toBe(3);
      expect(
        (await store.conversations.listForUser(bob, { limit: 10 })).entries[0]?.summary,
      ).toMatchObject({
        unreadCount: 0,
        membership: { readSeq: 3 },
      });
      expect(await store.conversations.markDelivered(convo, bob, 2)).toBe(2);
      expect(await store.conversations.markRead(convo, 'not-a-member', 1)).toBeUndefined();
    });

    it('lists a user’s conversations, most recent activity first', async () => {
      await store.conversations.addMember(LOBBY_ID, alice, 2_000);
      await store.messages.appendBatch([message(LOBBY_ID, alice)]);
      const list = (await store.conversations.listForUser(alice, { limit: 10 })).entries;
      expect(list.map((e) => e.summary.conversation.id)).toEqual([LOBBY_ID, convo]);
      expect(list[1]?.summary.lastMessage).toBeNull();
      expect(list[1]?.position).toEqual({ id: convo, lastActivityAt: 500 });
    });

    it('pages a user’s conversations by keyset: each exactly once, ties by id', async () => {
      // 25 conversations on 5 activity times (ties), plus the first one (activity 500).
      const ids: string[] = [];
      await store.transaction(async (tx) => {
        for (let i = 0; i < 25; i++) {
          const id = `g_page${String(i).padStart(2, '0')}`;
          ids.push(id);
          await tx.conversations.ensure(
            { id, type: 'group', name: '', createdAt: 1_000 + (i % 5) },
            [alice],
          );
        }
      });
      const expected = [
        ...ids.map((id, i) => ({ id, at: 1_000 + (i % 5) })),
        { id: convo, at: 500 },
      ]
        .sort((x, y) => y.at - x.at || (x.id < y.id ? -1 : 1))
        .map((x) => x.id);
      const walked: string[] = [];
      let after: ConversationPosition | undefined;
      for (;;) {
        const page = await store.conversations.listForUser(alice, { after, limit: 4 });
        walked.push(...page.entries.map((e) => e.summary.conversation.id));
        if (!page.hasMore) break;
        after = page.entries.at(-1)?.position;
      }
      expect(walked).toEqual(expected);

      // New activity moves a conversation to the front, ahead of a walk already past it.
      const first = await store.conversations.listForUser(alice, { limit: 3 });
      const moved = expected.at(-2) as string;
      await store.messages.appendBatch([{ ...message(moved, alice), createdAt: 9_000 }]);
      const rest = await store.conversations.listForUser(alice, {
        after: first.entries.at(-1)?.position,
        limit: 100,
      });
      const restIds = rest.entries.map((e) => e.summary.conversation.id);
      expect(restIds).not.toContain(moved);
      expect(restIds).toEqual(expected.slice(3).filter((id) => id !== moved));
      const front = await store.conversations.listForUser(alice, { limit: 1 });
      expect(front.entries[0]?.position).toEqual({ id: moved, lastActivityAt: 9_000 });
    });

    it('applies edits and recalls through the change log, and nothing after a recall', async () => {
      await store.messages.appendBatch([message(convo, alice), message(convo, alice)]);
      const edited = await store.messages.applyChange(
        convo,
        1,
        { kind: 'edit', content: '{"text":"fixed"}', editedAt: 5_000 },
        5_000,
      );
      expect(edited?.change).toMatchObject({ changeSeq: 1, seq: 1, kind: 'edit' });
      expect(edited?.message).toMatchObject({ content: '{"text":"fixed"}', editedAt: 5_000 });
      const recalled = await store.messages.applyChange(
        convo,
        1,
        { kind: 'recall', content: '{}', status: 'recalled' },
        6_000,
      );
      expect(recalled?.change.changeSeq).toBe(2);
      const again = await store.messages.applyChange(
        convo,
        1,
        { kind: 'edit', content: '{}' },
        7_000,
      );
      expect(again).toBeUndefined();
      expect(
        await store.messages.applyChange(convo, 99, { kind: 'edit', content: '{}' }, 7_000),
      ).toBeUndefined();
      expect((await store.conversations.find(convo))?.maxChangeSeq).toBe(2);

      const page = await store.messages.changes(convo, 0, 1);
      expect(page.hasMore).toBe(true);
      expect(page.changes[0]?.change.kind).toBe('edit');
      const rest = await store.messages.changes(convo, 1, 10);
      expect(rest.changes.map((c) => [c.change.changeSeq, c.message.status])).toEqual([
        [2, 'recalled'],
      ]);
      expect((await store.messages.find(convo, 1))?.status).toBe('recalled');
    });
  });
}
