/**
 * The D1 schema, written once here; `npm run db:generate` derives the SQL
 * migrations from it. Timestamps are integer milliseconds since the epoch
 * (rendered as ISO 8601 at the edge), ids are UUIDv7 so that ordering by id is
 * ordering by creation, which is what keyset pagination walks.
 *
 * Rules SQLite cannot express declaratively (a reference must stay inside its
 * workspace, the tax-id lookup table mirrors `customers.tax_ids`) live in
 * triggers in migrations/0001_create_triggers.sql.
 */
import { sql } from 'drizzle-orm';
import { foreignKey, index, integer, primaryKey, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';

export interface TaxId {
  tax: string;
  tax_value: string;
}

const timestamps = {
  createdAt: integer('created_at').notNull(),
  updatedAt: integer('updated_at').notNull(),
  /** Bumped by every update: the record's ETag, checked by If-Match (migrations/0004). */
  version: integer('version').notNull().default(1),
};

const externalIds = {
  idCrm: text('id_crm'),
  idErp: text('id_erp'),
  idAccounting: text('id_accounting'),
};

export const segments = sqliteTable(
  'segments',
  {
    id: text('id').primaryKey(),
    workspaceId: text('workspace_id').notNull(),
    name: text('name').notNull(),
    reference: text('reference'),
    description: text('description'),
    ...timestamps,
  },
  (t) => [index('segments_workspace_id_idx').on(t.workspaceId, t.id)],
);

export const customers = sqliteTable(
  'customers',
  {
    id: text('id').primaryKey(),
    workspaceId: text('workspace_id').notNull(),
    name: text('name').notNull(),
    // The name folded (src/lib/text.ts fold) for `q`: SQLite's LIKE and lower() only fold ASCII.
    nameSearch: text('name_search').notNull(),
    type: text('type', { enum: ['company', 'individual'] }).notNull(),
    segmentId: text('segment_id').references(() => segments.id),
    logo: text('logo'),
    taxIds: text('tax_ids', { mode: 'json' }).$type<TaxId[]>().notNull().default(sql`'[]'`),
    ...externalIds,
    // Fields the AmbioSys and Upwell APIs carry (migrations/0002).
    /** Per-workspace sequence number: the integer id of APIs that use one (AmbioSys customer_id). */
    number: integer('number').notNull().default(0),
    legalName: text('legal_name'),
    /** The legal name folded, for AmbioSys search (migrations/0004). */
    legalNameSearch: text('legal_name_search'),
    /**
     * Folded copies of the other text fields that are matched case- and
     * accent-insensitively, and of the tax values (`tax_values`), written by
     * the Worker (migrations/0007): the database can only fold ASCII.
     */
    folded: text('folded', { mode: 'json' }).$type<Record<string, string | null | string[]>>().notNull().default(sql`'{}'`),
    contactOrigin: text('contact_origin').notNull().default('WEB_FORM'),
    emailAddress: text('email_address'),
    ccEmailAddresses: text('cc_email_addresses', { mode: 'json' }).$type<string[]>().notNull().default(sql`'[]'`),
    billToCustomerId: text('bill_to_customer_id'),
    collectorId: text('collector_id'),
    metadata: text('metadata', { mode: 'json' }).$type<Record<string, string>>().notNull().default(sql`'{}'`),
    sourceSystem: text('source_system'),
    sourceSystemId: text('source_system_id'),
    dueOption: integer('due_option'),
    emailSettings: text('email_settings', { mode: 'json' }).$type<Record<string, unknown>>(),
    integrationSettings: text('integration_settings', { mode: 'json' }).$type<Record<string, unknown>>(),
    addressesLastUpdatedAt: integer('addresses_last_updated_at'),
    contactsLastUpdatedAt: integer('contacts_last_updated_at'),
    deletedAt: integer('deleted_at'),
    ...timestamps,
  },
  (t) => [
    uniqueIndex('customers_number_idx').on(t.workspaceId, t.number),
    uniqueIndex('customers_source_idx').on(t.workspaceId, t.sourceSystem, t.sourceSystemId),
    index('customers_bill_to_idx').on(t.billToCustomerId),
    index('customers_workspace_id_idx').on(t.workspaceId, t.id),
    index('customers_type_idx').on(t.workspaceId, t.type, t.id),
    index('customers_segment_id_idx').on(t.segmentId, t.id),
    index('customers_id_crm_idx').on(t.workspaceId, t.idCrm, t.id),
    index('customers_id_erp_idx').on(t.workspaceId, t.idErp, t.id),
    index('customers_id_accounting_idx').on(t.workspaceId, t.idAccounting, t.id),
  ],
);

/** Lookup table for the `tax_value` filter, kept in step with customers.tax_ids by triggers. */
export const customerTaxIds = sqliteTable(
  'customer_tax_ids',
  {
    customerId: text('customer_id')
      .notNull()
      .references(() => customers.id, { onDelete: 'cascade' }),
    position: integer('position').notNull(),
    workspaceId: text('workspace_id').notNull(),
    tax: text('tax').notNull(),
    taxValue: text('tax_value').notNull(),
    /** The tax value folded, from customers.folded (migrations/0007). */
    taxValueSearch: text('tax_value_search'),
  },
  (t) => [
    primaryKey({ columns: [t.customerId, t.position] }),
    index('customer_tax_ids_tax_value_idx').on(t.workspaceId, t.taxValue),
  ],
);

export const contacts = sqliteTable(
  'contacts',
  {
    id: text('id').primaryKey(),
    workspaceId: text('workspace_id').notNull(),
    customerId: text('customer_id')
      .notNull()
      .references(() => customers.id),
    firstName: text('first_name').notNull(),
    lastName: text('last_name').notNull(),
    email: text('email').notNull(),
    phone: text('phone'),
    role: text('role', { mode: 'json' }).$type<string[]>().notNull().default(sql`'[]'`),
    ...externalIds,
    ...timestamps,
  },
  (t) => [
    index('contacts_workspace_id_idx').on(t.workspaceId, t.id),
    index('contacts_customer_id_idx').on(t.customerId, t.id),
  ],
);

export const addresses = sqliteTable(
  'addresses',
  {
    id: text('id').primaryKey(),
    workspaceId: text('workspace_id').notNull(),
    customerId: text('customer_id')
      .notNull()
      .references(() => customers.id),
    contactId: text('contact_id'),
    type: text('type', { enum: ['billing', 'shipping'] }).notNull(),
    /**
     * The type as an Upwell client wrote it (ADDRESS_BOOK, BILLING, SHIPPING),
     * so that it reads back what it wrote; cleared when `type` is set through
     * the canonical API (migrations/0008).
     */
    upwellType: text('upwell_type', { enum: ['ADDRESS_BOOK', 'BILLING', 'SHIPPING'] }),
    name: text('name'),
    addressLine1: text('address_line1').notNull(),
    addressLine2: text('address_line2'),
    city: text('city').notNull(),
    postalCode: text('postal_code').notNull(),
    state: text('state'),
    country: text('country').notNull(),
    comment: text('comment'),
    ...externalIds,
    ...timestamps,
  },
  (t) => [
    foreignKey({ columns: [t.contactId], foreignColumns: [contacts.id] }).onDelete('set null'),
    index('addresses_workspace_id_idx').on(t.workspaceId, t.id),
    index('addresses_customer_id_idx').on(t.customerId, t.id),
    index('addresses_contact_id_idx').on(t.contactId, t.id),
  ],
);

/**
 * Idempotency-Key records (migrations/0004). A key is claimed in the same batch
 * as the write it guards, and `result` is a JSON snapshot of what the write
 * produced, taken in that same transaction, so key and write commit together.
 */
export const idempotencyKeys = sqliteTable(
  'idempotency_keys',
  {
    workspaceId: text('workspace_id').notNull(),
    key: text('key').notNull(),
    /** SHA-256 of method, path and body: the same key for another request is refused. */
    fingerprint: text('fingerprint').notNull(),
    result: text('result'),
    createdAt: integer('created_at').notNull(),
    expiresAt: integer('expires_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.workspaceId, t.key] }), index('idempotency_keys_expires_at_idx').on(t.expiresAt)],
);

/**
 * Per-workspace counters (migrations/0004). `customers` is the last customer
 * number handed out: it only grows, so a deleted customer's number is never
 * reused for another customer.
 */
export const workspaceCounters = sqliteTable('workspace_counters', {
  workspaceId: text('workspace_id').primaryKey(),
  customers: integer('customers').notNull(),
});
