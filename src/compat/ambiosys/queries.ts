/**
 * AmbioSys reads: page-numbered lists (its contract, so OFFSET over the
 * (workspace_id, number) index) and lookups by the integer customer_id.
 */
import { and, asc, count, eq, sql } from 'drizzle-orm';
import type { Db } from '../../db/client';
import { param, read } from '../../db/prepared';
import { customers, customerTaxIds } from '../../db/schema';
import { qualified } from '../../db/related';
import { customerColumns, toCustomer } from '../../customers/queries';
import { fold } from '../../lib/text';
import type { AmbiosysList } from './schemas';

/** Name, legal name or a tax id contains the `needle` placeholder (folded, like the stored copies it is matched on). */
const matches = () =>
  sql`(instr(${qualified(customers.nameSearch)}, ${param('needle')}) > 0
    OR instr(${qualified(customers.legalNameSearch)}, ${param('needle')}) > 0
    OR EXISTS (SELECT 1 FROM ${customerTaxIds} WHERE ${qualified(customerTaxIds.customerId)} = ${qualified(customers.id)}
      AND instr(${qualified(customerTaxIds.taxValueSearch)}, ${param('needle')}) > 0))`;

export async function listByPage(db: Db, workspaceId: string, params: AmbiosysList) {
  const search = Boolean(params.search);
  const [rows, [total]] = await read(
    db,
    `ambiosys.list:${search}`,
    () => {
      const where = and(eq(customers.workspaceId, param('workspaceId')), search ? matches() : undefined);
      return [
        db
          .select(customerColumns)
          .from(customers)
          .where(where)
          .orderBy(asc(customers.number))
          .limit(param('limit'))
          .offset(param('offset')),
        db.select({ count: count() }).from(customers).where(where),
      ];
    },
    { workspaceId, needle: params.search === undefined ? undefined : fold(params.search), limit: params.limit, offset: params.page * params.limit },
  );
  return { customers: rows.map(toCustomer), total: total?.count ?? 0 };
}

export async function getByNumber(db: Db, workspaceId: string, number: number) {
  const [[row]] = await read(
    db,
    'ambiosys.get',
    () => [db.select(customerColumns).from(customers).where(and(eq(customers.workspaceId, param('workspaceId')), eq(customers.number, param('number'))))],
    { workspaceId, number },
  );
  return row && toCustomer(row);
}
