/**
 * Export and import of a workspace's records through the API (the format:
 * src/exchange/format.ts). An export page is one keyset query of one table; an
 * import part is one batch of upserts, so a part applies whole or not at all.
 * The database's rules hold for imported records as for any write: a record
 * of another workspace, a contact or address moving to another customer, a
 * reference that does not resolve, a number or source ids another customer
 * holds: each aborts the part.
 */
import { and, eq, getTableColumns, gt, sql, type SQL } from 'drizzle-orm';
import type { SQLiteColumn, SQLiteTable } from 'drizzle-orm/sqlite-core';
import type { Db } from '../store/client.ts';
import { composedPlan, type WritePlan } from '../store/plan.ts';
import { addresses, contacts, customers, segments, workspaceCounters } from '../store/schema.ts';
import { family, param, read, sqlStatement } from '../store/statements.ts';
import { COUNTERS_TABLE, TABLES, upsertSql, upsertValues, type Row, type TableName, type WorkspaceRecord } from './format.ts';

const TABLE_OBJECTS: Record<TableName, SQLiteTable> = { segments, customers, contacts, addresses, workspace_counters: workspaceCounters };

const columnsOf = (table: TableName) => getTableColumns(TABLE_OBJECTS[table]) as Record<string, SQLiteColumn>;

/** The rows of a table, values as stored (JSON as its text), columns in the format's order. */
const selectionOf = (table: TableName) =>
  Object.fromEntries(TABLES[table].columns.map((c) => [c.name, sql`${columnsOf(table)[c.name]}`])) as Record<string, SQL<unknown>>;

const pageQuery = family('exchange.export', (db, table: TableName) => {
  const columns = columnsOf(table);
  const workspace = eq(columns.workspace_id!, param('workspaceId'));
  if (table === COUNTERS_TABLE) return [db.select(selectionOf(table)).from(workspaceCounters).where(workspace)] as const;
  return [
    db
      .select(selectionOf(table))
      .from(TABLE_OBJECTS[table])
      .where(and(workspace, gt(columns.id!, param('after'))))
      .orderBy(columns.id!)
      .limit(param('limit')),
  ] as const;
});

/** Up to `limit` records of `table` after the id `after`, in id order. */
export async function exportPage(db: Db, workspaceId: string, table: TableName, after: string, limit: number): Promise<Row[]> {
  const [rows] = await read(db, pageQuery, table, { workspaceId, after, limit });
  return rows as Row[];
}

export type Imported = Record<TableName, number>;

/** The records as one batch; the counts of records by table are its result (and its replay). */
export function importPlan(records: WorkspaceRecord[]): WritePlan<Imported> {
  const counts = Object.fromEntries(Object.keys(TABLES).map((t) => [t, 0])) as Imported;
  for (const record of records) counts[record.table]++;
  return composedPlan(
    () => ({ statements: records.map((record) => sqlStatement(upsertSql(record.table), upsertValues(record))), snapshot: sql`${JSON.stringify(counts)}` }),
    () => counts,
    (json) => json as Imported,
  );
}
