/**
 * Contact storage: one statement per call. A contact's customer must be in the
 * same workspace (trigger); each contact object lists the addresses linked to it.
 */
import { and, eq, getTableColumns } from 'drizzle-orm';
import type { Db } from '../db/client';
import { addresses, contacts } from '../db/schema';
import { relatedIds } from '../db/related';
import { deletePlan, insertPlan, updatePlan } from '../db/plan';
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

const owned = (workspaceId: string, id: string) => and(eq(contacts.workspaceId, workspaceId), eq(contacts.id, id));

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
  return insertPlan(db, contacts, columns, contactValues(workspaceId, input), toContact);
}

export async function getContact(db: Db, workspaceId: string, id: string) {
  const row = await db.select(columns).from(contacts).where(owned(workspaceId, id)).get();
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
  return updatePlan(db, contacts, columns, owned(workspaceId, id), set, ifMatch, toContact);
}

/** Addresses linked to the contact keep existing with contact_id = null (ON DELETE SET NULL). */
export function deleteContact(db: Db, workspaceId: string, id: string, ifMatch?: number[]) {
  return deletePlan(db, contacts, owned(workspaceId, id), ifMatch);
}

export async function listContacts(db: Db, workspaceId: string, params: ContactList) {
  const rows = await db
    .select(columns)
    .from(contacts)
    .where(
      and(
        eq(contacts.workspaceId, workspaceId),
        params.customer_id === undefined ? undefined : eq(contacts.customerId, params.customer_id),
        afterCursor(contacts.id, params.cursor),
      ),
    )
    .orderBy(contacts.id)
    .limit(params.limit + 1)
    .all();
  return toPage(rows, params.limit, toContact);
}
