/**
 * The typed client (client/index.ts) end to end, in Node: every call goes
 * through it to a real `wrangler dev`, and client/example.ts runs as a user
 * would run it. The compile-time assertions (expectTypeOf, @ts-expect-error)
 * are checked by `npm run typecheck` (scripts/tsconfig.json), not by vitest.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, expectTypeOf, it, vi } from 'vitest';
import { createCustomersClient, type ApiError, type Customer, type CustomerCreate, type CustomersClient, type Issue } from '../../client/index.ts';
import { generateToken } from '../../src/lib/tokens.ts';
import { CUSTOMER_DEFAULTS } from '../customer-defaults.ts';
import { copyApp, freePort, putTokens, ROOT, runNode, untilReady, WRANGLER, type Issued } from './support.ts';

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const REQUEST_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const ETAG = /^"\d+-[0-9a-f]{16}"$/;
const EXAMPLE = join(ROOT, 'client', 'example.ts');

const state = mkdtempSync(join(tmpdir(), 'customers-worker-client-'));
/** The Worker the server runs: a copy of the sources, so that edits to src/ meanwhile do not restart it mid-test. */
const app = join(state, 'app');
let server: ChildProcess | undefined;
let base: string;

/** `writer` and `reader` share a workspace; the example writes in one of its own. */
let tokens: { writer: Issued; reader: Issued; example: Issued };
let api: CustomersClient;

/** `writer` and `reader` share a workspace; the example writes in one of its own. */
function issueTokens(): Promise<typeof tokens> {
  const shared = randomUUID();
  return putTokens(app, state, {
    writer: { workspaceId: shared, scopes: ['read', 'write'], name: 'client-writer' },
    reader: { workspaceId: shared, scopes: ['read'], name: 'client-reader' },
    example: { workspaceId: randomUUID(), scopes: ['read', 'write'], name: 'client-example' },
  });
}

beforeAll(async () => {
  copyApp(app);
  const migrated = await runNode([WRANGLER, 'd1', 'migrations', 'apply', 'DB', '--local', '--persist-to', state], '', app);
  expect(migrated.status, migrated.stderr).toBe(0);
  tokens = await issueTokens();
  const [http, inspector] = [await freePort(), await freePort()];
  base = `http://127.0.0.1:${http}`;
  const args = ['dev', '--ip', '127.0.0.1', '--port', String(http), '--inspector-port', String(inspector), '--persist-to', state];
  server = spawn(process.execPath, [WRANGLER, ...args, '--var', `WEBHOOK_SECRETS_KEY:${randomBytes(32).toString('base64')}`], {
    cwd: app,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, WRANGLER_SEND_METRICS: 'false', FORCE_COLOR: '0' },
  });
  await untilReady(server);
  api = createCustomersClient({ baseUrl: base, token: tokens.writer.token });
}, 120_000);

afterAll(async () => {
  if (server && server.exitCode === null && server.signalCode === null) {
    const exited = new Promise((resolve) => server!.once('exit', resolve));
    server.kill();
    await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 10_000))]);
  }
  rmSync(state, { recursive: true, force: true });
}, 30_000);

// ---------------------------------------------------------------- helpers

/** The body of a successful call, after checking its status. */
function dataOf<Data>(result: { data?: Data; error?: unknown; response: Response }, status: number): Data {
  expect(result.error, JSON.stringify(result.error)).toBeUndefined();
  expect(result.response.status).toBe(status);
  if (result.data === undefined) throw new Error(`HTTP ${status} without a body`);
  return result.data;
}

/** The typed error of a failed call, after checking its status and that `data` is absent. */
function errorOf<Failure>(result: { data?: unknown; error?: Failure; response: Response }, status: number): Failure {
  expect(result.data).toBeUndefined();
  expect(result.response.status).toBe(status);
  if (result.error === undefined) throw new Error(`HTTP ${status} without an error body`);
  return result.error;
}

