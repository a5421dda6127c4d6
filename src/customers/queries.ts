/**
 * Customer storage: every function is one D1 round trip (one statement or one
 * batch). The compatible APIs reuse the number counter and the source target.
 */
import { and, eq, exists, getTableName, gt, gte, inArray, sql, type SQL } from 'drizzle-orm';
import * as v from 'valibot';
import { apiObject } from '../events/model';
import { EVENT_SOURCES } from '../events/sources';
import { objectColumns, rowJson } from '../events/triggers';
import { UUID_PATTERN } from '../lib/ids';
import { fold } from '../lib/text';
import { crud } from '../model/crud';
import { CURSOR, walkOf as syncWalk, listSchema, pageParams, syncParams, toPage, updatedCursor, updatedCursorOf } from '../model/page';
import { metadataKey, metadataValue, oneOf, text } from '../model/values';
import type { Db } from '../store/client';
import { rawStatement } from '../store/drizzle';
import { IfNull, owned } from '../store/plan';
import { qualified, relatedIds, unindexed } from '../store/related';
import { addresses, contacts, customerMetadata, customers, customerTaxIds, workspaceCounters } from '../store/schema';
import { customerRowid, customerSearch, searchable, searchQuery } from '../store/search';
import { family, into, param, read, type Values } from '../store/statements';
import { customer } from './fields';

/**
 * Takes the workspace's next customer number: runs in the same batch just
 * before the INSERT, which reads it back with nextNumber(). The counter only
 * grows, so a deleted customer's number is never handed out again.
 */
export const takeNumber = (db: Db, workspaceId: unknown) =>
  db
    .insert(workspaceCounters)
    .values({ workspace_id: workspaceId as string, customers: 1 })
    .onConflictDoUpdate({ target: workspaceCounters.workspace_id, set: { customers: sql`${workspaceCounters.customers} + 1` } });

export const nextNumber = (workspaceId: unknown): SQL<number> =>
  sql<number>`(SELECT ${qualified(workspaceCounters.customers)} FROM ${workspaceCounters} WHERE ${qualified(workspaceCounters.workspace_id)} = ${workspaceId})`;

/** The workspace's customer with this unique (source_system, source_system_id): placeholders of those names. */
export const bySource = (t: typeof customers) =>
  and(eq(t.workspace_id, param('workspaceId')), eq(t.source_system, param('sourceSystem')), eq(t.source_system_id, param('sourceSystemId')));

/** The workspace's customers with an external id (placeholder `key`), or with the source pair: the by_external_id targets. */
export const BY_EXTERNAL = {
  id_crm: (t: typeof customers) => and(eq(t.workspace_id, param('workspaceId')), eq(t.id_crm, param('key'))),
  id_erp: (t: typeof customers) => and(eq(t.workspace_id, param('workspaceId')), eq(t.id_erp, param('key'))),
  id_accounting: (t: typeof customers) => and(eq(t.workspace_id, param('workspaceId')), eq(t.id_accounting, param('key'))),
  source: bySource,
};

export const customerQueries = crud('customers', customer, {
  // Insert placeholders are named after their columns.
  computed: () => ({ number: nextNumber(param('workspace_id')) }),
  before: (db) => [takeNumber(db, param('workspace_id'))],
  // The upsert by an external id (src/customers/external.ts) takes a number only when it inserts.
  beforeIf: (db, none) => [
    rawStatement(
      db.values(
        sql`INSERT INTO ${workspaceCounters} (${sql.identifier(workspaceCounters.workspace_id.name)}, ${sql.identifier(workspaceCounters.customers.name)}) SELECT ${param('workspace_id')}, 1 WHERE ${none} ON CONFLICT (${sql.identifier(workspaceCounters.workspace_id.name)}) DO UPDATE SET ${sql.identifier(workspaceCounters.customers.name)} = ${sql.identifier(workspaceCounters.customers.name)} + 1`,
      ),
      {},
    ),
  ],
  targets: BY_EXTERNAL,
  // Addresses and contacts go with the customer, under the same guard; tax ids follow by ON DELETE CASCADE.
  // `+workspace_id` keeps the workspace out of the index choice: without statistics SQLite would walk the
  // (workspace_id, updated_at, id) index, every row of the workspace, instead of the customer's rows.
  cascade: (db, guarded) => {
    const present = exists(db.select({ id: customers.id }).from(customers).where(guarded));
    return [
      db.delete(addresses).where(and(unindexed(addresses.workspace_id, param('workspaceId')), eq(addresses.customer_id, param('id')), present)),
      db.delete(contacts).where(and(unindexed(contacts.workspace_id, param('workspaceId')), eq(contacts.customer_id, param('id')), present)),
    ];
  },
});

