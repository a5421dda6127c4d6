/**
 * Customer storage. Every function is one D1 round trip (one statement or one
 * batch); rows become API objects only in toCustomer(). The compatibility
 * APIs reuse customerValues(), customerChanges() and the column sets here.
 */
import { and, eq, exists, getTableColumns, gt, inArray, sql, type Placeholder } from 'drizzle-orm';
import type { Db } from '../db/client';
import { deletePlan, insertPlan, JsonMerge, owned, updatePlan } from '../db/plan';
import { param, read } from '../db/prepared';
import { addresses, contacts, customers, customerTaxIds, workspaceCounters } from '../db/schema';
import { qualified, relatedIds } from '../db/related';
import { changes, EXTERNAL_ID_COLUMNS } from '../db/update';
import { toPage } from '../http/pagination';
import { iso, uuidv7 } from '../lib/ids';
import { fold } from '../lib/text';
import { versioned } from '../lib/versions';
import type { CustomerCreate, CustomerList, CustomerUpdate } from './schemas';

const { nameSearch: _nameSearch, legalNameSearch: _legalNameSearch, folded: _folded, ...columns } = getTableColumns(customers);
export const customerColumns = columns;
export type CustomerRow = Omit<typeof customers.$inferSelect, 'nameSearch' | 'legalNameSearch' | 'folded'>;

const isoOrNull = (ms: number | null) => (ms === null ? null : iso(ms));

export function toCustomer(row: CustomerRow) {
  return versioned({
    id: row.id,
    workspace_id: row.workspaceId,
    number: row.number,
    name: row.name,
    legal_name: row.legalName,
    type: row.type,
    segment_id: row.segmentId,
    logo: row.logo,
    tax_ids: row.taxIds,
    id_crm: row.idCrm,
    id_erp: row.idErp,
    id_accounting: row.idAccounting,
    contact_origin: row.contactOrigin,
    email_address: row.emailAddress,
    cc_email_addresses: row.ccEmailAddresses,
    bill_to_customer_id: row.billToCustomerId,
    collector_id: row.collectorId,
    metadata: row.metadata,
    source_system: row.sourceSystem,
    source_system_id: row.sourceSystemId,
    due_option: row.dueOption,
    email_settings: row.emailSettings,
    integration_settings: row.integrationSettings,
    addresses_last_updated_at: isoOrNull(row.addressesLastUpdatedAt),
    contacts_last_updated_at: isoOrNull(row.contactsLastUpdatedAt),
    deleted_at: isoOrNull(row.deletedAt),
    created_at: iso(row.createdAt),
    updated_at: iso(row.updatedAt),
  }, row.version);
}
export type Customer = ReturnType<typeof toCustomer>;


/**
 * Takes the workspace's next customer number: runs in the same batch just
 * before the INSERT, which reads it back with nextNumber(). The counter only
 * grows, so a deleted customer's number is never handed out again.
 */
export const takeNumber = (db: Db, workspaceId: string | Placeholder) =>
  db
    .insert(workspaceCounters)
    .values({ workspaceId, customers: 1 })
    .onConflictDoUpdate({ target: workspaceCounters.workspaceId, set: { customers: sql`${workspaceCounters.customers} + 1` } });

export const nextNumber = (workspaceId: string | Placeholder) =>
  sql<number>`(SELECT ${qualified(workspaceCounters.customers)} FROM ${workspaceCounters} WHERE ${qualified(workspaceCounters.workspaceId)} = ${workspaceId})`;

const folds = (text: string | null | undefined) => (text == null ? text : fold(text));

/** Text fields matched case- and accent-insensitively besides the name and legal name (`customers.folded`). */
export const FOLDED_FIELDS = ['email_address', 'collector_id', 'source_system', 'source_system_id', 'id_crm', 'id_erp', 'id_accounting'] as const;
export type FoldedField = (typeof FOLDED_FIELDS)[number];

/**
 * The folded copies of what `input` sets, as stored in `customers.folded`:
 * every folded field on create; only those sent on update (merged into the
 * stored object with json_patch, where null removes the key: no value).
 */
function foldedOf(input: Partial<Record<FoldedField, string | null>> & { tax_ids?: { tax_value: string }[] | undefined }) {
  const out: Record<string, string | null | string[]> = {};
  for (const field of FOLDED_FIELDS) {
    const value = input[field];
    if (value !== undefined) out[field] = folds(value) ?? null;
  }
  if (input.tax_ids !== undefined) out.tax_values = input.tax_ids.map((t) => fold(t.tax_value));
  return out;
}

export function customerValues(workspaceId: string, input: CustomerCreate, now = Date.now(), id = uuidv7(now)) {
  return {
    id,
    workspaceId,
    name: input.name,
    nameSearch: fold(input.name),
    legalName: input.legal_name ?? null,
    legalNameSearch: folds(input.legal_name) ?? null,
    folded: foldedOf({ ...input, tax_ids: input.tax_ids }),
    type: input.type,
    segmentId: input.segment_id ?? null,
    logo: input.logo ?? null,
    taxIds: input.tax_ids,
    idCrm: input.id_crm ?? null,
    idErp: input.id_erp ?? null,
    idAccounting: input.id_accounting ?? null,
    contactOrigin: input.contact_origin,
    emailAddress: input.email_address ?? null,
    ccEmailAddresses: input.cc_email_addresses,
    billToCustomerId: input.bill_to_customer_id ?? null,
    collectorId: input.collector_id ?? null,
    metadata: input.metadata,
    sourceSystem: input.source_system ?? null,
    sourceSystemId: input.source_system_id ?? null,
    dueOption: input.due_option ?? null,
    emailSettings: input.email_settings ?? null,
    integrationSettings: input.integration_settings ?? null,
    addressesLastUpdatedAt: input.addresses_last_updated_at ?? null,
    contactsLastUpdatedAt: input.contacts_last_updated_at ?? null,
    deletedAt: input.deleted_at ?? null,
    createdAt: now,
    updatedAt: now,
  };
}

