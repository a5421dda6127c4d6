/**
 * Writes as data. A WritePlan is the statements of one write (run as one
 * statement or one batch), how to read their results, and a snapshot: a SQL
 * expression that evaluates, inside the same transaction, to JSON of what the
 * write produced, and how to read that JSON back into the same result. The
 * snapshot is what an Idempotency-Key records (src/http/idempotency.ts).
 * Statements and snapshot are written with placeholders and rendered once
 * per plan key (src/db/prepared.ts); a request brings only its values.
 */
import { and, Column, eq, getTableName, inArray, is, SQL, sql } from 'drizzle-orm';
import { ApiError } from '../http/errors';
import type { SQLiteColumn, SQLiteTable } from 'drizzle-orm/sqlite-core';
import type { Db } from './client';
import { execute, param, statements, type Preparable, type Values } from './prepared';

export interface WritePlan<T> {
  /** Plans of equal keys render the same SQL (src/db/prepared.ts); none: a shape built per request. */
  key: string | undefined;
  /**
   * The statements and the snapshot, written with placeholders; built once
   * per key. The snapshot is evaluated after the statements, in the same
   * transaction, and is NULL when the write did not happen.
   */
  build(): { statements: readonly [Preparable, ...Preparable[]]; snapshot: SQL };
  /** The placeholders' values for this request. */
  values: Values;
  /** The result from the statements' results, in order; may throw (404, 412). */
  result(results: unknown[]): T;
  /** The same result from the snapshot's JSON, for a replay. */
  read(json: unknown): T;
}

/** Runs a plan in one round trip: one statement, or one batch (one transaction). */
export async function runPlan<T>(db: Db, plan: WritePlan<T>): Promise<T> {
  return plan.result(await execute(db, statements(plan.key, () => plan.build().statements), plan.values));
}

export type Selection = Record<string, SQLiteColumn | SQL>;

interface Decodable {
  decoder: { mapFromDriverValue(value: unknown): unknown };
}

/** A row as JSON from SQL is decoded like Drizzle decodes a selected row. */
export function decodeRow<S extends Selection>(selection: S, raw: Record<string, unknown>) {
  const row: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(selection)) {
    const value = raw[key] ?? null;
    if (value === null) row[key] = null;
    else if (is(field, Column)) row[key] = field.mapFromDriverValue(value);
    // JSON built in SQL (json_group_array) arrives already parsed; text still needs the field's decoder.
    else row[key] = typeof value === 'string' ? (field as unknown as Decodable).decoder.mapFromDriverValue(value) : value;
  }
  return row as { [K in keyof S]: S[K] extends SQLiteColumn ? S[K]['_']['data'] | (S[K]['_']['notNull'] extends true ? never : null) : S[K] extends SQL<infer U> ? U : never };
}

/** Key/value pairs per json_object() call: D1 allows 32 arguments per SQL function. */
const PAIRS_PER_OBJECT = 16;

/**
 * JSON array of `selection` over the rows of `table` matching `where`, in id
 * order, or NULL when none match (nothing to record). Each row is an array of
 * objects of at most 16 fields (D1 allows 32 arguments per function), merged
 * back by readRows(). The subquery is aliased as the table so qualified column
 * references (and correlated subqueries in the selection) keep working.
 */
export function rowsJson(table: SQLiteTable, selection: Selection, where: SQL | undefined, id: SQLiteColumn): SQL {
  const name = sql.identifier(getTableName(table));
  const entries = Object.entries(selection);
  const objects: SQL[] = [];
  for (let i = 0; i < entries.length; i += PAIRS_PER_OBJECT) {
    const pairs = entries.slice(i, i + PAIRS_PER_OBJECT).map(([key, field]) => sql`${key}, ${field}`);
    objects.push(sql`json_object(${sql.join(pairs, sql`, `)})`);
  }
  return sql`(SELECT CASE WHEN count(*) > 0 THEN json_group_array(json_array(${sql.join(objects, sql`, `)})) END FROM (SELECT * FROM ${table} WHERE ${where} ORDER BY ${id}) AS ${name})`;
}

