/**
 * The Store contract: every adapter runs this same suite (store-sqlite.test.ts,
 * store-postgres.test.ts). A new engine adds one file that calls describeStoreContract.
 */
import { beforeEach, afterEach, describe, expect, it } from 'vitest';
import { AppError } from '../../src/domain/errors.js';
import type { SessionRecord } from '../../src/domain/session.js';
import type { UserRecord } from '../../src/domain/user.js';
import type { Store } from '../../src/ports/store.js';

export interface StoreHarness {
  /** Opens the store on the harness's database (the same one each time). */
  open(): Promise<Store>;
  /** Removes the database. */
  dispose(): Promise<void>;
}

/** The case's store; `reopen` closes it and opens it again on the same database. */
export interface CaseStore {
  (): Store;
  reopen(): Promise<Store>;
}

/**
 * A migrated store on a fresh harness for each case of the enclosing describe, closed and
 * disposed after it; call the returned function for the case's store.
 */
export function storeForEachCase(makeHarness: () => Promise<StoreHarness>): CaseStore {
  let harness: StoreHarness;
  let store: Store;
  beforeEach(async () => {
    harness = await makeHarness();
    store = await harness.open();
    await store.migrate();
  });
  afterEach(async () => {
    await store.close();
    await harness.dispose();
  });
  return Object.assign(() => store, {
    async reopen() {
      await store.close();
      store = await harness.open();
      return store;
    },
  });
}

let serial = 0;
const uniq = () => `${Date.now().toString(36)}${(serial++).toString(36)}`;

export function user(overrides: Partial<UserRecord> = {}): UserRecord {
  const id = overrides.id ?? `u${uniq()}`;
  return {
    id,
    username: `user_${id}`,
    passwordHash: 'hash',
    nickname: 'Nick',
    avatarUrl: '',
    bio: '',
    isGuest: false,
    createdAt: 1_700_000_000_000,
    updatedAt: 1_700_000_000_000,
    ...overrides,
  };
}

function session(userId: string, overrides: Partial<SessionRecord> = {}): SessionRecord {
  return {
    id: `s${uniq()}`,
    userId,
    deviceId: 'phone',
    userAgent: 'test',
    ip: '127.0.0.1',
    createdAt: 1_000,
    lastUsedAt: 1_000,
    expiresAt: 10_000,
    revokedAt: null,
    revokedReason: null,
    ...overrides,
  };
}

