/**
 * Idempotency-Key on every keyed write (canonical POST/PATCH, AmbioSys create,
 * Upwell POSTs and PUTs): replay of the recorded response, refusal of a key
 * reused for another request, workspace scope, failures that record nothing,
 * the D1 round-trip budget, the 24 h retention and the purge of expired keys.
 * One key sent several times at once: concurrency.test.ts.
 */
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { ambiosysError, canonicalError, upwellError } from '../errors';
import { addressBody, contactBody, createAddress, createContact, createCustomer, createSegment, MISSING_ID, segmentBody, upwellAddress, upwellContact } from '../fixtures';
import { api, freeze, ISO, snapshot, workspace, type ApiResponse, type CallOptions } from '../helpers';

const DAY_MS = 24 * 60 * 60 * 1000;
type Workspace = Awaited<ReturnType<typeof workspace>>;
type Body = Record<string, unknown>;
interface Write {
  method: string;
  path: string;
  body: Body;
  status: number;
  headers?: Record<string, string>;
}

const newKey = () => `key-${crypto.randomUUID()}`;
const keyed = (token: string, key: string, body: unknown, extra: CallOptions = {}): CallOptions => ({
  token,
  body,
  ...extra,
  headers: { 'Idempotency-Key': key, ...extra.headers },
});

interface KeyRow {
  workspace_id: string;
  key: string;
  fingerprint: string;
  result: string | null;
  created_at: number;
  expires_at: number;
}
const keyRows = async (workspaceId: string) =>
  (await env.DB.prepare('SELECT * FROM idempotency_keys WHERE workspace_id = ? ORDER BY key').bind(workspaceId).all<KeyRow>()).results;
const counter = async (workspaceId: string) =>
  (await env.DB.prepare('SELECT customers FROM workspace_counters WHERE workspace_id = ?').bind(workspaceId).first<number>('customers')) ?? 0;

/** Every row of the workspace, its key records and its customer counter: what a replay must leave alone. */
const state = async (workspaceId: string) => ({
  rows: await snapshot(workspaceId),
  keys: await keyRows(workspaceId),
  counter: await counter(workspaceId),
});

/**
 * Sends `write` under a fresh key, then again: the first performs the write in
 * one D1 round trip, the retry answers the same status, the same bytes and the
 * same ETag with `Idempotent-Replayed: true`, and writes nothing.
 */
async function replayed(ws: Workspace, write: Write): Promise<ApiResponse> {
  const options = keyed(ws.token, newKey(), write.body);
  const first = await api(write.method, write.path, options);
  expect(first.status, JSON.stringify(first.body)).toBe(write.status);
  expect(first.usage.d1).toBe(1);
  expect(first.headers.get('Idempotent-Replayed')).toBeNull();
  const after = await state(ws.workspaceId);
  expect(after.keys).toHaveLength(1);

  for (let i = 0; i < 2; i++) {
    const again = await api(write.method, write.path, { ...options, maxD1: 2 });
    expect(again.status).toBe(write.status);
    expect(JSON.stringify(again.body)).toBe(JSON.stringify(first.body));
    expect(again.headers.get('ETag')).toBe(first.headers.get('ETag'));
    expect(again.headers.get('Idempotent-Replayed')).toBe('true');
    expect(await state(ws.workspaceId)).toEqual(after);
  }
  return first;
}

const upwellInput = (fields: Body = {}) => ({
  name: 'Globex',
  emailAddress: 'ar@globex.test',
  addresses: { data: [upwellAddress({ type: 'BILLING' })] },
  contacts: { data: [upwellContact()] },
  customerRule: { dueOption: 30 },
  ...fields,
});

