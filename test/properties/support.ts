/**
 * Shared machinery of the property-based tests (test/properties/*.test.ts):
 * the three API dialects' success and error shapes, a two-workspace world,
 * the catalogue of every route with the fields its body takes, raw-JSON
 * builders (so `__proto__`, duplicate keys and number tokens reach the Worker
 * exactly as written) and the check every generated request goes through.
 */
import { env } from 'cloudflare:workers';
import fc from 'fast-check';
import { afterAll, expect, vi } from 'vitest';
import { MAX_BODY_BYTES } from '../../src/http/body';
import { ERROR_STATUS } from '../../src/http/errors';
import { api, snapshot, workspace, type ApiResponse } from '../helpers';

export { MAX_BODY_BYTES };

export type Dialect = 'qwoty' | 'ambiosys' | 'upwell';
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type Body = Record<string, Json>;
export type Path = (string | number)[];

export const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const REQUEST_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
/** A syntactically valid UUID that names nothing. */
export const MISSING = '0190a000-0000-7000-8000-000000000000';

/** Which API family a path belongs to, as the README describes it. */
export function dialectOf(pathname: string): Dialect {
  if (pathname.startsWith('/api/rest/')) return 'upwell';
  if (/^\/api\/customers\/(create|getCustomers)(\/|$)/.test(pathname)) return 'ambiosys';
  return 'qwoty';
}

const UPWELL_STATUS: Record<string, number> = {
  MISSING_AUTHORIZATION: 401,
  INVALID_API_KEY: 401,
  FORBIDDEN: 403,
  VALIDATION_ERROR: 400,
  RESOURCE_NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
  RESOURCE_ALREADY_EXISTS: 409,
  CONFLICT: 409,
  PRECONDITION_FAILED: 412,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  IDEMPOTENCY_KEY_REUSED: 422,
  RATE_LIMITED: 429,
  INTERNAL_SERVER_ERROR: 500,
};
const WITH_ISSUES = new Set(['validation_error', 'invalid_reference', 'already_exists']);

/** An error in a dialect-neutral form, to compare two errors across requests. */
export interface NormalError {
  status: number;
  /** Canonical code, Upwell code, or (AmbioSys has none) the status. */
  code: string;
  message: string;
  paths: string[];
}

function expectIssues(issues: unknown, where: string): string[] {
  expect(Array.isArray(issues), where).toBe(true);
  for (const issue of issues as unknown[]) {
    expect(issue, where).toEqual({ path: expect.any(String), message: expect.stringMatching(/\S/) });
  }
  return (issues as { path: string }[]).map((i) => i.path);
}

/** Asserts the whole documented error envelope of `dialect`, with the request id of X-Request-Id. */
export function expectError(res: ApiResponse, dialect: Dialect, where = ''): NormalError {
  const requestId = res.headers.get('X-Request-Id');
  const at = `${where} -> ${res.status} ${JSON.stringify(res.body)?.slice(0, 600)}`;
  expect(requestId, at).toMatch(REQUEST_ID);
  const b = res.body;
  expect(b !== null && typeof b === 'object' && !Array.isArray(b), at).toBe(true);
  switch (dialect) {
    case 'qwoty': {
      expect(Object.keys(b).sort(), at).toEqual(
        WITH_ISSUES.has(b.code) ? ['code', 'error', 'issues', 'request_id', 'success'] : ['code', 'error', 'request_id', 'success'],
      );
      expect(b.success, at).toBe(false);
      expect(b.error, at).toMatch(/\S/);
      expect(Object.hasOwn(ERROR_STATUS, b.code), at).toBe(true);
      expect(ERROR_STATUS[b.code as keyof typeof ERROR_STATUS], at).toBe(res.status);
      expect(b.request_id, at).toBe(requestId);
      return { status: res.status, code: b.code, message: b.error, paths: b.issues ? expectIssues(b.issues, at) : [] };
    }
    case 'ambiosys': {
      expect(Object.keys(b).sort(), at).toEqual(['details', 'error', 'request_id', 'success']);
      expect(b.success, at).toBe(false);
      expect(b.error, at).toMatch(/\S/);
      expect(b.request_id, at).toBe(requestId);
      return { status: res.status, code: String(res.status), message: b.error, paths: expectIssues(b.details, at) };
    }
    case 'upwell': {
      expect(Object.keys(b).sort(), at).toEqual(['error', 'status', 'timestamp']);
      expect(b.status, at).toBe('error');
      expect(b.timestamp, at).toMatch(ISO);
      expect(Object.keys(b.error).sort(), at).toEqual(['code', 'details', 'message', 'requestId']);
      expect(UPWELL_STATUS[b.error.code], at).toBe(res.status);
      expect(b.error.message, at).toMatch(/\S/);
      expect(b.error.requestId, at).toBe(requestId);
      return { status: res.status, code: b.error.code, message: b.error.message, paths: expectIssues(b.error.details, at) };
    }
  }
}

/** The dialect-neutral name of a 400 for a body that is not a JSON object. */
export const isInvalidJson = (e: NormalError, dialect: Dialect) =>
  e.status === 400 && (dialect === 'qwoty' ? e.code === 'invalid_json' : dialect === 'upwell' ? e.code === 'VALIDATION_ERROR' && e.paths.length === 0 : e.paths.length === 0);
export const isValidationError = (e: NormalError, dialect: Dialect) =>
  e.status === 400 && (dialect === 'qwoty' ? e.code === 'validation_error' : dialect === 'upwell' ? e.code === 'VALIDATION_ERROR' : true);

// ---- Success shapes -------------------------------------------------------

export type SuccessKind =
  | 'qwoty.create'
  | 'qwoty.list'
  | 'qwoty.get'
  | 'qwoty.update'
  | 'qwoty.delete'
  | 'ambiosys.create'
  | 'ambiosys.list'
  | 'ambiosys.get'
  | 'upwell.create'
  | 'upwell.bulk'
  | 'upwell.list'
  | 'upwell.search'
  | 'upwell.get'
  | 'upwell.putId'
  | 'upwell.putSource';

