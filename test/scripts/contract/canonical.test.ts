/**
 * The canonical API (tag Canonical) driven for real through `call()`, which
 * holds every response to public/openapi.json: each route's successes and
 * the errors a client can get from it. The last test fails unless every
 * Canonical operation of the document answered at least one success and one
 * error here.
 */
import { describe, expect, it } from 'vitest';
import {
  call,
  expectCoverage,
  expectMethodsNotAllowed,
  expectReadScopeRequired,
  expectStatus,
  ISO,
  type Json,
  MISSING_ID,
  newAddress,
  newContact,
  newCustomer,
  newSegment,
  receiverUrl,
  type Reply,
  serve,
  tokens,
  unique,
  UUID,
} from './support.ts';

serve();

/** A canonical error body: its code, its message, the request id of its X-Request-Id, and the paths of its issues. */
function expectError(reply: Reply, status: number, code: string, issuePaths?: string[]) {
  expect(reply.status, reply.text).toBe(status);
  expect(reply.body).toMatchObject({ success: false, code, error: expect.any(String), request_id: reply.headers['x-request-id'] });
  if (issuePaths) expect(reply.body.issues.map((i: { path: string }) => i.path)).toEqual(expect.arrayContaining(issuePaths));
}

const BIG = 'x'.repeat(70 * 1024);

/** What each resource needs for the five routes every resource has. */
interface ResourceCase {
  path: string;
  /** A valid create body (fresh parents made as needed). */
  body(): Promise<Json>;
  /** A create body missing its required fields: the 400's issues name them. */
  required: string[];
  patch: Json;
  /** A PATCH the declaration refuses, and the field it names. */
  badPatch: [Json, string];
}

const RESOURCES: ResourceCase[] = [
  {
    path: '/api/customers',
    // An untyped and a typed tax id: the typed one is checked by the jobs Worker and shows its VIES verification.
    body: async () => ({ name: unique('Acme'), type: 'company', tax_ids: [{ tax: 'VAT', tax_value: 'FR12345678901' }, { tax: 'VAT', tax_value: 'DE 136 695 976', type: 'eu_vat' }] }),
    required: ['name', 'type'],
    patch: { legal_name: 'Acme SAS', tax_ids: [] },
    badPatch: [{ type: 'partnership' }, 'type'],
  },
  {
    path: '/api/contacts',
    body: async () => ({ customer_id: (await newCustomer()).id, first_name: 'Grace', last_name: 'Hopper', email: 'grace@example.com', role: ['billing'] }),
    required: ['customer_id', 'first_name', 'last_name', 'email'],
    patch: { phone: '+33 1 23 45 67 89', role: ['buyer', 'buyer'] },
    badPatch: [{ email: 'not an address' }, 'email'],
  },
  {
    path: '/api/addresses',
    body: async () => ({ customer_id: (await newCustomer()).id, type: 'shipping', address_line1: '5 Av. Anatole France', city: 'Paris', postal_code: '75007', country: 'fr' }),
    required: ['customer_id', 'type', 'address_line1', 'city', 'postal_code', 'country'],
    patch: { comment: 'Ring twice', state: null },
    badPatch: [{ country: 'XX' }, 'country'],
  },
  {
    path: '/api/segments',
    body: async () => ({ name: unique('Key accounts'), description: 'Our largest customers' }),
    required: ['name'],
    patch: { reference: 'KA-1' },
    badPatch: [{ name: null }, 'name'],
  },
];

