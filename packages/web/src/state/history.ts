import { describeError } from '../api/session.js';
import type { ChatStore } from './chat-store.js';
import { prepend, upsert } from './thread.js';

/** Messages per history page. */
const PAGE = 50;

/** Loads the page before the oldest loaded message, or the newest page the first time. */
export async function loadOlder(store: ChatStore, id: string, first: boolean): Promise<void> {
  const thread = store.thread(id);
  if (thread.loading || (!first && (!thread.hasMore || !thread.loaded))) return;
  store.setThread(id, { ...thread, loading: true });
  try {
    const before = first ? undefined : thread.stored[0]?.seq;
    const page = await store.client.history(id, {
      limit: PAGE,
      ...(before !== undefined && { before_seq: before }),
    });
    const current = store.thread(id);
    let stored = prepend(current.stored, page.messages);
    // Live messages that arrived while the first page was on its way sit after it.
    if (first) for (const m of current.stored) stored = upsert(stored, m);
    store.setThread(id, {
      ...current,
      stored,
      hasMore: page.has_more,
      loading: false,
      loaded: true,
    });
    for (const m of page.messages) store.people.lookUp(m.sender_id);
    if (first) store.markRead(id);
  } catch (error) {
    store.setThread(id, { ...store.thread(id), loading: false, error: describeError(error) });
  }
}

/** Reads the messages after `seq` into a loaded thread (a gap, or generated messages). */
export async function fetchAfter(store: ChatStore, id: string, seq: number): Promise<void> {
  try {
    const page = await store.client.history(id, { after_seq: seq, limit: 100 });
    const thread = store.threads.get(id);
    if (thread === undefined || !thread.loaded) return;
    let stored = thread.stored;
    for (const m of page.messages) stored = upsert(stored, m);
    store.setThread(id, { ...thread, stored });
  } catch {
    // Offline: the catch-up after the reconnect brings them.
  }
}