/** Every keyed write, given a fresh workspace: what to send and the status it answers. */
const WRITES: [string, (ws: Workspace) => Promise<Write>][] = [
  ['POST /api/customers', async () => ({ method: 'POST', path: '/api/customers', body: { name: 'Acme', type: 'company', tax_ids: [{ tax: 'VAT', tax_value: 'FR1' }] }, status: 201 })],
  ['PATCH /api/customers/{id}', async ({ token }) => ({ method: 'PATCH', path: `/api/customers/${(await createCustomer(token)).id}`, body: { name: 'Renamed', tax_ids: [{ tax: 'VAT', tax_value: 'FR2' }] }, status: 200 })],
  ['POST /api/contacts', async ({ token }) => ({ method: 'POST', path: '/api/contacts', body: contactBody((await createCustomer(token)).id), status: 201 })],
  ['PATCH /api/contacts/{id}', async ({ token }) => ({ method: 'PATCH', path: `/api/contacts/${(await createContact(token, (await createCustomer(token)).id)).id}`, body: { first_name: 'Grace', role: ['billing'] }, status: 200 })],
  ['POST /api/addresses', async ({ token }) => ({ method: 'POST', path: '/api/addresses', body: addressBody((await createCustomer(token)).id), status: 201 })],
  ['PATCH /api/addresses/{id}', async ({ token }) => ({ method: 'PATCH', path: `/api/addresses/${(await createAddress(token, (await createCustomer(token)).id)).id}`, body: { city: 'Lyon' }, status: 200 })],
  ['POST /api/segments', async () => ({ method: 'POST', path: '/api/segments', body: segmentBody({ reference: 'ENT', description: 'Big ones' }), status: 201 })],
  ['PATCH /api/segments/{id}', async ({ token }) => ({ method: 'PATCH', path: `/api/segments/${(await createSegment(token)).id}`, body: { description: 'Changed' }, status: 200 })],
  ['POST /api/customers/create (AmbioSys)', async () => ({ method: 'POST', path: '/api/customers/create', body: { name: 'Acme', legal_name: 'Acme Ltd', tax_id: 'FR1', contact_origin: 'REFERRAL' }, status: 201 })],
  ['POST /api/rest/customers (Upwell)', async () => ({ method: 'POST', path: '/api/rest/customers', body: { input: upwellInput() }, status: 200 })],
  ['POST /api/rest/bulk-customers (Upwell)', async () => ({ method: 'POST', path: '/api/rest/bulk-customers', body: { inputs: [upwellInput(), upwellInput({ name: 'Initech' })] }, status: 200 })],
  ['PUT /api/rest/customers/{id} (Upwell)', async ({ token }) => ({ method: 'PUT', path: `/api/rest/customers/${(await createCustomer(token)).id}`, body: { input: { name: 'Renamed', collectorId: 'c-1' }, customerRulesInput: { dueOption: 45 } }, status: 200 })],
  ['PUT /api/rest/customers (Upwell, by source)', async ({ token }) => {
    await createCustomer(token, { source_system: 'sf', source_system_id: '1' });
    return { method: 'PUT', path: '/api/rest/customers', body: { sourceSystem: 'sf', sourceSystemId: '1', input: { name: 'Renamed' } }, status: 200 };
  }],
];

describe('replaying a keyed write', () => {
  it.each(WRITES)('%s: a retry replays the recorded response and writes nothing', async (_, setup) => {
    const ws = await workspace();
    const write = await setup(ws);
    const first = await replayed(ws, write);
    if (write.path !== '/api/rest/bulk-customers') expect(first.headers.get('ETag')).toMatch(/^"\d+-[0-9a-f]+"$/);
  });

  it('a replayed create leaves one customer and does not advance the customer counter', async () => {
    const ws = await workspace();
    const first = await replayed(ws, { method: 'POST', path: '/api/customers', body: { name: 'Acme', type: 'company' }, status: 201 });
    expect(first.body.data.number).toBe(1);
    expect((await snapshot(ws.workspaceId)).customers).toHaveLength(1);
    expect(await counter(ws.workspaceId)).toBe(1);
    expect((await createCustomer(ws.token)).number).toBe(2);
  });

  it('a replayed AmbioSys create answers the same customer_id', async () => {
    const ws = await workspace();
    const first = await replayed(ws, { method: 'POST', path: '/api/customers/create', body: { name: 'Acme' }, status: 201 });
    expect(first.body).toEqual({ success: true, customer: expect.objectContaining({ customer_id: 1, name: 'Acme' }) });
    expect((await snapshot(ws.workspaceId)).customers).toHaveLength(1);
  });

  it('a replayed PATCH returns the record as that PATCH returned it, even after a later change', async () => {
    const { token } = await workspace();
    const customer = await createCustomer(token);
    const path = `/api/customers/${customer.id}`;
    const options = keyed(token, newKey(), { name: 'Second' });
    const first = await api('PATCH', path, options);
    expect(first.status).toBe(200);
    expect(first.body).toEqual({ success: true, data: { ...customer, name: 'Second', updated_at: expect.stringMatching(ISO) } });
    expect(first.headers.get('ETag')).toMatch(/^"2-[0-9a-f]+"$/);

    const later = await api('PATCH', path, { token, body: { name: 'Third' } });
    expect(later.headers.get('ETag')).toMatch(/^"3-[0-9a-f]+"$/);
    const again = await api('PATCH', path, { ...options, maxD1: 2 });
    expect(again.status).toBe(200);
    expect(JSON.stringify(again.body)).toBe(JSON.stringify(first.body));
    expect(again.headers.get('ETag')).toBe(first.headers.get('ETag'));
    expect(again.headers.get('Idempotent-Replayed')).toBe('true');
    const now = await api('GET', path, { token });
    expect(now.body.data.name).toBe('Third');
    expect(now.headers.get('ETag')).toMatch(/^"3-[0-9a-f]+"$/);
  });

  it('a retry of a PATCH sent with If-Match replays it instead of failing the now stale precondition', async () => {
    const { token } = await workspace();
    const customer = await createCustomer(token);
    const path = `/api/customers/${customer.id}`;
    const etag = (await api('GET', path, { token })).headers.get('ETag')!;
    const options = keyed(token, newKey(), { name: 'Second' }, { headers: { 'If-Match': etag } });
    const first = await api('PATCH', path, options);
    expect(first.status).toBe(200);
    const again = await api('PATCH', path, { ...options, maxD1: 2 });
    expect(again.status).toBe(200);
    expect(JSON.stringify(again.body)).toBe(JSON.stringify(first.body));
    expect(again.headers.get('Idempotent-Replayed')).toBe('true');
  });
});

