/**
 * The AmbioSys API (seed 002, tag AmbioSys) driven for real through
 * `call()`, which holds every response to public/openapi.json: each route's
 * successes and the errors a client can get from it. The last test fails
 * unless every AmbioSys operation of the document answered at least one
 * success and one error here.
 */
import { describe, expect, it } from 'vitest';
import { call, expectCoverage, expectMethodsNotAllowed, expectReadScopeRequired, expectStatus, ISO, type Json, newCustomer, type Reply, serve, unique } from './support.ts';

serve();

const CREATE = '/api/customers/create';
const LIST = '/api/customers/getCustomers';

/** An AmbioSys error body: its message, the paths of its details, the request id of its X-Request-Id. */
function expectError(reply: Reply, status: number, detailPaths: string[] = []) {
  expect(reply.status, reply.text).toBe(status);
  expect(reply.body).toEqual({ success: false, error: expect.any(String), details: expect.any(Array), request_id: reply.headers['x-request-id'] });
  expect(reply.body.details.map((d: { path: string }) => d.path)).toEqual(expect.arrayContaining(detailPaths));
  if (detailPaths.length === 0) expect(reply.body.details).toEqual([]);
}

let created: Json;
let etag: string;
const name = unique('Ferretería Ñandú');

describe(`POST ${CREATE}`, () => {
  it('creates a customer (201): trimmed fields, the default origin, a sequential customer_id', async () => {
    const reply = await expectStatus(201, 'POST', CREATE, { body: { name: `  ${name}  `, legal_name: '   ', tax_id: ' B12345678 ' } });
    created = reply.body.customer;
    etag = reply.headers.etag!;
    expect(reply.body).toEqual({
      success: true,
      customer: {
        customer_id: expect.any(Number),
        name,
        legal_name: null,
        tax_id: 'B12345678',
        contact_origin: 'WEB_FORM',
        created_at: expect.stringMatching(ISO),
        updated_at: expect.stringMatching(ISO),
      },
    });
    expect(Number.isInteger(created.customer_id) && created.customer_id >= 1).toBe(true);
    const next = await expectStatus(201, 'POST', CREATE, { body: { name: unique('Second'), contact_origin: 'REFERRAL' } });
    expect(next.body.customer).toMatchObject({ customer_id: created.customer_id + 1, contact_origin: 'REFERRAL', tax_id: null });
  });

  it('replays an Idempotency-Key (Idempotent-Replayed) and refuses it for another body (422)', async () => {
    const body = { name: unique('Keyed') };
    const first = await expectStatus(201, 'POST', CREATE, { body, headers: { 'Idempotency-Key': 'ambiosys-create-1' } });
    const replay = await expectStatus(201, 'POST', CREATE, { body, headers: { 'Idempotency-Key': 'ambiosys-create-1' } });
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expect(replay.body).toEqual(first.body);
    expect(replay.headers.etag).toBe(first.headers.etag);
    expectError(await call('POST', CREATE, { body: { name: 'Other' }, headers: { 'Idempotency-Key': 'ambiosys-create-1' } }), 422);
  });

  it('refuses bad bodies and tokens in its error dialect', async () => {
    expectError(await call('POST', CREATE, { body: {} }), 400, ['name']);
    expectError(await call('POST', CREATE, { body: { name: '   ' } }), 400, ['name']);
    expectError(await call('POST', CREATE, { body: { name: 'A', tax_id: 42, origin: 'x' } }), 400, ['tax_id', 'origin']);
    expectError(await call('POST', CREATE, { body: { name: 'A', contact_origin: 'x'.repeat(65) } }), 400, ['contact_origin']);
    expectError(await call('POST', CREATE, { body: 'name=Acme' }), 400);
    expectError(await call('POST', CREATE, { body: JSON.stringify({ name: 'A' }), headers: { 'Content-Type': 'application/x-www-form-urlencoded' } }), 415);
    expectError(await call('POST', CREATE, { body: { name: 'x'.repeat(70 * 1024) } }), 413);
    const missing = await call('POST', CREATE, { body: { name: 'A' }, token: null });
    expectError(missing, 401);
    expect(missing.headers['www-authenticate']).toBe('Bearer');
    expectError(await call('POST', CREATE, { body: { name: 'A' }, token: 'expired' }), 401);
    expectError(await call('POST', CREATE, { body: { name: 'A' }, token: 'read' }), 403);
  });
});