/** A whole canonical error body. */
const apiError = (code: string, issues?: string[]) => ({
  success: false,
  error: expect.stringMatching(/\S/),
  code,
  ...(issues ? { issues: issues.map((path) => ({ path, message: expect.stringMatching(/\S/) })) } : {}),
  request_id: expect.stringMatching(REQUEST_ID),
});

/** A customer as the API returns it: `fields` over a new customer's defaults. Every key of the document's Customer, no other. */
const customerOf = (fields: Partial<Customer>): { [K in keyof Customer]: unknown } => ({
  ...CUSTOMER_DEFAULTS,
  id: expect.stringMatching(UUID),
  workspace_id: tokens.writer.workspace_id,
  name: expect.any(String),
  type: 'company',
  segment_id: null,
  logo: null,
  tax_ids: [],
  id_crm: null,
  id_erp: null,
  id_accounting: null,
  created_at: expect.stringMatching(ISO),
  updated_at: expect.stringMatching(ISO),
  ...fields,
});

// ---------------------------------------------------------------- the tests

describe('the typed client against wrangler dev', () => {
  it('creates, reads, updates with If-Match (refusing a stale one) and deletes a customer', async () => {
    const input = { name: 'Acme Corporation', type: 'company', tax_ids: [{ tax: 'VAT', tax_value: 'FR12345678901' }], id_crm: 'crm_001' } satisfies CustomerCreate;
    const created = await api.POST('/api/customers', { body: input });
    const customer = dataOf(created, 201).data;
    expect(created.data).toEqual({ success: true, data: customerOf(input) });
    expect(customer.updated_at).toBe(customer.created_at);
    expect(created.response.headers.get('ETag')).toMatch(ETAG);
    expectTypeOf(customer).toEqualTypeOf<Customer>();
    expectTypeOf(customer.name).toEqualTypeOf<string>();
    expectTypeOf(customer.legal_name).toEqualTypeOf<string | null>();

    const got = await api.GET('/api/customers/{id}', { params: { path: { id: customer.id } } });
    expect(dataOf(got, 200)).toEqual({ success: true, data: { ...customer, contact_ids: [], address_ids: [] } });
    expectTypeOf(dataOf(got, 200).data.contact_ids).toEqualTypeOf<string[]>();
    const read = got.response.headers.get('ETag')!;
    expect(read).toMatch(ETAG);

    const patched = await api.PATCH('/api/customers/{id}', {
      params: { path: { id: customer.id }, header: { 'If-Match': read } },
      body: { name: 'Acme Corp', legal_name: 'Acme Corporation SAS' },
    });
    const updated = dataOf(patched, 200).data;
    expect(updated).toEqual({ ...customer, name: 'Acme Corp', legal_name: 'Acme Corporation SAS', updated_at: expect.stringMatching(ISO) });
    expect(updated.updated_at >= customer.updated_at).toBe(true);
    const current = patched.response.headers.get('ETag')!;
    expect(current).toMatch(ETAG);
    expect(current).not.toBe(read);

    // The ETag of the read is stale now: a typed 412, and nothing written.
    const stale = await api.PATCH('/api/customers/{id}', {
      params: { path: { id: customer.id }, header: { 'If-Match': read } },
      body: { name: 'Too late' },
    });
    const refused = errorOf(stale, 412);
    expect(refused).toEqual(apiError('precondition_failed'));
    expect(refused.request_id).toBe(stale.response.headers.get('X-Request-Id'));
    expectTypeOf(refused).toExtend<ApiError>();
    expectTypeOf<'precondition_failed'>().toExtend<typeof refused.code>();
    expect(dataOf(await api.GET('/api/customers/{id}', { params: { path: { id: customer.id } } }), 200).data.name).toBe('Acme Corp');

    const deleted = await api.DELETE('/api/customers/{id}', { params: { path: { id: customer.id }, header: { 'If-Match': current } } });
    expect(dataOf(deleted, 200)).toEqual({ success: true, data: { id: customer.id, deleted: true } });
    expectTypeOf(dataOf(deleted, 200).data).toEqualTypeOf<{ id: string; deleted: true }>();
    expect(errorOf(await api.GET('/api/customers/{id}', { params: { path: { id: customer.id } } }), 404)).toEqual(apiError('not_found'));
  });

  it('answers a conditional GET with 304: neither data nor an error body', async () => {
    const customer = dataOf(await api.POST('/api/customers', { body: { name: 'Conditional Ltd', type: 'company' } }), 201).data;
    const got = await api.GET('/api/customers/{id}', { params: { path: { id: customer.id } } });
    const etag = got.response.headers.get('ETag')!;
    const again = await api.GET('/api/customers/{id}', { params: { path: { id: customer.id }, header: { 'If-None-Match': etag } } });
    expect(again.response.status).toBe(304);
    expect(again.data).toBeUndefined();
    // openapi-fetch treats any status outside 2xx as an error and hands back the
    // empty body's text; the type of `error` covers only the 4xx/5xx answers.
    expect(again.error).toBe('');
  });

  it('returns refusals as the typed error, with `code` and `issues` naming the fields', async () => {
    const missing = await api.POST('/api/customers', {
      // @ts-expect-error -- `name` is required: the types refuse what the server refuses.
      body: { type: 'company' },
    });
    const invalid = errorOf(missing, 400);
    expect(invalid).toEqual(apiError('validation_error', ['name']));
    expectTypeOf(invalid.issues).toEqualTypeOf<Issue[] | undefined>();

    // A misspelt optional field: a compile error through our client (openapi-fetch's own signature lets it pass), and a 400 naming it.
    const created = dataOf(await api.POST('/api/customers', { body: { name: 'Typo Inc', type: 'company' } }), 201).data;
    const typo = await api.PATCH('/api/customers/{id}', {
      params: { path: { id: created.id } },
      // @ts-expect-error -- `legal_nmae` is no field of CustomerUpdate.
      body: { legal_nmae: 'Typo Incorporated' },
    });
    expect(errorOf(typo, 400)).toEqual(apiError('validation_error', ['legal_nmae']));

    const badQuery = await api.GET('/api/customers', { params: { query: { limit: 0 } } });
    expect(errorOf(badQuery, 400)).toEqual(apiError('validation_error', ['limit']));

    const reader = createCustomersClient({ baseUrl: base, token: tokens.reader.token });
    expect(errorOf(await reader.POST('/api/customers', { body: { name: 'Nope', type: 'company' } }), 403)).toEqual(apiError('forbidden'));
    expect(dataOf(await reader.GET('/api/customers/{id}', { params: { path: { id: created.id } } }), 200).data.id).toBe(created.id);

    const stranger = createCustomersClient({ baseUrl: base, token: generateToken('dev') });
    const denied = await stranger.GET('/api/customers');
    expect(errorOf(denied, 401)).toEqual(apiError('unauthorized'));
    expect(denied.response.headers.get('WWW-Authenticate')).toBe('Bearer');
  });

  it('lists with a filter and a limit, following next_cursor to the last page', async () => {
    const crm = `crm-list-${randomUUID()}`;
    const made: Customer[] = [];
    for (const name of ['First', 'Second', 'Third']) {
      made.push(dataOf(await api.POST('/api/customers', { body: { name, type: 'individual', id_crm: crm } }), 201).data);
    }
    dataOf(await api.POST('/api/customers', { body: { name: 'Elsewhere', type: 'individual', id_crm: `${crm}-other` } }), 201);

    const first = dataOf(await api.GET('/api/customers', { params: { query: { id_crm: crm, limit: 2 } } }), 200);
    expect(first).toEqual({ success: true, data: made.slice(0, 2), has_more: true, next_cursor: expect.any(String) });
    expectTypeOf(first.next_cursor).toEqualTypeOf<string | null>();
    expectTypeOf(first.data).toEqualTypeOf<Customer[]>();
    const second = dataOf(await api.GET('/api/customers', { params: { query: { id_crm: crm, limit: 2, cursor: first.next_cursor! } } }), 200);
    expect(second).toEqual({ success: true, data: made.slice(2), has_more: false, next_cursor: null });

    // The loop a caller writes: until next_cursor is null.
    const all: Customer[] = [];
    let cursor: string | undefined;
    do {
      const page = dataOf(await api.GET('/api/customers', { params: { query: { id_crm: crm, limit: 1, ...(cursor ? { cursor } : {}) } } }), 200);
      all.push(...page.data);
      cursor = page.next_cursor ?? undefined;
    } while (cursor);
    expect(all).toEqual(made);
  });

  it('sends the token to the API origin only, through the fetch it is given', async () => {
    const seen: Request[] = [];
    const recording = createCustomersClient({
      baseUrl: 'https://customers.example.com',
      token: 'qwt_dev_example',
      fetch: async (request) => {
        seen.push(request);
        return Response.json({ success: true, data: [], has_more: false, next_cursor: null });
      },
    });
    await recording.GET('/api/customers', { params: { query: { type: 'company' } } });
    await recording.GET('/api/customers', { baseUrl: 'https://elsewhere.example.com' });
    expect(seen.map((r) => [r.url, r.headers.get('Authorization')])).toEqual([
      ['https://customers.example.com/api/customers?type=company', 'Bearer qwt_dev_example'],
      ['https://elsewhere.example.com/api/customers', null],
    ]);
  });
});