const uuid = expect.stringMatching(UUID_RE);
const ambiosysCustomer = {
  customer_id: expect.any(Number),
  name: expect.any(String),
  legal_name: expect.toSatisfy((x: unknown) => x === null || typeof x === 'string'),
  tax_id: expect.toSatisfy((x: unknown) => x === null || typeof x === 'string'),
  contact_origin: expect.any(String),
  created_at: expect.stringMatching(ISO),
  updated_at: expect.stringMatching(ISO),
};
const upwellCustomer = (c: unknown, at: string) => {
  expect(c, at).toMatchObject({ id: uuid, name: expect.any(String), balance: 0, overdueBalance: 0, createdAt: expect.stringMatching(ISO) });
  expect(Array.isArray((c as { addresses: unknown }).addresses), at).toBe(true);
};

/** Asserts the success envelope of one kind of route; records carrying workspace_id are `workspaceId`'s. */
export function expectSuccess(kind: SuccessKind, res: ApiResponse, workspaceId: string, where = ''): void {
  const b = res.body;
  const at = `${where} -> ${res.status} ${JSON.stringify(b)?.slice(0, 600)}`;
  const record = (data: unknown) => expect(data, at).toMatchObject({ id: uuid, workspace_id: workspaceId });
  switch (kind) {
    case 'qwoty.create':
    case 'qwoty.get':
    case 'qwoty.update':
      expect(res.status, at).toBe(kind === 'qwoty.create' ? 201 : 200);
      expect(Object.keys(b).sort(), at).toEqual(['data', 'success']);
      expect(b.success, at).toBe(true);
      record(b.data);
      return;
    case 'qwoty.delete':
      expect(res.status, at).toBe(200);
      expect(b, at).toEqual({ success: true, data: { id: uuid, deleted: true } });
      return;
    case 'qwoty.list':
      expect(res.status, at).toBe(200);
      expect(Object.keys(b).sort(), at).toEqual(['data', 'has_more', 'next_cursor', 'success']);
      expect(b.success, at).toBe(true);
      expect(Array.isArray(b.data), at).toBe(true);
      b.data.forEach(record);
      expect(typeof b.has_more, at).toBe('boolean');
      expect(b.next_cursor === null || UUID_RE.test(b.next_cursor), at).toBe(true);
      return;
    case 'ambiosys.create':
      expect(res.status, at).toBe(201);
      expect(b, at).toEqual({ success: true, customer: ambiosysCustomer });
      return;
    case 'ambiosys.get':
      expect(res.status, at).toBe(200);
      expect(b, at).toEqual({ success: true, cliente: ambiosysCustomer });
      return;
    case 'ambiosys.list':
      expect(res.status, at).toBe(200);
      expect(b, at).toEqual({
        success: true,
        clientes: expect.any(Array),
        totalCount: expect.any(Number),
        page: expect.any(Number),
        pageSize: expect.any(Number),
      });
      for (const c of b.clientes) expect(c, at).toEqual({ ...ambiosysCustomer, total_count: b.totalCount });
      expect(b.clientes.length, at).toBeLessThanOrEqual(b.pageSize);
      return;
    case 'upwell.create':
      expect(res.status, at).toBe(200);
      expect(Object.keys(b), at).toEqual(['createCustomer']);
      upwellCustomer(b.createCustomer, at);
      return;
    case 'upwell.bulk':
      expect(res.status, at).toBe(200);
      expect(b, at).toEqual({ createCustomers: { returning: expect.any(Array) } });
      expect(b.createCustomers.returning.length, at).toBeGreaterThan(0);
      for (const c of b.createCustomers.returning) upwellCustomer(c, at);
      return;
    case 'upwell.list':
    case 'upwell.search':
      expect(res.status, at).toBe(200);
      expect(b, at).toEqual({ customers: expect.any(Array), customersAggregate: { aggregate: { count: expect.any(Number) } } });
      for (const c of b.customers) upwellCustomer(c, at);
      return;
    case 'upwell.get':
      expect(res.status, at).toBe(200);
      expect(Object.keys(b), at).toEqual(['customer']);
      upwellCustomer(b.customer, at);
      return;
    case 'upwell.putId':
      expect(res.status, at).toBe(200);
      expect(Object.keys(b).sort(), at).toEqual(['updateCustomer', 'updateCustomerRules']);
      upwellCustomer(b.updateCustomer, at);
      expect(b.updateCustomerRules, at).toEqual({ affectedRows: expect.toSatisfy((n: unknown) => n === 0 || n === 1) });
      return;
    case 'upwell.putSource':
      expect(res.status, at).toBe(200);
      expect(b, at).toEqual({
        updateCustomer: { affectedRows: expect.any(Number), returning: expect.any(Array) },
        updateCustomerRules: { affectedRows: expect.any(Number) },
      });
      expect(b.updateCustomer.returning.length, at).toBe(b.updateCustomer.affectedRows);
      for (const c of b.updateCustomer.returning) upwellCustomer(c, at);
      return;
  }
}

/**
 * Thousands of requests each log an info line; printing them costs more than
 * the requests. Silences console.log (not console.error) for the file.
 */
export function quietRequestLog(): void {
  const spy = vi.spyOn(console, 'log').mockImplementation(() => {});
  afterAll(() => spy.mockRestore());
}

// ---- Database state -------------------------------------------------------

export type State = Awaited<ReturnType<typeof snapshot>>;
const TABLES = ['segments', 'customers', 'customer_tax_ids', 'contacts', 'addresses'];

/**
 * snapshot(workspaceId) of test/helpers.ts for several workspaces at once:
 * the same statements (every row of every table of the workspace, by rowid),
 * sent as one D1 batch instead of five round trips each, because every
 * generated request is bracketed by two of these. makeWorld() checks that
 * both agree.
 */
export async function snapshots(...workspaceIds: string[]): Promise<State[]> {
  const statements = workspaceIds.flatMap((id) => TABLES.map((t) => env.DB.prepare(`SELECT * FROM ${t} WHERE workspace_id = ? ORDER BY rowid`).bind(id)));
  const results = await env.DB.batch(statements);
  return workspaceIds.map((_, i) => Object.fromEntries(TABLES.map((t, j) => [t, results[i * TABLES.length + j]!.results])));
}

