/**
 * Writes as data. A WritePlan is the statements of one write (run as one
 * statement or one batch), how to read their results, and a snapshot: a SQL
 * expression that evaluates, inside the same transaction, to JSON of what the
 * write produced, and how to read that JSON back into the same result. The
 * snapshot is what an Idempotency-Key records (src/http/idempotency.ts).
 */
import { and, Column, eq, getTableName, inArray, is, SQL, sql } from 'drizzle-orm';
import { ApiError } from '../http/errors';
import type { BatchItem } from 'drizzle-orm/batch';
import type { SQLiteColumn, SQLiteTable } from 'drizzle-orm/sqlite-core';

export interface Snapshot<T> {
  /** Evaluated after the plan's statements, in the same transaction; NULL when the write did not happen. */
  sql: SQL;
  read(json: unknown): T;
}

export interface WritePlan<T> {
  statements: [BatchItem<'sqlite'>, ...BatchItem<'sqlite'>[]];
  /** The result from the statements' results, in order; may throw (404, 412). */
  result(results: unknown[]): T;
  snapshot: Snapshot<T>;
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

/**
 * JSON array of `selection` over the rows of `table` matching `where`, in id
 * order, or NULL when none match (nothing to record). The subquery is aliased
 * as the table so qualified column references (and correlated subqueries in
 * the selection) keep working.
 */
export function rowsJson(table: SQLiteTable, selection: Selection, where: SQL | undefined, id: SQLiteColumn): SQL {
  const name = sql.identifier(getTableName(table));
  const fields = sql.join(
    Object.entries(selection).map(([key, field]) => sql`${key}, ${field}`),
    sql`, `,
  );
  return sql`(SELECT CASE WHEN count(*) > 0 THEN json_group_array(json_object(${fields})) END FROM (SELECT * FROM ${table} WHERE ${where} ORDER BY ${id}) AS ${name})`;
}

export function snapshotRows<S extends Selection, T>(
  table: SQLiteTable,
  selection: S,
  where: SQL | undefined,
  id: SQLiteColumn,
  map: (rows: ReturnType<typeof decodeRow<S>>[]) => T,
): Snapshot<T> {
  return {
    sql: rowsJson(table, selection, where, id),
    read: (json) => map((json as Record<string, unknown>[]).map((raw) => decodeRow(selection, raw))),
  };
}

type Table = SQLiteTable & { id: SQLiteColumn; version: SQLiteColumn; updatedAt: SQLiteColumn };
type Row<S extends Selection> = ReturnType<typeof decodeRow<S>>;
// Drizzle's builders are typed per table; these helpers serve every table.
type AnyDb = { insert: Function; update: Function; select: Function; delete: Function };

/**
 * If-Match: the write only matches the listed versions, and a second
 * statement in the same batch tells a stale record (412) from a missing one (404).
 */
function guard(db: AnyDb, table: Table, owned: SQL | undefined, ifMatch: number[] | undefined) {
  return {
    where: ifMatch ? and(owned, inArray(table.version, ifMatch)) : owned,
    statements: (ifMatch ? [db.select({ version: table.version }).from(table).where(owned)] : []) as BatchItem<'sqlite'>[],
    check(wrote: boolean, results: unknown[]) {
      if (ifMatch && !wrote && (results[0] as unknown[]).length > 0) {
        throw new ApiError('precondition_failed', 'The record has changed since the ETag given in If-Match');
      }
    },
  };
}

export function insertPlan<S extends Selection, T>(
  db: AnyDb,
  table: Table,
  selection: S,
  values: { id: string },
  map: (row: Row<S>) => T,
  before: BatchItem<'sqlite'>[] = [],
): WritePlan<T> {
  return {
    statements: [...before, db.insert(table).values(values).returning(selection)] as unknown as WritePlan<T>['statements'],
    result: (results) => map((results[before.length] as Row<S>[])[0]!),
    snapshot: snapshotRows(table, selection, eq(table.id, values.id), table.id, ([row]) => map(row!)),
  };
}

/**
 * Sets `set` on the owned record, moving updated_at forward (even twice within
 * a millisecond) and bumping the version; with nothing to set it only reads.
 */
export function updatePlan<S extends Selection, T>(
  db: AnyDb,
  table: Table,
  selection: S,
  owned: SQL | undefined,
  changes: Record<string, unknown>,
  ifMatch: number[] | undefined,
  map: (row: Row<S>) => T,
): WritePlan<T | undefined> {
  const g = guard(db, table, owned, ifMatch);
  const set = Object.keys(changes).length > 0;
  const write = set
    ? db
        .update(table)
        .set({ ...changes, updatedAt: sql`max(${Date.now()}, ${table.updatedAt} + 1)`, version: sql`${table.version} + 1` })
        .where(g.where)
        .returning(selection)
    : db.select(selection).from(table).where(g.where);
  const updated = snapshotRows(table, selection, owned, table.id, ([row]) => row && map(row));
  return {
    statements: [write, ...g.statements],
    result: ([rows, ...rest]) => {
      const [row] = rows as Row<S>[];
      g.check(row !== undefined, rest);
      return row && map(row);
    },
    snapshot: set
      ? // changes() is the row count of the UPDATE just before: 0 when it matched nothing (404, 412).
        { ...updated, sql: sql`CASE WHEN changes() > 0 THEN ${updated.sql} END` }
      : snapshotRows(table, selection, g.where, table.id, ([row]) => row && map(row)),
  };
}

/** Deletes the owned record; `before` deletes what goes with it, given the same guard. */
export function deletePlan(
  db: AnyDb,
  table: Table,
  owned: SQL | undefined,
  ifMatch: number[] | undefined,
  before: (guarded: SQL | undefined) => BatchItem<'sqlite'>[] = () => [],
): WritePlan<boolean> {
  const g = guard(db, table, owned, ifMatch);
  const first = before(g.where);
  return {
    statements: [...first, db.delete(table).where(g.where).returning({ id: table.id }), ...g.statements] as WritePlan<boolean>['statements'],
    result: (results) => {
      const wrote = (results[first.length] as unknown[]).length > 0;
      g.check(wrote, results.slice(first.length + 1));
      return wrote;
    },
    // Deletes take no Idempotency-Key today; should they, a delete that matched nothing records nothing.
    snapshot: { sql: sql`CASE WHEN changes() > 0 THEN 'true' END`, read: () => true },
  };
}
