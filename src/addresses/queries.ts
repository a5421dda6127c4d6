/**
 * Address storage: one statement per call. The customer must be in the same
 * workspace and the contact, if any, a contact of that customer (triggers).
 */
import { and, eq, getTableColumns } from 'drizzle-orm';
import type { Db } from '../db/client';
import { addresses } from '../db/schema';
import { deletePlan, insertPlan, owned, updatePlan } from '../db/plan';
import { param, read } from '../db/prepared';
import { changes, EXTERNAL_ID_COLUMNS } from '../db/update';
import { afterCursor, toPage } from '../http/pagination';
import { iso, uuidv7 } from '../lib/ids';
import { versioned } from '../lib/versions';
import type { AddressCreate, AddressList, AddressUpdate } from './schemas';

type AddressRow = typeof addresses.$inferSelect;
export type UpwellAddressType = NonNullable<AddressRow['upwellType']>;

export function toAddress(row: AddressRow) {
  return versioned({
    id: row.id,
    workspace_id: row.workspaceId,
    customer_id: row.customerId,
    contact_id: row.contactId,
    type: row.type,
    name: row.name,
    address_line1: row.addressLine1,
    address_line2: row.addressLine2,
    city: row.city,
    postal_code: row.postalCode,
    state: row.state,
    country: row.country,
    comment: row.comment,
    id_crm: row.idCrm,
    id_erp: row.idErp,
    id_accounting: row.idAccounting,
    created_at: iso(row.createdAt),
    updated_at: iso(row.updatedAt),
  }, row.version);
}

export function addressValues(workspaceId: string, input: AddressCreate, now = Date.now(), upwellType: UpwellAddressType | null = null) {
  return {
    id: uuidv7(now),
    workspaceId,
    customerId: input.customer_id,
    contactId: input.contact_id ?? null,
    type: input.type,
    upwellType,
    name: input.name ?? null,
    addressLine1: input.address_line1,
    addressLine2: input.address_line2 ?? null,
    city: input.city,
    postalCode: input.postal_code,
    state: input.state ?? null,
    country: input.country,
    comment: input.comment ?? null,
    idCrm: input.id_crm ?? null,
    idErp: input.id_erp ?? null,
    idAccounting: input.id_accounting ?? null,
    createdAt: now,
    updatedAt: now,
  };
}

export const addressColumns = getTableColumns(addresses);

export function createAddress(db: Db, workspaceId: string, input: AddressCreate) {
  return insertPlan('addresses', db, addresses, addressColumns, addressValues(workspaceId, input), toAddress);
}

export async function getAddress(db: Db, workspaceId: string, id: string) {
  const [[row]] = await read(db, 'addresses.get', () => [db.select().from(addresses).where(owned(addresses))], { workspaceId, id });
  return row && toAddress(row);
}

export function updateAddress(db: Db, workspaceId: string, id: string, input: AddressUpdate, ifMatch?: number[]) {
  const set = changes<typeof addresses.$inferInsert>(input, {
    type: 'type',
    name: 'name',
    address_line1: 'addressLine1',
    address_line2: 'addressLine2',
    city: 'city',
    postal_code: 'postalCode',
    state: 'state',
    country: 'country',
    contact_id: 'contactId',
    comment: 'comment',
    ...EXTERNAL_ID_COLUMNS,
  });
  // Upwell's label for the type no longer holds once the type is set here.
  const columns = input.type === undefined ? set : { ...set, upwellType: null };
  return updatePlan('addresses', db, addresses, addressColumns, { values: { workspaceId, id } }, columns, ifMatch, toAddress);
}

export function deleteAddress(db: Db, workspaceId: string, id: string, ifMatch?: number[]) {
  return deletePlan('addresses', db, addresses, { values: { workspaceId, id } }, ifMatch);
}

export async function listAddresses(db: Db, workspaceId: string, params: AddressList) {
  const byCustomer = params.customer_id !== undefined;
  const [rows] = await read(
    db,
    `addresses.list:${byCustomer}:${params.cursor !== undefined}`,
    () => [
      db
        .select()
        .from(addresses)
        .where(
          and(
            eq(addresses.workspaceId, param('workspaceId')),
            byCustomer ? eq(addresses.customerId, param('customer_id')) : undefined,
            afterCursor(addresses.id, params.cursor),
          ),
        )
        .orderBy(addresses.id)
        .limit(param('limit')),
    ],
    { ...params, workspaceId, limit: params.limit + 1 },
  );
  return toPage(rows, params.limit, toAddress);
}