describe('the Idempotency-Key header', () => {
  const post = (token: string, key: string) => api('POST', '/api/customers', keyed(token, key, { name: 'Acme', type: 'company' }));

  it('accepts 1 to 255 printable ASCII characters', async () => {
    const { workspaceId, token } = await workspace();
    const printable = Array.from({ length: 0x7e - 0x21 + 1 }, (_, i) => String.fromCharCode(0x21 + i)).join('');
    for (const key of ['k', 'x'.repeat(255), printable, 'with inner spaces']) {
      const res = await post(token, key);
      expect(res.status, `${key}: ${JSON.stringify(res.body)}`).toBe(201);
      expect(res.headers.get('Idempotent-Replayed')).toBeNull();
    }
    expect((await keyRows(workspaceId)).map((r) => r.key).sort()).toEqual(['k', 'x'.repeat(255), printable, 'with inner spaces'].sort());
  });

  it('rejects an empty, too long or non-ASCII key with a 400 naming Idempotency-Key, writing nothing', async () => {
    const { workspaceId, token } = await workspace();
    const unchanged = await freeze(workspaceId);
    for (const key of ['', 'x'.repeat(256), 'clé', 'tab\there']) {
      const res = await post(token, key);
      expect(res.body, JSON.stringify(key)).toEqual(canonicalError('validation_error', 'Idempotency-Key'));
      expect(res.status).toBe(400);
    }
    await unchanged();
    expect(await keyRows(workspaceId)).toEqual([]);
  });

  it('is named in the AmbioSys and Upwell error shapes too', async () => {
    const { workspaceId, token } = await workspace();
    const unchanged = await freeze(workspaceId);
    const bad = 'x'.repeat(256);
    const ambiosys = await api('POST', '/api/customers/create', keyed(token, bad, { name: 'Acme' }));
    expect(ambiosys.body).toEqual(ambiosysError('Idempotency-Key'));
    expect(ambiosys.status).toBe(400);
    const upwell = await api('POST', '/api/rest/customers', keyed(token, bad, { input: { name: 'Acme' } }));
    expect(upwell.body).toEqual(upwellError('VALIDATION_ERROR', 'Idempotency-Key'));
    expect(upwell.status).toBe(400);
    await unchanged();
  });

  it('records the key with the write, kept for 24 hours; writes without a key record nothing', async () => {
    const { workspaceId, token } = await workspace();
    const plain = await api('POST', '/api/customers', { token, body: { name: 'Plain', type: 'company' } });
    expect(plain.status).toBe(201);
    expect(plain.usage.d1).toBe(1);
    expect(plain.headers.get('Idempotent-Replayed')).toBeNull();
    expect(await keyRows(workspaceId)).toEqual([]);

    const before = Date.now();
    const res = await post(token, 'retention');
    expect(res.status).toBe(201);
    expect(res.usage.d1).toBe(1);
    const [row, ...others] = await keyRows(workspaceId);
    expect(others).toEqual([]);
    expect(row).toEqual({
      workspace_id: workspaceId,
      key: 'retention',
      fingerprint: expect.any(String),
      result: expect.any(String),
      created_at: expect.any(Number),
      expires_at: expect.any(Number),
    });
    expect(row!.created_at).toBeGreaterThanOrEqual(before);
    expect(row!.expires_at - row!.created_at).toBe(DAY_MS);
  });
});

