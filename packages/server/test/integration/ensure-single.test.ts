import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { MemoryBus } from '../../src/adapters/bus/bus-memory.js';
import { openSqliteStore } from '../../src/adapters/store/sqlite.js';
import type { KyselyStore } from '../../src/adapters/store/kysely-store.js';
import { ConversationAccess } from '../../src/app/messaging/access.js';
import { ConversationService } from '../../src/app/messaging/conversation-service.js';
import { OPEN_SEND_POLICY } from '../../src/app/messaging/send-policy.js';
import { singleConversationId } from '../../src/domain/conversation.js';

const user = (id: string) => ({
  id,
  username: id,
  passwordHash: null,
  nickname: id,
  avatarUrl: '',
  bio: '',
  isGuest: true,
  createdAt: 1,
  updatedAt: 1,
});

describe('ConversationService.ensureSingle', () => {
  let dir: string;
  let store: KyselyStore;
  let service: ConversationService;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'parley-ensure-'));
    store = openSqliteStore(dir);
    await store.migrate();
    await store.users.insert(user('u_a'));
    await store.users.insert(user('u_b'));
    service = new ConversationService({
      store,
      access: new ConversationAccess(store),
      bus: new MemoryBus(),
      clock: { now: () => 1_000 },
      policy: OPEN_SEND_POLICY,
    });
  });

  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('looks up and creates a conversation once for calls that overlap, from either side', async () => {
    const find = vi.spyOn(store.conversations, 'find');
    const ensure = vi.spyOn(store.conversations, 'ensure');
    const results = await Promise.all([
      service.ensureSingle('u_a', 'u_b'),
      service.ensureSingle('u_a', 'u_b'),
      service.ensureSingle('u_b', 'u_a'),
      service.ensureSingle('u_a', 'u_b'),
    ]);
    const id = singleConversationId('u_a', 'u_b');
    expect(results).toEqual([
      { id, created: true },
      { id, created: false },
      { id, created: false },
      { id, created: false },
    ]);
    expect(find).toHaveBeenCalledTimes(1);
    expect(ensure).toHaveBeenCalledTimes(1);
    // Known from then on: no store call at all.
    await service.ensureSingle('u_b', 'u_a');
    expect(find).toHaveBeenCalledTimes(1);
    expect(await store.conversations.membership(id, 'u_a')).toBeDefined();
    expect(await store.conversations.membership(id, 'u_b')).toBeDefined();
  });

  it('gives every overlapping caller the failure, and tries again on the next call', async () => {
    const calls = [
      service.ensureSingle('u_a', 'u_nobody'),
      service.ensureSingle('u_a', 'u_nobody'),
    ];
    for (const call of calls)
      await expect(call).rejects.toMatchObject({ reason: 'USER_NOT_FOUND' });
    await store.users.insert(user('u_nobody'));
    await expect(service.ensureSingle('u_a', 'u_nobody')).resolves.toMatchObject({ created: true });
  });
});
