/** The groups part of the Store contract, run against every engine. */
import { beforeEach, describe, expect, it } from 'vitest';
import type { AppError } from '../../src/domain/errors.js';
import type { Store } from '../../src/ports/store.js';
import { storeForEachCase, user, type StoreHarness } from './store.contract.js';

export function describeGroupStoreContract(
  engine: string,
  makeHarness: () => Promise<StoreHarness>,
) {
  describe(`Store contract, groups: ${engine}`, () => {
    const current = storeForEachCase(makeHarness);
    let store: Store;
    let ids: string[];
    let serial = 0;

    // After storeForEachCase's own beforeEach: the case's store is open and migrated.
    beforeEach(async () => {
      store = current();
      ids = [];
      await store.transaction(async (tx) => {
        for (let i = 0; i < 60; i++) {
          const u = user();
          await tx.users.insert(u);
          ids.push(u.id);
        }
      });
    });

    const newGroup = (ownerId: string) => {
      const id = `grp${serial++}${Date.now().toString(36)}`;
      return {
        id,
        conversationId: `g_${id}`,
        name: 'Climbers',
        avatarUrl: '',
        notice: '',
        ownerId,
        joinPolicy: 'open' as const,
        createdAt: 1_000,
      };
    };

    it('creates a group with its conversation, owner and members in one go', async () => {
      const group = newGroup(ids[0]!);
      await store.groups.create(group, ids.slice(0, 5), 100);
      expect(await store.groups.find(group.id)).toMatchObject({
        name: 'Climbers',
        ownerId: ids[0],
        memberCount: 5,
        mutedAll: false,
        joinPolicy: 'open',
      });
      expect(await store.conversations.find(group.conversationId)).toMatchObject({
        type: 'group',
        memberCount: 5,
      });
      expect((await store.members.get(group.conversationId, ids[0]!))?.role).toBe('owner');
      expect((await store.members.get(group.conversationId, ids[1]!))?.role).toBe('member');
      const page1 = await store.members.page(group.conversationId, undefined, 3);
      const page2 = await store.members.page(group.conversationId, page1.at(-1)?.userId, 3);
      expect([...page1, ...page2].map((m) => m.userId)).toEqual([...ids.slice(0, 5)].sort());
    });

    it('keeps member_count equal to the member rows under concurrent adds and removes', async () => {
      const group = newGroup(ids[0]!);
      await store.groups.create(group, ids.slice(0, 30), 1_000);
      const ops = [
        ...ids
          .slice(30, 60)
          .map((id) => store.members.add(group.conversationId, [id], 'member', 2, 1_000)),
        ...ids.slice(1, 30).map((id) => store.members.remove(group.conversationId, id)),
        ...ids
          .slice(30, 40)
          .map((id) => store.members.add(group.conversationId, [id], 'member', 2, 1_000)),
        ...ids.slice(1, 10).map((id) => store.members.remove(group.conversationId, id)),
      ];
      await Promise.all(ops);
      const rows = await store.members.page(group.conversationId, undefined, 1_000);
      expect(rows).toHaveLength(31);
      expect((await store.groups.find(group.id))?.memberCount).toBe(31);
    });

    it('refuses to pass the member limit and adds nobody then', async () => {
      const group = newGroup(ids[0]!);
      await store.groups.create(group, ids.slice(0, 3), 5);
      const err = await store.members
        .add(group.conversationId, ids.slice(3, 6), 'member', 2, 5)
        .catch((e: unknown) => e);
      expect((err as AppError).code).toBe('FAILED_PRECONDITION');
      expect((await store.groups.find(group.id))?.memberCount).toBe(3);
      expect(
        await store.members.add(group.conversationId, ids.slice(3, 5), 'member', 2, 5),
      ).toHaveLength(2);
      expect(
        await store.members.add(group.conversationId, ids.slice(3, 5), 'member', 2, 5),
      ).toEqual([]);
    });

    it('updates, transfers ownership, mutes, and reports the posting state', async () => {
      const group = newGroup(ids[0]!);
      await store.groups.create(group, ids.slice(0, 3), 10);
      await store.groups.update(group.id, { name: 'Boulderers', joinPolicy: 'approval' }, 5);
      expect(await store.groups.find(group.id)).toMatchObject({
        name: 'Boulderers',
        joinPolicy: 'approval',
        updatedAt: 5,
      });
      expect((await store.conversations.find(group.conversationId))?.name).toBe('Boulderers');
      await store.groups.transferOwnership(group.id, ids[0]!, ids[1]!, 6);
      expect((await store.groups.find(group.id))?.ownerId).toBe(ids[1]);
      expect((await store.members.get(group.conversationId, ids[0]!))?.role).toBe('admin');
      expect(await store.members.managers(group.conversationId)).toEqual(
        expect.arrayContaining([ids[0], ids[1]]),
      );
      await store.members.setMutedUntil(group.conversationId, ids[2]!, 99);
      await store.members.setMutedAll(group.conversationId, true);
      expect(await store.members.posting(group.conversationId, ids[2]!)).toEqual({
        role: 'member',
        mutedUntil: 99,
        mutedAll: true,
      });
      expect(await store.members.posting(group.conversationId, ids[40]!)).toBeUndefined();
    });

    it('resolves a join request once, and dissolves a group with its members', async () => {
      const group = newGroup(ids[0]!);
      await store.groups.create(group, ids.slice(0, 2), 10);
      await store.groups.requestToJoin(group.id, ids[5]!, 'let me in', 3);
      expect((await store.groups.joinRequests(group.id)).map((r) => r.userId)).toEqual([ids[5]]);
      const results = await Promise.all(
        Array.from({ length: 5 }, () =>
          store.groups.resolveJoinRequest(group.id, ids[5]!, 'approved', 4),
        ),
      );
      expect(results.filter(Boolean)).toHaveLength(1);
      expect(await store.groups.joinRequests(group.id)).toEqual([]);
      expect(await store.groups.dissolve(group.id, 9)).toBe(true);
      expect(await store.groups.dissolve(group.id, 9)).toBe(false);
      expect(await store.groups.find(group.id)).toBeUndefined();
      expect(await store.members.get(group.conversationId, ids[0]!)).toBeUndefined();
    });

    it('invites non-members only, settles an invitation once, and lists what is pending', async () => {
      const group = newGroup(ids[0]!);
      await store.groups.create(group, ids.slice(0, 2), 10);
      const first = await store.groupInvitations.invite(
        group,
        [ids[1]!, ids[7]!, ids[8]!],
        ids[0]!,
        5,
      );
      expect(first).toEqual({ invited: [ids[7], ids[8]], fresh: [ids[7], ids[8]] });
      // Inviting again leaves a pending invitation as it is.
      expect(await store.groupInvitations.invite(group, [ids[7]!], ids[1]!, 6)).toEqual({
        invited: [ids[7]],
        fresh: [],
      });
      expect(await store.groupInvitations.pendingFor(ids[7]!, 10)).toEqual([
        {
          groupId: group.id,
          groupName: 'Climbers',
          userId: ids[7],
          invitedBy: ids[0],
          status: 'pending',
          createdAt: 5,
          updatedAt: 5,
        },
      ]);
      const results = await Promise.all(
        Array.from({ length: 5 }, () =>
          store.groupInvitations.resolve(group.id, ids[7]!, 'declined', 7),
        ),
      );
      expect(results.filter(Boolean)).toEqual([expect.objectContaining({ status: 'declined' })]);
      expect(await store.groupInvitations.pendingFor(ids[7]!, 10)).toEqual([]);
      expect(
        await store.groupInvitations.resolve(group.id, ids[7]!, 'accepted', 8),
      ).toBeUndefined();
      // A declined invitation stays declined: asking again neither renews nor tells.
      expect(await store.groupInvitations.invite(group, [ids[7]!], ids[1]!, 9)).toEqual({
        invited: [ids[7]],
        fresh: [],
      });
      expect(await store.groupInvitations.pendingFor(ids[7]!, 10)).toEqual([]);
      // An accepted one is renewed once the user has left (they are not a member now).
      await store.groupInvitations.invite(group, [ids[9]!], ids[0]!, 9);
      await store.groupInvitations.resolve(group.id, ids[9]!, 'accepted', 9);
      expect((await store.groupInvitations.invite(group, [ids[9]!], ids[1]!, 9)).fresh).toEqual([
        ids[9],
      ]);
      expect(await store.groupInvitations.pendingFor(ids[9]!, 10)).toEqual([
        expect.objectContaining({ invitedBy: ids[1], updatedAt: 9 }),
      ]);
      // A dissolved group's invitations are no longer listed.
      await store.groups.dissolve(group.id, 10);
      expect(await store.groupInvitations.pendingFor(ids[8]!, 10)).toEqual([]);
    });
  });
}
