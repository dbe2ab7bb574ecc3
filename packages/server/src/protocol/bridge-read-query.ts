/** The query of the `/api/im/*` endpoints (BRIDGE.md) and their opaque keyset cursor. */
import type { BridgeCursor } from '../ports/bridge-store.js';
import type { BusinessType } from './bridge-views.js';

export const DEFAULT_PAGE_COUNT = 20;

export interface ImQuery {
  readonly accountId: string;
  readonly after: BridgeCursor | undefined;
  readonly count: number;
  readonly conversationId?: string;
  readonly sinceTime?: number;
  readonly types?: ReadonlySet<BusinessType>;
}

export type ImQueryParse =
  { readonly ok: true; readonly query: ImQuery } | { readonly ok: false; readonly message: string };

const BUSINESS_TYPES: readonly BusinessType[] = ['comment', 'discussion', 'direct_message'];

/** base64url of `[sortTime, platform, itemId]`: opaque to clients, stable across versions. */
export function encodeCursor(cursor: BridgeCursor): string {
  return Buffer.from(JSON.stringify([cursor.sortTime, cursor.platform, cursor.itemId])).toString(
    'base64url',
  );
}

export function decodeCursor(text: string): BridgeCursor | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
    if (!Array.isArray(value) || value.length !== 3) return undefined;
    const [sortTime, platform, itemId] = value as unknown[];
    if (!Number.isSafeInteger(sortTime) || typeof platform !== 'string') return undefined;
    if (typeof itemId !== 'string') return undefined;
    return { sortTime: sortTime as number, platform, itemId };
  } catch {
    return undefined;
  }
}

const single = (v: unknown): string | undefined =>
  typeof v === 'string' ? v : Array.isArray(v) && typeof v[0] === 'string' ? v[0] : undefined;

/** Reads the query string's fields; counts above 100 are taken as 100, as BRIDGE.md says. */
export function parseImQuery(params: Record<string, unknown>, maxCount: number): ImQueryParse {
  const accountId = single(params.account_id);
  if (accountId === undefined || accountId === '') {
    return { ok: false, message: 'account_id is required.' };
  }
  const cursorText = single(params.cursor);
  let after: BridgeCursor | undefined;
  if (cursorText !== undefined && cursorText !== '' && cursorText !== '0') {
    after = decodeCursor(cursorText);
    if (after === undefined) {
      return { ok: false, message: 'cursor is not one this server gave; start again with 0.' };
    }
  }
  const countText = single(params.count);
  let count = DEFAULT_PAGE_COUNT;
  if (countText !== undefined && countText !== '') {
    count = Number(countText);
    if (!Number.isInteger(count) || count < 1) {
      return { ok: false, message: 'count must be a positive integer.' };
    }
    count = Math.min(count, maxCount);
  }
  const query: {
    accountId: string;
    after: BridgeCursor | undefined;
    count: number;
    conversationId?: string;
    sinceTime?: number;
    types?: ReadonlySet<BusinessType>;
  } = { accountId, after, count };
  const conversationId = single(params.conversation_id);
  if (conversationId !== undefined && conversationId !== '') query.conversationId = conversationId;
  const since = single(params.since_time);
  if (since !== undefined && since !== '') {
    const sinceTime = Number(since);
    if (!Number.isSafeInteger(sinceTime) || sinceTime < 0) {
      return { ok: false, message: 'since_time must be a time in milliseconds.' };
    }
    query.sinceTime = sinceTime;
  }
  const types = single(params.types);
  if (types !== undefined && types !== '') {
    const wanted = types.split(',').map((t) => t.trim());
    const unknown = wanted.find((t) => !BUSINESS_TYPES.includes(t as BusinessType));
    if (unknown !== undefined) {
      return {
        ok: false,
        message: `types may list ${BUSINESS_TYPES.join(', ')}; not "${unknown}".`,
      };
    }
    query.types = new Set(wanted as BusinessType[]);
  }
  return { ok: true, query };
}