/** Both workspaces' rows, A's then B's. */
export const dbState = async (w: World) => {
  const [a, b] = await snapshots(w.A.workspaceId, w.B.workspaceId);
  return { a: a!, b: b! };
};
export type Pair = Awaited<ReturnType<typeof dbState>>;

export function idsOf(state: State, workspaceId?: string): Set<string> {
  const ids = new Set<string>();
  for (const rows of Object.values(state)) {
    for (const row of rows as { id?: string; workspace_id: string }[]) {
      if (row.id && (workspaceId === undefined || row.workspace_id === workspaceId)) ids.add(row.id);
    }
  }
  return ids;
}

// ---- The world: workspace A (the caller) and workspace B (the bystander) ---

export interface Side {
  workspaceId: string;
  token: string;
  readOnly: string;
  segment: string;
  customer: string;
  contact: string;
  address: string;
  /** A customer created through Upwell, with a source-system pair. */
  upwell: string;
  sourceSystem: string;
  sourceSystemId: string;
  /** AmbioSys numbers of the workspace's customers. */
  numbers: number[];
  /** A string that appears in this workspace's records and nowhere else. */
  marker: string;
}

async function ok(method: string, path: string, token: string, body: unknown, status: number) {
  const res = await api(method, path, { token, body });
  expect(res.status, `${method} ${path}: ${JSON.stringify(res.body)}`).toBe(status);
  return res.body;
}

/** One workspace with a record of every kind (and `extra` more AmbioSys customers). */
export async function populate(label: string, extra = 0): Promise<Side> {
  const ws = await workspace();
  const marker = `${label}secret${crypto.randomUUID().replaceAll('-', '')}`;
  const segment = (await ok('POST', '/api/segments', ws.token, { name: `Seg ${marker}`, reference: marker }, 201)).data.id;
  const customer = (
    await ok(
      'POST',
      '/api/customers',
      ws.token,
      {
        name: `Acme ${marker}`,
        type: 'company',
        segment_id: segment,
        tax_ids: [{ tax: 'VAT', tax_value: `FR${marker}` }],
        id_crm: marker,
        metadata: { tag: marker },
      },
      201,
    )
  ).data;
  const contact = (
    await ok(
      'POST',
      '/api/contacts',
      ws.token,
      { customer_id: customer.id, first_name: 'Ada', last_name: marker, email: `ada@${marker.toLowerCase()}.test` },
      201,
    )
  ).data.id;
  const address = (
    await ok(
      'POST',
      '/api/addresses',
      ws.token,
      {
        customer_id: customer.id,
        contact_id: contact,
        type: 'billing',
        address_line1: `1 ${marker} St`,
        city: 'Paris',
        postal_code: '75001',
        country: 'FR',
      },
      201,
    )
  ).data.id;
  const sourceSystem = 'netsuite';
  const sourceSystemId = `src-${marker}`;
  const upwell = (
    await ok('POST', '/api/rest/customers', ws.token, { input: { name: `Up ${marker}`, sourceSystem, sourceSystemId } }, 200)
  ).createCustomer.id;
  for (let i = 0; i < extra; i++) await ok('POST', '/api/customers/create', ws.token, { name: `Ambio ${i} ${marker}` }, 201);
  const list = await ok('GET', '/api/customers/getCustomers?limit=100', ws.token, undefined, 200);
  const numbers = (list.clientes as { customer_id: number }[]).map((c) => c.customer_id);
  return { ...ws, segment, customer: customer.id, contact, address, upwell, sourceSystem, sourceSystemId, numbers, marker };
}

export interface World {
  A: Side;
  B: Side;
  /** B's ids, which must never appear in anything A is answered. */
  bIds: string[];
}

export async function makeWorld(): Promise<World> {
  const A = await populate('A', 3);
  const B = await populate('B');
  const [a, b] = await snapshots(A.workspaceId, B.workspaceId);
  expect(a).toEqual(await snapshot(A.workspaceId));
  expect(b).toEqual(await snapshot(B.workspaceId));
  return { A, B, bIds: [...idsOf(b!)] };
}

// ---- Raw JSON ---------------------------------------------------------------

const samePath = (a: Path, b: Path) => a.length === b.length && a.every((p, i) => p === b[i]);

/**
 * JSON text of `value`, with raw `"key":<text>` members appended to the object
 * at `at`: how `__proto__` becomes a real own key, how keys get duplicated and
 * how number tokens like 1e309 or -0 are sent as written.
 */
export function rawJson(value: Json, at: Path = [], members: [string, string][] = []): string {
  const go = (v: Json, path: Path): string => {
    if (Array.isArray(v)) return `[${v.map((x, i) => go(x, [...path, i])).join(',')}]`;
    if (v !== null && typeof v === 'object') {
      const parts = Object.entries(v).map(([k, x]) => `${JSON.stringify(k)}:${go(x, [...path, k])}`);
      if (samePath(path, at)) parts.push(...members.map(([k, t]) => `${JSON.stringify(k)}:${t}`));
      return `{${parts.join(',')}}`;
    }
    return JSON.stringify(v);
  };
  return go(value, []);
}

export function getAt(value: unknown, path: Path): unknown {
  let v = value as Record<string | number, unknown> | undefined;
  for (const key of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = v[key] as Record<string | number, unknown> | undefined;
  }
  return v;
}

/** A deep copy of `body` with the value at `path` replaced (or removed when `value` is undefined). */
export function setAt(body: Body, path: Path, value: Json | undefined): Body {
  const copy = structuredClone(body);
  let parent = copy as Record<string | number, Json>;
  for (const key of path.slice(0, -1)) parent = parent[key] as Record<string | number, Json>;
  const last = path[path.length - 1]!;
  if (value === undefined) delete parent[last];
  else parent[last] = value;
  return copy;
}

/** JSON with keys sorted, to compare values whatever the key order (own `__proto__` keys included). */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const keys = Object.keys(value).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

export const byteLength = (text: string) => new TextEncoder().encode(text).byteLength;

