/**
 * Conditional requests: the ETag every single-record read and write carries,
 * If-None-Match on GET (304), and If-Match on PATCH, PUT and DELETE (412 when
 * stale, nothing changed) across the canonical, AmbioSys and Upwell routes.
 */
import { describe, expect, it } from 'vitest';
import { errorBody, invalid, upwellError } from '../errors';
import { addressBody, contactBody, createAddress, createContact, createCustomer, createSegment, customerBody, MISSING_ID, segmentBody } from '../fixtures';
import { api, freeze, snapshot, workspace, type ApiResponse } from '../helpers';

type Workspace = Awaited<ReturnType<typeof workspace>>;
type Body = Record<string, unknown>;
const ETAG = /^"(\d+)-([0-9a-f]+)"$/;

/** The ETag of a response, checked for its form, and the version it names. */
function etagOf(res: ApiResponse): { etag: string; version: number } {
  const etag = res.headers.get('ETag');
  expect(etag, `ETag of ${res.status} ${JSON.stringify(res.body)}`).toMatch(ETAG);
  return { etag: etag!, version: Number(ETAG.exec(etag!)![1]) };
}


interface Resource {
  path: string;
  create(ws: Workspace): Promise<{ id: string }>;
  /** Two different updates, so consecutive PATCHes always change something. */
  update: [Body, Body];
}

const RESOURCES: [string, Resource][] = [
  ['customers', { path: '/api/customers', create: (ws) => createCustomer(ws.token), update: [{ name: 'Renamed' }, { name: 'Renamed again' }] }],
  ['contacts', { path: '/api/contacts', create: async (ws) => createContact(ws.token, (await createCustomer(ws.token)).id), update: [{ first_name: 'Grace' }, { first_name: 'Hedy' }] }],
  ['addresses', { path: '/api/addresses', create: async (ws) => createAddress(ws.token, (await createCustomer(ws.token)).id), update: [{ city: 'Lyon' }, { city: 'Lille' }] }],
  ['segments', { path: '/api/segments', create: (ws) => createSegment(ws.token), update: [{ name: 'Mid-market' }, { name: 'SMB' }] }],
];

describe('ETags', () => {
  it.each(RESOURCES)('%s: "<version>-<hex>", version 1 at creation and one more per update', async (_, r) => {
    const ws = await workspace();
    const created = await api('POST', r.path, { token: ws.token, body: await bodyFor(ws, r) });
    expect(created.status).toBe(201);
    expect(etagOf(created).version).toBe(1);
    const one = `${r.path}/${created.body.data.id}`;
    const got = await api('GET', one, { token: ws.token });
    expect(etagOf(got).version).toBe(1);
    expect((await api('GET', one, { token: ws.token })).headers.get('ETag')).toBe(got.headers.get('ETag'));

    const seen = new Set([got.headers.get('ETag')]);
    for (const [i, version] of [2, 3, 4].entries()) {
      const patched = await api('PATCH', one, { token: ws.token, body: r.update[i % 2] });
      expect(patched.status).toBe(200);
      expect(etagOf(patched).version).toBe(version);
      const read = await api('GET', one, { token: ws.token });
      expect(etagOf(read).version).toBe(version);
      seen.add(read.headers.get('ETag'));
    }
    expect(seen.size).toBe(4);
  });

  it('an AmbioSys create and an Upwell create carry ETags of version 1', async () => {
    const { token } = await workspace();
    expect(etagOf(await api('POST', '/api/customers/create', { token, body: { name: 'Acme' } })).version).toBe(1);
    expect(etagOf(await api('POST', '/api/rest/customers', { token, body: { input: { name: 'Acme' } } })).version).toBe(1);
  });

  it("a customer's ETag changes when a contact or an address is added, its version does not", async () => {
    const { token } = await workspace();
    const customer = await createCustomer(token);
    const path = `/api/customers/${customer.id}`;
    const before = await api('GET', path, { token });
    const contact = await createContact(token, customer.id);
    const withContact = await api('GET', path, { token });
    expect(withContact.body.data.contact_ids).toEqual([contact.id]);
    expect(etagOf(withContact).version).toBe(1);
    expect(withContact.headers.get('ETag')).not.toBe(before.headers.get('ETag'));

    const stale = await api('GET', path, { token, headers: { 'If-None-Match': before.headers.get('ETag')! } });
    expect(stale.status).toBe(200);
    expect(stale.body).toEqual(withContact.body);
    expect(stale.headers.get('ETag')).toBe(withContact.headers.get('ETag'));

    const address = await createAddress(token, customer.id);
    const withAddress = await api('GET', path, { token, headers: { 'If-None-Match': withContact.headers.get('ETag')! } });
    expect(withAddress.status).toBe(200);
    expect(withAddress.body.data.address_ids).toEqual([address.id]);
    expect(etagOf(withAddress).version).toBe(1);
    expect(withAddress.headers.get('ETag')).not.toBe(withContact.headers.get('ETag'));
  });
});