/** The fields `q` matches (of 3 characters or more; shorter, it matches the start of the name). */
export const Q_FIELDS = ['name', 'legal_name', 'email_address', 'id_crm', 'id_erp', 'id_accounting', 'source_system_id', 'tax_values'] as const;

/**
 * How a list walks: by id (no q); through the search index in its rowid
 * (insertion) order, stopping once the page is full (q of 3+ characters);
 * by the folded name from the prefix on (shorter q). Each walk has its
 * cursor: the last id; `s.<rowid>`; `p.<base64url of [folded name, id]>`.
 */
type Walk = 'id' | 'search' | 'prefix' | 'updated';
type WalkQuery = { q?: string; order?: 'id' | 'updated_at'; updated_since?: number };
const walkOf = ({ q, ...sync }: WalkQuery): Walk => (q === undefined ? (syncWalk(sync) === 'updated' ? 'updated' : 'id') : searchable(fold(q)) ? 'search' : 'prefix');
const CURSOR_MESSAGE = 'Must be a next_cursor value from a previous page of the same query';
const CURSORS: Record<Walk, RegExp> = {
  id: UUID_PATTERN,
  search: /^s\.\d{1,19}$/,
  prefix: /^p\.[A-Za-z0-9_-]{1,2000}$/,
  updated: /^u\.\d{1,16}\.[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/,
};

const base64url = (text: string) => btoa(String.fromCharCode(...new TextEncoder().encode(text))).replaceAll('+', '-').replaceAll('/', '_').replace(/=+$/, '');
const unbase64url = (text: string) => new TextDecoder().decode(Uint8Array.from(atob(text.replaceAll('-', '+').replaceAll('_', '/')), (c) => c.charCodeAt(0)));

function prefixCursor(text: string): [string, string] | undefined {
  try {
    const value: unknown = JSON.parse(unbase64url(text.slice(2)));
    return Array.isArray(value) && value.length === 2 && typeof value[0] === 'string' && typeof value[1] === 'string' && UUID_PATTERN.test(value[1])
      ? [value[0], value[1]]
      : undefined;
  } catch {
    return undefined;
  }
}

/** The list's query string: the declared filters, tax_value, q, and the page; the cursor must come from the same walk. */
/** What `include` may embed in a customer: its contacts and addresses, each as its own GET shows it. */
const EMBEDDABLE = { contacts: { source: 'contact', table: contacts }, addresses: { source: 'address', table: addresses } } as const;
type Embeddable = keyof typeof EMBEDDABLE;
export const include = v.optional(
  v.pipe(
    v.string(),
    v.regex(/^(contacts|addresses)(,(contacts|addresses))?$/, 'Must be contacts, addresses or both'),
    v.transform((value) => (['contacts', 'addresses'] as const).filter((name) => value.split(',').includes(name))),
  ),
);
/** `?include=` on GET /api/customers/{id}. */
export const CustomerGet = listSchema({ include }, {});

/**
 * A customer's contacts or addresses, oldest first, as JSON built in the same statement: each row as the
 * event triggers write it (src/events/triggers.ts), read back as the API object by the same declarations.
 */
function embedded(name: Embeddable) {
  const { source, table } = EMBEDDABLE[name];
  const { declared, computed } = EVENT_SOURCES.find((s) => s.name === source)!;
  const rows = `SELECT * FROM \`${getTableName(table)}\` WHERE \`customer_id\` = \`customers\`.\`id\` ORDER BY \`id\``;
  return sql
    .raw(`(SELECT json_group_array(json(${rowJson('r', objectColumns(declared), computed)})) FROM (${rows}) r)`)
    .mapWith((value: string) => (JSON.parse(value) as Record<string, unknown>[][]).map((row) => apiObject(source, row)));
}

/** The selection of a customer with the embeds asked for. */
const withEmbeds = <S extends object>(selection: S, embeds: readonly Embeddable[]) => ({
  ...selection,
  ...Object.fromEntries(embeds.map((name) => [name, embedded(name)])),
});

/** At most this many `metadata[key]=value` filters per list (each a lookup of the metadata index). */
export const MAX_METADATA_FILTERS = 5;

/**
 * `metadata[key]=value` parameters gathered into `metadata: {key: value}`, for the schema to check like the rest;
 * a key record() would drop (`__proto__`, ...) stays a parameter of its own, which the schema refuses by name.
 */
function gatherMetadata(query: Record<string, string>): Record<string, unknown> {
  const out: Record<string, unknown> = Object.create(null);
  for (const [name, value] of Object.entries(query)) {
    const key = /^metadata\[(.*)\]$/.exec(name)?.[1];
    if (key === undefined || ['__proto__', 'constructor', 'prototype'].includes(key)) out[name] = value;
    else ((out.metadata ??= Object.create(null)) as Record<string, string>)[key] = value;
  }
  return out;
}

export const CustomerList = v.pipe(
  // As is: record() would rebuild the parameters and silently drop one named __proto__ (refused by name below).
  v.custom<Record<string, string>>((query) => typeof query === 'object' && query !== null),
  v.transform(gatherMetadata),
  listSchema(
    {
      ...customer.filters,
      tax_value: v.optional(text()),
      q: v.optional(text()),
      order: syncParams.order,
      updated_since: syncParams.updated_since,
      include,
      // Active customers unless asked: archived ones, or all.
      status: v.optional(oneOf(['active', 'archived', 'all'])),
      // `metadata[key]=value`, gathered above: customers whose metadata has all of them.
      metadata: v.optional(
        v.pipe(
          v.record(metadataKey, metadataValue),
          v.check((filters) => Object.keys(filters).length <= MAX_METADATA_FILTERS, `At most ${MAX_METADATA_FILTERS} metadata filters`),
        ),
      ),
    },
    // Any walk's cursor here, so that a malformed one is named beside the other bad parameters; which walk's, below.
    { ...pageParams, cursor: v.optional(v.pipe(v.string(), v.check((c) => Object.values(CURSORS).some((p) => p.test(c)), CURSOR_MESSAGE))) },
  ),
  // A search walks its own order: it takes no other.
  v.forward(v.check((l) => l.q === undefined || l.order === undefined, 'q lists in its own order: leave order out'), ['order']),
  v.forward(v.check((l) => !(l.updated_since !== undefined && (l.q !== undefined || l.order === 'id')), 'Takes order=updated_at (its default), without q'), ['updated_since']),
  // The updated_at walk is the whole workspace's, on its (workspace_id, updated_at, id) index: under a filter
  // it would walk every customer to find the few that match. Sync everything, or list the filter by id.
  v.rawCheck(({ dataset, addIssue }) => {
    if (!dataset.typed || walkOf(dataset.value) !== 'updated') return;
    const list = dataset.value as Record<string, unknown>;
    for (const filter of [...FILTERS, 'status', 'metadata']) {
      if (list[filter] === undefined) continue;
      const path = [{ type: 'object', origin: 'value', input: list, key: filter, value: list[filter] }] as const;
      addIssue({ message: 'order=updated_at and updated_since list the whole workspace: leave this filter out', path: path as never });
    }
  }),
  v.forward(
    v.check((l) => l.cursor === undefined || (CURSORS[walkOf(l)].test(l.cursor) && (walkOf(l) !== 'prefix' || prefixCursor(l.cursor) !== undefined)), CURSOR_MESSAGE),
    ['cursor'],
  ),
);
type CustomerList = v.InferOutput<typeof CustomerList>;

/** The list's filters besides q and the cursor, in a fixed order. */
const FILTERS = [...Object.keys(customer.filters), 'tax_value'];

/** Filters that name a few customers each: a search under one walks them, not the search's matches. */
const SELECTIVE = new Set(['id_crm', 'id_erp', 'id_accounting', 'tax_value']);

type StatusFilter = 'active' | 'archived' | 'all';

/** A list's rows as API customers: embedded records after the fields, the selected `cursor` under CURSOR. */
const listReader = customer.reader<Partial<Record<Embeddable, unknown[]>>>('cursor');

const listQuery = family('customers.walk', (db, shape: { walk: Walk; lead: 'search' | 'filter'; filters: readonly string[]; since: boolean; cursor: boolean; include: readonly Embeddable[]; status: StatusFilter }) => {
  const filters = shape.filters.map((filter) =>
    filter.startsWith('metadata.')
      ? inArray(
          customers.id,
          db
            .select({ id: customerMetadata.customer_id })
            .from(customerMetadata)
            .where(and(eq(customerMetadata.workspace_id, param('workspaceId')), eq(customerMetadata.key, param(`${filter}.key`)), eq(customerMetadata.value, param(filter)))),
        )
      : filter === 'tax_value'
      ? inArray(
          customers.id,
          db
            .select({ id: customerTaxIds.customer_id })
            .from(customerTaxIds)
            .where(and(eq(customerTaxIds.workspace_id, param('workspaceId')), eq(customerTaxIds.tax_value, param('tax_value')))),
        )
      : eq(customer.column(filter), param(filter)),
  );
  // With the workspace, the status leads the plain id walk's index, (workspace_id, status, id); other walks check it per row.
  // Under a filter, +status: without statistics SQLite would take (workspace_id, status, id) over the filter's
  // own index and walk every active customer for the few the filter names (src/store/related.ts, unindexed).
  const status = shape.status === 'all' ? undefined : shape.filters.length > 0 ? unindexed(customers.status, param('status')) : eq(customers.status, param('status'));
  const workspace = and(eq(customers.workspace_id, param('workspaceId')), status);
  if (shape.walk === 'search') {
    // CROSS JOIN fixes the outer loop: the search index, in its rowid order,
    // stopping once the page is full; or, under a filter that names a few
    // customers (SELECTIVE), those customers, each checked against the index.
    // Either way the page is in rowid order, by the outer table's rowid.
    const byFilter = shape.lead === 'filter';
    const rowid = byFilter ? customerRowid : customerSearch.rowid;
    const query = byFilter
      ? db.select(withEmbeds({ ...customer.selection, cursor: customerRowid }, shape.include)).from(customers).crossJoin(customerSearch)
      : db.select(withEmbeds({ ...customer.selection, cursor: customerSearch.rowid }, shape.include)).from(customerSearch).crossJoin(customers);
    const where = and(
      sql`${customerSearch} MATCH ${param('q')}`,
      sql`${customerRowid} = ${customerSearch.rowid}`,
      workspace,
      ...filters,
      shape.cursor ? sql`${rowid} > ${param('cursor')}` : undefined,
    );
    return [into(query.where(where).orderBy(rowid).limit(param('limit')), listReader)] as const;
  }
  const order =
    shape.walk === 'prefix' ? [customers.name_search, customers.id] : shape.walk === 'updated' ? [customers.updated_at, customers.id] : [customers.id];
  const prefix = shape.walk === 'prefix' ? [sql`${customers.name_search} >= ${param('q')}`, sql`${customers.name_search} < ${param('qEnd')}`] : [];
  const since = shape.since ? [gte(customers.updated_at, param('updated_since'))] : [];
  const after = !shape.cursor
    ? undefined
    : shape.walk === 'prefix'
      ? sql`(${customers.name_search}, ${customers.id}) > (${param('cursorName')}, ${param('cursor')})`
      : shape.walk === 'updated'
        ? sql`(${customers.updated_at}, ${customers.id}) > (${param('cursorAt')}, ${param('cursor')})`
        : gt(customers.id, param('cursor'));
  // What the next cursor is made of beside the id: the folded name, or updated_at (the id walk needs nothing more).
  const cursor = shape.walk === 'prefix' ? { cursor: customers.name_search } : shape.walk === 'updated' ? { cursor: customers.updated_at } : {};
  return [
    into(
      db
        .select(withEmbeds({ ...customer.selection, ...cursor }, shape.include))
        .from(customers)
        .where(and(workspace, ...prefix, ...since, ...filters, after))
        .orderBy(...order)
        .limit(param('limit')),
      listReader,
    ),
  ] as const;
});

/** The highest code point: a prefix's range ends before prefix + it. */
const LAST_CHAR = '\u{10FFFF}';

export async function listCustomers(db: Db, workspaceId: string, params: CustomerList) {
  const walk = walkOf(params);
  const q = params.q === undefined ? undefined : fold(params.q);
  // Each metadata filter is `metadata.<n>` (placeholders `metadata.<n>.key` and `metadata.<n>`), in the order sent.
  const metadata = Object.entries(params.metadata ?? {});
  const filters = [...FILTERS.filter((filter) => (params as Values)[filter] !== undefined), ...metadata.map((_, i) => `metadata.${i}`)];
  const { include: embeds = [], status: asked, ...rest } = params;
  // The updated_at walk syncs every customer, archived or not (an archive is a change to sync).
  const status: StatusFilter = walk === 'updated' ? 'all' : (asked ?? 'active');
  const values: Values = { ...rest, workspaceId, limit: params.limit + 1, ...(status === 'all' ? {} : { status }) };
  metadata.forEach(([key, value], i) => Object.assign(values, { [`metadata.${i}.key`]: key, [`metadata.${i}`]: value }));
  if (walk === 'search') values.q = searchQuery(Q_FIELDS, [q!]);
  if (walk === 'prefix') Object.assign(values, { q, qEnd: q + LAST_CHAR });
  if (params.cursor !== undefined) {
    if (walk === 'id') values.cursor = params.cursor.toLowerCase();
    if (walk === 'search') values.cursor = Number(params.cursor.slice(2));
    if (walk === 'prefix') [values.cursorName, values.cursor] = prefixCursor(params.cursor)!;
    if (walk === 'updated') ({ at: values.cursorAt, id: values.cursor } = updatedCursor(params.cursor));
  }
  const lead = walk === 'search' && filters.some((filter) => SELECTIVE.has(filter)) ? 'filter' : 'search';
  const since = params.updated_since !== undefined;
  const [rows] = await read(db, listQuery, { walk, lead, filters, since, cursor: params.cursor !== undefined, include: embeds, status }, values);
  const cursorOf = (row: (typeof rows)[number]) =>
    walk === 'search'
      ? `s.${row[CURSOR] as number}`
      : walk === 'prefix'
        ? `p.${base64url(JSON.stringify([row[CURSOR], row.id]))}`
        : walk === 'updated'
          ? updatedCursorOf(row)
          : row.id;
  return toPage(rows, params.limit, undefined, cursorOf);
}

/** What GET of one customer selects: its fields, the ids of its contacts and addresses, the embeds asked for. */
export const detailSelection = (include: readonly Embeddable[]) =>
  withEmbeds(
    {
      ...customer.selection,
      contact_ids: relatedIds(contacts.id, contacts.customer_id, customers.id),
      address_ids: relatedIds(addresses.id, addresses.customer_id, customers.id),
    },
    include,
  );

/** A row of detailSelection() as the API shows it: the ids, then the embeds, after the customer's fields. */
export const detailReader = customer.reader<{ contact_ids: string[]; address_ids: string[] } & Partial<Record<Embeddable, unknown[]>>>();

const getQuery = family('customers.get.related', (db, include: readonly Embeddable[]) => [
  into(db.select(detailSelection(include)).from(customers).where(owned(customers)), detailReader),
] as const);

/** One customer with the ids of its contacts and addresses (oldest first), and the records `include` asks for. */
export async function getCustomer(db: Db, workspaceId: string, id: string, query: { include?: readonly Embeddable[] } = {}) {
  const [[found]] = await read(db, getQuery, query.include ?? [], { workspaceId, id });
  return found;
}

/**
 * Archives or restores a customer: its status, and when it was archived (kept from the first archive while it
 * stays archived, so archiving twice changes nothing but the version). undefined: no such customer.
 */
export function setArchived(workspaceId: string, id: string, archived: boolean) {
  const changes = archived ? { status: 'archived', archived_at: new IfNull(Date.now()) } : { status: 'active', archived_at: null };
  return customerQueries.write.update('id', { workspaceId, id }, changes, undefined, customer.toApi);
}
