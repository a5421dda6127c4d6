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
  /** A typed entry (src/tax-ids/types.ts), checked by the jobs Worker. */
  type?: string;
  /** An `eu_vat` entry's VIES check, written by the jobs Worker. */
  verification?: Record<string, string | null>;
}

const timestamps = {
  created_at: integer().notNull(),
  updated_at: integer().notNull(),
  /** Bumped by every update: the record's ETag, checked by If-Match (migrations/0004). */
  version: integer().notNull().default(1),
};

const externalIds = {
  id_crm: text(),
  id_erp: text(),
  id_accounting: text(),
};

export const segments = sqliteTable(
  'segments',
  {
    id: text().primaryKey(),
    workspace_id: text().notNull(),
    name: text().notNull(),
    reference: text(),
    description: text(),
    ...timestamps,
  },
  (t) => [index('segments_workspace_id_idx').on(t.workspace_id, t.id), index('segments_updated_at_idx').on(t.workspace_id, t.updated_at, t.id)],
);

export const customers = sqliteTable(
  'customers',
  {
    id: text().primaryKey(),
    workspace_id: text().notNull(),
    name: text().notNull(),
    // The name folded (src/lib/text.ts fold) for `q`: SQLite's LIKE and lower() only fold ASCII.
    name_search: text().notNull(),
    type: text({ enum: ['company', 'individual'] }).notNull(),
    segment_id: text().references(() => segments.id),
    logo: text(),
    tax_ids: text({ mode: 'json' }).$type<TaxId[]>().notNull().default(sql`'[]'`),
    ...externalIds,
    // Fields the AmbioSys and Upwell APIs carry (migrations/0002).
    /** Per-workspace sequence number: the integer id of APIs that use one (AmbioSys customer_id). */
    number: integer().notNull().default(0),
    legal_name: text(),
    /** The legal name folded, for AmbioSys search (migrations/0004). */
    legal_name_search: text(),
    /**
     * Folded copies of the other text fields that are matched case- and
     * accent-insensitively, and of the tax values (`tax_values`), written by
     * the Worker (migrations/0007): the database can only fold ASCII.
     */
    folded: text({ mode: 'json' }).$type<Record<string, string | null | string[]>>().notNull().default(sql`'{}'`),
    contact_origin: text().notNull().default('WEB_FORM'),
    email_address: text(),
    cc_email_addresses: text({ mode: 'json' }).$type<string[]>().notNull().default(sql`'[]'`),
    bill_to_customer_id: text(),
    collector_id: text(),
    metadata: text({ mode: 'json' }).$type<Record<string, string>>().notNull().default(sql`'{}'`),
    source_system: text(),
    source_system_id: text(),
    due_option: integer(),
    email_settings: text({ mode: 'json' }).$type<Record<string, unknown>>(),
    integration_settings: text({ mode: 'json' }).$type<Record<string, unknown>>(),
    addresses_last_updated_at: integer(),
    contacts_last_updated_at: integer(),
    deleted_at: integer(),
    // The billing profile (migrations/0011).
    currency: text(),
    locale: text(),
    timezone: text(),
    payment_terms_days: integer(),
    tax_exempt: text({ enum: ['none', 'exempt', 'reverse_charge'] }),
    phone: text(),
    // Archived customers are left out of the canonical lists (migrations/0012).
    status: text({ enum: ['active', 'archived'] }).notNull().default('active'),
    archived_at: integer(),
    ...timestamps,
  },
  (t) => [
    uniqueIndex('customers_number_idx').on(t.workspace_id, t.number),
    uniqueIndex('customers_source_idx').on(t.workspace_id, t.source_system, t.source_system_id),
    index('customers_bill_to_idx').on(t.bill_to_customer_id),
    index('customers_workspace_id_idx').on(t.workspace_id, t.id),
    index('customers_type_idx').on(t.workspace_id, t.type, t.id),
    index('customers_segment_id_idx').on(t.segment_id, t.id),
    index('customers_id_crm_idx').on(t.workspace_id, t.id_crm, t.id),
    index('customers_id_erp_idx').on(t.workspace_id, t.id_erp, t.id),
    index('customers_id_accounting_idx').on(t.workspace_id, t.id_accounting, t.id),
    // Searches and sorts (migrations/0009): the folded name (prefix, equality, order), the
    // timestamps (ranges, order, incremental sync), source_system_id (equality).
    index('customers_name_search_idx').on(t.workspace_id, t.name_search, t.id),
    index('customers_created_at_idx').on(t.workspace_id, t.created_at, t.id),
    index('customers_updated_at_idx').on(t.workspace_id, t.updated_at, t.id),
    index('customers_deleted_at_idx').on(t.workspace_id, t.deleted_at),
    index('customers_source_system_id_idx').on(t.workspace_id, t.source_system_id),
    index('customers_currency_idx').on(t.workspace_id, t.currency, t.id),
    index('customers_status_idx').on(t.workspace_id, t.status, t.id),
  ],
);