/** A fresh create body for `r` (contacts and addresses need a customer). */
async function bodyFor(ws: Workspace, r: Resource): Promise<Body> {
  const customerId = r.path === '/api/contacts' || r.path === '/api/addresses' ? (await createCustomer(ws.token)).id : undefined;
  switch (r.path) {
    case '/api/customers':
      return customerBody();
    case '/api/contacts':
      return contactBody(customerId!);
    case '/api/addresses':
      return addressBody(customerId!);
    default:
      return segmentBody();
  }
}

/** Every single-record GET: the path to read and a change that makes its ETag stale. */
const READS: [string, (ws: Workspace) => Promise<{ path: string; change(): Promise<void> }>][] = [
  ...RESOURCES.map(([name, r]): (typeof READS)[number] => [
    `GET ${r.path}/{id}`,
    async (ws) => {
      const { id } = await r.create(ws);
      const path = `${r.path}/${id}`;
      return { path, change: async () => void expect((await api('PATCH', path, { token: ws.token, body: r.update[0] })).status).toBe(200) };
    },
  ]),
  [
    'GET /api/customers/getCustomers/{customer_id} (AmbioSys)',
    async (ws) => {
      const { id, number } = (await createCustomer(ws.token)) as { id: string; number: number };
      const change = async () => void expect((await api('PATCH', `/api/customers/${id}`, { token: ws.token, body: { legal_name: 'Acme Ltd' } })).status).toBe(200);
      return { path: `/api/customers/getCustomers/${number}`, change };
    },
  ],
  [
    'GET /api/rest/customers/{id} (Upwell)',
    async (ws) => {
      const { id } = await createCustomer(ws.token);
      const change = async () => void expect((await api('PUT', `/api/rest/customers/${id}`, { token: ws.token, body: { input: { name: 'Renamed' } } })).status).toBe(200);
      return { path: `/api/rest/customers/${id}`, change };
    },
  ],
];

describe('If-None-Match on GET', () => {
  it.each(READS)('%s: the current ETag is a 304 with the ETag and no body; a stale one a 200', async (_, setup) => {
    const ws = await workspace();
    const { path, change } = await setup(ws);
    const first = await api('GET', path, { token: ws.token });
    expect(first.status).toBe(200);
    const { etag, version } = etagOf(first);
    expect(version).toBe(1);

    const notModified = await api('GET', path, { token: ws.token, headers: { 'If-None-Match': etag } });
    expect(notModified.status).toBe(304);
    expect(notModified.body).toBeNull();
    expect(notModified.headers.get('ETag')).toBe(etag);
    expect(notModified.usage.d1).toBe(1);

    await change();
    const modified = await api('GET', path, { token: ws.token, headers: { 'If-None-Match': etag } });
    expect(modified.status).toBe(200);
    expect(modified.body).not.toEqual(first.body);
    const now = etagOf(modified);
    expect(now.version).toBe(2);
    expect(modified.body).toEqual((await api('GET', path, { token: ws.token })).body);

    const again = await api('GET', path, { token: ws.token, headers: { 'If-None-Match': now.etag } });
    expect(again.status).toBe(304);
    expect(again.headers.get('ETag')).toBe(now.etag);
  });
});

