/**
 * `npm run export` and `npm run import` end to end, in Node: records made
 * through the API of a real `wrangler dev`, exported, deleted, imported back
 * (twice), all in one throw-away local state directory.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, ROOT, runNode, untilReady, WRANGLER } from './support.ts';

const state = mkdtempSync(join(tmpdir(), 'customers-worker-export-'));
/** A second database, never served: the target of a fresh import. */
const fresh = join(state, 'fresh');
let server: ChildProcess | undefined;
let base: string;

interface Issued {
  token: string;
  workspace_id: string;
}
let a: Issued;
let b: Issued;

/** Runs scripts/<name>.ts against the test's state directory (or another one; none with `remote`, for --url runs). */
const cli = (name: 'token' | 'export' | 'import', args: string[], options: { input?: string; persistTo?: string; remote?: boolean } = {}) =>
  runNode([join(ROOT, 'scripts', `${name}.ts`), ...args, ...(options.remote ? [] : ['--persist-to', options.persistTo ?? state])], options.input);

const migrate = (dir: string) => runNode([WRANGLER, 'd1', 'migrations', 'apply', 'DB', '--local', '--persist-to', dir]);

type Json = any;

async function api(token: string, method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: {
      Authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
      ...headers,
    },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(15_000),
  });
  return { status: response.status, etag: response.headers.get('ETag'), body: (await response.json()) as Json };
}

/** POST that must succeed; returns the created object. */
async function create(token: string, path: string, body: unknown, headers?: Record<string, string>): Promise<Json> {
  const response = await api(token, 'POST', path, body, headers);
  expect(response.status, JSON.stringify(response.body)).toBe(201);
  return response.body.data;
}

/** Everything the API shows of a workspace: lists, each record on its own (with its ETag), a tax-id lookup. */
async function snapshot(token: string) {
  const list = async (path: string) => {
    const response = await api(token, 'GET', `${path}?limit=100`);
    expect(response.status).toBe(200);
    return response.body.data as Json[];
  };
  const one = async (path: string, id: string) => {
    const response = await api(token, 'GET', `${path}/${id}`);
    expect(response.status).toBe(200);
    return { data: response.body.data, etag: response.etag };
  };
  const lists = {
    segments: await list('/api/segments'),
    customers: await list('/api/customers'),
    contacts: await list('/api/contacts'),
    addresses: await list('/api/addresses'),
  };
  const records: Record<string, Json> = {};
  for (const [name, rows] of Object.entries(lists)) {
    for (const row of rows) records[`${name}/${row.id}`] = await one(`/api/${name}`, row.id);
  }
  const byTaxId = await api(token, 'GET', '/api/customers?tax_value=FR12345678901');
  return { lists, records, byTaxId: (byTaxId.body.data as Json[]).map((c) => c.id) };
}

const parseLines = (ndjson: string) =>
  ndjson
    .trimEnd()
    .split('\n')
    .map((line) => JSON.parse(line) as { table: string; row: Record<string, unknown> });

beforeAll(async () => {
  for (const dir of [state, fresh]) {
    const migrated = await migrate(dir);
    expect(migrated.status, migrated.stderr).toBe(0);
  }
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  const child = spawn(process.execPath, [WRANGLER, 'dev', '--ip', '127.0.0.1', '--port', String(port), '--persist-to', state], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  server = child;
  await untilReady(child);
  const issue = async (): Promise<Issued> => {
    const created = await cli('token', ['create', '--json']);
    expect(created.status, created.stderr).toBe(0);
    return JSON.parse(created.stdout) as Issued;
  };
  a = await issue();
  b = await issue();
}, 180_000);

afterAll(async () => {
  const child = server;
  if (child && child.exitCode === null && child.signalCode === null) {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill();
    await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 10_000))]);
  }
  rmSync(state, { recursive: true, force: true });
}, 30_000);

