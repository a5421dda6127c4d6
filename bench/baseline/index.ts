/**
 * The raw baseline of `npm run bench`: the customer operations the benchmark
 * drives, served the plainest way the platform allows, so that the main
 * Worker's figures can be read as a ratio to "as fast as the platform allows".
 *
 * No router (string compares on the path), no validation (the body is taken
 * as sent), no ORM (hand-written SQL on the bare D1 binding, one round trip per
 * request), but the same work where it matters for a fair comparison:
 * - the same auth lookup: token format check, SHA-256 of the token, one KV read
 *   of `token:<hex>`, expiry and scope checks;
 * - the same abuse check: one call to the per-workspace rate limiter, which
 *   any Worker serving this API must make (issue #4's budget per workspace);
 * - the same SQL work: same tables, same indexes, the per-workspace `number`
 *   taken from workspace_counters in the same batch, related ids folded in with
 *   subqueries, the customer delete as one batch of three statements (the
 *   triggers fire the same: it is the same database);
 * - the same events: every write batch first sets the event context row the
 *   event triggers read (request id, token id, API; migrations/0010), and
 *   ends with the select of its own events the main Worker hands to the
 *   webhook queue (empty here: the bench workspaces have no endpoint);
 * - the same JSON shapes (envelopes and customer objects) and the same
 *   X-Request-Id and Server-Timing headers.
 *
 * SQL text is built once per isolate (cached per shape of request), and rows
 * come back from `.raw()` as arrays, the cheapest form D1 returns them in.
 */
import { uuidv7 } from '../../src/lib/ids';
import { SET_EVENT_CONTEXT } from '../../src/store/event-context';

interface Env {
  DB: D1Database;
  TOKENS: KVNamespace;
  WORKSPACE_RATE_LIMIT: RateLimit;
}

interface TokenRecord {
  workspace_id: string;
  token_id: string;
  scopes: string[];
  expires_at: string | null;
}

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));
const TOKEN_PATTERN = /^qwt_(dev|prod)_[0-9A-Za-z]{64}$/;
const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const BASE = '/api/customers';

const COLUMNS =
  'id, workspace_id, name, type, segment_id, logo, tax_ids, id_crm, id_erp, id_accounting, number, legal_name, ' +
  'contact_origin, email_address, cc_email_addresses, bill_to_customer_id, collector_id, metadata, source_system, ' +
  'source_system_id, due_option, email_settings, integration_settings, addresses_last_updated_at, ' +
  'contacts_last_updated_at, deleted_at, created_at, updated_at, version, ' +
  // The billing profile and archive (migrations 0011, 0012), last so that the positions above stay.
  'currency, locale, timezone, payment_terms_days, tax_exempt, phone, status, archived_at';

/** The per-workspace counter is taken in the same batch, just before the INSERT reads it. */
const TAKE_NUMBER =
  'INSERT INTO workspace_counters (workspace_id, customers) VALUES (?1, 1) ' +
  'ON CONFLICT (workspace_id) DO UPDATE SET customers = customers + 1';

const INSERT =
  'INSERT INTO customers (id, workspace_id, number, name, name_search, legal_name, legal_name_search, type, segment_id, logo, tax_ids, ' +
  'id_crm, id_erp, id_accounting, contact_origin, email_address, cc_email_addresses, bill_to_customer_id, ' +
  'collector_id, metadata, source_system, source_system_id, due_option, email_settings, integration_settings, ' +
  'addresses_last_updated_at, contacts_last_updated_at, deleted_at, created_at, updated_at, folded) VALUES (?1, ?2, ' +
  '(SELECT customers FROM workspace_counters WHERE workspace_id = ?2), ' +
  '?3, ?4, ?5, ?28, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26, ?27, ?27, ?29) ' +
  `RETURNING ${COLUMNS}`;