describe('If-Match on PATCH', () => {
  it.each(RESOURCES)('%s: the current ETag or * writes; a stale one is a 412 that changes nothing', async (_, r) => {
    const ws = await workspace();
    const { id } = await r.create(ws);
    const path = `${r.path}/${id}`;
    const v1 = etagOf(await api('GET', path, { token: ws.token })).etag;

    const current = await api('PATCH', path, { token: ws.token, body: r.update[0], headers: { 'If-Match': v1 } });
    expect(current.status, JSON.stringify(current.body)).toBe(200);
    expect(current.body.data).toEqual(expect.objectContaining(r.update[0]));
    expect(etagOf(current).version).toBe(2);

    const unchanged = await freeze(ws.workspaceId);
    const stale = await api('PATCH', path, { token: ws.token, body: r.update[1], headers: { 'If-Match': v1 } });
    expect(stale.body).toEqual(errorBody('precondition_failed'));
    expect(stale.status).toBe(412);
    expect(stale.headers.get('ETag')).toBeNull();
    await unchanged();

    const any = await api('PATCH', path, { token: ws.token, body: r.update[1], headers: { 'If-Match': '*' } });
    expect(any.status).toBe(200);
    expect(any.body.data).toEqual(expect.objectContaining(r.update[1]));
    expect(etagOf(any).version).toBe(3);

    const v3 = etagOf(await api('GET', path, { token: ws.token })).etag;
    const latest = await api('PATCH', path, { token: ws.token, body: r.update[0], headers: { 'If-Match': v3 } });
    expect(latest.status).toBe(200);
    expect(etagOf(latest).version).toBe(4);
  });

  it.each(RESOURCES)('%s: a malformed If-Match is a 400 naming If-Match; on a missing record a 404', async (_, r) => {
    const ws = await workspace();
    const { id } = await r.create(ws);
    const path = `${r.path}/${id}`;
    const unchanged = await freeze(ws.workspaceId);
    for (const header of ['abc', '1', '"abc"', '"1-xyz', 'W/abc']) {
      const res = await api('PATCH', path, { token: ws.token, body: r.update[0], headers: { 'If-Match': header } });
      expect(res.body, header).toEqual(invalid('If-Match'));
      expect(res.status).toBe(400);
    }
    const etag = etagOf(await api('GET', path, { token: ws.token })).etag;
    for (const header of [etag, '*']) {
      const missing = await api('PATCH', `${r.path}/${MISSING_ID}`, { token: ws.token, body: r.update[0], headers: { 'If-Match': header } });
      expect(missing.body, header).toEqual(errorBody('not_found'));
      expect(missing.status).toBe(404);
    }
    await unchanged();
  });
});

describe('If-Match on DELETE', () => {
  it('a stale ETag deletes nothing: the customer, its contacts and addresses survive', async () => {
    const ws = await workspace();
    const customer = await createCustomer(ws.token);
    await createContact(ws.token, customer.id);
    await createAddress(ws.token, customer.id);
    const path = `/api/customers/${customer.id}`;
    const v1 = etagOf(await api('GET', path, { token: ws.token })).etag;
    expect((await api('PATCH', path, { token: ws.token, body: { name: 'Renamed' } })).status).toBe(200);

    const unchanged = await freeze(ws.workspaceId);
    const stale = await api('DELETE', path, { token: ws.token, headers: { 'If-Match': v1 } });
    expect(stale.body).toEqual(errorBody('precondition_failed'));
    expect(stale.status).toBe(412);
    const malformed = await api('DELETE', path, { token: ws.token, headers: { 'If-Match': 'v2' } });
    expect(malformed.body).toEqual(invalid('If-Match'));
    expect(malformed.status).toBe(400);
    const missing = await api('DELETE', `/api/customers/${MISSING_ID}`, { token: ws.token, headers: { 'If-Match': v1 } });
    expect(missing.body).toEqual(errorBody('not_found'));
    expect(missing.status).toBe(404);
    await unchanged();

    const v2 = etagOf(await api('GET', path, { token: ws.token })).etag;
    const deleted = await api('DELETE', path, { token: ws.token, headers: { 'If-Match': v2 } });
    expect(deleted.body).toEqual({ success: true, data: { id: customer.id, deleted: true } });
    expect(deleted.status).toBe(200);
    expect((await api('GET', path, { token: ws.token })).status).toBe(404);
    const rows = await snapshot(ws.workspaceId);
    expect([rows.customers, rows.contacts, rows.addresses]).toEqual([[], [], []]);
  });

  it.each(RESOURCES)('%s: a stale ETag is a 412; the current one or * deletes', async (_, r) => {
    const ws = await workspace();
    for (const fresh of [true, false]) {
      const { id } = await r.create(ws);
      const path = `${r.path}/${id}`;
      const v1 = etagOf(await api('GET', path, { token: ws.token })).etag;
      expect((await api('PATCH', path, { token: ws.token, body: r.update[0] })).status).toBe(200);
      const unchanged = await freeze(ws.workspaceId);
      const stale = await api('DELETE', path, { token: ws.token, headers: { 'If-Match': v1 } });
      expect(stale.body).toEqual(errorBody('precondition_failed'));
      expect(stale.status).toBe(412);
      await unchanged();
      const header = fresh ? etagOf(await api('GET', path, { token: ws.token })).etag : '*';
      const deleted = await api('DELETE', path, { token: ws.token, headers: { 'If-Match': header } });
      expect(deleted.body, header).toEqual({ success: true, data: { id, deleted: true } });
      expect((await api('GET', path, { token: ws.token })).status).toBe(404);
    }
  });
});