/** Canonical API field -> column, for every field a client can write. */
export const CUSTOMER_FIELD_COLUMNS = {
  name: 'name',
  legal_name: 'legalName',
  type: 'type',
  segment_id: 'segmentId',
  logo: 'logo',
  tax_ids: 'taxIds',
  ...EXTERNAL_ID_COLUMNS,
  contact_origin: 'contactOrigin',
  email_address: 'emailAddress',
  cc_email_addresses: 'ccEmailAddresses',
  bill_to_customer_id: 'billToCustomerId',
  collector_id: 'collectorId',
  metadata: 'metadata',
  source_system: 'sourceSystem',
  source_system_id: 'sourceSystemId',
  due_option: 'dueOption',
  email_settings: 'emailSettings',
  integration_settings: 'integrationSettings',
  addresses_last_updated_at: 'addressesLastUpdatedAt',
  contacts_last_updated_at: 'contactsLastUpdatedAt',
  deleted_at: 'deletedAt',
} as const satisfies Record<string, keyof typeof customers.$inferInsert>;

/** The SET clause for an update: only the fields sent (empty when nothing was sent). */
export function customerChanges(input: CustomerUpdate): Record<string, unknown> {
  const set: Record<string, unknown> = changes<typeof customers.$inferInsert>(input, CUSTOMER_FIELD_COLUMNS);
  if (input.name !== undefined) set.nameSearch = fold(input.name);
  if (input.legal_name !== undefined) set.legalNameSearch = folds(input.legal_name);
  const folded = foldedOf(input);
  if (Object.keys(folded).length > 0) set.folded = new JsonMerge(folded);
  return set;
}

export function createCustomer(db: Db, workspaceId: string, input: CustomerCreate) {
  return insertPlan('customers', db, customers, columns, customerValues(workspaceId, input), toCustomer, {
    computed: () => ({ number: nextNumber(param('workspaceId')) }),
    before: () => [takeNumber(db, param('workspaceId'))],
  });
}

export async function getCustomer(db: Db, workspaceId: string, id: string) {
  const [[row]] = await read(
    db,
    'customers.get',
    () => [
      db
        .select({
          ...columns,
          contactIds: relatedIds(contacts.id, contacts.customerId, customers.id),
          addressIds: relatedIds(addresses.id, addresses.customerId, customers.id),
        })
        .from(customers)
        .where(owned(customers)),
    ],
    { workspaceId, id },
  );
  return row && { ...toCustomer(row), contact_ids: row.contactIds, address_ids: row.addressIds };
}

export function updateCustomer(db: Db, workspaceId: string, id: string, input: CustomerUpdate, ifMatch?: number[]) {
  return updatePlan('customers', db, customers, columns, { values: { workspaceId, id } }, customerChanges(input), ifMatch, toCustomer);
}

/**
 * The customer, its addresses and contacts go together in one batch, each
 * delete under the same If-Match guard; tax ids follow by ON DELETE CASCADE.
 */
export function deleteCustomer(db: Db, workspaceId: string, id: string, ifMatch?: number[]) {
  return deletePlan('customers', db, customers, { values: { workspaceId, id } }, ifMatch, (guarded) => {
    const customer = exists(db.select({ id: customers.id }).from(customers).where(guarded));
    return [
      db.delete(addresses).where(and(eq(addresses.workspaceId, param('workspaceId')), eq(addresses.customerId, param('id')), customer)),
      db.delete(contacts).where(and(eq(contacts.workspaceId, param('workspaceId')), eq(contacts.customerId, param('id')), customer)),
    ];
  });
}

/** The list's filters, in the order of its key: one statement per combination present. */
const LIST_FILTERS = ['type', 'segment_id', 'id_crm', 'id_erp', 'id_accounting', 'tax_value', 'q', 'cursor'] as const;

export async function listCustomers(db: Db, workspaceId: string, f: CustomerList) {
  const present = LIST_FILTERS.filter((name) => f[name] !== undefined);
  const has = (name: (typeof LIST_FILTERS)[number]) => present.includes(name);
  const build = () => [
    db
      .select(columns)
      .from(customers)
      .where(
        and(
          eq(customers.workspaceId, param('workspaceId')),
          has('type') ? eq(customers.type, param('type')) : undefined,
          has('segment_id') ? eq(customers.segmentId, param('segment_id')) : undefined,
          has('id_crm') ? eq(customers.idCrm, param('id_crm')) : undefined,
          has('id_erp') ? eq(customers.idErp, param('id_erp')) : undefined,
          has('id_accounting') ? eq(customers.idAccounting, param('id_accounting')) : undefined,
          has('tax_value')
            ? inArray(
                customers.id,
                db
                  .select({ id: customerTaxIds.customerId })
                  .from(customerTaxIds)
                  .where(and(eq(customerTaxIds.workspaceId, param('workspaceId')), eq(customerTaxIds.taxValue, param('tax_value')))),
              )
            : undefined,
          has('q') ? sql`instr(${customers.nameSearch}, ${param('q')}) > 0` : undefined,
          has('cursor') ? gt(customers.id, param('cursor')) : undefined,
        ),
      )
      .orderBy(customers.id)
      .limit(param('limit')),
  ] as const;
  const [rows] = await read(db, `customers.list:${present.join(',')}`, build, {
    ...f,
    workspaceId,
    q: folds(f.q),
    limit: f.limit + 1,
  });
  return toPage(rows, f.limit, toCustomer);
}