const SELECT_ONE =
  `SELECT ${COLUMNS}, ` +
  '(SELECT json_group_array(id) FROM (SELECT contacts.id FROM contacts WHERE contacts.customer_id = customers.id ORDER BY contacts.id)) AS contact_ids, ' +
  '(SELECT json_group_array(id) FROM (SELECT addresses.id FROM addresses WHERE addresses.customer_id = customers.id ORDER BY addresses.id)) AS address_ids ' +
  'FROM customers WHERE workspace_id = ?1 AND id = ?2';

const SELECT_PLAIN = `SELECT ${COLUMNS} FROM customers WHERE workspace_id = ?1 AND id = ?2`;

const CUSTOMER_EXISTS = 'EXISTS (SELECT id FROM customers WHERE workspace_id = ?1 AND id = ?2)';
// +workspace_id, as the main Worker writes it (src/customers/queries.ts): the customer's rows, not a walk of the workspace.
const DELETE_ADDRESSES = `DELETE FROM addresses WHERE +workspace_id = ?1 AND customer_id = ?2 AND ${CUSTOMER_EXISTS}`;
const DELETE_CONTACTS = `DELETE FROM contacts WHERE +workspace_id = ?1 AND customer_id = ?2 AND ${CUSTOMER_EXISTS}`;
const DELETE_CUSTOMER = 'DELETE FROM customers WHERE workspace_id = ?1 AND id = ?2 RETURNING id';

/** Updatable fields: API name -> [column, how the value is stored]. */
type Store = 'value' | 'json' | 'time';
const UPDATABLE: Record<string, [string, Store]> = {
  name: ['name', 'value'],
  legal_name: ['legal_name', 'value'],
  type: ['type', 'value'],
  segment_id: ['segment_id', 'value'],
  logo: ['logo', 'value'],
  tax_ids: ['tax_ids', 'json'],
  id_crm: ['id_crm', 'value'],
  id_erp: ['id_erp', 'value'],
  id_accounting: ['id_accounting', 'value'],
  contact_origin: ['contact_origin', 'value'],
  email_address: ['email_address', 'value'],
  cc_email_addresses: ['cc_email_addresses', 'json'],
  bill_to_customer_id: ['bill_to_customer_id', 'value'],
  collector_id: ['collector_id', 'value'],
  metadata: ['metadata', 'json'],
  source_system: ['source_system', 'value'],
  source_system_id: ['source_system_id', 'value'],
  due_option: ['due_option', 'value'],
  email_settings: ['email_settings', 'json'],
  integration_settings: ['integration_settings', 'json'],
  addresses_last_updated_at: ['addresses_last_updated_at', 'time'],
  contacts_last_updated_at: ['contacts_last_updated_at', 'time'],
  deleted_at: ['deleted_at', 'time'],
};

/** UPDATE text per set of fields sent, built on first use and kept for the isolate. */
const updates = new Map<string, string>();
function updateSql(fields: string[]): string {
  const key = fields.join(',');
  let text = updates.get(key);
  if (text === undefined) {
    // ?1 workspace, ?2 id, ?3 now, ?4 name_search (bound when name is sent), then the fields, then the folded patch.
    const set = fields.map((field, i) => `${UPDATABLE[field]![0]} = ?${i + 5}`);
    if (fields.includes('name')) set.push('name_search = ?4');
    if (fields.includes('legal_name')) set.push(`legal_name_search = ?${fields.length + 5}`);
    if (fields.some((field) => FOLDED.includes(field) || field === 'tax_ids')) set.push(`folded = json_patch(folded, ?${fields.length + 6})`);
    set.push('updated_at = max(?3, updated_at + 1)', 'version = version + 1');
    text = `UPDATE customers SET ${set.join(', ')} WHERE workspace_id = ?1 AND id = ?2 RETURNING ${COLUMNS}`;
    updates.set(key, text);
  }
  return text;
}