describe('a key reused for another request', () => {
  it('is refused with 422 idempotency_key_reused for another body, path or method, writing nothing', async () => {
    const { workspaceId, token } = await workspace();
    const key = newKey();
    const created = await api('POST', '/api/customers', keyed(token, key, { name: 'Acme', type: 'company' }));
    expect(created.status).toBe(201);
    const id = created.body.data.id;
    const unchanged = await freeze(workspaceId);
    const keys = await keyRows(workspaceId);
    const reuses: [string, string, unknown][] = [
      ['POST', '/api/customers', { name: 'Other', type: 'company' }],
      ['POST', '/api/customers', { name: 'Acme', type: 'individual' }],
      ['POST', '/api/segments', { name: 'Acme' }],
      ['POST', '/api/contacts', contactBody(id)],
      ['PATCH', `/api/customers/${id}`, { name: 'Acme', type: 'company' }],
    ];
    for (const [method, path, body] of reuses) {
      const res = await api(method, path, keyed(token, key, body, { maxD1: 2 }));
      expect(res.body, `${method} ${path}`).toEqual(canonicalError('idempotency_key_reused'));
      expect(res.status).toBe(422);
      expect(res.headers.get('Idempotent-Replayed')).toBeNull();
    }
    await unchanged();
    expect(await keyRows(workspaceId)).toEqual(keys);
  });

  it('is refused in the Upwell and AmbioSys error shapes', async () => {
    const { workspaceId, token } = await workspace();
    const key = newKey();
    expect((await api('POST', '/api/rest/customers', keyed(token, key, { input: { name: 'Acme' } }))).status).toBe(200);
    const unchanged = await freeze(workspaceId);
    const upwell = await api('POST', '/api/rest/customers', keyed(token, key, { input: { name: 'Other' } }, { maxD1: 2 }));
    expect(upwell.body).toEqual(upwellError('IDEMPOTENCY_KEY_REUSED'));
    expect(upwell.status).toBe(422);
    const ambiosys = await api('POST', '/api/customers/create', keyed(token, key, { name: 'Acme' }, { maxD1: 2 }));
    expect(ambiosys.body).toEqual(ambiosysError());
    expect(ambiosys.status).toBe(422);
    await unchanged();
  });
});

describe('workspace scope', () => {
  it('the same key and request in another workspace is a new write there', async () => {
    const a = await workspace();
    const b = await workspace();
    const body = { name: 'Acme', type: 'company' };
    const inA = await api('POST', '/api/customers', keyed(a.token, 'shared', body));
    const inB = await api('POST', '/api/customers', keyed(b.token, 'shared', body));
    for (const res of [inA, inB]) {
      expect(res.status).toBe(201);
      expect(res.usage.d1).toBe(1);
      expect(res.headers.get('Idempotent-Replayed')).toBeNull();
    }
    expect(inB.body.data.id).not.toBe(inA.body.data.id);
    expect(inB.body.data.workspace_id).toBe(b.workspaceId);
    expect((await snapshot(a.workspaceId)).customers).toHaveLength(1);
    expect((await snapshot(b.workspaceId)).customers).toHaveLength(1);
    // A different request under the same key in B does not collide with A's record either.
    const reused = await api('POST', '/api/customers', keyed(b.token, 'shared', { name: 'Other', type: 'company' }, { maxD1: 2 }));
    expect(reused.status).toBe(422);
  });
});