describe('npm run export / npm run import', () => {
  it('round-trips a workspace exactly, and importing again changes nothing', async () => {
    // Workspace A, with values that need care in SQL: quotes, semicolons, comment markers,
    // newlines and tabs, the words wrangler strips from SQL files, non-ASCII text.
    const segment = await create(a.token, '/api/segments', {
      name: 'Key accounts',
      reference: 'KA-1',
      description: "Top customers; O'Brien & co.\nSecond line -- not a comment",
    });
    const first = await create(a.token, '/api/customers', {
      name: "O'Reilly'); DROP TABLE customers; --",
      legal_name: 'Zoë Ünicode SARL 🚀',
      type: 'company',
      segment_id: segment.id,
      logo: 'https://example.com/logo.png',
      tax_ids: [
        { tax: 'VAT', tax_value: 'FR12345678901' },
        { tax: 'SIREN', tax_value: "123 456 789 'x'" },
      ],
      id_crm: 'crm-1',
      email_address: 'billing@example.com',
      cc_email_addresses: ['cc1@example.com', 'cc2@example.com'],
      metadata: { tier: 'gold', note: 'it\'s "quoted" -- BEGIN TRANSACTION; COMMIT;', empty: '' },
    });
    const second = await create(
      a.token,
      '/api/customers',
      {
        name: 'Beta\tTabbed',
        type: 'individual',
        source_system: 'upwell',
        source_system_id: 'SRC-42',
        due_option: 30,
        collector_id: 'col-7',
        email_settings: { send: true, nested: { list: [1, 2, null], text: "a'b" } },
        integration_settings: { sync: null },
        deleted_at: '2026-01-15T10:30:00.000Z',
        contacts_last_updated_at: '2026-01-14T09:00:00.000Z',
      },
      { 'Idempotency-Key': 'export-test-1' },
    );
    // The first customer bills to a later one: the import needs its second pass for this.
    const billed = await api(a.token, 'PATCH', `/api/customers/${first.id}`, { bill_to_customer_id: second.id });
    expect(billed.status).toBe(200);
    const ann = await create(a.token, '/api/contacts', {
      customer_id: first.id,
      first_name: 'Ann',
      last_name: "D'Arc",
      email: 'ann@example.com',
      phone: '+33 1 23 45 67 89',
      role: ['buyer', 'billing'],
    });
    const bob = await create(a.token, '/api/contacts', {
      customer_id: first.id,
      first_name: 'Bob',
      last_name: 'Builder',
      email: 'bob@example.com',
    });
    expect((await api(a.token, 'PATCH', `/api/contacts/${bob.id}`, { phone: '555' })).status).toBe(200);
    await create(a.token, '/api/contacts', { customer_id: second.id, first_name: 'Cy', last_name: 'Ng', email: 'cy@example.com', id_erp: 'erp-9' });
    await create(a.token, '/api/addresses', {
      customer_id: first.id,
      contact_id: ann.id,
      type: 'billing',
      name: 'HQ',
      address_line1: "1 rue de l'Église",
      city: 'Paris',
      postal_code: '75001',
      country: 'fr',
      comment: "Ring twice.\nThen wait; 'really'.",
    });
    await create(a.token, '/api/addresses', {
      customer_id: second.id,
      type: 'shipping',
      address_line1: '2 Main St',
      address_line2: 'Unit 5',
      city: 'Springfield',
      postal_code: '62701',
      state: 'IL',
      country: 'US',
    });

    // Workspace B, which must stay out of A's export and be untouched by A's import.
    const bSegment = await create(b.token, '/api/segments', { name: 'B segment' });
    const bCustomer = await create(b.token, '/api/customers', { name: 'Workspace B customer', type: 'company', segment_id: bSegment.id, tax_ids: [{ tax: 'VAT', tax_value: 'FR12345678901' }] });
    await create(b.token, '/api/contacts', { customer_id: bCustomer.id, first_name: 'Bea', last_name: 'Bee', email: 'bea@example.com' });
    await create(b.token, '/api/addresses', { customer_id: bCustomer.id, type: 'billing', address_line1: 'B street', city: 'Bern', postal_code: '3000', country: 'CH' });

    const before = await snapshot(a.token);
    const bBefore = await snapshot(b.token);
    expect(before.byTaxId).toEqual([first.id]);

    // Export to standard output.
    const exported = await cli('export', ['--workspace', a.workspace_id]);
    expect(exported.status, exported.stderr).toBe(0);
    expect(exported.stderr).toContain('1 segment, 2 customers, 3 contacts, 2 addresses');
    const lines = parseLines(exported.stdout);
    expect(exported.stdout.endsWith('\n')).toBe(true);
    expect(lines.map((l) => l.table)).toEqual([
      'segments',
      'customers',
      'customers',
      'contacts',
      'contacts',
      'contacts',
      'addresses',
      'addresses',
      'workspace_counters',
    ]);
    for (const table of ['customers', 'contacts', 'addresses']) {
      const ids = lines.filter((l) => l.table === table).map((l) => l.row.id as string);
      expect(ids).toEqual([...ids].sort());
    }
    for (const line of lines) expect(line.row.workspace_id).toBe(a.workspace_id);
    for (const secret of [b.workspace_id, bCustomer.id, bSegment.id, 'Workspace B customer', a.token, b.token]) {
      expect(exported.stdout).not.toContain(secret);
    }
    expect(exported.stdout).not.toMatch(/customer_tax_ids|idempotency_keys|export-test-1|"fingerprint"/);
    const customerRows = lines.filter((l) => l.table === 'customers').map((l) => l.row);
    const firstRow = customerRows.find((r) => r.id === first.id)!;
    expect(firstRow).toMatchObject({
      name: "O'Reilly'); DROP TABLE customers; --",
      name_search: "o'reilly'); drop table customers; --",
      bill_to_customer_id: second.id,
      segment_id: segment.id,
      number: 1,
      version: 2,
      tax_ids: JSON.stringify(first.tax_ids),
      created_at: Date.parse(first.created_at),
    });
    expect(Object.keys(firstRow)).toContain('legal_name_search');
    expect(customerRows.find((r) => r.id === second.id)).toMatchObject({ name: 'Beta\tTabbed', number: 2, deleted_at: Date.parse('2026-01-15T10:30:00.000Z') });
    expect(lines.at(-1)).toEqual({ table: 'workspace_counters', row: { workspace_id: a.workspace_id, customers: 2 } });

    // Delete all of A's records through the API.
    for (const customer of [first, second]) {
      expect((await api(a.token, 'DELETE', `/api/customers/${customer.id}`)).status).toBe(200);
    }
    expect((await api(a.token, 'DELETE', `/api/segments/${segment.id}`)).status).toBe(200);
    for (const path of ['/api/segments', '/api/customers', '/api/contacts', '/api/addresses']) {
      expect((await api(a.token, 'GET', path)).body.data).toEqual([]);
    }

    // Import from a file, export to a file: byte for byte the first export.
    const file = join(state, 'workspace-a.ndjson');
    writeFileSync(file, exported.stdout);
    const imported = await cli('import', ['--file', file]);
    expect(imported.status, imported.stderr).toBe(0);
    expect(imported.stderr).toContain(`Imported workspace ${a.workspace_id}: 1 segment, 2 customers, 3 contacts, 2 addresses from ${file}.`);
    const again = join(state, 'workspace-a-again.ndjson');
    const reexported = await cli('export', ['--workspace', a.workspace_id, '--out', again]);
    expect(reexported.status, reexported.stderr).toBe(0);
    expect(reexported.stdout).toBe('');
    expect(readFileSync(again, 'utf8')).toBe(exported.stdout);

    // Import again, from standard input: nothing changes.
    const reimported = await cli('import', [], { input: exported.stdout });
    expect(reimported.status, reimported.stderr).toBe(0);
    const third = await cli('export', ['--workspace', a.workspace_id]);
    expect(third.status, third.stderr).toBe(0);
    expect(third.stdout).toBe(exported.stdout);

    // Through the API (--url, a read token of the workspace): the same bytes.
    const viaApi = await cli('export', ['--url', base, '--token', a.token], { remote: true });
    expect(viaApi.status, viaApi.stderr).toBe(0);
    expect(viaApi.stdout).toBe(exported.stdout);

    // The API serves the same objects (same versions, tax ids found again); B is untouched.
    expect(await snapshot(a.token)).toEqual(before);
    expect(await snapshot(b.token)).toEqual(bBefore);
    // New customers continue the numbering.
    const next = await create(a.token, '/api/customers', { name: 'After import', type: 'company' });
    expect(next.number).toBe(3);
    expect((await api(a.token, 'DELETE', `/api/customers/${next.id}`)).status).toBe(200);
  }, 300_000);

  it('pages through a large workspace and imports it into an empty database in parts', async () => {
    const c = JSON.parse((await cli('token', ['create', '--json'])).stdout) as Issued;
    const count = 520;
    for (let start = 0; start < count; start += 50) {
      const inputs = Array.from({ length: Math.min(50, count - start) }, (_, i) => ({
        name: `Bulk ${start + i}`,
        sourceSystem: 'bulk',
        sourceSystemId: String(start + i),
        contacts: { data: [{ firstName: 'F', lastName: `L${start + i}`, emailAddress: `c${start + i}@example.com` }] },
        addresses: { data: [{ streetLine1: `${start + i} Road`, city: 'Lyon', zipOrPostalCode: '69001', country: 'FR' }] },
      }));
      const response = await fetch(`${base}/api/rest/bulk-customers`, {
        method: 'POST',
        headers: { Authorization: c.token, 'Content-Type': 'application/json' },
        body: JSON.stringify({ inputs }),
        signal: AbortSignal.timeout(15_000),
      });
      expect(response.status, await response.clone().text()).toBe(200);
    }

    const exported = await cli('export', ['--workspace', c.workspace_id]);
    expect(exported.status, exported.stderr).toBe(0);
    const lines = parseLines(exported.stdout);
    expect(lines).toHaveLength(3 * count + 1);
    const customerIds = lines.filter((l) => l.table === 'customers').map((l) => l.row.id as string);
    expect(new Set(customerIds).size).toBe(count);
    expect(customerIds).toEqual([...customerIds].sort());

    // Through the API in pages of 100, to a file: the same bytes.
    const out = join(state, 'workspace-c-url.ndjson');
    const paged = await cli('export', ['--url', base, '--token', c.token, '--out', out, '--page-size', '100'], { remote: true });
    expect(paged.status, paged.stderr).toBe(0);
    expect(paged.stderr).toContain(`Exported 0 segments, ${count} customers, ${count} contacts, ${count} addresses to ${out}.`);
    expect(readFileSync(out, 'utf8')).toBe(exported.stdout);

    // Interrupted after 700 records (mid-page, mid-line even): --resume finishes it, nothing repeated or lost.
    const cut = exported.stdout.split('\n').slice(0, 700).join('\n') + '\n{"table":"contacts","ro';
    writeFileSync(`${out}.partial`, cut);
    rmSync(out);
    const resumed = await cli('export', ['--url', base, '--token', c.token, '--out', out, '--resume', '--page-size', '100'], { remote: true });
    expect(resumed.status, resumed.stderr).toBe(0);
    expect(readFileSync(out, 'utf8')).toBe(exported.stdout);

    // Into an empty database, locally: one transaction.
    const file = join(state, 'workspace-c.ndjson');
    writeFileSync(file, exported.stdout);
    const imported = await cli('import', ['--file', file], { persistTo: fresh });
    expect(imported.status, imported.stderr).toBe(0);
    const copied = await cli('export', ['--workspace', c.workspace_id], { persistTo: fresh });
    expect(copied.status, copied.stderr).toBe(0);
    expect(copied.stdout).toBe(exported.stdout);

    // Through the API, after losing some customers: parts of at most 900 records restore them.
    for (const id of customerIds.slice(0, 5)) expect((await api(c.token, 'DELETE', `/api/customers/${id}`)).status).toBe(200);
    const restored = await cli('import', ['--file', file, '--url', base, '--token', c.token], { remote: true });
    expect(restored.status, restored.stderr).toBe(0);
    expect(restored.stderr).toContain(`Imported workspace ${c.workspace_id}: 0 segments, ${count} customers, ${count} contacts, ${count} addresses from ${file} in `);
    expect(restored.stderr).toMatch(/ in [2-9] parts\.\n/);
    expect((await cli('export', ['--workspace', c.workspace_id])).stdout).toBe(exported.stdout);
  }, 300_000);

  it('refuses invalid files and conflicting records, writing nothing', async () => {
    const exported = await cli('export', ['--workspace', a.workspace_id]);
    expect(exported.status, exported.stderr).toBe(0);
    const lines = exported.stdout.trimEnd().split('\n');
    const counters = lines.at(-1)!;
    const segmentId = '01900000-0000-7000-8000-000000000001';
    const segment = JSON.stringify({
      table: 'segments',
      row: { id: segmentId, workspace_id: a.workspace_id, name: 'New', reference: null, description: null, created_at: 1, updated_at: 1, version: 1 },
    });
    const refused = async (input: string, message: string | RegExp) => {
      const result = await cli('import', [], { input });
      expect(result.status, result.stderr).toBe(1);
      expect(result.stderr).toMatch(message);
      expect(result.stderr).toContain('nothing was written');
      return result.stderr;
    };
    // Broken or incomplete files, checked before anything is written.
    const broken = [
      segment,
      'not json',
      segment.replace('"name":"New"', '"name":null'),
      segment.replace('"version":1', '"version":1,"extra":1'),
      segment.replace('"segments"', '"customer_tax_ids"'),
      segment.replace(`"workspace_id":"${a.workspace_id}"`, '"workspace_id":"other"'),
      segment,
      counters,
      segment,
    ];
    const refusedBroken = await refused(`${broken.join('\n')}\n`, /line 2: not a JSON value/);
    for (const message of [
      /line 3: segments: name must not be null/,
      /line 4: segments: unknown column "extra"/,
      /line 5: unknown table "customer_tax_ids"/,
      /line 6: .*a file holds one workspace/,
      /line 7: segments: id .* appears twice/,
      /line 9: .*after the workspace_counters line/,
    ]) {
      expect(refusedBroken).toMatch(message);
    }
    await refused(lines.slice(0, -1).join('\n'), /no workspace_counters line/);
    const withoutCustomers = lines.filter((l) => !l.includes('"table":"customers"')).join('\n');
    await refused(withoutCustomers, /contacts\.customer_id .* is not one of the file's customers/);
    const newSegment = await api(a.token, 'GET', `/api/segments/${segmentId}`);
    expect(newSegment.status).toBe(404);

    // A's records relabelled as B's: the ids exist in another workspace, so nothing is taken over.
    const bBefore = await snapshot(b.token);
    const relabelled = exported.stdout.replaceAll(a.workspace_id, b.workspace_id);
    await refused(relabelled, /belongs to another workspace/);
    expect(await snapshot(b.token)).toEqual(bBefore);

    // A contact moved to another customer of the file: valid as a file, refused by the database check.
    const records = lines.map((l) => JSON.parse(l) as { table: string; row: Record<string, unknown> });
    const customerIds = records.filter((r) => r.table === 'customers').map((r) => r.row.id);
    const linked = new Set(records.filter((r) => r.table === 'addresses').map((r) => r.row.contact_id));
    const movable = records.find((r) => r.table === 'contacts' && !linked.has(r.row.id))!;
    const moved = records.map((r) =>
      r === movable ? { ...r, row: { ...r.row, customer_id: customerIds.find((id) => id !== r.row.customer_id) } } : r,
    );
    await refused(moved.map((r) => JSON.stringify(r)).join('\n'), /would move a contact or address to another customer/);
    expect((await cli('export', ['--workspace', a.workspace_id])).stdout).toBe(exported.stdout);

    // Bad arguments: usage and exit code 2 (these runs are independent, so they go in parallel).
    const usage = [
      ['export', []],
      ['export', ['--workspace', 'no spaces']],
      ['export', ['--workspace', 'x'.repeat(65)]],
      ['export', ['--workspace', 'ok', '--remote']],
      ['export', ['--workspace', 'ok', 'extra']],
      ['import', ['--file']],
      ['import', ['--bogus']],
      ['export', ['--url', 'http://127.0.0.1:1', '--page-size', '0']],
      ['export', ['--workspace', 'ok', '--resume']],
    ] as const;
    const results = await Promise.all(usage.map(([name, args]) => cli(name, [...args])));
    for (const [i, result] of results.entries()) {
      expect(result.status, usage[i]!.join(' ')).toBe(2);
      expect(result.stderr).toContain('usage:');
    }
    const missing = await cli('import', ['--file', join(state, 'missing.ndjson')]);
    expect(missing.status).toBe(1);
    expect(missing.stderr).toContain('Cannot read');
  }, 300_000);
});
