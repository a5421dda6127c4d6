/**
 * Keyset pagination shared by every list: ordered by id (UUIDv7, so by
 * creation), `limit` 1..100 (default 25), `cursor` = the last id of the
 * previous page. Rows inserted meanwhile land after the cursor, so pages never
 * repeat or skip; no OFFSET anywhere.
 */
import * as v from 'valibot';
import { UUID_PATTERN } from '../lib/ids';
import { object, oneOf, timestamp } from './values';

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
 * What a list's next cursor is made of, beside the row's id (a search's
 * rowid, a walk's sort key), travels under this symbol: JSON.stringify skips
 * it, so the API object can be the row (src/model/resource.ts, reader).
 */
export const CURSOR: unique symbol = Symbol('cursor');
export type Cursored = { readonly [CURSOR]?: unknown };

/**
 * Rows were fetched with limit + 1: the extra row only tells whether there is
 * more. The next cursor is the last row's id, or what `cursorOf` makes of it
 * for lists that walk another order. `map` shows a row (none: rows already
 * are API objects).
 */
export function toPage<R extends { id: string }, T = R>(rows: R[], limit: number, map?: (row: R) => T, cursorOf = (row: R): string => row.id): Page<T> {
  const hasMore = rows.length > limit;
  const kept = hasMore ? rows.slice(0, limit) : rows;
  return { data: map ? kept.map(map) : (kept as unknown as T[]), hasMore, nextCursor: hasMore ? cursorOf(kept[kept.length - 1]!) : null };
}

export interface Page<T> {
  data: T[];
  hasMore: boolean;
  nextCursor: string | null;
}

/** An `order=updated_at` walk's cursor: the last row's updated_at and id. */
const UPDATED_CURSOR = /^u\.(\d{1,16})\.([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/;
const CURSOR_MESSAGE = 'Must be a next_cursor value from a previous page of the same query';

/**
 * Incremental sync: `order=updated_at` walks the records by last change
 * (updated_at, then id) through their (workspace_id, updated_at, id) index,
 * and `updated_since` starts that walk at a time (it implies the order).
 * Each walk has its cursor: the last id, or `u.<updated_at>.<id>`.
 */
export const syncParams = {
  order: v.optional(oneOf(['id', 'updated_at'])),
  updated_since: v.optional(timestamp),
  cursor: v.optional(
    v.pipe(
      v.string(),
      v.check((c) => UUID_PATTERN.test(c) || UPDATED_CURSOR.test(c), CURSOR_MESSAGE),
      v.toLowerCase(),
    ),
  ),
};

type SyncQuery = { order?: 'id' | 'updated_at'; updated_since?: number; cursor?: string };

/** The walk a list query asks for. */
export const walkOf = (q: SyncQuery): 'id' | 'updated' => (q.order === 'updated_at' || (q.order === undefined && q.updated_since !== undefined) ? 'updated' : 'id');

type Synced = SyncQuery & Record<string, unknown>;

/**
 * A canonical list's query-string schema, with incremental sync: updated_since
 * needs the updated_at order, and a cursor must come from the same walk.
 */
export const syncedListSchema = <E extends v.ObjectEntries>(filters: E) =>
  v.pipe(
    listSchema(filters, { ...pageParams, ...syncParams }) as unknown as v.GenericSchema<unknown, Synced>,
    v.forward(v.check((q) => !(q.order === 'id' && q.updated_since !== undefined), 'Takes order=updated_at (its default)'), ['updated_since']),
    v.forward(
      v.check((q) => q.cursor === undefined || (walkOf(q) === 'updated' ? UPDATED_CURSOR.test(q.cursor) : UUID_PATTERN.test(q.cursor)), CURSOR_MESSAGE),
      ['cursor'],
    ),
  );

/** An updated_at cursor's parts. */
export function updatedCursor(cursor: string): { at: number; id: string } {
  const [, at, id] = UPDATED_CURSOR.exec(cursor)!;
  return { at: Number(at), id: id! };
}

/** The next cursor of an updated_at walk, whose rows carry their stored updated_at under CURSOR. */
export const updatedCursorOf = (row: { id: string } & Cursored) => `u.${Number(row[CURSOR])}.${row.id}`;