describe('client/example.ts', () => {
  it('creates, reads, updates, finds and deletes a customer, printing each step', async () => {
    const run = await runNode([EXAMPLE, '--url', base, '--token', tokens.example.token]);
    expect(run.status, run.stderr).toBe(0);
    const lines = run.stdout.trimEnd().split('\n');
    const id = /^created {2}([0-9a-f-]{36}) #1 "Example Trading Ltd"$/.exec(lines[0] ?? '')?.[1];
    expect(id, run.stdout).toMatch(UUID);
    expect(lines.slice(1)).toEqual([
      expect.stringMatching(new RegExp(`^read {5}${id} #1 "Example Trading Ltd" ETag "\\d+-[0-9a-f]{16}", 0 contacts, 0 addresses$`)),
      expect.stringMatching(new RegExp(`^updated {2}${id} #1 "Example Trading" legal_name "Example Trading Limited" ETag "\\d+-[0-9a-f]{16}"$`)),
      expect.stringMatching(new RegExp(`^listed {3}1 with id_crm example-[0-9a-f-]{36}: ${id}$`)),
      `deleted  ${id}`,
    ]);
    // Nothing left behind in the example's workspace.
    const own = createCustomersClient({ baseUrl: base, token: tokens.example.token });
    expect(dataOf(await own.GET('/api/customers'), 200).data).toEqual([]);
  });

  it('exits 1 with the API error body when a step fails (settings from the environment)', async () => {
    vi.stubEnv('CUSTOMERS_API_URL', base);
    vi.stubEnv('CUSTOMERS_API_TOKEN', tokens.reader.token);
    const pending = runNode([EXAMPLE]);
    vi.unstubAllEnvs();
    const run = await pending;
    expect(run.status).toBe(1);
    expect(run.stdout).toBe('');
    const [heading, ...body] = run.stderr.trimEnd().split('\n');
    expect(heading).toBe('create failed: HTTP 403');
    expect(JSON.parse(body.join('\n'))).toEqual(apiError('forbidden'));
  });

  it('exits 2 with its usage when it has no token', async () => {
    const run = await runNode([EXAMPLE, '--url', base]);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('usage: node client/example.ts');
  });
});
