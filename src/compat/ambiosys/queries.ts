/**
 * AmbioSys reads: page-numbered lists (its contract, so OFFSET over the
 * (workspace_id, number) index) and lookups by the integer customer_id.
 */
import { and, asc, count, eq, sql } from 'drizzle-orm';
import type { Db } from '../../db/client';
import { customers, customerTaxIds } from '../../db/schema';
import { qualified } from '../../db/related';
import { customerColumns, toCustomer } from '../../customers/queries';
import type { AmbiosysList } from './schemas';

/** Name, legal name or a tax id contains `search`, case-insensitively. */
function matches(search: string) {
  const needle = search.toLowerCase();
  return sql`(instr(${qualified(customers.nameSearch)}, ${needle}) > 0
    OR instr(${qualified(customers.legalNameSearch)}, ${needle}) > 0
    OR EXISTS (SELECT 1 FROM ${customerTaxIds} WHERE ${qualified(customerTaxIds.customerId)} = ${qualified(customers.id)}
      AND instr(lower(${qualified(customerTaxIds.taxValue)}), ${needle}) > 0))`;
}

export async function listByPage(db: Db, workspaceId: string, params: AmbiosysList) {
  const where = and(eq(customers.workspaceId, workspaceId), params.search ? matches(params.search) : undefined);
  const [rows, [total]] = await db.batch([
    db
      .select(customerColumns)
      .from(customers)
      .where(where)
      .orderBy(asc(customers.number))
      .limit(params.limit)
      .offset(params.page * params.limit),
    db.select({ count: count() }).from(customers).where(where),
  ]);
  return { customers: rows.map(toCustomer), total: total?.count ?? 0 };
}

export async function getByNumber(db: Db, workspaceId: string, number: number) {
  const row = await db
    .select(customerColumns)
    .from(customers)
    .where(and(eq(customers.workspaceId, workspaceId), eq(customers.number, number)))
    .get();
  return row && toCustomer(row);
}