/** List text per combination of filters (id_crm, tax_value, cursor), built on first use. */
const lists = new Map<number, string>();
function listSql(crm: boolean, tax: boolean, cursor: boolean): string {
  const key = (crm ? 1 : 0) | (tax ? 2 : 0) | (cursor ? 4 : 0);
  let text = lists.get(key);
  if (text === undefined) {
    // Active customers, as the main Worker lists by default: through (workspace_id, status, id) when nothing
    // else narrows the walk, else checked per row (+status keeps it out of the index choice).
    const where = ['workspace_id = ?', crm || tax ? "+status = 'active'" : "status = 'active'"];
    if (crm) where.push('id_crm = ?');
    if (tax) where.push('id IN (SELECT customer_id FROM customer_tax_ids WHERE workspace_id = ? AND tax_value = ?)');
    if (cursor) where.push('id > ?');
    text = `SELECT ${COLUMNS} FROM customers WHERE ${where.join(' AND ')} ORDER BY id LIMIT ?`;
    lists.set(key, text);
  }
  return text;
}


/** Case- and accent-insensitive copies, as the main Worker stores them (src/lib/text.ts). */
const fold = (text: string) => text.toLowerCase().normalize('NFD').replace(/[\u0300-\u036f]/g, '').normalize('NFC');
const FOLDED = ['email_address', 'collector_id', 'source_system', 'source_system_id', 'id_crm', 'id_erp', 'id_accounting'];
function folded(input: Record<string, unknown>): string {
  const out: Record<string, unknown> = {};
  for (const field of FOLDED) if (input[field] !== undefined) out[field] = typeof input[field] === 'string' ? fold(input[field]) : null;
  if (Array.isArray(input.tax_ids)) out.tax_values = input.tax_ids.map((t: { tax_value: string }) => fold(t.tax_value));
  return JSON.stringify(out);
}

const iso = (ms: unknown) => (ms === null ? null : new Date(ms as number).toISOString());
const parsed = (text: unknown) => (text === null ? null : JSON.parse(text as string));

/**
 * A customer row as D1 returns it from `.raw()` (values in COLUMNS order:
 * arrays are cheaper to pass than objects that repeat every column name).
 */
function customer(r: unknown[]) {
  return {
    id: r[0],
    workspace_id: r[1],
    number: r[10],
    name: r[2],
    legal_name: r[11],
    type: r[3],
    segment_id: r[4],
    logo: r[5],
    tax_ids: parsed(r[6]),
    id_crm: r[7],
    id_erp: r[8],
    id_accounting: r[9],
    contact_origin: r[12],
    email_address: r[13],
    cc_email_addresses: parsed(r[14]),
    bill_to_customer_id: r[15],
    collector_id: r[16],
    metadata: parsed(r[17]),
    source_system: r[18],
    source_system_id: r[19],
    due_option: r[20],
    email_settings: parsed(r[21]),
    integration_settings: parsed(r[22]),
    addresses_last_updated_at: iso(r[23]),
    contacts_last_updated_at: iso(r[24]),
    deleted_at: iso(r[25]),
    currency: r[29],
    locale: r[30],
    timezone: r[31],
    payment_terms_days: r[32],
    tax_exempt: r[33],
    phone: r[34],
    status: r[35],
    archived_at: iso(r[36]),
    created_at: iso(r[26]),
    updated_at: iso(r[27]),
  };
}

async function sha256Hex(text: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text)));
  let hex = '';
  for (let i = 0; i < digest.length; i++) hex += HEX[digest[i]!];
  return hex;
}

class Failure {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly message: string,
  ) {}
}

async function authenticate(request: Request, env: Env, scope: 'read' | 'write'): Promise<TokenRecord> {
  const header = request.headers.get('Authorization');
  const token = header ? header.replace(/^Bearer\s+/i, '').trim() : '';
  if (!TOKEN_PATTERN.test(token)) throw new Failure(401, 'unauthorized', 'Invalid API token');
  const record = await env.TOKENS.get<TokenRecord>(`token:${await sha256Hex(token)}`, 'json');
  if (!record || (record.expires_at !== null && Date.parse(record.expires_at) <= Date.now())) {
    throw new Failure(401, 'unauthorized', 'Invalid API token');
  }
  if (!record.scopes.includes(scope)) throw new Failure(403, 'forbidden', `This token lacks the "${scope}" scope`);
  const { success } = await env.WORKSPACE_RATE_LIMIT.limit({ key: record.workspace_id });
  if (!success) throw new Failure(429, 'rate_limited', 'Too many requests for this workspace; retry later');
  return record;
}