/** JSON.parse as the Worker reads a body (a leading BOM is dropped by its TextDecoder). */
export function parseLikeWorker(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(text.replace(/^\uFEFF/, '')) };
  } catch {
    return { ok: false };
  }
}

export const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

// ---- The route catalogue ------------------------------------------------------

/**
 * What a body field takes. `text`: a string trimmed to 1..max (or, with
 * emptyIsAbsent, 0..max); `string`: any other string rule (email, uuid, enum,
 * timestamp, country); `array`/`object`/`integer` as named; `never`: any
 * value is refused; `where`/`orderBy`: Upwell search expressions.
 */
export type FieldKind = 'text' | 'string' | 'array' | 'object' | 'record' | 'integer' | 'never' | 'where' | 'orderBy';

export interface Field {
  path: Path;
  kind: FieldKind;
  nullable?: boolean;
  /** text: maximum length; integer: range. */
  max?: number;
  min?: number;
  /** AmbioSys's optional strings: empty after trimming counts as absent (echoed as null). */
  emptyIsAbsent?: boolean;
  /** Where the stored value is echoed in the success body, when it is. */
  out?: Path;
}

export interface BodyRoute {
  name: string;
  method: 'POST' | 'PATCH' | 'PUT';
  dialect: Dialect;
  kind: SuccessKind;
  path: (w: World) => string;
  valid: (w: World) => Body;
  fields: Field[];
  /** Objects of `valid` that are strict (unknown keys are refused), by path. */
  strict: Path[];
}

const text = (path: Path, max = 255, extra: Partial<Field> = {}): Field => ({ path, kind: 'text', max, ...extra });
const str = (path: Path, extra: Partial<Field> = {}): Field => ({ path, kind: 'string', ...extra });
const nul = { nullable: true } as const;

const externalIds = (out: Path, prefix: Path = []): Field[] =>
  ['id_crm', 'id_erp', 'id_accounting'].map((k) => text([...prefix, k], 255, { ...nul, out: [...out, k] }));

function customerFields(): Field[] {
  const out = ['data'];
  const o = (k: string): Path => [...out, k];
  return [
    text(['name'], 255, { out: o('name') }),
    str(['type']),
    { path: ['tax_ids'], kind: 'array' },
    text(['tax_ids', 0, 'tax'], 255, { out: [...out, 'tax_ids', 0, 'tax'] }),
    text(['tax_ids', 0, 'tax_value'], 255, { out: [...out, 'tax_ids', 0, 'tax_value'] }),
    text(['contact_origin'], 64, { out: o('contact_origin') }),
    { path: ['cc_email_addresses'], kind: 'array', ...nul },
    str(['cc_email_addresses', 0]),
    { path: ['metadata'], kind: 'record', ...nul, out: o('metadata') },
    { path: ['metadata', 'tag'], kind: 'string' },
    str(['segment_id'], nul),
    str(['logo'], nul),
    ...externalIds(out),
    text(['legal_name'], 255, { ...nul, out: o('legal_name') }),
    str(['email_address'], nul),
    str(['bill_to_customer_id'], nul),
    text(['collector_id'], 255, { ...nul, out: o('collector_id') }),
    text(['source_system'], 255, { ...nul, out: o('source_system') }),
    { path: ['due_option'], kind: 'integer', min: 0, max: 100_000, ...nul, out: o('due_option') },
    { path: ['email_settings'], kind: 'object', ...nul, out: o('email_settings') },
    { path: ['integration_settings'], kind: 'object', ...nul, out: o('integration_settings') },
    str(['addresses_last_updated_at'], nul),
    str(['contacts_last_updated_at'], nul),
    str(['deleted_at'], nul),
  ];
}

const upwellAddress = (): Body => ({ streetLine1: '1 Main St', city: 'Paris', zipOrPostalCode: '75001', country: 'FR' });
const upwellContact = (): Body => ({ firstName: 'Ada', lastName: 'Lovelace', emailAddress: 'ada@example.com' });

function upwellInsertFields(prefix: Path, out: Path): Field[] {
  const p = (...k: Path): Path => [...prefix, ...k];
  return [
    { path: prefix, kind: 'object' },
    text(p('name'), 255, { out: [...out, 'name'] }),
    str(p('emailAddress'), nul),
    { path: p('ccEmailAddresses'), kind: 'array', ...nul },
    str(p('billToCustomerId'), nul),
    text(p('collectorId'), 255, { ...nul, out: [...out, 'collectorId'] }),
    { path: p('metadata'), kind: 'record', ...nul, out: [...out, 'metadata'] },
    text(p('sourceSystem'), 255, nul),
    str(p('deletedAt'), nul),
    { path: p('addresses'), kind: 'object', ...nul },
    { path: p('addresses', 'data'), kind: 'array' },
    text(p('addresses', 'data', 0, 'streetLine1'), 255, { out: [...out, 'addresses', 0, 'streetLine1'] }),
    text(p('addresses', 'data', 0, 'city'), 255, { out: [...out, 'addresses', 0, 'city'] }),
    text(p('addresses', 'data', 0, 'zipOrPostalCode'), 32, { out: [...out, 'addresses', 0, 'zipOrPostalCode'] }),
    str(p('addresses', 'data', 0, 'country')),
    { path: p('contacts'), kind: 'object', ...nul },
    text(p('contacts', 'data', 0, 'firstName')),
    text(p('contacts', 'data', 0, 'lastName')),
    str(p('contacts', 'data', 0, 'emailAddress')),
    { path: p('customerRule'), kind: 'object', ...nul },
    { path: p('customerRule', 'data', 'dueOption'), kind: 'integer', min: 0, max: 100_000, ...nul, out: [...out, 'customerRule', 'dueOption'] },
    { path: p('customerEmailSettings'), kind: 'object', ...nul, out: [...out, 'customerEmailSettings'] },
    { path: p('paymentLineItems'), kind: 'object', ...nul },
  ];
}