export function describeStoreContract(engine: string, makeHarness: () => Promise<StoreHarness>) {
  describe(`Store contract: ${engine}`, () => {
    const current = storeForEachCase(makeHarness);
    let store: Store;
    // Runs after storeForEachCase's own beforeEach, which opened the case's store.
    beforeEach(() => {
      store = current();
    });

    it('applies migrations once and reports them', async () => {
      const again = await store.migrate();
      expect(again.applied).toEqual([]);
      expect(again.current).toContain('0001-accounts');
      await expect(store.ping()).resolves.toBeUndefined();
    });

    it('stores and finds users, by id and by username in any case', async () => {
      const alice = user({ username: 'Alice.Smith', nickname: '爱丽丝 🌸' });
      await store.users.insert(alice);
      expect(await store.users.findById(alice.id)).toEqual(alice);
      expect(await store.users.findByUsername('alice.smith')).toEqual(alice);
      expect(await store.users.findByUsername('ALICE.SMITH')).toEqual(alice);
      expect(await store.users.findById('missing')).toBeUndefined();
      expect(await store.users.findByUsername('nobody')).toBeUndefined();
    });

    it('refuses a username taken in another case with ALREADY_EXISTS', async () => {
      await store.users.insert(user({ username: 'bob' }));
      const err = await store.users.insert(user({ username: 'BOB' })).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(AppError);
      expect((err as AppError).code).toBe('ALREADY_EXISTS');
    });

    it('updates only the given profile fields', async () => {
      const carol = user({ nickname: 'Carol', bio: 'old' });
      await store.users.insert(carol);
      const updated = await store.users.updateProfile(carol.id, { bio: 'new' }, 2_000_000_000_000);
      expect(updated).toMatchObject({
        nickname: 'Carol',
        bio: 'new',
        updatedAt: 2_000_000_000_000,
      });
      expect(await store.users.updateProfile('missing', { bio: 'x' }, 1)).toBeUndefined();
    });

    it('searches registered users by prefix, in order, a page at a time', async () => {
      for (const name of ['dan_b', 'Dan.a', 'dana', 'danz', 'dab', 'd_n', 'ddd']) {
        await store.users.insert(user({ username: name }));
      }
      await store.users.insert(user({ username: 'dan-guest', isGuest: true }));
      const names = (rows: UserRecord[]) => rows.map((u) => u.username);
      expect(names(await store.users.search({ prefix: 'dan', limit: 10 }))).toEqual([
        'Dan.a',
        'dan_b',
        'dana',
        'danz',
      ]);
      const first = await store.users.search({ prefix: 'dan', limit: 2 });
      expect(names(first)).toEqual(['Dan.a', 'dan_b']);
      const next = await store.users.search({ prefix: 'dan', after: 'dan_b', limit: 2 });
      expect(names(next)).toEqual(['dana', 'danz']);
      // "_" is a literal, never a wildcard.
      expect(names(await store.users.search({ prefix: 'd_', limit: 10 }))).toEqual(['d_n']);
    });

    it('keeps sessions and revokes each exactly once', async () => {
      const erin = user();
      await store.users.insert(erin);
      const phone = session(erin.id, { deviceId: 'phone', createdAt: 1_000 });
      const laptop = session(erin.id, { deviceId: 'laptop', createdAt: 2_000 });
      const expired = session(erin.id, { deviceId: 'old', expiresAt: 1_500 });
      for (const s of [phone, laptop, expired]) await store.sessions.insert(s);

      expect(await store.sessions.findById(phone.id)).toEqual(phone);
      const active = await store.sessions.listActive(erin.id, 2_000, 10);
      expect(active.map((s) => s.id)).toEqual([laptop.id, phone.id]);
      expect((await store.sessions.listActive(erin.id, 2_000, 1)).map((s) => s.id)).toEqual([
        laptop.id,
      ]);
      const onPhone = await store.sessions.listActiveForDevice(erin.id, 'phone', 2_000);
      expect(onPhone.map((s) => s.id)).toEqual([phone.id]);

      expect(await store.sessions.revoke(phone.id, 'logout', 3_000)).toBe(true);
      expect(await store.sessions.revoke(phone.id, 'logout', 3_001)).toBe(false);
      expect(await store.sessions.findById(phone.id)).toMatchObject({
        revokedAt: 3_000,
        revokedReason: 'logout',
      });
      await store.sessions.touch(laptop.id, 4_000, 20_000);
      expect(await store.sessions.findById(laptop.id)).toMatchObject({
        lastUsedAt: 4_000,
        expiresAt: 20_000,
      });
      expect((await store.sessions.listActive(erin.id, 4_000, 10)).map((s) => s.id)).toEqual([
        laptop.id,
      ]);
    });

    it('marks a refresh token used for exactly one of many concurrent callers', async () => {
      const frank = user();
      await store.users.insert(frank);
      const s = session(frank.id);
      await store.sessions.insert(s);
      const token = {
        tokenHash: `h${uniq()}`,
        sessionId: s.id,
        createdAt: 1,
        expiresAt: 5,
        usedAt: null,
      };
      await store.refreshTokens.insert(token);
      expect(await store.refreshTokens.find(token.tokenHash)).toEqual(token);

      const results = await Promise.all(
        Array.from({ length: 8 }, () =>
          store.transaction((tx) => tx.refreshTokens.markUsed(token.tokenHash, 3)),
        ),
      );
      expect(results.filter(Boolean)).toHaveLength(1);
      expect((await store.refreshTokens.find(token.tokenHash))?.usedAt).toBe(3);

      expect(await store.refreshTokens.deleteExpired(6)).toBe(1);
      expect(await store.refreshTokens.find(token.tokenHash)).toBeUndefined();
    });

    it('rolls back every write of a failed transaction', async () => {
      const grace = user();
      const err = await store
        .transaction(async (tx) => {
          await tx.users.insert(grace);
          await tx.sessions.insert(session(grace.id));
          throw new Error('boom');
        })
        .catch((e: unknown) => e);
      expect((err as Error).message).toBe('boom');
      expect(await store.users.findById(grace.id)).toBeUndefined();
    });

    it('commits a successful transaction as a whole', async () => {
      const heidi = user();
      const s = session(heidi.id);
      await store.transaction(async (tx) => {
        await tx.users.insert(heidi);
        await tx.sessions.insert(s);
      });
      expect(await store.sessions.findById(s.id)).toEqual(s);
    });

    it('keeps committed data after the store is closed and opened again', async () => {
      const ivan = user();
      await store.users.insert(ivan);
      store = await current.reopen();
      expect(await store.users.findById(ivan.id)).toEqual(ivan);
      expect((await store.migrate()).applied).toEqual([]);
    });
  });
}
