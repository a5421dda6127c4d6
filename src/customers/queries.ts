/**
 * Customer storage. Every function is one D1 round trip (one statement or one
 * batch); rows become API objects only in toCustomer().
 */
import { and, eq, getTableColumns, inArray, sql, type SQL } from 'drizzle-orm';
import type { Db } from '../db/client';
import { addresses, contacts, customers, customerTaxIds } from '../db/schema';
import { iso, uuidv7 } from '../lib/ids';
import { afterCursor, toPage } from '../http/pagination';
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

/** Ids of a customer's children, oldest first, as one JSON array column. */
const childIds = (table: typeof contacts | typeof addresses) =>
  sql<string>`(SELECT json_group_array(${table.id}) FROM (SELECT ${table.id} FROM ${table} WHERE ${table.customerId} = ${customers.id} ORDER BY ${table.id}))`.mapWith(
    (value: string) => JSON.parse(value) as string[],
  );

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
    .select({ ...columns, contactIds: childIds(contacts), addressIds: childIds(addresses) })
    .from(customers)
    .where(owned(workspaceId, id))
    .get();
  return row && { ...toCustomer(row), contact_ids: row.contactIds, address_ids: row.addressIds };
}

export async function updateCustomer(db: Db, workspaceId: string, id: string, input: CustomerUpdate) {
  const set: Partial<typeof customers.$inferInsert> = {};
  if (input.name !== undefined) Object.assign(set, { name: input.name, nameSearch: input.name.toLowerCase() });
  if (input.type !== undefined) set.type = input.type;
  if (input.segment_id !== undefined) set.segmentId = input.segment_id;
  if (input.logo !== undefined) set.logo = input.logo;
  if (input.tax_ids !== undefined) set.taxIds = input.tax_ids;
  if (input.id_crm !== undefined) set.idCrm = input.id_crm;
  if (input.id_erp !== undefined) set.idErp = input.id_erp;
  if (input.id_accounting !== undefined) set.idAccounting = input.id_accounting;
  const row =
    Object.keys(set).length === 0
      ? await db.select(columns).from(customers).where(owned(workspaceId, id)).get()
      : await db
          .update(customers)
          // updated_at moves forward on every change, even within one millisecond.
          .set({ ...set, updatedAt: sql`max(${Date.now()}, ${customers.updatedAt} + 1)` })
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