describe(`GET ${LIST}`, () => {
  it('pages customers by customer_id, with the total on every row', async () => {
    const first = await expectStatus(200, 'GET', LIST, { token: 'read', query: { page: 0, limit: 2 } });
    const total = first.body.totalCount;
    expect(first.body).toMatchObject({ success: true, page: 0, pageSize: 2 });
    expect(total).toBeGreaterThanOrEqual(3);
    expect(first.body.clientes).toHaveLength(2);
    for (const row of first.body.clientes) {
      expect(row).toEqual({
        customer_id: expect.any(Number),
        name: expect.any(String),
        legal_name: null,
        tax_id: row.customer_id === created.customer_id ? 'B12345678' : null,
        contact_origin: expect.any(String),
        created_at: expect.stringMatching(ISO),
        updated_at: expect.stringMatching(ISO),
        total_count: total,
      });
    }
    const second = await expectStatus(200, 'GET', LIST, { query: { page: 1, limit: 2 } });
    expect(second.body.clientes[0].customer_id).toBeGreaterThan(first.body.clientes[1].customer_id);
    const defaults = await expectStatus(200, 'GET', LIST);
    expect(defaults.body).toMatchObject({ page: 0, pageSize: 10, totalCount: total });
    const beyond = await expectStatus(200, 'GET', LIST, { query: { page: 1000, limit: 100 } });
    expect(beyond.body).toMatchObject({ clientes: [], totalCount: total });
    expect((await expectStatus(200, 'HEAD', LIST)).text).toBe('');
  });

  it('searches names and tax ids, case- and accent-insensitively, with an exact total', async () => {
    const canonical = await newCustomer({ name: unique('Schön GmbH'), tax_ids: [{ tax: 'VAT', tax_value: 'DE999888777' }] });
    const byName = await expectStatus(200, 'GET', LIST, { query: { search: 'FERRETERIA NANDU' } });
    expect(byName.body.clientes.map((c: Json) => c.customer_id)).toEqual([created.customer_id]);
    expect(byName.body.totalCount).toBe(1);
    // A customer made through the canonical API is one of AmbioSys's too, its first tax id as tax_id.
    const byTax = await expectStatus(200, 'GET', LIST, { query: { search: 'de999888' } });
    expect(byTax.body.clientes).toEqual([expect.objectContaining({ customer_id: canonical.number, name: canonical.name, tax_id: 'DE999888777', total_count: 1 })]);
    const none = await expectStatus(200, 'GET', LIST, { query: { search: 'no such customer anywhere' } });
    expect(none.body).toMatchObject({ clientes: [], totalCount: 0 });
  });

  it('refuses bad parameters and tokens', async () => {
    expectError(await call('GET', LIST, { query: { limit: 0 } }), 400, ['limit']);
    expectError(await call('GET', LIST, { query: { limit: 101 } }), 400, ['limit']);
    expectError(await call('GET', LIST, { query: { page: -1 } }), 400, ['page']);
    expectError(await call('GET', LIST, { query: { page: 2000, limit: 100 } }), 400, ['page']);
    expectError(await call('GET', LIST, { query: { sort: 'name' } }), 400, ['sort']);
    expectError(await call('GET', LIST, { token: `qwt_dev_${'1'.repeat(64)}` }), 401);
  });
});

describe(`GET ${LIST}/{customer_id}`, () => {
  it('returns the customer by its number, with an ETag; 304 when unchanged', async () => {
    const one = await expectStatus(200, 'GET', `${LIST}/${created.customer_id}`, { token: 'read' });
    expect(one.body).toEqual({ success: true, cliente: created });
    // The version of the create's ETag; its digest is of this representation, not the create's.
    expect(one.headers.etag!.split('-')[0]).toBe(etag.split('-')[0]);
    etag = one.headers.etag!;
    const unchanged = await expectStatus(304, 'GET', `${LIST}/${created.customer_id}`, { headers: { 'If-None-Match': etag } });
    expect(unchanged.text).toBe('');
    expect((await expectStatus(200, 'HEAD', `${LIST}/${created.customer_id}`)).text).toBe('');
  });

  it('shows a change made through another API (a new ETag)', async () => {
    const list = await expectStatus(200, 'GET', '/api/customers', { query: { q: name } });
    const [customer] = list.body.data;
    await expectStatus(200, 'PATCH', `/api/customers/${customer.id}`, { body: { legal_name: 'Ferretería Ñandú S.L.' } });
    const after = await expectStatus(200, 'GET', `${LIST}/${created.customer_id}`, { headers: { 'If-None-Match': etag } });
    expect(after.body.cliente).toMatchObject({ customer_id: created.customer_id, legal_name: 'Ferretería Ñandú S.L.' });
    expect(after.headers.etag).not.toBe(etag);
  });

  it('404 for numbers it cannot see; 401', async () => {
    expectError(await call('GET', `${LIST}/999999`), 404);
    expectError(await call('GET', `${LIST}/abc`), 404);
    expectError(await call('GET', `${LIST}/0`), 404);
    // Numbers are per workspace, and workspace B has no customers.
    expectError(await call('GET', `${LIST}/${created.customer_id}`, { token: 'other' }), 404);
    expectError(await call('GET', `${LIST}/${created.customer_id}`, { token: null }), 401);
  });
});

describe('methods a path does not take', () => {
  it('answers 405 with Allow on every path', async () => {
    const cases: [string, string, string][] = [
      ['GET', CREATE, 'POST'],
      ['POST', LIST, 'GET, HEAD'],
      ['DELETE', `${LIST}/1`, 'GET, HEAD'],
    ];
    await expectMethodsNotAllowed(cases, (reply) => expectError(reply, 405));
  });
});

describe('scopes', () => {
  it('a token without the read scope gets 403 on the read routes', async () => {
    await expectReadScopeRequired([['GET', LIST], ['GET', `${LIST}/1`]], (reply) => expectError(reply, 403));
  });
});

describe('the document', () => {
  it('every AmbioSys operation answered a success and an error', () => {
    console.log(JSON.stringify(expectCoverage('AmbioSys')));
  });
});
