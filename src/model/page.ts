/**
 * Keyset pagination shared by every list: ordered by id (UUIDv7, so by
 * creation), `limit` 1..100 (default 25), `cursor` = the last id of the
 * previous page. Rows inserted meanwhile land after the cursor, so pages never
 * repeat or skip; no OFFSET anywhere.
 */
import * as v from 'valibot';
import { UUID_PATTERN } from '../lib/ids';
import { object } from './values';

export const pageParams = {
  limit: v.optional(
    v.pipe(
      v.string(),
      v.regex(/^\d{1,3}$/, 'Must be an integer from 1 to 100'),
      v.transform(Number),
      v.minValue(1, 'Must be an integer from 1 to 100'),
      v.maxValue(100, 'Must be an integer from 1 to 100'),
    ),
    '25',
  ),
  cursor: v.optional(v.pipe(v.string(), v.regex(UUID_PATTERN, 'Must be a next_cursor value from a previous page'), v.toLowerCase())),
};

/** A list's query-string schema: its filters plus the page parameters (a list with cursors of its own passes its own); unknown parameters are rejected. */
export const listSchema = <E extends v.ObjectEntries, P extends v.ObjectEntries = typeof pageParams>(filters: E, page: P = pageParams as unknown as P) =>
  object({ ...filters, ...page });

/**
 * Rows were fetched with limit + 1: the extra row only tells whether there is
 * more. The next cursor is the last row's id, or what `cursorOf` makes of it
 * for lists that walk another order.
 */
export function toPage<R extends { id: string }, T>(rows: R[], limit: number, map: (row: R) => T, cursorOf = (row: R): string => row.id): Page<T> {
  const hasMore = rows.length > limit;
  const kept = hasMore ? rows.slice(0, limit) : rows;
  return { data: kept.map(map), hasMore, nextCursor: hasMore ? cursorOf(kept[kept.length - 1]!) : null };
}

export interface Page<T> {
  data: T[];
  hasMore: boolean;
  nextCursor: string | null;
}