describe('If-Match on Upwell PUT', () => {
  it('PUT /api/rest/customers/{id}: current or * writes; stale is a 412 PRECONDITION_FAILED that changes nothing', async () => {
    const ws = await workspace();
    const { id } = await createCustomer(ws.token);
    const path = `/api/rest/customers/${id}`;
    const v1 = etagOf(await api('GET', path, { token: ws.token })).etag;
    const put = (name: string, ifMatch: string) => api('PUT', path, { token: ws.token, body: { input: { name } }, headers: { 'If-Match': ifMatch } });

    const current = await put('Second', v1);
    expect(current.status).toBe(200);
    expect(current.body.updateCustomer.name).toBe('Second');
    expect(etagOf(current).version).toBe(2);

    const unchanged = await freeze(ws.workspaceId);
    const stale = await put('Mine', v1);
    expect(stale.body).toEqual(upwellError('PRECONDITION_FAILED'));
    expect(stale.status).toBe(412);
    const malformed = await put('Mine', 'nope');
    expect(malformed.body).toEqual(upwellError('VALIDATION_ERROR', 'If-Match'));
    expect(malformed.status).toBe(400);
    const missing = await api('PUT', `/api/rest/customers/${MISSING_ID}`, { token: ws.token, body: { input: { name: 'X' } }, headers: { 'If-Match': v1 } });
    expect(missing.body).toEqual(upwellError('RESOURCE_NOT_FOUND'));
    expect(missing.status).toBe(404);
    await unchanged();

    const any = await put('Third', '*');
    expect(any.status).toBe(200);
    expect(etagOf(any).version).toBe(3);
    const got = await api('GET', path, { token: ws.token });
    expect(got.body.customer.name).toBe('Third');
    expect(etagOf(got).version).toBe(3);
  });

  it('PUT /api/rest/customers (by source): current writes; stale is a 412 PRECONDITION_FAILED that changes nothing', async () => {
    const ws = await workspace();
    const { id } = await createCustomer(ws.token, { source_system: 'sf', source_system_id: '1' });
    const v1 = etagOf(await api('GET', `/api/rest/customers/${id}`, { token: ws.token })).etag;
    const put = (name: string, ifMatch: string) =>
      api('PUT', '/api/rest/customers', { token: ws.token, body: { sourceSystem: 'sf', sourceSystemId: '1', input: { name } }, headers: { 'If-Match': ifMatch } });

    const current = await put('Second', v1);
    expect(current.status).toBe(200);
    expect(current.body.updateCustomer.affectedRows).toBe(1);
    expect(etagOf(current).version).toBe(2);

    const unchanged = await freeze(ws.workspaceId);
    const stale = await put('Mine', v1);
    expect(stale.body).toEqual(upwellError('PRECONDITION_FAILED'));
    expect(stale.status).toBe(412);
    await unchanged();
  });
});
