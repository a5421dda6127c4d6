/**
 * Writes as data. A WritePlan is the statements of one write (run as one
 * statement or one batch), how to read their results, and a snapshot: a SQL
 * expression that evaluates, inside the same transaction, to JSON of what the
 * write produced, and how to read that JSON back into the same result. The
 * snapshot is what an Idempotency-Key records (src/store/idempotency.ts).
 *
 * A table's writes are declared once with writes(): its insert, update and
 * delete families (src/store/statements.ts), whose shapes are the columns
 * written, the target and the If-Match list's length. A missing record is
 * a value (undefined, false); a stale one is StoreError `stale`.
 */
import { and, eq, getTableColumns, getTableName, inArray, is, SQL, sql } from 'drizzle-orm';
import type { SQLiteColumn, SQLiteTable } from 'drizzle-orm/sqlite-core';
import type { Db } from './client';
import { decodeRow, rawStatement, type Row, type Selection } from './drizzle';
import { StoreError } from './errors';
import { cached, execute, family, keyOf, once, param, type Family, type Preparable, type Shape, type Statement, type Values } from './statements';

export type { Row, Selection };

export interface Built {
  /** The write's statements, in batch order (Drizzle builders, or statements written as SQL). */
  statements: readonly (Preparable | Statement)[];
  /** Evaluated after them in the same transaction: JSON of what was written, NULL if nothing was. */
  snapshot: SQL;
}

export interface WritePlan<T> {
  /** The cache key of the plan's shape; none: built for this request only. */
  key: string | undefined;
  build(db: Db): Built;
  /** The placeholders' values for this request. */
  values: Values;
  /** The result from the statements' results, in order; may throw StoreError. */
  result(results: unknown[]): T;
  /** The same result from the snapshot's JSON, for a replay. */
  read(json: unknown): T;
}

/** A plan of a family's shape: key and builder come from the same family and shape, so they cannot disagree. */
export function planOf<S extends Shape, T>(
  fam: Family<S, Built>,
  shape: S,
  values: Values,
  result: (results: unknown[]) => T,
  read: (json: unknown) => T,
): WritePlan<T> {
  return { key: keyOf(fam as Family<never, unknown>, shape), build: (db) => fam.build(db, shape), values, result, read };
}

/** A plan whose statements the client composed (bulk creates): built for its request, values inline. */
export const composedPlan = <T>(build: (db: Db) => Built, result: (results: unknown[]) => T, read: (json: unknown) => T): WritePlan<T> => ({
  key: undefined,
  build,
  values: {},
  result,
  read,
});

export const statementsOf = (db: Db, plan: WritePlan<unknown>) =>
  plan.key === undefined ? once(() => plan.build(db).statements) : cached(plan.key, () => plan.build(db).statements);

