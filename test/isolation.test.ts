/**
 * Workspace isolation: with workspace B's token, nothing of workspace A can be
 * listed, read, changed, deleted or referenced, over every route; A's records
 * are indistinguishable from ids that do not exist, and A's rows never change.
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { canonicalError, errorBody, expectError, rejected } from './errors';
import { addressBody, contactBody, customerBody, MISSING_ID } from './fixtures';
import { api, snapshot, workspace, type ApiResponse } from './helpers';

type Body = Record<string, unknown>;
type Workspace = Awaited<ReturnType<typeof workspace>>;
interface Records {
  segment: string;
  customer: string;
  contact: string;
  address: string;
}

const RESOURCES = ['customers', 'contacts', 'addresses', 'segments'] as const;
type Resource = (typeof RESOURCES)[number];
const KEY: Record<Resource, keyof Records> = {
  customers: 'customer',
  contacts: 'contact',
  addresses: 'address',
  segments: 'segment',
};

/** Both workspaces hold records with the very same names, external ids and tax values. */
const SHARED = { id_crm: 'crm-shared', id_erp: 'erp-shared', id_accounting: 'acc-shared' };
const TAX_VALUE = 'FR00000000001';

let A: Workspace;
let B: Workspace;
let a: Records;
let b: Records;
let frozenA: Awaited<ReturnType<typeof snapshot>>;

async function create(ws: Workspace, path: string, body: Body): Promise<string> {
  const res = await api('POST', path, { token: ws.token, body });
  expect(res.status, `${path}: ${JSON.stringify(res.body)}`).toBe(201);
  expect(res.body.data.workspace_id).toBe(ws.workspaceId);
  return res.body.data.id;
}

/** Create bodies carrying the values both workspaces share. */
const sharedCustomer = (segment: string | null): Body => customerBody({ name: 'Shared Name Ltd', segment_id: segment, tax_ids: [{ tax: 'vat', tax_value: TAX_VALUE }], ...SHARED });
const sharedContact = (customer: string, extra: Body = {}): Body => contactBody(customer, { ...SHARED, ...extra });
const sharedAddress = (customer: string, extra: Body = {}): Body => addressBody(customer, { ...SHARED, ...extra });
const PATCHES: Record<Resource, Body> = {
  customers: { name: 'Taken over', id_crm: 'hijacked' },
  contacts: { first_name: 'Mallory', email: 'mallory@example.com' },
  addresses: { city: 'Elsewhere', comment: 'hijacked' },
  segments: { name: 'Taken over', reference: 'hijacked' },
};

async function seed(ws: Workspace): Promise<Records> {
  const segment = await create(ws, '/api/segments', { name: 'Shared segment', reference: 'REF-1' });
  const customer = await create(ws, '/api/customers', sharedCustomer(segment));
  const contact = await create(ws, '/api/contacts', sharedContact(customer));
  const address = await create(ws, '/api/addresses', sharedAddress(customer, { contact_id: contact }));
  return { segment, customer, contact, address };
}

beforeAll(async () => {
  A = await workspace();
  B = await workspace();
  a = await seed(A);
  b = await seed(B);
  frozenA = await snapshot(A.workspaceId);
  expect(frozenA.customers).toHaveLength(1);
  expect(frozenA.customer_tax_ids).toHaveLength(1);
});

afterEach(async () => {
  expect(await snapshot(A.workspaceId)).toEqual(frozenA);
});

const asB = (method: string, path: string, body?: Body) => api(method, path, { token: B.token, body });

/** A 404 for one of A's ids must equal the 404 for an id that names nothing (apart from request_id). */
async function expectSameAsMissing(method: string, resource: Resource, id: string, body?: Body) {
  const foreign = await asB(method, `/api/${resource}/${id}`, body);
  const missing = await asB(method, `/api/${resource}/${MISSING_ID}`, body);
  const shape = (res: ApiResponse) => ({ status: res.status, body: { ...res.body, request_id: undefined } });
  expectError(missing, 404, errorBody('not_found'));
  expect(shape(foreign)).toEqual(shape(missing));
  expect(foreign.headers.get('X-Request-Id')).toBe(foreign.body.request_id);
}