/** Reads a snapshot of rowsJson() back into what the write returned. */
export const readRows =
  <S extends Selection, T>(selection: S, map: (rows: Row<S>[]) => T) =>
  (json: unknown) =>
    map(
      (json as (Record<string, unknown>[] | Record<string, unknown>)[]).map((parts) =>
        // Records written before the split (within their 24 h) hold one object per row.
        decodeRow(selection, Array.isArray(parts) ? Object.assign({}, ...parts) : parts),
      ),
    );

type Table = SQLiteTable & { id: SQLiteColumn; workspaceId: SQLiteColumn; version: SQLiteColumn; updatedAt: SQLiteColumn };
type Row<S extends Selection> = ReturnType<typeof decodeRow<S>>;
// Drizzle's builders are typed per table; these helpers serve every table.
type AnyDb = { insert: Function; update: Function; select: Function; delete: Function };

/**
 * The record a plan writes: the workspace's row of the given id (values
 * `workspaceId` and `id`) unless `where` says otherwise, written with
 * placeholders whose values are in `values`.
 */
export interface Target {
  /** Names `where` in the plan's key (its SQL differs from the default's). */
  key?: string;
  where?: () => SQL | undefined;
  values: Values;
}

/** The workspace's row of the given id: placeholders `workspaceId` and `id`. */
export const owned = (table: Table) => and(eq(table.workspaceId, param('workspaceId')), eq(table.id, param('id')));

const targetWhere = (table: Table, target: Target) => (target.where ? target.where() : owned(table));

/**
 * If-Match: the write only matches the listed versions, and a second
 * statement in the same batch tells a stale record (412) from a missing one (404).
 */
function guard(db: AnyDb, table: Table, owned: SQL | undefined, versions: number) {
  return {
    where:
      versions === 0 ? owned : and(owned, inArray(table.version, Array.from({ length: versions }, (_, i) => param(`ifMatch${i}`)))),
    statements: (versions === 0 ? [] : [db.select({ version: table.version }).from(table).where(owned)]) as Preparable[],
  };
}

/** The plan's key and values for an If-Match list (none: no guard). */
function guardValues(ifMatch: number[] | undefined, values: Values): [versions: number, values: Values] {
  if (!ifMatch) return [0, values];
  const all = { ...values };
  ifMatch.forEach((version, i) => (all[`ifMatch${i}`] = version));
  return [ifMatch.length, all];
}

function checkGuard(ifMatch: number[] | undefined, wrote: boolean, rest: unknown[]) {
  if (ifMatch && !wrote && (rest[0] as unknown[]).length > 0) {
    throw new ApiError('precondition_failed', 'The record has changed since the ETag given in If-Match');
  }
}

/**
 * Inserts `values` (a placeholder each; `computed` columns are SQL instead)
 * and returns the row; `before` runs first in the same batch.
 */
export function insertPlan<S extends Selection, T>(
  name: string,
  db: AnyDb,
  table: Table,
  selection: S,
  values: Values & { id: string },
  map: (row: Row<S>) => T,
  options: { computed?: () => Record<string, SQL>; before?: () => Preparable[] } = {},
): WritePlan<T> {
  return {
    key: `insert:${name}`,
    build: () => {
      const row: Record<string, unknown> = {};
      for (const key of Object.keys(values)) row[key] = param(key);
      const before = options.before?.() ?? [];
      const insert = db.insert(table).values({ ...row, ...options.computed?.() }).returning(selection) as Preparable;
      return { statements: [...before, insert] as unknown as [Preparable, ...Preparable[]], snapshot: rowsJson(table, selection, eq(table.id, param('id')), table.id) };
    },
    values,
    result: (results) => map((results[results.length - 1] as Row<S>[])[0]!),
    read: readRows(selection, ([row]) => map(row!)),
  };
}