/** Runs a plan in one round trip: one statement, or one batch (one transaction). */
export async function runPlan<T>(db: Db, plan: WritePlan<T>): Promise<T> {
  return plan.result(await execute(db, statementsOf(db, plan as WritePlan<unknown>), plan.values));
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

/** The columns every record table has. */
export type RecordTable = SQLiteTable & { id: SQLiteColumn; workspace_id: SQLiteColumn; version: SQLiteColumn; updated_at: SQLiteColumn };

/** The workspace's row of the given id: placeholders `workspaceId` and `id`. */
export const owned = (table: RecordTable) => and(eq(table.workspace_id, param('workspaceId')), eq(table.id, param('id')));

/** A change that merges into a JSON object column (json_patch: null removes a key) instead of replacing it. */
export class JsonMerge {
  constructor(readonly patch: Record<string, unknown>) {}
}

/** A change that only fills a column still NULL (keeps the time a record was first archived). */
export class IfNull {
  constructor(readonly value: unknown) {}
}

/**
 * A new `tax_ids` list in which each EU VAT number still pending its VIES
 * check takes the check already stored for the same number (verified or
 * unverified): sending a customer's numbers again does not check them again.
 * The triggers of migrations/0014 queue what is left pending.
 */
export class KeepVerifications {
  constructor(readonly value: unknown) {}
}

/** How each changed column is written: replaced, merged (JsonMerge), filled if NULL (IfNull) or KeepVerifications. */
type SetShape = {
  columns: readonly string[];
  merged: readonly string[];
  kept?: readonly string[];
  verified?: readonly string[];
};

/**
 * KeepVerifications as SQL: `value` is the new list (JSON text), `column` the stored one. The
 * `|| ''` drops the JSON subtype (a CAST keeps it), which the event triggers would otherwise
 * see and nest the list as JSON where every other write gives them text.
 */
const keepVerifications = (column: SQLiteColumn, value: unknown) =>
  sql`((SELECT json_group_array(CASE WHEN n.value->>'$.verification.status' = 'pending' THEN json_set(n.value, '$.verification', json(coalesce((SELECT o.value->>'verification' FROM json_each(${column}) o WHERE o.value->>'type' = 'eu_vat' AND o.value->>'tax_value' = n.value->>'tax_value' AND o.value->>'$.verification.status' IN ('verified', 'unverified')), n.value->>'verification'))) ELSE json(n.value) END) FROM json_each(${value}) n) || '')`;

/** The shape and placeholder values (`set_<column>`, `now`) of a set of changes, for setClause(). */
function setOf(changes: Record<string, unknown>, values: Values): SetShape {
  const columns = Object.keys(changes);
  for (const column of columns) {
    const change = changes[column];
    values[`set_${column}`] =
      change instanceof JsonMerge ? JSON.stringify(change.patch) : change instanceof KeepVerifications ? JSON.stringify(change.value) : change instanceof IfNull ? change.value : change;
  }
  values.now = Date.now();
  const kept = columns.filter((column) => changes[column] instanceof IfNull);
  const verified = columns.filter((column) => changes[column] instanceof KeepVerifications);
  return { columns, merged: columns.filter((column) => changes[column] instanceof JsonMerge), ...(kept.length ? { kept } : {}), ...(verified.length ? { verified } : {}) };
}

/** What every update of a record sets beside its changes: updated_at moved forward (even twice in a millisecond), the version bumped. */
export const stamped = (table: RecordTable, now: unknown) => ({ updated_at: sql`max(${now}, ${table.updated_at} + 1)`, version: sql`${table.version} + 1` });

/** The SET of an UPDATE: each change, and the record's stamps. */
function setClause(table: RecordTable, shape: SetShape): Record<string, unknown> {
  const columns: Record<string, SQLiteColumn> = getTableColumns(table);
  const set: Record<string, unknown> = {};
  for (const column of shape.columns) {
    const value = param(`set_${column}`);
    set[column] = shape.merged.includes(column)
      ? sql`json_patch(${columns[column]}, ${value})`
      : shape.kept?.includes(column)
        ? sql`coalesce(${columns[column]}, ${value})`
        : shape.verified?.includes(column)
          ? keepVerifications(columns[column]!, value)
          : value;
  }
  return { ...set, ...stamped(table, param('now')) };
}

/** If-Match: the write only matches the listed versions (placeholders ifMatch0..n). */
function guarded(table: RecordTable, where: SQL | undefined, versions: number) {
  if (versions === 0) return where;
  return and(where, inArray(table.version, Array.from({ length: versions }, (_, i) => param(`ifMatch${i}`))));
}

/** The values for an If-Match list. */
function withVersions(values: Values, ifMatch: number[] | undefined): Values {
  if (!ifMatch) return values;
  const all = { ...values };
  ifMatch.forEach((version, i) => (all[`ifMatch${i}`] = version));
  return all;
}

/**
 * With If-Match, a second statement of the batch reads the record's version:
 * a write that matched nothing while the record exists was refused as stale.
 */
function checkStale(ifMatch: number[] | undefined, wrote: boolean, versionRead: unknown) {
  if (ifMatch && !wrote && (versionRead as unknown[]).length > 0) throw new StoreError({ kind: 'stale' });
}

/** A way to find the one record a write targets, beside the workspace's row of the given id. */
export type Targets<T extends RecordTable> = Record<string, (table: T) => SQL | undefined>;

export interface WriteOptions<T extends RecordTable> {
  /** Other targets than `id` (the workspace's row of the given id), by name. */
  targets?: Targets<T>;
  /** Insert: columns computed in SQL rather than bound. */
  computed?: () => Record<string, SQL>;
  /** Insert: statements that run first in the same batch. */
  before?: (db: Db) => Preparable[];
  /** Upsert: the same, run only under `none` (no row matches the target). */
  beforeIf?: (db: Db, none: SQL) => (Preparable | Statement)[];
  /** Delete: statements that remove what goes with the record, given the guarded condition. */
  cascade?: (db: Db, guarded: SQL | undefined) => Preparable[];
}

/**
 * The insert, update and delete families of a table, returning `selection`.
 * `name` is the families' prefix (unique per isolate, checked at load).
 */
export function writes<T extends RecordTable, S extends Selection>(name: string, table: T, selection: S, options: WriteOptions<T> = {}) {
  const targetOf = (target: string) => (target === 'id' ? owned(table) : options.targets![target]!(table));
  const snapshotOf = (where: SQL | undefined) => rowsJson(table, selection, where, table.id);

  const insert = family(`${name}.insert`, (db, shape: { columns: readonly string[] }): Built => {
    const row: Record<string, unknown> = {};
    for (const column of shape.columns) row[column] = param(column);
    const statement = db
      .insert(table)
      .values({ ...row, ...options.computed?.() } as T['$inferInsert'])
      .returning(selection);
    return { statements: [...(options.before?.(db) ?? []), statement], snapshot: snapshotOf(eq(table.id, param('id'))) };
  });

  const update = family(
    `${name}.update`,
    (db, shape: SetShape & { target: string; versions: number }): Built => {
      const where = targetOf(shape.target);
      const matching = guarded(table, where, shape.versions);
      const versionRead = shape.versions === 0 ? [] : [db.select({ version: table.version }).from(table).where(where)];
      if (shape.columns.length === 0) {
        return { statements: [db.select(selection as Selection).from(table).where(matching), ...versionRead], snapshot: snapshotOf(matching) };
      }
      const write = db.update(table).set(setClause(table, shape) as T['$inferInsert']).where(matching).returning(selection);
      // changes() is the row count of the UPDATE just before: 0 when it matched nothing (missing, stale).
      return { statements: [write, ...versionRead], snapshot: sql`CASE WHEN changes() > 0 THEN ${snapshotOf(where)} END` };
    },
  );

  const remove = family(`${name}.delete`, (db, shape: { target: string; versions: number }): Built => {
    const where = targetOf(shape.target);
    const matching = guarded(table, where, shape.versions);
    const versionRead = shape.versions === 0 ? [] : [db.select({ version: table.version }).from(table).where(where)];
    return {
      statements: [...(options.cascade?.(db, matching) ?? []), db.delete(table).where(matching).returning({ id: table.id }), ...versionRead],
      // Deletes take no Idempotency-Key today; should they, a delete that matched nothing records nothing.
      snapshot: sql`CASE WHEN changes() > 0 THEN 'true' END`,
    };
  });

  /**
   * Update-or-insert on a target that may match several rows (a non-unique external id): the UPDATE only
   * matches when exactly one row does; the insert's own statements (`before`, guarded the same way) and the
   * INSERT only run when none does; a last SELECT counts the matches. The INSERT is the batch's last write,
   * so changes() in the snapshot tells a create from an update.
   */
  const upsert = family(
    `${name}.upsert`,
    (db, shape: { target: string; insert: readonly string[]; set: SetShape }): Built => {
      const where = targetOf(shape.target);
      const columns: Record<string, SQLiteColumn> = getTableColumns(table);
      const matches = sql<number>`(SELECT count(*) FROM ${table} WHERE ${where})`;
      const none = sql`NOT EXISTS (SELECT 1 FROM ${table} WHERE ${where})`;
      const updated = db
        .update(table)
        .set(setClause(table, shape.set) as T['$inferInsert'])
        .where(and(where, sql`${matches} = 1`))
        .returning(selection);
      const computed = options.computed?.() ?? {};
      const names = [...shape.insert, ...Object.keys(computed)];
      const picked = names.map((column) => (column in computed ? computed[column]! : sql.param(param(column), columns[column])));
      const returned = Object.values(selection).map((field) => (is(field, SQL) ? field : sql.identifier((field as SQLiteColumn).name)));
      const inserted = sql`INSERT INTO ${table} (${sql.join(
        names.map((column) => sql.identifier(columns[column]!.name)),
        sql`, `,
      )}) SELECT ${sql.join(picked, sql`, `)} WHERE ${none} RETURNING ${sql.join(returned, sql`, `)}`;
      return {
        statements: [
          updated,
          ...(options.beforeIf?.(db, none) ?? []),
          rawStatement(db.values(inserted), selection),
          rawStatement(db.values(sql`SELECT ${matches}`), { count: sql<number>`count` }),
        ],
        // One row matches once the write is done (updated or inserted); several: nothing was written, nothing to record.
        snapshot: sql`CASE WHEN ${matches} = 1 THEN json_object('created', changes() > 0, 'rows', json(${snapshotOf(where)})) END`,
      };
    },
  );

  return {
    /** Inserts one row: `values` by column key (each bound as a placeholder); returns it mapped. */
    insert<R>(values: Values & { id: string }, map: (row: Row<S>) => R): WritePlan<R> {
      return planOf(
        insert,
        { columns: Object.keys(values) },
        values,
        (results) => map((results.at(-1) as Row<S>[])[0]!),
        readRows(selection, ([row]) => map(row!)),
      );
    },

    /**
     * Sets `changes` (by column key) on the target, moving updated_at forward
     * (even twice within a millisecond) and bumping the version; with nothing
     * to set it only reads. undefined: no such record.
     */
    update<R>(target: string, targetValues: Values, changes: Record<string, unknown>, ifMatch: number[] | undefined, map: (row: Row<S>) => R) {
      const values = withVersions({ ...targetValues }, ifMatch);
      return planOf(
        update,
        { target, ...setOf(changes, values), versions: ifMatch?.length ?? 0 },
        values,
        ([rows, versionRead]): R | undefined => {
          const [row] = rows as Row<S>[];
          checkStale(ifMatch, row !== undefined, versionRead);
          return row && map(row);
        },
        readRows(selection, ([row]) => row && map(row)),
      );
    },

    /**
     * Updates the one row the target matches with `changes`, or inserts `row` if none does; several matching is
     * StoreError `ambiguous` (named `field`), and nothing is written.
     */
    upsert<R>(target: string, field: string, targetValues: Values, row: Values & { id: string }, changes: Record<string, unknown>, map: (row: Row<S>) => R) {
      const values: Values = { ...targetValues, ...row };
      return planOf(
        upsert,
        { target, insert: Object.keys(row), set: setOf(changes, values) },
        values,
        (results): { value: R; created: boolean } => {
          const [updated] = results[0] as Row<S>[];
          const [inserted] = results.at(-2) as Row<S>[];
          const count = (results.at(-1) as { count: number }[])[0]?.count ?? 0;
          if (!updated && !inserted) throw new StoreError({ kind: 'ambiguous', field, count });
          return { value: map((updated ?? inserted)!), created: inserted !== undefined };
        },
        (json) => {
          const { created, rows } = json as { created: number; rows: unknown };
          return { value: readRows(selection, ([found]) => map(found!))(rows), created: created === 1 };
        },
      );
    },

    /** Deletes the target (and its cascade); false: no such record. */
    remove(target: string, targetValues: Values, ifMatch: number[] | undefined): WritePlan<boolean> {
      const versions = ifMatch?.length ?? 0;
      return planOf(
        remove,
        { target, versions },
        withVersions(targetValues, ifMatch),
        (results) => {
          // The DELETE is last but for the If-Match version read.
          const at = results.length - (versions === 0 ? 1 : 2);
          const wrote = (results[at] as unknown[]).length > 0;
          checkStale(ifMatch, wrote, results[at + 1]);
          return wrote;
        },
        () => true,
      );
    },
  };
}