describe('lists seen by B', () => {
  const ids = (res: ApiResponse): string[] => res.body.data.map((r: { id: string }) => r.id);

  /** [query, the resource, B's ids the list must show] */
  const LISTS: [string, Resource, (keyof Records)[]][] = [
    ['', 'customers', ['customer']],
    ['?type=company', 'customers', ['customer']],
    [`?id_crm=${SHARED.id_crm}`, 'customers', ['customer']],
    [`?id_erp=${SHARED.id_erp}`, 'customers', ['customer']],
    [`?id_accounting=${SHARED.id_accounting}`, 'customers', ['customer']],
    [`?tax_value=${TAX_VALUE}`, 'customers', ['customer']],
    ['?q=shared', 'customers', ['customer']],
    ['?q=SHARED%20NAME', 'customers', ['customer']],
    [`?q=shared&tax_value=${TAX_VALUE}&id_crm=${SHARED.id_crm}&type=company`, 'customers', ['customer']],
    ['?limit=100', 'customers', ['customer']],
    [`?cursor=${MISSING_ID}`, 'customers', ['customer']],
    ['', 'contacts', ['contact']],
    ['', 'addresses', ['address']],
    ['', 'segments', ['segment']],
  ];

  it.each(LISTS)('GET /api/%s%s shows B its own records and none of A', async (query, resource, own) => {
    const res = await asB('GET', `/api/${resource}${query}`);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(ids(res)).toEqual(own.map((key) => b[key]));
    for (const record of res.body.data) expect(record.workspace_id).toBe(B.workspaceId);
    expect(res.body).toEqual({ success: true, data: expect.any(Array), has_more: false, next_cursor: null });
  });

  it.each([
    ['customers', 'segment_id', 'segment'],
    ['contacts', 'customer_id', 'customer'],
    ['addresses', 'customer_id', 'customer'],
  ] as const)('GET /api/%s?%s=<A id> is empty, and <B id> finds B', async (resource, param, key) => {
    const foreign = await asB('GET', `/api/${resource}?${param}=${a[key]}`);
    expect(foreign.status).toBe(200);
    expect(foreign.body).toEqual({ success: true, data: [], has_more: false, next_cursor: null });
    const own = await asB('GET', `/api/${resource}?${param}=${b[key]}`);
    expect(ids(own)).toEqual([b[KEY[resource]]]);
  });

  it('a cursor set to A’s id does not reveal A (it only bounds B’s ids)', async () => {
    const res = await asB('GET', `/api/customers?cursor=${a.customer}`);
    expect(res.status).toBe(200);
    expect(ids(res)).not.toContain(a.customer);
    expect(ids(res)).toEqual([b.customer]);
  });

  it('B’s customer and contact list only B’s related ids', async () => {
    const customer = await asB('GET', `/api/customers/${b.customer}`);
    expect(customer.body.data.contact_ids).toEqual([b.contact]);
    expect(customer.body.data.address_ids).toEqual([b.address]);
    const contact = await asB('GET', `/api/contacts/${b.contact}`);
    expect(contact.body.data.address_ids).toEqual([b.address]);
  });
});

describe.each(RESOURCES)('A’s %s through B’s token', (resource) => {
  it('A can read it with its own token (the record exists)', async () => {
    const res = await api('GET', `/api/${resource}/${a[KEY[resource]]}`, { token: A.token });
    expect(res.status).toBe(200);
  });

  it('GET is a 404 identical to a missing id', async () => {
    await expectSameAsMissing('GET', resource, a[KEY[resource]]);
  });

  it('PATCH with changes is a 404 identical to a missing id', async () => {
    await expectSameAsMissing('PATCH', resource, a[KEY[resource]], PATCHES[resource]);
  });

  it('PATCH with an empty body is a 404 identical to a missing id', async () => {
    await expectSameAsMissing('PATCH', resource, a[KEY[resource]], {});
  });

  it('DELETE is a 404 identical to a missing id', async () => {
    await expectSameAsMissing('DELETE', resource, a[KEY[resource]]);
  });

  it('with B’s read-only token GET is a 404 as well', async () => {
    const res = await api('GET', `/api/${resource}/${a[KEY[resource]]}`, { token: B.readOnly });
    expectError(res, 404, errorBody('not_found'));
  });
});