/** Lookup table for the `metadata[key]=value` filters, kept in step with customers.metadata by triggers (migrations/0013). */
export const customerMetadata = sqliteTable(
  'customer_metadata',
  {
    customer_id: text()
      .notNull()
      .references(() => customers.id, { onDelete: 'cascade' }),
    workspace_id: text().notNull(),
    key: text().notNull(),
    value: text().notNull(),
  },
  (t) => [primaryKey({ columns: [t.customer_id, t.key] }), index('customer_metadata_value_idx').on(t.workspace_id, t.key, t.value, t.customer_id)],
);

/** Lookup table for the `tax_value` filter, kept in step with customers.tax_ids by triggers. */
export const customerTaxIds = sqliteTable(
  'customer_tax_ids',
  {
    customer_id: text()
      .notNull()
      .references(() => customers.id, { onDelete: 'cascade' }),
    position: integer().notNull(),
    workspace_id: text().notNull(),
    tax: text().notNull(),
    tax_value: text().notNull(),
    /** The tax value folded, from customers.folded (migrations/0007). */
    tax_value_search: text(),
  },
  (t) => [
    primaryKey({ columns: [t.customer_id, t.position] }),
    index('customer_tax_ids_tax_value_idx').on(t.workspace_id, t.tax_value),
  ],
);

export const contacts = sqliteTable(
  'contacts',
  {
    id: text().primaryKey(),
    workspace_id: text().notNull(),
    customer_id: text()
      .notNull()
      .references(() => customers.id),
    first_name: text().notNull(),
    last_name: text().notNull(),
    email: text().notNull(),
    phone: text(),
    role: text({ mode: 'json' }).$type<string[]>().notNull().default(sql`'[]'`),
    ...externalIds,
    ...timestamps,
  },
  (t) => [
    index('contacts_workspace_id_idx').on(t.workspace_id, t.id),
    index('contacts_customer_id_idx').on(t.customer_id, t.id),
    index('contacts_updated_at_idx').on(t.workspace_id, t.updated_at, t.id),
  ],
);

export const addresses = sqliteTable(
  'addresses',
  {
    id: text().primaryKey(),
    workspace_id: text().notNull(),
    customer_id: text()
      .notNull()
      .references(() => customers.id),
    contact_id: text(),
    type: text({ enum: ['billing', 'shipping'] }).notNull(),
    /**
     * The type as an Upwell client wrote it (ADDRESS_BOOK, BILLING, SHIPPING),
     * so that it reads back what it wrote; cleared when `type` is set through
     * the canonical API (migrations/0008).
     */
    upwell_type: text({ enum: ['ADDRESS_BOOK', 'BILLING', 'SHIPPING'] }),
    name: text(),
    address_line1: text().notNull(),
    address_line2: text(),
    city: text().notNull(),
    postal_code: text().notNull(),
    state: text(),
    country: text().notNull(),
    comment: text(),
    ...externalIds,
    ...timestamps,
  },
  (t) => [
    foreignKey({ columns: [t.contact_id], foreignColumns: [contacts.id] }).onDelete('set null'),
    index('addresses_workspace_id_idx').on(t.workspace_id, t.id),
    index('addresses_customer_id_idx').on(t.customer_id, t.id),
    index('addresses_contact_id_idx').on(t.contact_id, t.id),
    index('addresses_updated_at_idx').on(t.workspace_id, t.updated_at, t.id),
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
    workspace_id: text().notNull(),
    key: text().notNull(),
    /** SHA-256 of method, path and body: the same key for another request is refused. */
    fingerprint: text().notNull(),
    result: text(),
    created_at: integer().notNull(),
    expires_at: integer().notNull(),
  },
  (t) => [primaryKey({ columns: [t.workspace_id, t.key] }), index('idempotency_keys_expires_at_idx').on(t.expires_at)],
);