describe.each(RESOURCES)('$path: the five routes', (r) => {
  let record: Json;
  let etag: string;

  it('POST creates (201, ETag), replays an Idempotency-Key, and refuses what it must', async () => {
    const body = await r.body();
    const key = `create-${r.path}-${Date.now()}`;
    const created = await expectStatus(201, 'POST', r.path, { body, headers: { 'Idempotency-Key': key } });
    record = created.body.data;
    etag = created.headers.etag!;
    expect(record).toMatchObject({ id: expect.stringMatching(UUID), workspace_id: tokens().write.workspace_id, created_at: expect.stringMatching(ISO) });
    expect(etag).toMatch(/^"1-[0-9a-f]{16}"$/);
    if (r.path === '/api/addresses') expect(record.country).toBe('FR');

    const replay = await expectStatus(201, 'POST', r.path, { body, headers: { 'Idempotency-Key': key } });
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expect(replay.body).toEqual(created.body);
    expectError(await call('POST', r.path, { body: { ...body, ...r.patch }, headers: { 'Idempotency-Key': key } }), 422, 'idempotency_key_reused');

    expectError(await call('POST', r.path, { body: {} }), 400, 'validation_error', r.required);
    expectError(await call('POST', r.path, { body: { ...body, surprise: 1 } }), 400, 'validation_error', ['surprise']);
    expectError(await call('POST', r.path, { body: '{"name":' }), 400, 'invalid_json');
    expectError(await call('POST', r.path, { body: '[]' }), 400, 'invalid_json');
    expectError(await call('POST', r.path, { body: JSON.stringify(body), headers: { 'Content-Type': 'text/plain' } }), 415, 'unsupported_media_type');
    expectError(await call('POST', r.path, { body: { ...body, name: BIG } }), 413, 'payload_too_large');
    expectError(await call('POST', r.path, { body, token: null }), 401, 'unauthorized');
    expectError(await call('POST', r.path, { body, token: 'read' }), 403, 'forbidden');
  });

  it('GET lists in pages, by id or by last change, and refuses unknown parameters', async () => {
    await call('POST', r.path, { body: await r.body() });
    const first = await expectStatus(200, 'GET', r.path, { query: { limit: 1 } });
    expect(first.body).toMatchObject({ success: true, has_more: true, next_cursor: expect.any(String) });
    expect(first.body.data).toHaveLength(1);
    const next = await expectStatus(200, 'GET', r.path, { query: { limit: 100, cursor: first.body.next_cursor } });
    expect(next.body.data.map((x: Json) => x.id)).not.toContain(first.body.data[0].id);
    expect(next.body).toMatchObject({ has_more: false, next_cursor: null });

    const synced = await expectStatus(200, 'GET', r.path, { query: { updated_since: record.updated_at, limit: 100 } });
    expect(synced.body.data.map((x: Json) => x.id)).toContain(record.id);

    const head = await expectStatus(200, 'HEAD', r.path);
    expect(head.text).toBe('');
    expectError(await call('GET', r.path, { query: { colour: 'blue' } }), 400, 'validation_error', ['colour']);
    expectError(await call('GET', r.path, { query: { limit: 0 } }), 400, 'validation_error', ['limit']);
    expectError(await call('GET', r.path, { query: { order: 'id', updated_since: record.updated_at } }), 400, 'validation_error', ['updated_since']);
    const expired = await call('GET', r.path, { token: 'expired' });
    expectError(expired, 401, 'unauthorized');
    expect(expired.headers['www-authenticate']).toBe('Bearer');
  });

  it('GET /{id} returns the record with its ETag, 304 when unchanged, 404 for ids it cannot see', async () => {
    const one = await expectStatus(200, 'GET', `${r.path}/${record.id}`, { token: 'read' });
    expect(one.body.data).toMatchObject({ id: record.id });
    expect(one.headers.etag).toBeDefined();
    const unchanged = await expectStatus(304, 'GET', `${r.path}/${record.id}`, { headers: { 'If-None-Match': one.headers.etag! } });
    expect(unchanged.text).toBe('');
    expect(unchanged.headers.etag).toBe(one.headers.etag);
    expect((await expectStatus(200, 'HEAD', `${r.path}/${record.id}`)).text).toBe('');

    expectError(await call('GET', `${r.path}/${MISSING_ID}`), 404, 'not_found');
    expectError(await call('GET', `${r.path}/not-a-uuid`), 404, 'not_found');
    expectError(await call('GET', `${r.path}/${record.id}`, { token: 'other' }), 404, 'not_found');
    expectError(await call('GET', `${r.path}/${record.id}`, { token: `qwt_dev_${'0'.repeat(64)}` }), 401, 'unauthorized');
  });

  it('PATCH changes what is sent (a new ETag), and refuses a stale If-Match', async () => {
    const patched = await expectStatus(200, 'PATCH', `${r.path}/${record.id}`, { body: r.patch, headers: { 'If-Match': etag } });
    for (const [field, value] of Object.entries(r.patch)) {
      expect(patched.body.data[field]).toEqual(Array.isArray(value) ? [...new Set(value)] : value);
    }
    expect(patched.headers.etag).toMatch(/^"2-/);
    expect(Date.parse(patched.body.data.updated_at)).toBeGreaterThan(Date.parse(record.updated_at));

    expectError(await call('PATCH', `${r.path}/${record.id}`, { body: r.patch, headers: { 'If-Match': etag } }), 412, 'precondition_failed');
    expectError(await call('PATCH', `${r.path}/${record.id}`, { body: r.patch, headers: { 'If-Match': 'yesterday' } }), 400, 'validation_error', ['If-Match']);
    const [bad, field] = r.badPatch;
    expectError(await call('PATCH', `${r.path}/${record.id}`, { body: bad }), 400, 'validation_error', [field]);
    expectError(await call('PATCH', `${r.path}/${MISSING_ID}`, { body: r.patch }), 404, 'not_found');
    expectError(await call('PATCH', `${r.path}/${record.id}`, { body: r.patch, token: 'read' }), 403, 'forbidden');
    etag = patched.headers.etag!;
  });

  it('DELETE removes the record once, under If-Match', async () => {
    expectError(await call('DELETE', `${r.path}/${record.id}`, { headers: { 'If-Match': '"1-0000000000000000"' } }), 412, 'precondition_failed');
    expectError(await call('DELETE', `${r.path}/${record.id}`, { token: 'read' }), 403, 'forbidden');
    const gone = await expectStatus(200, 'DELETE', `${r.path}/${record.id}`, { headers: { 'If-Match': etag } });
    expect(gone.body).toEqual({ success: true, data: { id: record.id, deleted: true } });
    expectError(await call('DELETE', `${r.path}/${record.id}`), 404, 'not_found');
    expectError(await call('GET', `${r.path}/${record.id}`), 404, 'not_found');
  });
});

describe('rules between records', () => {
  it('customers: related ids, search and filters, references, unique source ids', async () => {
    const segment = await newSegment();
    const customer = await newCustomer({ segment_id: segment.id, id_crm: 'CRM-42', source_system: 'erp', source_system_id: `E-${Date.now()}`, metadata: { tier: 'gold' } });
    const contact = await newContact(customer.id);
    const address = await newAddress(customer.id, { contact_id: contact.id });
    const one = await expectStatus(200, 'GET', `/api/customers/${customer.id}`);
    expect(one.body.data).toMatchObject({ contact_ids: [contact.id], address_ids: [address.id], segment_id: segment.id, number: expect.any(Number) });
    // include: the embedded records are validated as the Contact and Address objects they are.
    const embedded = await expectStatus(200, 'GET', `/api/customers/${customer.id}`, { query: { include: 'contacts,addresses' } });
    expect(embedded.body.data).toMatchObject({ contacts: [{ id: contact.id, address_ids: [address.id] }], addresses: [{ id: address.id, contact_id: contact.id }] });
    const page = await expectStatus(200, 'GET', '/api/customers', { query: { id_crm: 'CRM-42', include: 'addresses' } });
    expect(page.body.data).toMatchObject([{ id: customer.id, addresses: [{ id: address.id }] }]);
    expectError(await call('GET', `/api/customers/${customer.id}`, { query: { include: 'tax_ids' } }), 400, 'validation_error', ['include']);
    const billed = await newCustomer({ currency: 'eur', locale: 'fr-fr', timezone: 'europe/paris', payment_terms_days: 45, tax_exempt: 'none', phone: '+33 1' });
    expect(billed).toMatchObject({ currency: 'EUR', locale: 'fr-FR', timezone: 'Europe/Paris', payment_terms_days: 45, tax_exempt: 'none', phone: '+33 1' });
    const byCrm = await expectStatus(200, 'GET', '/api/customers', { query: { id_crm: 'CRM-42', segment_id: segment.id } });
    expect(byCrm.body.data.map((c: Json) => c.id)).toEqual([customer.id]);
    const searched = await expectStatus(200, 'GET', '/api/customers', { query: { q: customer.name.slice(0, 12).toUpperCase() } });
    expect(searched.body.data.map((c: Json) => c.id)).toContain(customer.id);
    expectError(await call('GET', '/api/customers', { query: { q: 'acme', order: 'updated_at' } }), 400, 'validation_error', ['order']);

    const foreign = await newSegment('other');
    expectError(await call('POST', '/api/customers', { body: { name: 'X', type: 'company', segment_id: foreign.id } }), 400, 'invalid_reference', ['segment_id']);
    const duplicate = await call('POST', '/api/customers', { body: { name: 'Y', type: 'individual', source_system: 'erp', source_system_id: customer.source_system_id } });
    expectError(duplicate, 409, 'already_exists', ['source_system_id']);
    const other = await newCustomer();
    const taken = { source_system: 'erp', source_system_id: customer.source_system_id };
    expectError(await call('PATCH', `/api/customers/${other.id}`, { body: taken }), 409, 'already_exists', ['source_system_id']);
  });

  it('contacts and addresses: their customer must be of the workspace, and cannot change', async () => {
    const foreign = await newCustomer({}, 'other');
    expectError(
      await call('POST', '/api/contacts', { body: { customer_id: foreign.id, first_name: 'A', last_name: 'B', email: 'a@example.com' } }),
      400,
      'invalid_reference',
      ['customer_id'],
    );
    const [mine, theirs] = [await newCustomer(), await newCustomer()];
    const contact = await newContact(theirs.id);
    expectError(await call('POST', '/api/addresses', { body: { ...(await RESOURCES[2]!.body()), customer_id: mine.id, contact_id: contact.id } }), 400, 'invalid_reference', ['contact_id']);
    expectError(await call('PATCH', `/api/contacts/${contact.id}`, { body: { customer_id: mine.id } }), 400, 'validation_error', ['customer_id']);
    const listed = await expectStatus(200, 'GET', '/api/contacts', { query: { customer_id: theirs.id } });
    expect(listed.body.data.map((c: Json) => c.id)).toEqual([contact.id]);
  });

  it('segments: a segment customers use cannot be deleted (409)', async () => {
    const segment = await newSegment();
    const customer = await newCustomer({ segment_id: segment.id });
    expectError(await call('DELETE', `/api/segments/${segment.id}`), 409, 'segment_in_use');
    await expectStatus(200, 'PATCH', `/api/customers/${customer.id}`, { body: { segment_id: null } });
    await expectStatus(200, 'DELETE', `/api/segments/${segment.id}`);
  });
});

describe('/api/customers/{id}/archive and /restore, status and metadata filters', () => {
  it('archives (out of the default list), restores; a missing customer is a 404', async () => {
    const customer = await newCustomer({ metadata: { plan: `p-${Date.now()}` } });
    const archived = await expectStatus(200, 'POST', `/api/customers/${customer.id}/archive`);
    expect(archived.body.data).toMatchObject({ id: customer.id, status: 'archived', archived_at: expect.any(String) });
    const listed = await expectStatus(200, 'GET', '/api/customers', { query: { 'metadata[plan]': customer.metadata.plan, status: 'archived' } });
    expect(listed.body.data.map((c: Json) => c.id)).toEqual([customer.id]);
    const active = await expectStatus(200, 'GET', '/api/customers', { query: { 'metadata[plan]': customer.metadata.plan } });
    expect(active.body.data).toEqual([]);
    const restored = await expectStatus(200, 'POST', `/api/customers/${customer.id}/restore`);
    expect(restored.body.data).toMatchObject({ status: 'active', archived_at: null });
    expectError(await call('POST', '/api/customers/0190a000-0000-7000-8000-000000000000/archive'), 404, 'not_found');
    expectError(await call('POST', '/api/customers/0190a000-0000-7000-8000-000000000000/restore'), 404, 'not_found');
    expectError(await call('GET', '/api/customers', { query: { status: 'gone' } }), 400, 'validation_error', ['status']);
  });
});

describe('/api/customers/by_external_id', () => {
  it('PUT creates (201) then updates (200); GET finds it; a shared id is a 409; a bad key a 400', async () => {
    const key = `crm-${Date.now()}`;
    const created = await expectStatus(201, 'PUT', '/api/customers/by_external_id', { query: { id_crm: key }, body: { name: 'Upserted', type: 'company', currency: 'EUR' } });
    expect(created.body.data).toMatchObject({ id_crm: key, name: 'Upserted', currency: 'EUR' });
    const updated = await expectStatus(200, 'PUT', '/api/customers/by_external_id', { query: { id_crm: key }, body: { name: 'Upserted 2', type: 'company' } });
    expect(updated.body.data).toMatchObject({ id: created.body.data.id, name: 'Upserted 2', currency: 'EUR' });
    const found = await expectStatus(200, 'GET', '/api/customers/by_external_id', { query: { id_crm: key, include: 'contacts' } });
    expect(found.body.data).toMatchObject({ id: created.body.data.id, contact_ids: [], contacts: [] });
    expectError(await call('GET', '/api/customers/by_external_id', { query: { id_crm: `none-${key}` } }), 404, 'not_found');
    await newCustomer({ id_erp: `shared-${key}` });
    await newCustomer({ id_erp: `shared-${key}` });
    expectError(await call('GET', '/api/customers/by_external_id', { query: { id_erp: `shared-${key}` } }), 409, 'ambiguous_external_id', ['id_erp']);
    expectError(await call('PUT', '/api/customers/by_external_id', { query: { id_erp: `shared-${key}` }, body: { name: 'X', type: 'company' } }), 409, 'ambiguous_external_id', ['id_erp']);
    expectError(await call('GET', '/api/customers/by_external_id', { query: { id_crm: 'a', id_erp: 'b' } }), 400, 'validation_error', ['id_crm', 'id_erp']);
    expectError(await call('PUT', '/api/customers/by_external_id', { query: { id_crm: key }, body: { type: 'company' } }), 400, 'validation_error', ['name']);
  });
});

describe('/api/export and /api/import', () => {
  /** Every line of the workspace's export, following Export-Cursor to the end. */
  async function exportAll(token: 'write' | 'read' | 'other' = 'read'): Promise<string[]> {
    const lines: string[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < 50; page++) {
      const reply = await expectStatus(200, 'GET', '/api/export', { token, query: { limit: 2, ...(cursor ? { cursor } : {}) } });
      expect(reply.headers['content-type']).toMatch(/^application\/x-ndjson/);
      lines.push(...reply.text.split('\n').filter(Boolean));
      cursor = reply.headers['export-cursor'];
      if (!cursor) return lines;
    }
    throw new Error('export did not end');
  }

  it('GET /api/export pages the workspace as NDJSON, to the counters line', async () => {
    const customer = await newCustomer({ name: unique('Exported') });
    const lines = await exportAll();
    const records = lines.map((line) => JSON.parse(line));
    expect(records.at(-1)).toMatchObject({ table: 'workspace_counters', row: { workspace_id: tokens().write.workspace_id } });
    expect(records.filter((x) => x.table === 'workspace_counters')).toHaveLength(1);
    expect(records.find((x) => x.row.id === customer.id)).toMatchObject({ table: 'customers', row: { name: customer.name } });

    expectError(await call('GET', '/api/export', { query: { cursor: 'invoices:' } }), 400, 'validation_error', ['cursor']);
    expectError(await call('GET', '/api/export', { query: { limit: 5001 } }), 400, 'validation_error', ['limit']);
    expectError(await call('GET', '/api/export', { token: null }), 401, 'unauthorized');
  });

  it('POST /api/import applies NDJSON (again: no change), naming bad lines and refusing foreign ids', async () => {
    const lines = await exportAll('other');
    const text = `${lines.join('\n')}\n`;
    const ndjson = { 'Content-Type': 'application/x-ndjson' };
    const imported = await expectStatus(200, 'POST', '/api/import', { token: 'other', body: text, headers: ndjson });
    const counts = (table: string) => lines.filter((l) => JSON.parse(l).table === table).length;
    expect(imported.body).toEqual({
      success: true,
      data: { imported: { segments: counts('segments'), customers: counts('customers'), contacts: counts('contacts'), addresses: counts('addresses'), workspace_counters: 1 } },
    });
    expect(await exportAll('other')).toEqual(lines);

    expectError(await call('POST', '/api/import', { token: 'other', body: `not json\n${text}`, headers: ndjson }), 400, 'validation_error', ['line 1']);
    expectError(await call('POST', '/api/import', { token: 'other', body: text }), 415, 'unsupported_media_type');
    expectError(await call('POST', '/api/import', { token: 'read', body: text, headers: ndjson }), 403, 'forbidden');
    // Workspace A's records, re-labelled as B's: their ids are A's, so B may not hold them.
    const [mine] = (await exportAll('write')).filter((l) => {
      const { table, row } = JSON.parse(l);
      return table === 'customers' && row.segment_id === null && row.bill_to_customer_id === null;
    });
    const stolen = mine!.replaceAll(tokens().write.workspace_id, tokens().other.workspace_id);
    expectError(await call('POST', '/api/import', { token: 'other', body: `${stolen}\n`, headers: ndjson }), 409, 'already_exists', ['id']);
    const huge = `${JSON.stringify({ table: 'segments', row: { pad: 'x'.repeat(4 * 1024 * 1024) } })}\n`;
    expectError(await call('POST', '/api/import', { token: 'other', body: huge, headers: ndjson }), 413, 'payload_too_large');
  });
});

describe('/api/events', () => {
  let customer: Json;
  let event: Json;

  it('GET /api/events lists a workspace\'s events, filtered and paged', async () => {
    customer = await newCustomer({ name: unique('Evented') });
    await expectStatus(200, 'PATCH', `/api/customers/${customer.id}`, { body: { name: `${customer.name} Group` } });
    const mine = await expectStatus(200, 'GET', '/api/events', { token: 'read', query: { object_id: customer.id } });
    expect(mine.body.data.map((e: Json) => e.type)).toEqual(['customer.created', 'customer.updated']);
    event = mine.body.data[1];
    expect(event).toMatchObject({
      object_id: customer.id,
      api: 'canonical',
      data: { object: { id: customer.id, name: `${customer.name} Group` }, previous_attributes: { name: customer.name } },
    });
    const newest = await expectStatus(200, 'GET', '/api/events', { query: { type: 'customer.*', order: 'desc', limit: 1 } });
    expect(newest.body).toMatchObject({ has_more: true, data: [{ id: event.id }] });
    expect((await expectStatus(200, 'HEAD', '/api/events')).text).toBe('');
    expectError(await call('GET', '/api/events', { query: { type: 'invoice.paid' } }), 400, 'validation_error', ['type']);
    expectError(await call('GET', '/api/events', { query: { cursor: 'abc' } }), 400, 'validation_error', ['cursor']);
    expectError(await call('GET', '/api/events', { token: null }), 401, 'unauthorized');
  });

  it('GET /api/events/{id} returns one event, only to its workspace', async () => {
    const one = await expectStatus(200, 'GET', `/api/events/${event.id}`);
    expect(one.body).toEqual({ success: true, data: event });
    expectError(await call('GET', `/api/events/${event.id}`, { token: 'other' }), 404, 'not_found');
    expectError(await call('GET', `/api/events/${MISSING_ID}`), 404, 'not_found');
    expectError(await call('GET', `/api/events/${event.id}`, { token: 'expired' }), 401, 'unauthorized');
  });

  it('POST /api/events/{id}/redeliver queues the event again (202)', async () => {
    const queued = await expectStatus(202, 'POST', `/api/events/${event.id}/redeliver`);
    expect(queued.body).toEqual({ success: true, data: { event_id: event.id, queued: true } });
    expectError(await call('POST', `/api/events/${event.id}/redeliver`, { token: 'read' }), 403, 'forbidden');
    expectError(await call('POST', `/api/events/${MISSING_ID}/redeliver`), 404, 'not_found');
  });
});

describe('/api/webhook_endpoints', () => {
  const PATH = '/api/webhook_endpoints';
  let endpoint: Json;

  it('POST creates an endpoint and shows its secret once (the same on a replay)', async () => {
    const body = { url: receiverUrl('/hooks'), event_types: ['customer.*'], description: 'contract suite' };
    const created = await expectStatus(201, 'POST', PATH, { body, headers: { 'Idempotency-Key': 'endpoint-1' } });
    endpoint = created.body.data;
    expect(endpoint).toMatchObject({ ...body, enabled: true, disabled_reason: null, secret: expect.stringMatching(/^whsec_[A-Za-z0-9+/]{43}=$/) });
    const replay = await expectStatus(201, 'POST', PATH, { body, headers: { 'Idempotency-Key': 'endpoint-1' } });
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expect(replay.body.data.secret).toBe(endpoint.secret);

    expectError(await call('POST', PATH, { body: { url: 'ftp://example.com/hook' } }), 400, 'validation_error', ['url']);
    expectError(await call('POST', PATH, { body: { url: receiverUrl('/x'), event_types: [] } }), 400, 'validation_error', ['event_types']);
    expectError(await call('POST', PATH, { body, token: 'read' }), 403, 'forbidden');
    expectError(await call('POST', PATH, { body, token: null }), 401, 'unauthorized');
  });

  it('a workspace holds at most 16 endpoints (409 limit_exceeded)', async () => {
    for (let i = 0; i < 16; i++) await expectStatus(201, 'POST', PATH, { token: 'full', body: { url: `https://hooks.example.com/${i}` } });
    expectError(await call('POST', PATH, { token: 'full', body: { url: 'https://hooks.example.com/17' } }), 409, 'limit_exceeded');
  });

  it('GET lists and reads endpoints, never their secrets, with a write token only', async () => {
    const listed = await expectStatus(200, 'GET', PATH);
    expect(listed.body.data.map((e: Json) => e.id)).toContain(endpoint.id);
    const one = await expectStatus(200, 'GET', `${PATH}/${endpoint.id}`);
    expect(one.body.data).not.toHaveProperty('secret');
    expect(one.body.data).toMatchObject({ id: endpoint.id, url: endpoint.url });
    expectError(await call('GET', PATH, { token: 'read' }), 403, 'forbidden');
    expectError(await call('GET', `${PATH}/${endpoint.id}`, { token: 'read' }), 403, 'forbidden');
    expectError(await call('GET', `${PATH}/${endpoint.id}`, { token: 'other' }), 404, 'not_found');
    expectError(await call('GET', PATH, { query: { limit: 101 } }), 400, 'validation_error', ['limit']);
  });

  it('GET /{id}/deliveries lists the attempts of a write\'s event', async () => {
    const customer = await newCustomer({ name: unique('Delivered') });
    const [event] = (await expectStatus(200, 'GET', '/api/events', { query: { object_id: customer.id } })).body.data;
    let delivery: Json;
    for (let i = 0; i < 100 && delivery?.status !== 'succeeded'; i++) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      const rows: Json[] = (await expectStatus(200, 'GET', `${PATH}/${endpoint.id}/deliveries`)).body.data;
      delivery = rows.find((d) => d.event_id === event.id);
    }
    expect(delivery).toMatchObject({ endpoint_id: endpoint.id, status: 'succeeded', attempt: 1, response_status: 204, next_retry_at: null, error: null });
    const paged = await expectStatus(200, 'GET', `${PATH}/${endpoint.id}/deliveries`, { query: { limit: 1 } });
    expect(paged.body).toMatchObject({ data: [{ event_id: event.id }] });
    expectError(await call('GET', `${PATH}/${MISSING_ID}/deliveries`), 404, 'not_found');
    expectError(await call('GET', `${PATH}/${endpoint.id}/deliveries`, { query: { cursor: 'first' } }), 400, 'validation_error', ['cursor']);
    expectError(await call('GET', `${PATH}/${endpoint.id}/deliveries`, { token: 'read' }), 403, 'forbidden');
  });

  it('PATCH, rotate_secret and DELETE', async () => {
    const before = await expectStatus(200, 'GET', `${PATH}/${endpoint.id}`);
    const patched = await expectStatus(200, 'PATCH', `${PATH}/${endpoint.id}`, { body: { enabled: false, event_types: ['*'] }, headers: { 'If-Match': before.headers.etag! } });
    expect(patched.body.data).toMatchObject({ enabled: false, event_types: ['*'] });
    expectError(await call('PATCH', `${PATH}/${endpoint.id}`, { body: { enabled: true }, headers: { 'If-Match': before.headers.etag! } }), 412, 'precondition_failed');
    expectError(await call('PATCH', `${PATH}/${endpoint.id}`, { body: { url: 'http://' } }), 400, 'validation_error', ['url']);
    expectError(await call('PATCH', `${PATH}/${MISSING_ID}`, { body: { enabled: true } }), 404, 'not_found');
    expectError(await call('PATCH', `${PATH}/${endpoint.id}`, { body: { enabled: true }, token: 'read' }), 403, 'forbidden');

    const rotated = await expectStatus(200, 'POST', `${PATH}/${endpoint.id}/rotate_secret`);
    expect(rotated.body.data.secret).toMatch(/^whsec_/);
    expect(rotated.body.data.secret).not.toBe(endpoint.secret);
    expectError(await call('POST', `${PATH}/${MISSING_ID}/rotate_secret`), 404, 'not_found');
    expectError(await call('POST', `${PATH}/${endpoint.id}/rotate_secret`, { token: 'read' }), 403, 'forbidden');

    expectError(await call('DELETE', `${PATH}/${endpoint.id}`, { token: 'read' }), 403, 'forbidden');
    expect((await expectStatus(200, 'DELETE', `${PATH}/${endpoint.id}`)).body).toEqual({ success: true, data: { id: endpoint.id, deleted: true } });
    expectError(await call('DELETE', `${PATH}/${endpoint.id}`), 404, 'not_found');
  });
});