describe('references from B’s writes to A’s records', () => {
  /** A 400 invalid_reference naming `field`; B's own rows must not change either: a refused write writes nothing. */
  const refused = (method: string, path: string, body: Body, field: string) =>
    rejected(B.workspaceId, method, path, { token: B.token, body }, 400, canonicalError('invalid_reference', field));

  it('POST /api/customers with A’s segment_id', async () => {
    await refused('POST', '/api/customers', sharedCustomer(a.segment), 'segment_id');
  });

  it('PATCH /api/customers/<B> with A’s segment_id', async () => {
    await refused('PATCH', `/api/customers/${b.customer}`, { segment_id: a.segment }, 'segment_id');
  });

  it('PATCH /api/customers/<B> with A’s segment_id among other changes', async () => {
    await refused('PATCH', `/api/customers/${b.customer}`, { name: 'Changed', tax_ids: [], segment_id: a.segment }, 'segment_id');
  });

  it('POST /api/contacts with A’s customer_id', async () => {
    await refused('POST', '/api/contacts', sharedContact(a.customer), 'customer_id');
  });

  it('POST /api/addresses with A’s customer_id', async () => {
    await refused('POST', '/api/addresses', sharedAddress(a.customer), 'customer_id');
  });

  it('POST /api/addresses with A’s customer_id and A’s contact_id', async () => {
    // Both references are bad: the contact's check (of the customer it is given with) is the one reported.
    await refused('POST', '/api/addresses', sharedAddress(a.customer, { contact_id: a.contact }), 'contact_id');
  });

  it('POST /api/addresses for B’s customer with A’s contact_id', async () => {
    await refused('POST', '/api/addresses', sharedAddress(b.customer, { contact_id: a.contact }), 'contact_id');
  });

  it('PATCH /api/addresses/<B> with A’s contact_id', async () => {
    await refused('PATCH', `/api/addresses/${b.address}`, { contact_id: a.contact }, 'contact_id');
  });

  it('B’s own references still work (the refusals above are about the workspace)', async () => {
    const res = await asB('PATCH', `/api/addresses/${b.address}`, { contact_id: b.contact });
    expect(res.status).toBe(200);
    expect(res.body.data.contact_id).toBe(b.contact);
  });
});

describe('B’s writes on every route stay in B', () => {
  it('create, list, get, update and delete each resource', async () => {
    const segment = await create(B, '/api/segments', { name: 'B only' });
    const customer = await create(B, '/api/customers', sharedCustomer(segment));
    const contact = await create(B, '/api/contacts', sharedContact(customer));
    const address = await create(B, '/api/addresses', sharedAddress(customer, { contact_id: contact }));
    const made: Record<Resource, string> = { segments: segment, customers: customer, contacts: contact, addresses: address };

    for (const resource of RESOURCES) {
      const list = await asB('GET', `/api/${resource}?limit=100`);
      const listed = list.body.data.map((r: { id: string }) => r.id);
      expect(listed).toContain(made[resource]);
      expect(listed).not.toContain(a[KEY[resource]]);

      const one = await asB('GET', `/api/${resource}/${made[resource]}`);
      expect(one.body.data.workspace_id).toBe(B.workspaceId);

      const patched = await asB('PATCH', `/api/${resource}/${made[resource]}`, PATCHES[resource]);
      expect(patched.status, JSON.stringify(patched.body)).toBe(200);
      expect(patched.body.data.workspace_id).toBe(B.workspaceId);
    }

    for (const resource of ['addresses', 'contacts', 'customers', 'segments'] as const) {
      const res = await asB('DELETE', `/api/${resource}/${made[resource]}`);
      expect(res.status, `${resource}: ${JSON.stringify(res.body)}`).toBe(200);
      expect(res.body).toEqual({ success: true, data: { id: made[resource], deleted: true } });
    }
  });

  it('deleting B’s customer removes B’s contacts and addresses only', async () => {
    const idsOf = (rows: unknown[] | undefined) => (rows ?? []).map((row) => (row as { id: string }).id);
    const before = await snapshot(B.workspaceId);
    expect(idsOf(before.contacts)).toContain(b.contact);
    expect(idsOf(before.addresses)).toContain(b.address);
    const res = await asB('DELETE', `/api/customers/${b.customer}`);
    expect(res.status).toBe(200);
    const after = await snapshot(B.workspaceId);
    expect(idsOf(after.customers)).not.toContain(b.customer);
    expect(idsOf(after.contacts)).not.toContain(b.contact);
    expect(idsOf(after.addresses)).not.toContain(b.address);
    expect(after.customer_tax_ids).toEqual([]);
    expect((await api('GET', `/api/customers/${a.customer}`, { token: A.token })).status).toBe(200);
  });
});