const RECORDED =
  'SELECT id FROM events WHERE seq > (SELECT from_seq FROM event_context WHERE id = 1) AND dispatched_at IS NULL ORDER BY seq';

const notFound = () => new Failure(404, 'not_found', 'Customer not found');
const nullish = (value: unknown) => (value === undefined ? null : value);
const jsonOr = (value: unknown, fallback: string) => (value === undefined ? fallback : JSON.stringify(value));
const jsonOrNull = (value: unknown) => (value === undefined || value === null ? null : JSON.stringify(value));
const timeOrNull = (value: unknown) => (typeof value === 'string' ? Date.parse(value) : null);

async function handle(request: Request, env: Env, timings: string[], requestId: string): Promise<Response> {
  const url = new URL(request.url);
  const path = url.pathname;
  const method = request.method;
  let id: string | undefined;
  if (path !== BASE) {
    if (!path.startsWith(`${BASE}/`)) throw new Failure(404, 'not_found', `No route for ${path}`);
    id = path.slice(BASE.length + 1);
    if (!UUID_PATTERN.test(id)) throw notFound();
    id = id.toLowerCase();
  }
  const scope = method === 'GET' ? 'read' : 'write';

  let start = performance.now();
  const token = await authenticate(request, env, scope);
  const workspaceId = token.workspace_id;
  const context = (db: D1Database) => db.prepare(SET_EVENT_CONTEXT).bind(workspaceId, requestId, token.token_id, 'canonical', Date.now());
  const recorded = (db: D1Database) => db.prepare(RECORDED);
  timings.push(`auth;dur=${(performance.now() - start).toFixed(1)}`);

  const db = env.DB;
  let status = 200;
  let body: unknown;
  if (id === undefined && method === 'POST') {
    const input = (await request.json()) as Record<string, any>;
    const now = Date.now();
    start = performance.now();
    const [, , inserted] = await db.batch([
      context(db),
      db.prepare(TAKE_NUMBER).bind(workspaceId),
      db.prepare(INSERT).bind(
        uuidv7(now),
        workspaceId,
        input.name,
        fold(String(input.name)),
        nullish(input.legal_name),
        input.type,
        nullish(input.segment_id),
        nullish(input.logo),
        jsonOr(input.tax_ids, '[]'),
        nullish(input.id_crm),
        nullish(input.id_erp),
        nullish(input.id_accounting),
        input.contact_origin ?? 'WEB_FORM',
        nullish(input.email_address),
        jsonOr(input.cc_email_addresses, '[]'),
        nullish(input.bill_to_customer_id),
        nullish(input.collector_id),
        jsonOr(input.metadata, '{}'),
        nullish(input.source_system),
        nullish(input.source_system_id),
        nullish(input.due_option),
        jsonOrNull(input.email_settings),
        jsonOrNull(input.integration_settings),
        timeOrNull(input.addresses_last_updated_at),
        timeOrNull(input.contacts_last_updated_at),
        timeOrNull(input.deleted_at),
        now,
        typeof input.legal_name === 'string' ? fold(input.legal_name) : null,
        folded(input),
      ),
      recorded(db),
    ]);
    timings.push(`db;dur=${(performance.now() - start).toFixed(1)}`);
    status = 201;
    const row = inserted!.results[0] as Record<string, unknown>;
    body = { success: true, data: customer(Object.values(row)) };
  } else if (id === undefined && method === 'GET') {
    const q = url.searchParams;
    const limit = q.has('limit') ? Number(q.get('limit')) : 25;
    const crm = q.get('id_crm');
    const tax = q.get('tax_value');
    const cursor = q.get('cursor');
    const params: unknown[] = [workspaceId];
    if (crm !== null) params.push(crm);
    if (tax !== null) params.push(workspaceId, tax);
    if (cursor !== null) params.push(cursor.toLowerCase());
    params.push(limit + 1);
    start = performance.now();
    const results = await db
      .prepare(listSql(crm !== null, tax !== null, cursor !== null))
      .bind(...params)
      .raw();
    timings.push(`db;dur=${(performance.now() - start).toFixed(1)}`);
    const hasMore = results.length > limit;
    const rows = hasMore ? results.slice(0, limit) : results;
    body = {
      success: true,
      data: rows.map(customer),
      has_more: hasMore,
      next_cursor: hasMore ? rows[rows.length - 1]![0] : null,
    };
  } else if (id !== undefined && method === 'GET') {
    start = performance.now();
    const [row] = await db.prepare(SELECT_ONE).bind(workspaceId, id).raw();
    timings.push(`db;dur=${(performance.now() - start).toFixed(1)}`);
    if (!row) throw notFound();
    body = {
      success: true,
      data: { ...customer(row), contact_ids: JSON.parse(row[37] as string), address_ids: JSON.parse(row[38] as string) },
    };
  } else if (id !== undefined && method === 'PATCH') {
    const input = (await request.json()) as Record<string, unknown>;
    const fields = Object.keys(input).filter((field) => field in UPDATABLE);
    const values = fields.map((field) => {
      const value = input[field];
      const [, store] = UPDATABLE[field]!;
      // null unsets; the list and map fields go back to their empty defaults, as in the main Worker.
      if (value === null) return field === 'cc_email_addresses' ? '[]' : field === 'metadata' ? '{}' : null;
      return store === 'json' ? JSON.stringify(value) : store === 'time' ? Date.parse(value as string) : value;
    });
    const nameSearch = typeof input.name === 'string' ? fold(input.name) : null;
    const legalNameSearch = typeof input.legal_name === 'string' ? fold(input.legal_name) : null;
    start = performance.now();
    const [row] =
      fields.length === 0
        ? await db.prepare(SELECT_PLAIN).bind(workspaceId, id).raw()
        : ((
            await db.batch([
              context(db),
              db.prepare(updateSql(fields)).bind(workspaceId, id, Date.now(), nameSearch, ...values, legalNameSearch, folded(input)),
              recorded(db),
            ])
          )[1]!.results.map((r) => Object.values(r as object)) as unknown[][]);
    timings.push(`db;dur=${(performance.now() - start).toFixed(1)}`);
    if (!row) throw notFound();
    body = { success: true, data: customer(row) };
  } else if (id !== undefined && method === 'DELETE') {
    start = performance.now();
    const [, , , removed] = await db.batch([
      context(db),
      db.prepare(DELETE_ADDRESSES).bind(workspaceId, id),
      db.prepare(DELETE_CONTACTS).bind(workspaceId, id),
      db.prepare(DELETE_CUSTOMER).bind(workspaceId, id),
      recorded(db),
    ]);
    timings.push(`db;dur=${(performance.now() - start).toFixed(1)}`);
    if (!removed || removed.results.length === 0) throw notFound();
    body = { success: true, data: { id, deleted: true } };
  } else {
    throw new Failure(405, 'method_not_allowed', `${method} is not allowed on ${path}`);
  }
  return Response.json(body, { status });
}

export default {
  async fetch(request: Request, env: Env): Promise<Response> {
    const requestId = crypto.randomUUID();
    const timings: string[] = [];
    let response: Response;
    try {
      response = await handle(request, env, timings, requestId);
    } catch (error) {
      const failure = error instanceof Failure ? error : new Failure(500, 'internal_error', 'Internal server error');
      if (!(error instanceof Failure)) console.error(error);
      response = Response.json(
        { success: false, error: failure.message, code: failure.code, request_id: requestId },
        { status: failure.status },
      );
    }
    response.headers.set('X-Request-Id', requestId);
    if (timings.length > 0) response.headers.set('Server-Timing', timings.join(', '));
    return response;
  },
} satisfies ExportedHandler<Env>;
