import type { Store } from '../../src/ports/store.js';

/**
 * Adds `count` group conversations with `userId` as their member straight through the store,
 * a long name each so that the whole list is well over 1 MiB of JSON. Activity times repeat
 * (ties are broken by id) and are newer than anything else the user has.
 */
export async function addConversations(
  store: Store,
  userId: string,
  count: number,
  prefix: string,
): Promise<string[]> {
  const ids: string[] = [];
  const base = Date.now() + 60_000;
  const name = 'n'.repeat(400);
  for (let i = 0; i < count; i += 500) {
    await store.transaction(async (tx) => {
      for (let j = i; j < Math.min(count, i + 500); j++) {
        const id = `g_${prefix}${String(j).padStart(5, '0')}`;
        ids.push(id);
        await tx.conversations.ensure(
          { id, type: 'group', name, createdAt: base + Math.floor(j / 3) },
          [userId],
        );
      }
    });
  }
  return ids;
}
