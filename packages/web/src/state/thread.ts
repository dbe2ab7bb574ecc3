import type { Message } from '@parley/client';

/** A message as the app shows it: stored, or still on its way (`local`). */
export interface ShownMessage extends Message {
  /** Set while the message is not yet stored: waiting in the outbox, or refused. */
  local?: 'pending' | 'failed';
  /** Why a send failed, for the person. */
  error?: string;
}

/** The loaded part of one conversation: a contiguous run of seqs, then the unsent messages. */
export interface Thread {
  stored: ShownMessage[];
  unsent: ShownMessage[];
  /** Older messages remain on the server. */
  hasMore: boolean;
  loading: boolean;
  /** The newest page has been read at least once. */
  loaded: boolean;
  error?: string;
}

export const emptyThread = (): Thread => ({
  stored: [],
  unsent: [],
  hasMore: true,
  loading: false,
  loaded: false,
});

/** The index of the first message with seq >= `seq` (binary search: threads grow to 10,000s). */
function lowerBound(items: readonly Message[], seq: number): number {
  let lo = 0;
  let hi = items.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((items[mid] as Message).seq < seq) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Puts a stored message in place, replacing the one with its seq; returns a new array. */
export function upsert(items: readonly ShownMessage[], message: ShownMessage): ShownMessage[] {
  const at = lowerBound(items, message.seq);
  const next = items.slice();
  if (items[at]?.seq === message.seq) next[at] = message;
  else next.splice(at, 0, message);
  return next;
}

/** Older messages (ascending) placed before the loaded ones, skipping any already there. */
export function prepend(items: readonly ShownMessage[], older: readonly Message[]): ShownMessage[] {
  const first = items[0]?.seq ?? Number.POSITIVE_INFINITY;
  return [...older.filter((m) => m.seq < first), ...items];
}

export function findBySeq(items: readonly ShownMessage[], seq: number): ShownMessage | undefined {
  const at = lowerBound(items, seq);
  return items[at]?.seq === seq ? items[at] : undefined;
}