describe('failed writes record nothing', () => {
  /** `failed` fails with `status` and records no key; `fixed`, under the same key, then writes. */
  async function thenWrites(ws: Workspace, key: string, failed: Write, fixed: Write) {
    const unchanged = await freeze(ws.workspaceId);
    const res = await api(failed.method, failed.path, keyed(ws.token, key, failed.body, { headers: failed.headers }));
    expect(res.status, JSON.stringify(res.body)).toBe(failed.status);
    await unchanged();
    const recorded = await keyRows(ws.workspaceId);
    const ok = await api(fixed.method, fixed.path, keyed(ws.token, key, fixed.body, { headers: fixed.headers, maxD1: 2 }));
    expect(ok.status, JSON.stringify(ok.body)).toBe(fixed.status);
    expect(ok.usage.d1).toBe(1);
    expect(recorded).toEqual([]);
    expect(ok.headers.get('Idempotent-Replayed')).toBeNull();
    expect(await keyRows(ws.workspaceId)).toHaveLength(1);
    return ok;
  }

  it('a validation failure (400)', async () => {
    const ws = await workspace();
    await thenWrites(ws, 'k', { method: 'POST', path: '/api/customers', body: { name: 'Acme', type: 'person' }, status: 400 }, { method: 'POST', path: '/api/customers', body: { name: 'Acme', type: 'company' }, status: 201 });
  });

  it('an invalid reference (400 invalid_reference)', async () => {
    const ws = await workspace();
    const customer = await createCustomer(ws.token);
    const foreign = await createSegment((await workspace()).token);
    await thenWrites(ws, 'seg', { method: 'POST', path: '/api/customers', body: { name: 'Acme', type: 'company', segment_id: foreign.id }, status: 400 }, { method: 'POST', path: '/api/customers', body: { name: 'Acme', type: 'company' }, status: 201 });
    const before = await keyRows(ws.workspaceId);
    const res = await api('POST', '/api/contacts', keyed(ws.token, 'contact', contactBody(MISSING_ID)));
    expect(res.body).toEqual(canonicalError('invalid_reference', 'customer_id'));
    expect(await keyRows(ws.workspaceId)).toEqual(before);
    const ok = await api('POST', '/api/contacts', keyed(ws.token, 'contact', contactBody(customer.id)));
    expect(ok.status).toBe(201);
  });

  it('a missing record (404)', async () => {
    const ws = await workspace();
    const customer = await createCustomer(ws.token);
    await thenWrites(ws, 'k', { method: 'PATCH', path: `/api/customers/${MISSING_ID}`, body: { name: 'X' }, status: 404 }, { method: 'PATCH', path: `/api/customers/${customer.id}`, body: { name: 'X' }, status: 200 });
  });

  it('a missing record (404) on a PATCH that sets nothing', async () => {
    const ws = await workspace();
    const customer = await createCustomer(ws.token);
    await thenWrites(ws, 'k', { method: 'PATCH', path: `/api/customers/${MISSING_ID}`, body: {}, status: 404 }, { method: 'PATCH', path: `/api/customers/${customer.id}`, body: {}, status: 200 });
  });

  it('a missing record (404) on an Upwell PUT', async () => {
    const ws = await workspace();
    const customer = await createCustomer(ws.token);
    await thenWrites(ws, 'k', { method: 'PUT', path: `/api/rest/customers/${MISSING_ID}`, body: { input: { name: 'X' } }, status: 404 }, { method: 'PUT', path: `/api/rest/customers/${customer.id}`, body: { input: { name: 'X' } }, status: 200 });
  });

  it('a failed precondition (412): the same request with the current ETag then writes', async () => {
    const ws = await workspace();
    const customer = await createCustomer(ws.token);
    const path = `/api/customers/${customer.id}`;
    const etag = (await api('GET', path, { token: ws.token })).headers.get('ETag')!;
    expect((await api('PATCH', path, { token: ws.token, body: { name: 'Moved on' } })).status).toBe(200);
    const stale = { method: 'PATCH', path, body: { name: 'Mine' }, status: 412, headers: { 'If-Match': etag } };
    const current = (await api('GET', path, { token: ws.token })).headers.get('ETag')!;
    const ok = await thenWrites(ws, 'k', stale, { ...stale, status: 200, headers: { 'If-Match': current } });
    expect(ok.body.data.name).toBe('Mine');
    expect(ok.headers.get('ETag')).toMatch(/^"3-[0-9a-f]+"$/);
  });

  it('a failed precondition (412) on a PATCH that sets nothing is not replayed as a success', async () => {
    const ws = await workspace();
    const customer = await createCustomer(ws.token);
    const path = `/api/customers/${customer.id}`;
    const etag = (await api('GET', path, { token: ws.token })).headers.get('ETag')!;
    expect((await api('PATCH', path, { token: ws.token, body: { name: 'Moved on' } })).status).toBe(200);
    const options = keyed(ws.token, 'k', {}, { headers: { 'If-Match': etag }, maxD1: 2 });
    for (let i = 0; i < 2; i++) {
      const res = await api('PATCH', path, options);
      expect(res.body, `attempt ${i + 1}`).toEqual(canonicalError('precondition_failed'));
      expect(res.status).toBe(412);
    }
    expect(await keyRows(ws.workspaceId)).toEqual([]);
  });

  it('a conflicting create (409 already_exists)', async () => {
    const ws = await workspace();
    await createCustomer(ws.token, { source_system: 'sf', source_system_id: '1' });
    const body = (id: string) => ({ name: 'Acme', type: 'company', source_system: 'sf', source_system_id: id });
    await thenWrites(ws, 'k', { method: 'POST', path: '/api/customers', body: body('1'), status: 409 }, { method: 'POST', path: '/api/customers', body: body('2'), status: 201 });
  });
});