describe('abuse limits', () => {
  it('an address that keeps failing authentication gets 429 with Retry-After', async () => {
    const address = { 'CF-Connecting-IP': '198.51.100.7' };
    let reply: Reply | undefined;
    for (let i = 0; i < 40 && reply?.status !== 429; i++) reply = await call('GET', '/api/customers', { token: `qwt_dev_${'9'.repeat(64)}`, headers: address });
    expectError(reply!, 429, 'rate_limited');
    expect(Number(reply!.headers['retry-after'])).toBeGreaterThan(0);
    // Refused before its token is looked at: a good token from that address waits too.
    expectError(await call('GET', '/api/customers', { headers: address }), 429, 'rate_limited');
  });
});

describe('methods a path does not take', () => {
  it('answers 405 with Allow on every path', async () => {
    const one = (path: string) => `${path}/${MISSING_ID}`;
    const cases: [string, string, string][] = [];
    for (const { path } of RESOURCES) cases.push(['PUT', path, 'GET, HEAD, POST'], ['POST', one(path), 'GET, HEAD, PATCH, DELETE']);
    cases.push(
      ['POST', '/api/export', 'GET, HEAD'],
      ['GET', '/api/import', 'POST'],
      ['DELETE', '/api/events', 'GET, HEAD'],
      ['PUT', one('/api/events'), 'GET, HEAD'],
      ['GET', `${one('/api/events')}/redeliver`, 'POST'],
      ['PUT', '/api/webhook_endpoints', 'GET, HEAD, POST'],
      ['PUT', one('/api/webhook_endpoints'), 'GET, HEAD, PATCH, DELETE'],
      ['GET', `${one('/api/webhook_endpoints')}/rotate_secret`, 'POST'],
      ['POST', `${one('/api/webhook_endpoints')}/deliveries`, 'GET, HEAD'],
    );
    await expectMethodsNotAllowed(cases, (reply) => expectError(reply, 405, 'method_not_allowed'));
  });
});

describe('scopes', () => {
  it('a token without the read scope gets 403 on every read route, and still writes', async () => {
    const one = (path: string) => `${path}/${MISSING_ID}`;
    const cases: [string, string][] = RESOURCES.flatMap(({ path }): [string, string][] => [['GET', path], ['GET', one(path)]]);
    cases.push(['GET', '/api/export'], ['GET', '/api/events'], ['GET', one('/api/events')]);
    await expectReadScopeRequired(cases, (reply) => expectError(reply, 403, 'forbidden'));
    await expectStatus(201, 'POST', '/api/segments', { token: 'writeOnly', body: { name: unique('Written blind') } });
  });
});

describe('the document', () => {
  it('every Canonical operation answered a success and an error', () => {
    console.log(JSON.stringify(expectCoverage('Canonical')));
  });
});
