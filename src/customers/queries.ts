/**
 * Customer storage. Every function is one D1 round trip (one statement or one
 * batch); rows become API objects only in toCustomer().
 */
import { and, eq, getTableColumns, inArray, sql, type SQL } from 'drizzle-orm';
import type { Db } from '../db/client';
import { addresses, contacts, customers, customerTaxIds } from '../db/schema';
import { iso, uuidv7 } from '../lib/ids';
import { afterCursor, toPage } from '../http/pagination';
import { relatedIds } from '../db/related';
import { changes, EXTERNAL_ID_COLUMNS, touched } from '../db/update';
import type { CustomerCreate, CustomerList, CustomerUpdate } from './schemas';

const { nameSearch: _nameSearch, ...columns } = getTableColumns(customers);
type CustomerRow = typeof customers.$inferSelect;

export function toCustomer(row: Omit<CustomerRow, 'nameSearch'>) {
  return {
    id: row.id,
    workspace_id: row.workspaceId,
    name: row.name,
    type: row.type,
    segment_id: row.segmentId,
    logo: row.logo,
    tax_ids: row.taxIds,
    id_crm: row.idCrm,
    id_erp: row.idErp,
    id_accounting: row.idAccounting,
    created_at: iso(row.createdAt),
    updated_at: iso(row.updatedAt),
  };
}
export type Customer = ReturnType<typeof toCustomer>;

const owned = (workspaceId: string, id: string) => and(eq(customers.workspaceId, workspaceId), eq(customers.id, id));

export async function createCustomer(db: Db, workspaceId: string, input: CustomerCreate): Promise<Customer> {
  const now = Date.now();
  const row = await db
    .insert(customers)
    .values({
      id: uuidv7(now),
      workspaceId,
      name: input.name,
      nameSearch: input.name.toLowerCase(),
      type: input.type,
      segmentId: input.segment_id ?? null,
      logo: input.logo ?? null,
      taxIds: input.tax_ids,
      idCrm: input.id_crm ?? null,
      idErp: input.id_erp ?? null,
      idAccounting: input.id_accounting ?? null,
      createdAt: now,
      updatedAt: now,
    })
    .returning(columns)
    .get();
  return toCustomer(row!);
}

export async function getCustomer(db: Db, workspaceId: string, id: string) {
  const row = await db
    .select({ ...columns, contactIds: relatedIds(contacts.id, contacts.customerId, customers.id),
      addressIds: relatedIds(addresses.id, addresses.customerId, customers.id),
     })
    .from(customers)
    .where(owned(workspaceId, id))
    .get();
  return row && { ...toCustomer(row), contact_ids: row.contactIds, address_ids: row.addressIds };
}

export async function updateCustomer(db: Db, workspaceId: string, id: string, input: CustomerUpdate) {
  const set = changes<typeof customers.$inferInsert>(input, {
    name: 'name',
    type: 'type',
    segment_id: 'segmentId',
    logo: 'logo',
    tax_ids: 'taxIds',
    ...EXTERNAL_ID_COLUMNS,
  });
  if (input.name !== undefined) set.nameSearch = input.name.toLowerCase();
  const row =
    Object.keys(set).length === 0
      ? await db.select(columns).from(customers).where(owned(workspaceId, id)).get()
      : await db
          .update(customers)
          .set({ ...set, updatedAt: touched(customers.updatedAt) })
          .where(owned(workspaceId, id))
          .returning(columns)
          .get();
  return row && toCustomer(row);
}

/** The customer, its addresses and contacts go together; tax ids follow by ON DELETE CASCADE. */
export async function deleteCustomer(db: Db, workspaceId: string, id: string): Promise<boolean> {
  const [, , removed] = await db.batch([
    db.delete(addresses).where(and(eq(addresses.workspaceId, workspaceId), eq(addresses.customerId, id))),
    db.delete(contacts).where(and(eq(contacts.workspaceId, workspaceId), eq(contacts.customerId, id))),
    db.delete(customers).where(owned(workspaceId, id)).returning({ id: customers.id }),
  ]);
  return removed.length > 0;
}

export async function listCustomers(db: Db, workspaceId: string, f: CustomerList) {
  const where: (SQL | undefined)[] = [
    eq(customers.workspaceId, workspaceId),
    f.type === undefined ? undefined : eq(customers.type, f.type),
    f.segment_id === undefined ? undefined : eq(customers.segmentId, f.segment_id),
    f.id_crm === undefined ? undefined : eq(customers.idCrm, f.id_crm),
    f.id_erp === undefined ? undefined : eq(customers.idErp, f.id_erp),
    f.id_accounting === undefined ? undefined : eq(customers.idAccounting, f.id_accounting),
    f.tax_value === undefined
      ? undefined
      : inArray(
          customers.id,
          db
            .select({ id: customerTaxIds.customerId })
            .from(customerTaxIds)
            .where(and(eq(customerTaxIds.workspaceId, workspaceId), eq(customerTaxIds.taxValue, f.tax_value))),
        ),
    f.q === undefined ? undefined : sql`instr(${customers.nameSearch}, ${f.q.toLowerCase()}) > 0`,
    afterCursor(customers.id, f.cursor),
  ];
  const rows = await db
    .select(columns)
    .from(customers)
    .where(and(...where))
    .orderBy(customers.id)
    .limit(f.limit + 1)
    .all();
  return toPage(rows, f.limit, toCustomer);
}
