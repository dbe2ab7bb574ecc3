/** The social-graph part of the Store contract (ports/social-store.ts), run against every engine. */
import { beforeEach, describe, expect, it } from 'vitest';
import type { FriendRequestRecord } from '../../src/domain/social.js';
import type { Store } from '../../src/ports/store.js';
import { storeForEachCase, user, type StoreHarness } from './store.contract.js';

let serial = 0;

/** Request ids sort by creation, like the ULIDs the server uses. */
function request(from: string, to: string, at = 1_000): FriendRequestRecord {
  serial++;
  return {
    id: `r${Date.now().toString(36)}${serial.toString().padStart(6, '0')}`,
    fromUserId: from,
    toUserId: to,
    message: `hi ${serial}`,
    status: 'pending',
    createdAt: at,
    updatedAt: at,
  };
}

export function describeSocialStoreContract(
  engine: string,
  makeHarness: () => Promise<StoreHarness>,
) {
  describe(`Store contract, social graph: ${engine}`, () => {
    const current = storeForEachCase(makeHarness);
    let store: Store;
    let users: string[];
    let alice: string;
    let bob: string;
    let carol: string;

    // After storeForEachCase's own beforeEach: the case's store is open and migrated.
    beforeEach(async () => {
      store = current();
      users = [];
      for (let i = 0; i < 6; i++) {
        const u = user();
        await store.users.insert(u);
        users.push(u.id);
      }
      users.sort();
      [alice, bob, carol] = users as [string, string, string];
    });

    /** Pending requests of the pair, read from both sides. */
    async function pendingOf(a: string, b: string): Promise<FriendRequestRecord[]> {
      const page = { limit: 100 };
      const rows = [
        ...(await store.friends.listPending(a, 'outgoing', page)),
        ...(await store.friends.listPending(b, 'outgoing', page)),
      ];
      return rows.filter((r) => [a, b].includes(r.toUserId));
    }

    it('applies 0003-social', async () => {
      expect((await store.migrate()).current).toContain('0003-social');
    });

    it('keeps one pending request per pair, in either direction', async () => {
      const first = request(alice, bob);
      const created = await store.friends.createRequest(first);
      expect(created).toEqual({ request: first, created: true });
      expect(await store.friends.findRequest(first.id)).toEqual(first);

      const again = await store.friends.createRequest(request(alice, bob));
      expect(again).toEqual({ request: first, created: false });
      const reverse = await store.friends.createRequest(request(bob, alice));
      expect(reverse).toEqual({ request: first, created: false });

      expect(await store.friends.pendingBetween(bob, alice)).toEqual(first);
      expect(await store.friends.pendingBetween(alice, carol)).toBeUndefined();
      expect(await store.friends.findRequest('nope')).toBeUndefined();

      // Another pair is independent.
      expect((await store.friends.createRequest(request(alice, carol))).created).toBe(true);
    });

    it('lists pending requests by direction, newest first, a page at a time', async () => {
      const sent = [];
      for (const to of users.slice(1)) {
        const r = request(alice, to);
        await store.friends.createRequest(r);
        sent.push(r);
      }
      const newestFirst = [...sent].reverse();
      const page1 = await store.friends.listPending(alice, 'outgoing', { limit: 3 });
      expect(page1).toEqual(newestFirst.slice(0, 3));
      const page2 = await store.friends.listPending(alice, 'outgoing', {
        limit: 3,
        after: page1.at(-1)?.id,
      });
      expect(page2).toEqual(newestFirst.slice(3));
      expect(await store.friends.listPending(alice, 'incoming', { limit: 10 })).toEqual([]);
      expect(await store.friends.listPending(bob, 'incoming', { limit: 10 })).toEqual([sent[0]]);

      // Settled requests are not pending any more.
      await store.friends.settleRequest(sent[0]!.id, 'rejected', 2_000);
      expect(await store.friends.listPending(bob, 'incoming', { limit: 10 })).toEqual([]);
    });

    it('accepts once: the status change and both friendship rows together', async () => {
      const r = request(alice, bob);
      await store.friends.createRequest(r);
      const accepted = await store.friends.settleRequest(r.id, 'accepted', 2_000);
      expect(accepted).toEqual({
        request: { ...r, status: 'accepted', updatedAt: 2_000 },
        changed: true,
      });
      expect(await store.friends.areFriends(alice, bob)).toBe(true);
      expect(await store.friends.areFriends(bob, alice)).toBe(true);
      expect(await store.friends.areFriends(alice, carol)).toBe(false);
      expect(await store.friends.friendIds(alice, 10)).toEqual([bob]);
      expect(await store.friends.friendIds(bob, 10)).toEqual([alice]);
      expect(await store.friends.listFriends(bob, { limit: 10 })).toEqual([
        { userId: bob, friendId: alice, createdAt: 2_000 },
      ]);

      // Settled stays settled: no second change, whichever status is asked for.
      for (const status of ['accepted', 'rejected', 'canceled'] as const) {
        expect(await store.friends.settleRequest(r.id, status, 3_000)).toEqual({
          request: { ...r, status: 'accepted', updatedAt: 2_000 },
          changed: false,
        });
      }
      expect(await store.friends.settleRequest('nope', 'accepted', 3_000)).toBeUndefined();

      // Only pending requests are unique per pair: a new one may be stored (the use cases
      // refuse it between friends), and accepting it writes no second friendship.
      const later = request(bob, alice);
      expect((await store.friends.createRequest(later)).created).toBe(true);
      expect((await store.friends.settleRequest(later.id, 'accepted', 4_000))?.changed).toBe(true);
      expect(await store.friends.friendIds(alice, 10)).toEqual([bob]);
    });

    it('rejects and cancels without a friendship', async () => {
      const r = request(alice, bob);
      await store.friends.createRequest(r);
      expect((await store.friends.settleRequest(r.id, 'rejected', 2_000))?.request.status).toBe(
        'rejected',
      );
      expect(await store.friends.areFriends(alice, bob)).toBe(false);
      const next = request(bob, alice);
      expect((await store.friends.createRequest(next)).created).toBe(true);
      expect((await store.friends.settleRequest(next.id, 'canceled', 3_000))?.request.status).toBe(
        'canceled',
      );
      expect(await store.friends.pendingBetween(alice, bob)).toBeUndefined();
    });

    it('makes exactly one friendship from 8 concurrent accepts of one request', async () => {
      const r = request(alice, bob);
      await store.friends.createRequest(r);
      const results = await Promise.all(
        Array.from({ length: 8 }, (_, i) =>
          store.friends.settleRequest(r.id, 'accepted', 2_000 + i),
        ),
      );
      expect(results.filter((x) => x?.changed)).toHaveLength(1);
      expect(results.every((x) => x?.request.status === 'accepted')).toBe(true);
      expect(await store.friends.friendIds(alice, 10)).toEqual([bob]);
      expect(await store.friends.friendIds(bob, 10)).toEqual([alice]);
    });

    it('settles a request one way only when accept and reject race', async () => {
      const r = request(alice, bob);
      await store.friends.createRequest(r);
      const results = await Promise.all(
        Array.from({ length: 8 }, (_, i) =>
          store.friends.settleRequest(r.id, i % 2 === 0 ? 'accepted' : 'rejected', 2_000),
        ),
      );
      const winners = results.filter((x) => x?.changed);
      expect(winners).toHaveLength(1);
      const final = winners[0]!.request.status;
      expect(results.every((x) => x?.request.status === final)).toBe(true);
      expect(await store.friends.areFriends(alice, bob)).toBe(final === 'accepted');
    });

    it('stores one of many concurrent requests between two users, in both directions', async () => {
      const attempts = Array.from({ length: 16 }, (_, i) =>
        i % 2 === 0 ? request(alice, bob) : request(bob, alice),
      );
      const results = await Promise.all(attempts.map((r) => store.friends.createRequest(r)));
      const stored = results.filter((x) => x.created);
      expect(stored).toHaveLength(1);
      const winner = stored[0]!.request;
      expect(results.every((x) => x.request.id === winner.id)).toBe(true);
      expect(await pendingOf(alice, bob)).toEqual([winner]);
    });

    it('leaves one pending request or a friendship when mutual requests race, never two pendings', async () => {
      // What the use case does: store a request, or accept the other side's pending one; a
      // request stored after the friendship was made (its insert waited for that commit) sees
      // the friendship and is withdrawn.
      const send = async (from: string, to: string) => {
        const { request: r, created } = await store.friends.createRequest(request(from, to));
        if (!created && r.fromUserId !== from) {
          await store.friends.settleRequest(r.id, 'accepted', 5_000);
        } else if (created && (await store.friends.areFriends(from, to))) {
          await store.friends.settleRequest(r.id, 'canceled', 5_000);
        }
      };
      const pairs: [string, string][] = [
        [alice, bob],
        [alice, carol],
        [bob, carol],
      ];
      await Promise.all(pairs.flatMap(([a, b]) => [send(a, b), send(b, a), send(a, b)]));
      for (const [a, b] of pairs) {
        const pending = await pendingOf(a, b);
        const friends = await store.friends.areFriends(a, b);
        expect(pending.length, `${a} ${b}`).toBeLessThanOrEqual(1);
        expect(pending.length === 1 ? !friends : friends, `${a} ${b}`).toBe(true);
        expect(await store.friends.areFriends(b, a)).toBe(friends);
      }
    });

    it('ends a friendship on both sides, once', async () => {
      const r = request(alice, bob);
      await store.friends.createRequest(r);
      await store.friends.settleRequest(r.id, 'accepted', 2_000);
      expect(await store.friends.removeFriendship(bob, alice)).toBe(true);
      expect(await store.friends.areFriends(alice, bob)).toBe(false);
      expect(await store.friends.areFriends(bob, alice)).toBe(false);
      expect(await store.friends.removeFriendship(alice, bob)).toBe(false);
    });

    it('pages friends by friend id', async () => {
      for (const other of users.slice(1)) {
        const r = request(other, alice);
        await store.friends.createRequest(r);
        await store.friends.settleRequest(r.id, 'accepted', 2_000);
      }
      const first = await store.friends.listFriends(alice, { limit: 2 });
      expect(first.map((f) => f.friendId)).toEqual(users.slice(1, 3));
      const rest = await store.friends.listFriends(alice, {
        limit: 10,
        after: first.at(-1)?.friendId,
      });
      expect(rest.map((f) => f.friendId)).toEqual(users.slice(3));
      expect(await store.friends.friendIds(alice, 2)).toHaveLength(2);
    });

    it('rolls an accept back with its transaction', async () => {
      const r = request(alice, bob);
      await store.friends.createRequest(r);
      await expect(
        store.transaction(async (repos) => {
          await repos.friends.settleRequest(r.id, 'accepted', 2_000);
          expect(await repos.friends.areFriends(alice, bob)).toBe(true);
          throw new Error('abort');
        }),
      ).rejects.toThrow('abort');
      expect((await store.friends.findRequest(r.id))?.status).toBe('pending');
      expect(await store.friends.areFriends(alice, bob)).toBe(false);
    });

    it('blocks one way, idempotently, cancelling the pending requests between the two', async () => {
      const r = request(bob, alice);
      await store.friends.createRequest(r);
      const first = await store.blocks.block(alice, bob, 2_000);
      expect(first).toEqual({
        created: true,
        canceled: [{ ...r, status: 'canceled', updatedAt: 2_000 }],
      });
      expect(await store.friends.pendingBetween(alice, bob)).toBeUndefined();
      expect(await store.blocks.block(alice, bob, 3_000)).toEqual({ created: false, canceled: [] });
      expect(await store.blocks.isBlocked(alice, bob)).toBe(true);
      expect(await store.blocks.isBlocked(bob, alice)).toBe(false);
      expect(await store.blocks.blockerIds(bob, 10)).toEqual([alice]);
      expect(await store.blocks.blockerIds(alice, 10)).toEqual([]);

      // A request the other way round is cancelled too.
      const mine = request(carol, bob);
      await store.friends.createRequest(mine);
      expect((await store.blocks.block(bob, carol, 4_000)).canceled.map((x) => x.id)).toEqual([
        mine.id,
      ]);

      expect(await store.blocks.unblock(alice, bob)).toBe(true);
      expect(await store.blocks.unblock(alice, bob)).toBe(false);
      expect(await store.blocks.isBlocked(alice, bob)).toBe(false);
    });

    it('lists blocked users by id, a page at a time', async () => {
      for (const other of [...users.slice(1)].reverse()) {
        await store.blocks.block(alice, other, 2_000);
      }
      const first = await store.blocks.listBlocked(alice, { limit: 3 });
      expect(first).toEqual(
        users.slice(1, 4).map((id) => ({ blockerId: alice, blockedId: id, createdAt: 2_000 })),
      );
      const rest = await store.blocks.listBlocked(alice, {
        limit: 3,
        after: first.at(-1)?.blockedId,
      });
      expect(rest.map((b) => b.blockedId)).toEqual(users.slice(4));
      expect(await store.blocks.listBlocked(bob, { limit: 3 })).toEqual([]);
      expect(await store.blocks.blockerIds(bob, 10)).toEqual([alice]);
    });
  });
}
