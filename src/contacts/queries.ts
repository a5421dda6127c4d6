/**
 * Contact storage: one statement per call. A contact's customer must be in the
 * same workspace (trigger); each contact object lists the addresses linked to it.
 */
import { and, eq, getTableColumns } from 'drizzle-orm';
import type { Db } from '../db/client';
import { addresses, contacts } from '../db/schema';
import { relatedIds } from '../db/related';
import { deletePlan, insertPlan, owned, updatePlan } from '../db/plan';
import { param, read } from '../db/prepared';
import { changes, EXTERNAL_ID_COLUMNS } from '../db/update';
import { afterCursor, toPage } from '../http/pagination';
import { iso, uuidv7 } from '../lib/ids';
import { versioned } from '../lib/versions';
import type { ContactCreate, ContactList, ContactUpdate } from './schemas';

type ContactRow = typeof contacts.$inferSelect & { addressIds: string[] };

export function toContact(row: ContactRow) {
  return versioned({
    id: row.id,
    workspace_id: row.workspaceId,
    customer_id: row.customerId,
    first_name: row.firstName,
    last_name: row.lastName,
    email: row.email,
    phone: row.phone,
    role: row.role,
    id_crm: row.idCrm,
    id_erp: row.idErp,
    id_accounting: row.idAccounting,
    address_ids: row.addressIds,
    created_at: iso(row.createdAt),
    updated_at: iso(row.updatedAt),
  }, row.version);
}

const columns = {
  ...getTableColumns(contacts),
  addressIds: relatedIds(addresses.id, addresses.contactId, contacts.id),
};

export function contactValues(workspaceId: string, input: ContactCreate, now = Date.now()) {
  return {
    id: uuidv7(now),
    workspaceId,
    customerId: input.customer_id,
    firstName: input.first_name,
    lastName: input.last_name,
    email: input.email,
    phone: input.phone ?? null,
    role: input.role,
    idCrm: input.id_crm ?? null,
    idErp: input.id_erp ?? null,
    idAccounting: input.id_accounting ?? null,
    createdAt: now,
    updatedAt: now,
  };
}

export function createContact(db: Db, workspaceId: string, input: ContactCreate) {
  return insertPlan('contacts', db, contacts, columns, contactValues(workspaceId, input), toContact);
}

export async function getContact(db: Db, workspaceId: string, id: string) {
  const [[row]] = await read(db, 'contacts.get', () => [db.select(columns).from(contacts).where(owned(contacts))], { workspaceId, id });
  return row && toContact(row);
}

export function updateContact(db: Db, workspaceId: string, id: string, input: ContactUpdate, ifMatch?: number[]) {
  const set = changes<typeof contacts.$inferInsert>(input, {
    first_name: 'firstName',
    last_name: 'lastName',
    email: 'email',
    phone: 'phone',
    role: 'role',
    ...EXTERNAL_ID_COLUMNS,
  });
  return updatePlan('contacts', db, contacts, columns, { values: { workspaceId, id } }, set, ifMatch, toContact);
}

/** Addresses linked to the contact keep existing with contact_id = null (ON DELETE SET NULL). */
export function deleteContact(db: Db, workspaceId: string, id: string, ifMatch?: number[]) {
  return deletePlan('contacts', db, contacts, { values: { workspaceId, id } }, ifMatch);
}

export async function listContacts(db: Db, workspaceId: string, params: ContactList) {
  const byCustomer = params.customer_id !== undefined;
  const [rows] = await read(
    db,
    `contacts.list:${byCustomer}:${params.cursor !== undefined}`,
    () => [
      db
        .select(columns)
        .from(contacts)
        .where(
          and(
            eq(contacts.workspaceId, param('workspaceId')),
            byCustomer ? eq(contacts.customerId, param('customer_id')) : undefined,
            afterCursor(contacts.id, params.cursor),
          ),
        )
        .orderBy(contacts.id)
        .limit(param('limit')),
    ],
    { ...params, workspaceId, limit: params.limit + 1 },
  );
  return toPage(rows, params.limit, toContact);
}