const upwellSetFields = (out: Path): Field[] => [
  text(['input', 'name'], 255, { out: [...out, 'name'] }),
  str(['input', 'emailAddress'], nul),
  { path: ['input', 'ccEmailAddresses'], kind: 'array', ...nul },
  text(['input', 'collectorId'], 255, { ...nul, out: [...out, 'collectorId'] }),
  { path: ['input', 'metadata'], kind: 'record', ...nul, out: [...out, 'metadata'] },
  str(['input', 'addressesLastUpdatedAt'], nul),
  { path: ['customerRulesInput'], kind: 'object' },
  { path: ['customerRulesInput', 'dueOption'], kind: 'integer', min: 0, max: 100_000, ...nul },
];

/** Route objects print as their name in counterexamples. */
const named = <T extends { name: string }>(routes: T[]): T[] =>
  routes.map((r) => Object.assign(r, { [fc.toStringMethod]: () => r.name }));

/** Every route that takes a JSON body, with a body it accepts (repeatably) and its fields. */
export const BODY_ROUTES: BodyRoute[] = named([
  {
    name: 'POST /api/customers',
    method: 'POST',
    dialect: 'qwoty',
    kind: 'qwoty.create',
    path: () => '/api/customers',
    valid: () => ({
      name: 'New Co',
      type: 'company',
      tax_ids: [{ tax: 'VAT', tax_value: 'FR1' }],
      cc_email_addresses: ['ar@example.com'],
      metadata: { tag: 'x' },
      email_settings: { a: 1 },
    }),
    fields: customerFields(),
    strict: [[], ['tax_ids', 0]],
  },
  {
    name: 'PATCH /api/customers/:id',
    method: 'PATCH',
    dialect: 'qwoty',
    kind: 'qwoty.update',
    path: (w) => `/api/customers/${w.A.customer}`,
    valid: () => ({ name: 'Renamed', tax_ids: [{ tax: 'VAT', tax_value: 'FR2' }], cc_email_addresses: [], metadata: { tag: 'y' }, email_settings: {} }),
    fields: customerFields(),
    strict: [[], ['tax_ids', 0]],
  },
  {
    name: 'POST /api/contacts',
    method: 'POST',
    dialect: 'qwoty',
    kind: 'qwoty.create',
    path: () => '/api/contacts',
    valid: (w) => ({ customer_id: w.A.customer, first_name: 'Ada', last_name: 'Lovelace', email: 'ada@example.com', role: ['buyer'] }),
    fields: [
      str(['customer_id']),
      text(['first_name'], 255, { out: ['data', 'first_name'] }),
      text(['last_name'], 255, { out: ['data', 'last_name'] }),
      str(['email']),
      { path: ['role'], kind: 'array' },
      str(['role', 0]),
      text(['phone'], 64, { ...nul, out: ['data', 'phone'] }),
      ...externalIds(['data']),
    ],
    strict: [[]],
  },
  {
    name: 'PATCH /api/contacts/:id',
    method: 'PATCH',
    dialect: 'qwoty',
    kind: 'qwoty.update',
    path: (w) => `/api/contacts/${w.A.contact}`,
    valid: () => ({ first_name: 'Grace', role: [] }),
    fields: [
      { path: ['customer_id'], kind: 'never' },
      text(['first_name'], 255, { out: ['data', 'first_name'] }),
      text(['last_name'], 255, { out: ['data', 'last_name'] }),
      str(['email']),
      { path: ['role'], kind: 'array' },
      text(['phone'], 64, { ...nul, out: ['data', 'phone'] }),
      ...externalIds(['data']),
    ],
    strict: [[]],
  },
  {
    name: 'POST /api/addresses',
    method: 'POST',
    dialect: 'qwoty',
    kind: 'qwoty.create',
    path: () => '/api/addresses',
    valid: (w) => ({ customer_id: w.A.customer, type: 'billing', address_line1: '1 rue de Rivoli', city: 'Paris', postal_code: '75001', country: 'FR' }),
    fields: [
      str(['customer_id']),
      str(['type']),
      text(['address_line1'], 255, { out: ['data', 'address_line1'] }),
      text(['city'], 255, { out: ['data', 'city'] }),
      text(['postal_code'], 32, { out: ['data', 'postal_code'] }),
      str(['country']),
      text(['name'], 255, { ...nul, out: ['data', 'name'] }),
      text(['address_line2'], 255, { ...nul, out: ['data', 'address_line2'] }),
      text(['state'], 255, { ...nul, out: ['data', 'state'] }),
      str(['contact_id'], nul),
      text(['comment'], 1000, { ...nul, out: ['data', 'comment'] }),
      ...externalIds(['data']),
    ],
    strict: [[]],
  },
  {
    name: 'PATCH /api/addresses/:id',
    method: 'PATCH',
    dialect: 'qwoty',
    kind: 'qwoty.update',
    path: (w) => `/api/addresses/${w.A.address}`,
    valid: () => ({ city: 'Lyon' }),
    fields: [
      { path: ['customer_id'], kind: 'never' },
      str(['type']),
      text(['address_line1'], 255, { out: ['data', 'address_line1'] }),
      text(['city'], 255, { out: ['data', 'city'] }),
      text(['postal_code'], 32, { out: ['data', 'postal_code'] }),
      str(['country']),
      text(['comment'], 1000, { ...nul, out: ['data', 'comment'] }),
      str(['contact_id'], nul),
    ],
    strict: [[]],
  },
  {
    name: 'POST /api/segments',
    method: 'POST',
    dialect: 'qwoty',
    kind: 'qwoty.create',
    path: () => '/api/segments',
    valid: () => ({ name: 'SMB' }),
    fields: [
      text(['name'], 255, { out: ['data', 'name'] }),
      text(['reference'], 255, { ...nul, out: ['data', 'reference'] }),
      text(['description'], 1000, { ...nul, out: ['data', 'description'] }),
    ],
    strict: [[]],
  },
  {
    name: 'PATCH /api/segments/:id',
    method: 'PATCH',
    dialect: 'qwoty',
    kind: 'qwoty.update',
    path: (w) => `/api/segments/${w.A.segment}`,
    valid: () => ({ name: 'Mid-market' }),
    fields: [
      text(['name'], 255, { out: ['data', 'name'] }),
      text(['reference'], 255, { ...nul, out: ['data', 'reference'] }),
      text(['description'], 1000, { ...nul, out: ['data', 'description'] }),
    ],
    strict: [[]],
  },
  {
    name: 'POST /api/customers/create',
    method: 'POST',
    dialect: 'ambiosys',
    kind: 'ambiosys.create',
    path: () => '/api/customers/create',
    valid: () => ({ name: 'Ambio', legal_name: 'Ambio SA', tax_id: 'ES123' }),
    fields: [
      text(['name'], 255, { out: ['customer', 'name'] }),
      text(['legal_name'], 255, { ...nul, emptyIsAbsent: true, out: ['customer', 'legal_name'] }),
      text(['tax_id'], 255, { ...nul, emptyIsAbsent: true, out: ['customer', 'tax_id'] }),
      text(['contact_origin'], 64, { out: ['customer', 'contact_origin'] }),
    ],
    strict: [[]],
  },
  {
    name: 'POST /api/rest/customers',
    method: 'POST',
    dialect: 'upwell',
    kind: 'upwell.create',
    path: () => '/api/rest/customers',
    valid: () => ({
      input: {
        name: 'Up Co',
        metadata: { tag: 'x' },
        customerEmailSettings: { a: 1 },
        addresses: { data: [upwellAddress()] },
        contacts: { data: [upwellContact()] },
        customerRule: { data: { dueOption: 30 } },
        paymentLineItems: { data: [] },
      },
    }),
    fields: upwellInsertFields(['input'], ['createCustomer']),
    strict: [[], ['input'], ['input', 'addresses'], ['input', 'addresses', 'data', 0], ['input', 'contacts', 'data', 0], ['input', 'customerRule']],
  },
  {
    name: 'POST /api/rest/bulk-customers',
    method: 'POST',
    dialect: 'upwell',
    kind: 'upwell.bulk',
    path: () => '/api/rest/bulk-customers',
    valid: () => ({
      inputs: [
        { name: 'Bulk 1', addresses: { data: [upwellAddress()] }, contacts: { data: [upwellContact()] }, customerRule: { data: { dueOption: 30 } }, metadata: { tag: 'x' }, customerEmailSettings: {}, paymentLineItems: {} },
        { name: 'Bulk 2' } as Body,
      ],
    }),
    fields: [{ path: ['inputs'], kind: 'array' }, ...upwellInsertFields(['inputs', 0], ['createCustomers', 'returning', 0])],
    strict: [[], ['inputs', 0], ['inputs', 0, 'addresses', 'data', 0]],
  },
  {
    name: 'POST /api/rest/customers/search',
    method: 'POST',
    dialect: 'upwell',
    kind: 'upwell.search',
    path: () => '/api/rest/customers/search',
    valid: () => ({ limit: 10, offset: 0, where: { name: { _ilike: '%co%' } }, orderBy: [{ createdAt: 'asc' }] }),
    fields: [
      { path: ['limit'], kind: 'integer', min: 1, max: 100 },
      { path: ['offset'], kind: 'integer', min: 0, max: 100_000 },
      { path: ['where'], kind: 'where' },
      { path: ['where', 'name'], kind: 'object' },
      str(['where', 'name', '_ilike']),
      { path: ['orderBy'], kind: 'orderBy' },
    ],
    strict: [[], ['where'], ['where', 'name'], ['orderBy', 0]],
  },
  {
    name: 'PUT /api/rest/customers/:id',
    method: 'PUT',
    dialect: 'upwell',
    kind: 'upwell.putId',
    path: (w) => `/api/rest/customers/${w.A.upwell}`,
    valid: () => ({ input: { name: 'Up Renamed', metadata: {} }, customerRulesInput: { dueOption: 15 } }),
    fields: [{ path: ['input'], kind: 'object' }, ...upwellSetFields(['updateCustomer'])],
    strict: [[], ['input'], ['customerRulesInput']],
  },
  {
    name: 'PUT /api/rest/customers',
    method: 'PUT',
    dialect: 'upwell',
    kind: 'upwell.putSource',
    path: () => '/api/rest/customers',
    valid: (w) => ({ sourceSystem: w.A.sourceSystem, sourceSystemId: w.A.sourceSystemId, input: { name: 'Up By Source', metadata: {} }, customerRulesInput: { dueOption: 15 } }),
    fields: [
      text(['sourceSystem']),
      text(['sourceSystemId']),
      { path: ['input'], kind: 'object' },
      ...upwellSetFields(['updateCustomer', 'returning', 0]),
    ],
    strict: [[], ['input'], ['customerRulesInput']],
  },
]);