/**
 * Per-workspace counters (migrations/0004, 0009). `customers` is the last
 * customer number handed out: it only grows, so a deleted customer's number is
 * never reused for another customer. `total` is how many customers the
 * workspace has, kept by triggers, so that an unfiltered count reads one row.
 */
export const workspaceCounters = sqliteTable('workspace_counters', {
  workspace_id: text().primaryKey(),
  customers: integer().notNull(),
  total: integer().notNull().default(0),
});

/**
 * What happened to the records (migrations/0010): one row per created,
 * updated or deleted customer, contact, address or segment, written by
 * triggers in the transaction of the write itself, so there is never a write
 * without its event nor an event without its write. `object` is the record's
 * row as stored (JSON, column by column) after the change, or before a
 * delete; `previous` the stored values of the API fields an update changed.
 * The request context comes from `event_context`, which every write batch
 * sets first and clears last (src/store/events.ts).
 */
export const events = sqliteTable(
  'events',
  {
    /** Insertion order: keyset pagination walks it. */
    seq: integer().primaryKey(),
    id: text().notNull(),
    workspace_id: text().notNull(),
    type: text().notNull(),
    object_id: text().notNull(),
    object: text().notNull(),
    previous: text(),
    request_id: text(),
    token_id: text(),
    api: text(),
    created_at: integer().notNull(),
    /** When the queue consumer took the event for delivery; NULL until then (the sweep looks for those). */
    dispatched_at: integer(),
  },
  (t) => [
    uniqueIndex('events_id_idx').on(t.id),
    index('events_workspace_idx').on(t.workspace_id, t.seq),
    index('events_type_idx').on(t.workspace_id, t.type, t.seq),
    index('events_object_idx').on(t.workspace_id, t.object_id, t.seq),
    index('events_created_at_idx').on(t.workspace_id, t.created_at, t.seq),
    index('events_purge_idx').on(t.created_at),
    index('events_pending_idx').on(t.dispatched_at, t.seq),
  ],
);

/** The current write's context, read by the event triggers: one row (id 1) while a write batch runs. */
export const eventContext = sqliteTable('event_context', {
  id: integer().primaryKey(),
  workspace_id: text(),
  request_id: text(),
  token_id: text(),
  api: text(),
  now: integer(),
  /** The last event before the batch: the batch's own events come after it. */
  from_seq: integer(),
});

/** Webhook endpoints (migrations/0010). The signing secrets are stored encrypted (AES-GCM, src/lib/secrets.ts). */
export const webhookEndpoints = sqliteTable(
  'webhook_endpoints',
  {
    id: text().primaryKey(),
    workspace_id: text().notNull(),
    url: text().notNull(),
    event_types: text({ mode: 'json' }).$type<string[]>().notNull().default(sql`'["*"]'`),
    description: text(),
    enabled: integer({ mode: 'boolean' }).notNull().default(true),
    /** Why the service disabled the endpoint (failing for too long); NULL when enabled by hand. */
    disabled_reason: text(),
    secret: text().notNull(),
    /** The secret before the last rotation, which keeps signing beside the new one until previous_secret_expires_at. */
    previous_secret: text(),
    previous_secret_expires_at: integer(),
    /** Since when every delivery has failed; NULL after a success. */
    failing_since: integer(),
    ...timestamps,
  },
  (t) => [index('webhook_endpoints_workspace_id_idx').on(t.workspace_id, t.id)],
);

/** One event's delivery to one endpoint: its latest attempt. */
export const webhookDeliveries = sqliteTable(
  'webhook_deliveries',
  {
    id: text().primaryKey(),
    workspace_id: text().notNull(),
    endpoint_id: text().notNull(),
    event_id: text().notNull(),
    status: text({ enum: ['pending', 'succeeded', 'failed', 'dead'] }).notNull(),
    attempt: integer().notNull().default(0),
    response_status: integer(),
    response_excerpt: text(),
    error: text(),
    duration_ms: integer(),
    next_retry_at: integer(),
    created_at: integer().notNull(),
    updated_at: integer().notNull(),
  },
  (t) => [
    uniqueIndex('webhook_deliveries_event_idx').on(t.endpoint_id, t.event_id),
    index('webhook_deliveries_endpoint_idx').on(t.workspace_id, t.endpoint_id, t.id),
    index('webhook_deliveries_purge_idx').on(t.created_at),
  ],
);
