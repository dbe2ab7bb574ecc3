import { ID_PATTERN } from '../../domain/ids.js';
import { invalidArgument } from '../../domain/errors.js';

export const PAGE_LIMIT_MAX = 100;
export const PAGE_LIMIT_DEFAULT = 50;

/** A page of a list, and the cursor of the next one (null on the last page). */
export interface Paged<T> {
  readonly items: T[];
  readonly nextCursor: string | null;
}

/** `limit` checked against 1…100 (default 50). */
export function pageLimit(limit: number | undefined): number {
  if (limit === undefined) return PAGE_LIMIT_DEFAULT;
  if (!Number.isInteger(limit) || limit < 1 || limit > PAGE_LIMIT_MAX) {
    throw invalidArgument(`limit must be an integer from 1 to ${PAGE_LIMIT_MAX}.`, 'limit');
  }
  return limit;
}

/** The key a cursor stands for (cursors are the key of the last row of a page). */
export function cursorKey(cursor: string | undefined): string | undefined {
  if (cursor === undefined) return undefined;
  if (!ID_PATTERN.test(cursor)) {
    throw invalidArgument('cursor is not one this server handed out.', 'cursor');
  }
  return cursor;
}

/** Cuts rows read with `limit + 1` down to a page; the extra row says there is a next one. */
export function toPage<T>(rows: readonly T[], limit: number, keyOf: (row: T) => string): Paged<T> {
  const items = rows.slice(0, limit);
  const last = items.at(-1);
  return {
    items,
    nextCursor: rows.length > limit && last !== undefined ? keyOf(last) : null,
  };
}