export type QueryRule = (value: string) => boolean | 'either';
export interface QueryRoute {
  name: string;
  dialect: Dialect;
  kind: SuccessKind;
  path: string;
  params: { [key: string]: QueryRule };
  /** A rule over several parameters (given the valid ones), when the route has one. */
  across?: (params: Map<string, string>) => boolean | 'either';
}

const digits = (maxDigits: number, min: number, max: number): QueryRule => (s) => {
  if (!/^\d+$/.test(s)) return false;
  if (s.length > 1 && s.startsWith('0')) return 'either';
  return s.length <= maxDigits && Number(s) >= min && Number(s) <= max;
};
const queryText: QueryRule = (s) => lengthOk(s, 1, 255);
const queryUuid: QueryRule = (s) => UUID_RE.test(s);
const page = { limit: digits(3, 1, 100), cursor: queryUuid };

/** Every list route and the query parameters it takes, each with its rule. */
export const QUERY_ROUTES: QueryRoute[] = named<QueryRoute>([
  {
    name: 'GET /api/customers',
    dialect: 'qwoty',
    kind: 'qwoty.list',
    path: '/api/customers',
    params: {
      ...page,
      type: (s) => s === 'company' || s === 'individual',
      segment_id: queryUuid,
      id_crm: queryText,
      id_erp: queryText,
      id_accounting: queryText,
      tax_value: queryText,
      q: queryText,
    },
  },
  { name: 'GET /api/contacts', dialect: 'qwoty', kind: 'qwoty.list', path: '/api/contacts', params: { ...page, customer_id: queryUuid } },
  { name: 'GET /api/addresses', dialect: 'qwoty', kind: 'qwoty.list', path: '/api/addresses', params: { ...page, customer_id: queryUuid } },
  { name: 'GET /api/segments', dialect: 'qwoty', kind: 'qwoty.list', path: '/api/segments', params: { ...page } },
  {
    name: 'GET /api/customers/getCustomers',
    dialect: 'ambiosys',
    kind: 'ambiosys.list',
    path: '/api/customers/getCustomers',
    // `search=` (blank) is taken as no search by the code; the README does not say: either answer.
    params: { page: digits(6, 0, 100_000), limit: digits(6, 1, 100), search: (s) => (s.trim() === '' ? 'either' : lengthOk(s, 1, 255)) },
    // The code caps page × limit at 100000 rows deep; the README does not say: either answer beyond it.
    across: (p) => (Number(p.get('page') ?? 0) * Number(p.get('limit') ?? 10) > 100_000 ? 'either' : true),
  },
  {
    name: 'GET /api/rest/customers',
    dialect: 'upwell',
    kind: 'upwell.list',
    path: '/api/rest/customers',
    params: { limit: digits(6, 1, 100), offset: digits(6, 0, 100_000) },
  },
]);