describe('expired keys', () => {
  const insertKey = (workspaceId: string, key: string, createdAt: number) =>
    env.DB.prepare('INSERT INTO idempotency_keys (workspace_id, key, fingerprint, result, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)')
      .bind(workspaceId, key, 'f'.repeat(64), 'true', createdAt, createdAt + DAY_MS)
      .run();

  it('are purged by a keyed write', async () => {
    const ws = await workspace();
    const elsewhere = await workspace();
    const old = Date.now() - DAY_MS - 60_000;
    await insertKey(elsewhere.workspaceId, 'expired', old);
    await insertKey(elsewhere.workspaceId, 'live', Date.now() - 60_000);
    expect((await api('POST', '/api/customers', { token: ws.token, body: { name: 'Acme', type: 'company' } })).status).toBe(201);
    expect((await keyRows(elsewhere.workspaceId)).map((r) => r.key)).toEqual(['expired', 'live']);
    const res = await api('POST', '/api/customers', keyed(ws.token, 'fresh', { name: 'Acme', type: 'company' }));
    expect(res.status).toBe(201);
    expect(res.usage.d1).toBe(1);
    expect((await keyRows(elsewhere.workspaceId)).map((r) => r.key)).toEqual(['live']);
  });

  it('can be reused for a new write', async () => {
    const { workspaceId, token } = await workspace();
    await insertKey(workspaceId, 'reused', Date.now() - DAY_MS - 60_000);
    const res = await api('POST', '/api/customers', keyed(token, 'reused', { name: 'Acme', type: 'company' }));
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.usage.d1).toBe(1);
    expect(res.headers.get('Idempotent-Replayed')).toBeNull();
    expect(res.body.data.name).toBe('Acme');
    expect((await snapshot(workspaceId)).customers).toHaveLength(1);
    const [row] = await keyRows(workspaceId);
    expect(row!.fingerprint).not.toBe('f'.repeat(64));
    expect(row!.expires_at).toBeGreaterThan(Date.now());
    // And the new record replays.
    const again = await api('POST', '/api/customers', keyed(token, 'reused', { name: 'Acme', type: 'company' }, { maxD1: 2 }));
    expect(again.headers.get('Idempotent-Replayed')).toBe('true');
    expect(again.body).toEqual(res.body);
  });
});

describe('records written before the snapshot format changed', () => {
  it('replay: a row recorded as one JSON object (not split into 16-field objects) reads back the same', async () => {
    const { workspaceId, token } = await workspace();
    const request = keyed(token, 'old-format', { name: 'Acme', type: 'company' });
    const first = await api('POST', '/api/customers', request);
    expect(first.status).toBe(201);
    // Rewrite the record as the format before it (one object per row), keeping its fingerprint.
    const [row] = await keyRows(workspaceId);
    const merged = (JSON.parse(row!.result!) as Record<string, unknown>[][]).map((parts) => Object.assign({}, ...parts));
    await env.DB.prepare('UPDATE idempotency_keys SET result = ? WHERE workspace_id = ? AND key = ?').bind(JSON.stringify(merged), workspaceId, 'old-format').run();
    const replay = await api('POST', '/api/customers', keyed(token, 'old-format', { name: 'Acme', type: 'company' }, { maxD1: 2 }));
    expect(replay.headers.get('Idempotent-Replayed')).toBe('true');
    expect(replay.body).toEqual(first.body);
  });
});