/** A change that merges into a JSON object column (json_patch: null removes a key) instead of replacing it. */
export class JsonMerge {
  constructor(readonly patch: Record<string, unknown>) {}
}

/**
 * Sets `changes` on the target, moving updated_at forward (even twice within
 * a millisecond) and bumping the version; with nothing to set it only reads.
 * The key covers the columns set and the length of the If-Match list.
 */
export function updatePlan<S extends Selection, T>(
  name: string,
  db: AnyDb,
  table: Table,
  selection: S,
  target: Target,
  changes: Record<string, unknown>,
  ifMatch: number[] | undefined,
  map: (row: Row<S>) => T,
): WritePlan<T | undefined> {
  const columns = Object.keys(changes);
  const [versions, values] = guardValues(ifMatch, { ...target.values, now: Date.now() });
  for (const column of columns) {
    const change = changes[column];
    values[`set_${column}`] = change instanceof JsonMerge ? JSON.stringify(change.patch) : change;
  }
  const merged = columns.filter((column) => changes[column] instanceof JsonMerge);
  return {
    key: `update:${name}:${target.key ?? 'id'}:${columns.join(',')}:${merged.join(',')}:${versions}`,
    build: () => {
      const owned = targetWhere(table, target);
      const g = guard(db, table, owned, versions);
      const set: Record<string, unknown> = {};
      for (const column of columns) {
        set[column] = merged.includes(column)
          ? sql`json_patch(${(table as unknown as Record<string, SQLiteColumn>)[column]}, ${param(`set_${column}`)})`
          : param(`set_${column}`);
      }
      const write = (
        columns.length > 0
          ? db
              .update(table)
              .set({ ...set, updatedAt: sql`max(${param('now')}, ${table.updatedAt} + 1)`, version: sql`${table.version} + 1` })
              .where(g.where)
              .returning(selection)
          : db.select(selection).from(table).where(g.where)
      ) as Preparable;
      const snapshot =
        columns.length > 0
          ? // changes() is the row count of the UPDATE just before: 0 when it matched nothing (404, 412).
            sql`CASE WHEN changes() > 0 THEN ${rowsJson(table, selection, owned, table.id)} END`
          : rowsJson(table, selection, g.where, table.id);
      return { statements: [write, ...g.statements], snapshot };
    },
    values,
    result: ([rows, ...rest]) => {
      const [row] = rows as Row<S>[];
      checkGuard(ifMatch, row !== undefined, rest);
      return row && map(row);
    },
    read: readRows(selection, ([row]) => row && map(row)),
  };
}

/** Deletes the target; `before` deletes what goes with it, given the same guarded condition. */
export function deletePlan(
  name: string,
  db: AnyDb,
  table: Table,
  target: Target,
  ifMatch: number[] | undefined,
  before: (guarded: SQL | undefined) => Preparable[] = () => [],
): WritePlan<boolean> {
  const [versions, values] = guardValues(ifMatch, target.values);
  return {
    key: `delete:${name}:${target.key ?? 'id'}:${versions}`,
    build: () => {
      const g = guard(db, table, targetWhere(table, target), versions);
      const related = before(g.where);
      const remove = db.delete(table).where(g.where).returning({ id: table.id }) as Preparable;
      return {
        statements: [...related, remove, ...g.statements] as [Preparable, ...Preparable[]],
        // Deletes take no Idempotency-Key today; should they, a delete that matched nothing records nothing.
        snapshot: sql`CASE WHEN changes() > 0 THEN 'true' END`,
      };
    },
    values,
    result: (results) => {
      // The DELETE is last but for the If-Match guard's read.
      const at = results.length - (versions === 0 ? 1 : 2);
      const wrote = (results[at] as unknown[]).length > 0;
      checkGuard(ifMatch, wrote, results.slice(at + 1));
      return wrote;
    },
    read: () => true,
  };
}