/** Routes that name one record by path. */
export interface IdRoute {
  name: string;
  method: 'GET' | 'PATCH' | 'DELETE' | 'PUT';
  dialect: Dialect;
  kind: SuccessKind;
  prefix: string;
  body?: Body;
  /** A's own ids this route would find (so a random id equal to one is not "missing"). */
  own: (w: World) => string[];
}

const RESOURCES = ['customers', 'contacts', 'addresses', 'segments'] as const;
const ownOf = (r: (typeof RESOURCES)[number]) => (w: World) => [w.A[({ customers: 'customer', contacts: 'contact', addresses: 'address', segments: 'segment' } as const)[r]], ...(r === 'customers' ? [w.A.upwell] : [])];

export const ID_ROUTES: IdRoute[] = named([
  ...RESOURCES.flatMap((r): IdRoute[] => [
    { name: `GET /api/${r}/:id`, method: 'GET', dialect: 'qwoty', kind: 'qwoty.get', prefix: `/api/${r}/`, own: ownOf(r) },
    { name: `PATCH /api/${r}/:id`, method: 'PATCH', dialect: 'qwoty', kind: 'qwoty.update', prefix: `/api/${r}/`, body: {}, own: ownOf(r) },
    { name: `DELETE /api/${r}/:id`, method: 'DELETE', dialect: 'qwoty', kind: 'qwoty.delete', prefix: `/api/${r}/`, own: () => [] },
  ]),
  { name: 'GET /api/customers/getCustomers/:n', method: 'GET', dialect: 'ambiosys', kind: 'ambiosys.get', prefix: '/api/customers/getCustomers/', own: (w) => w.A.numbers.map(String) },
  { name: 'GET /api/rest/customers/:id', method: 'GET', dialect: 'upwell', kind: 'upwell.get', prefix: '/api/rest/customers/', own: ownOf('customers') },
  { name: 'PUT /api/rest/customers/:id', method: 'PUT', dialect: 'upwell', kind: 'upwell.putId', prefix: '/api/rest/customers/', body: { input: {} }, own: ownOf('customers') },
]);

// ---- Arbitraries ---------------------------------------------------------------

/** Strings clients get wrong: NUL, lone surrogates, bidi controls, emoji, combining marks, odd spaces, injection. */
export const nastyChar = fc.constantFrom(
  '\u0000',
  '\ud800',
  '\udfff',
  '\udbff',
  '\u200f',
  '\u200e',
  '\u202e',
  '\u2066',
  '\u061c',
  '😀',
  '👩‍👩‍👧‍👦',
  '🏳️‍🌈',
  'e\u0301',
  '\u0301',
  '\u0338',
  '\ufeff',
  '\u2028',
  '\u00a0',
  '\u3000',
  '\t',
  '\n',
  ' ',
  'İ',
  'ß',
  'ﬀ',
  'Ω',
  '\uffff',
  '\ufffe',
  '\u{10ffff}',
  '\\',
  '"',
  "'",
  '%',
  '_',
  '*',
  '?',
  '[',
  '<script>',
  "'; DROP TABLE customers;--",
  'x',
);

/** Empty, blank, huge (up to ~70 KB) and Unicode-edge strings, with lengths around the limits. */
export const nastyString = (max = 255): fc.Arbitrary<string> =>
  fc.oneof(
    fc.constantFrom('', ' ', '\t\n', '\u00a0\ufeff'),
    fc.array(nastyChar, { maxLength: 12 }).map((a) => a.join('')),
    fc.string({ unit: 'binary', maxLength: 40 }),
    fc.string({ unit: 'grapheme', maxLength: 40 }),
    fc.tuple(fc.constantFrom('a', 'é', '😀', '\u0000', ' ', 'e\u0301'), fc.integer({ min: max - 2, max: max + 2 })).map(([c, n]) => c.repeat(n)),
    fc.tuple(fc.constantFrom('a', '😀', '\ud800', ' '), fc.integer({ min: 256, max: 70_000 })).map(([c, n]) => c.repeat(n)),
    fc.tuple(fc.constantFrom(' ', '\u00a0', '\n'), fc.array(nastyChar, { minLength: 1, maxLength: 5 })).map(([pad, a]) => `${pad}${a.join('')}${pad}`),
  );

const smallJson = fc.jsonValue({ maxDepth: 2 }) as fc.Arbitrary<Json>;
const smallArray = fc.array(smallJson, { maxLength: 3 });
const smallObject = fc.dictionary(fc.string({ maxLength: 8 }), smallJson, { maxKeys: 3 }) as fc.Arbitrary<Record<string, Json>>;
const finiteNumber = fc.oneof(fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }));

