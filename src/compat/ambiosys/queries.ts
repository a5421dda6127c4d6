/**
 * AmbioSys reads: page-numbered lists (its contract, so OFFSET over the
 * (workspace_id, number) index) and lookups by the integer customer_id.
 */
import { and, asc, count, eq, sql } from 'drizzle-orm';
import { customer } from '../../customers/fields';
import { fold } from '../../lib/text';
import type { Db } from '../../store/client';
import { qualified } from '../../store/related';
import { customers, customerTaxIds } from '../../store/schema';
import { family, param, read } from '../../store/statements';
import type { AmbiosysList } from './schemas';

/** Name, legal name or a tax id contains the `needle` placeholder (folded, like the stored copies it is matched on). */
const matches = () =>
  sql`(instr(${qualified(customers.name_search)}, ${param('needle')}) > 0
    OR instr(${qualified(customers.legal_name_search)}, ${param('needle')}) > 0
    OR EXISTS (SELECT 1 FROM ${customerTaxIds} WHERE ${qualified(customerTaxIds.customer_id)} = ${qualified(customers.id)}
      AND instr(${qualified(customerTaxIds.tax_value_search)}, ${param('needle')}) > 0))`;

const listQuery = family('ambiosys.list', (db, search: boolean) => {
  const where = and(eq(customers.workspace_id, param('workspaceId')), search ? matches() : undefined);
  return [
    db.select(customer.selection).from(customers).where(where).orderBy(asc(customers.number)).limit(param('limit')).offset(param('offset')),
    db.select({ count: count() }).from(customers).where(where),
  ] as const;
});

export async function listByPage(db: Db, workspaceId: string, params: AmbiosysList) {
  const search = params.search !== undefined;
  const [rows, [total]] = await read(db, listQuery, search, {
    workspaceId,
    needle: search ? fold(params.search!) : undefined,
    limit: params.limit,
    offset: params.page * params.limit,
  });
  return { customers: rows.map(customer.toApi), total: total?.count ?? 0 };
}

const getQuery = family('ambiosys.get', (db) => [
  db.select(customer.selection).from(customers).where(and(eq(customers.workspace_id, param('workspaceId')), eq(customers.number, param('number')))),
] as const);

export async function getByNumber(db: Db, workspaceId: string, number: number) {
  const [[row]] = await read(db, getQuery, null, { workspaceId, number });
  return row && customer.toApi(row);
}
