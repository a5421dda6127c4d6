/** Correlated subqueries that fold related rows into a JSON column, so one statement returns a whole object. */
import { getTableName, sql, type SQL } from 'drizzle-orm';
import type { SQLiteColumn } from 'drizzle-orm/sqlite-core';

/**
 * `"table"."column"`, always qualified: in a single-table select Drizzle
 * renders columns bare, which inside a correlated subquery would bind to the
 * inner table instead of the outer row.
 */
export const qualified = (column: SQLiteColumn): SQL =>
  sql`${sql.identifier(getTableName(column.table))}.${sql.identifier(column.name)}`;

/** Ids of the rows whose `foreignKey` equals the outer row's `parentId`, oldest first. */
export function relatedIds(id: SQLiteColumn, foreignKey: SQLiteColumn, parentId: SQLiteColumn) {
  const table = sql.identifier(getTableName(id.table));
  return sql<string>`(SELECT json_group_array(${sql.identifier(id.name)}) FROM (SELECT ${qualified(id)} FROM ${table} WHERE ${qualified(foreignKey)} = ${qualified(parentId)} ORDER BY ${qualified(id)}))`.mapWith(
    (value: string) => JSON.parse(value) as string[],
  );
}

/**
 * `+column = value`: the same test, but the unary plus keeps the column out of
 * SQLite's index choice. Without statistics the planner takes any index that
 * leads with an equality, and the workspace's (workspace_id, updated_at, id)
 * indexes would win over a narrower one (a customer's contacts): every row of
 * the workspace walked for a handful.
 */
export const unindexed = (column: SQLiteColumn, value: unknown): SQL => sql`+${qualified(column)} = ${value}`;