/** Values of a wrong JSON type for `field` (never a value it accepts). */
export function wrongValue(field: Field): fc.Arbitrary<Json> {
  const choices: fc.Arbitrary<Json>[] = [];
  const notNull = field.nullable ? [] : [fc.constant(null)];
  switch (field.kind) {
    case 'text':
    case 'string':
      choices.push(finiteNumber, fc.boolean(), smallArray, smallObject, ...notNull);
      break;
    case 'array':
      choices.push(fc.string(), finiteNumber, fc.boolean(), smallObject, ...notNull);
      break;
    case 'object':
    case 'record':
      choices.push(fc.string(), finiteNumber, fc.boolean(), smallArray, ...notNull);
      break;
    case 'integer':
      choices.push(
        fc.string(),
        fc.boolean(),
        smallArray,
        smallObject,
        fc.double({ noNaN: true, noDefaultInfinity: true }).filter((n) => !Number.isInteger(n)),
        fc.integer({ min: (field.max ?? 0) + 1 }),
        fc.integer({ max: (field.min ?? 0) - 1 }),
        ...notNull,
      );
      break;
    case 'never':
      choices.push(smallJson, fc.uuid());
      break;
    case 'where':
      choices.push(fc.string(), finiteNumber, fc.boolean(), smallArray, fc.constant(null));
      break;
    case 'orderBy':
      choices.push(fc.string(), finiteNumber, fc.boolean(), fc.constant(null));
      break;
  }
  return fc.oneof(...choices);
}

// ---- Running one generated request ---------------------------------------------------

export interface Call {
  method: string;
  path: string;
  /** Sent as-is (a string is sent as its UTF-8 bytes). */
  body?: string | Uint8Array;
  /** Defaults to application/json when there is a body; null sends none. */
  contentType?: string | null;
  headers?: Record<string, string>;
  /** Send the body as a stream of chunks of this many bytes (no Content-Length). */
  chunk?: number;
  /** Send the token bare (Upwell style) instead of as Bearer. */
  bare?: boolean;
}

function bodyInit(c: Call): BodyInit | undefined {
  if (c.body === undefined) return undefined;
  const bytes = typeof c.body === 'string' ? new TextEncoder().encode(c.body) : c.body;
  if (!c.chunk) return bytes;
  const size = c.chunk;
  let offset = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (offset >= bytes.byteLength) return controller.close();
      controller.enqueue(bytes.slice(offset, offset + size));
      offset += size;
    },
  });
}

export function describeCall(c: Call): string {
  const body = typeof c.body === 'string' ? c.body : c.body ? `<${c.body.byteLength} bytes: ${[...c.body.slice(0, 40)].join(',')}>` : '';
  const shown = body.length > 300 ? `${body.slice(0, 300)}... (${body.length} chars)` : body;
  const ct = c.contentType === undefined ? '' : ` Content-Type=${JSON.stringify(c.contentType)}`;
  const path = c.path.length > 300 ? `${c.path.slice(0, 300)}... (${c.path.length} chars)` : c.path;
  return `${c.method} ${path}${ct}${c.chunk ? ` chunked(${c.chunk})` : ''}${c.bare ? ' bare-token' : ''} ${c.headers ? JSON.stringify(c.headers) : ''} ${shown}`;
}

/** Makes fast-check print a generated call readably (bodies can be 70 KB). */
export function printable<T extends Call>(c: T): T {
  return Object.assign(c, { [fc.toStringMethod]: () => describeCall(c) });
}

export interface Outcome {
  res: ApiResponse;
  /** Set for a 4xx. */
  error?: NormalError;
  before: Pair;
  after: Pair;
}

const PROTO_KEYS = () => Object.getOwnPropertyNames(Object.prototype).sort().join(',');

/**
 * Sends `c` with A's token and checks what holds for every request: never a
 * 5xx; a 2xx has `success`'s shape; a 4xx has the dialect's error shape and
 * changed no row at all; B's rows never change; nothing of B (ids, marker)
 * is in the answer; Object.prototype is untouched.
 */
export async function send(w: World, c: Call, success: SuccessKind | ((res: ApiResponse) => SuccessKind)): Promise<Outcome> {
  const where = describeCall(c);
  const proto = PROTO_KEYS();
  const before = await dbState(w);
  const headers: Record<string, string> = { ...(c.headers ?? {}) };
  if (c.bare) headers.Authorization = w.A.token;
  const contentType = c.contentType === undefined ? 'application/json' : c.contentType;
  if (c.body !== undefined && contentType !== null) headers['Content-Type'] = contentType;
  const res = await api(c.method, c.path, { token: c.bare ? undefined : w.A.token, headers, rawBody: bodyInit(c) });
  const after = await dbState(w);
  expect(res.status, `${where} -> ${res.status} ${JSON.stringify(res.body)?.slice(0, 400)}`).toBeLessThan(500);
  expect(res.status, where).toBeGreaterThanOrEqual(200);
  expect(PROTO_KEYS(), `${where}: Object.prototype changed: ${JSON.stringify(Object.getOwnPropertyDescriptors(Object.prototype), (_k, v) => (typeof v === 'function' ? 'fn' : v))}`).toBe(proto);
  expect(({} as Record<string, unknown>).polluted, where).toBeUndefined();
  expect(after.b, `${where}: workspace B's rows changed`).toEqual(before.b);
  const text = JSON.stringify(res.body) ?? '';
  const sent = `${c.path} ${typeof c.body === 'string' ? c.body : ''}`.toLowerCase();
  for (const secret of [w.B.marker, ...w.bIds]) {
    // Echoing what the client sent itself is no leak.
    if (!sent.includes(secret.toLowerCase())) expect(text.includes(secret), `${where}: B's ${secret} leaked`).toBe(false);
  }
  const dialect = dialectOf(new URL(`https://api.test${c.path}`).pathname);
  if (res.status < 300) {
    expectSuccess(typeof success === 'function' ? success(res) : success, res, w.A.workspaceId, where);
    return { res, before, after };
  }
  const error = expectError(res, dialect, where);
  expect(after, `${where}: a ${res.status} changed the database`).toEqual(before);
  return { res, error, before, after };
}

/** Length rule of text(): trimmed, min..max characters counted as Unicode code points (README, "Objects"). */
export function lengthOk(value: string, min: number, max: number): boolean {
  const points = [...value.trim()].length;
  return points >= min && points <= max;
}
