/**
 * The Upwell customer API (seed 003, Hasura-style REST under /api/rest) on the
 * canonical records: create, bulk create, list, get, update by id and by
 * source-system ids, their validation, auth and the Upwell error envelope.
 * Search: upwell-search.test.ts; workspace isolation: upwell-isolation.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { MAX_BODY_BYTES } from '../../src/http/body';
import { endingIn, rejected, upwellError } from '../errors';
import { MISSING_ID, upwellAddress, upwellContact } from '../fixtures';
import { api, ISO, issueToken, revokeToken, snapshot, upwellCall, UUID, workspace, type CallOptions } from '../helpers';

const CUSTOMERS = '/api/rest/customers';
const BULK = '/api/rest/bulk-customers';
type Fields = Record<string, any>;
type Workspace = Awaited<ReturnType<typeof workspace>>;

/** The Upwell customer object, whole, at its defaults. */
const upwell = (fields: Fields = {}) => ({
  addresses: [], addressesLastUpdatedAt: null, balance: 0, billToCustomerId: null, ccEmailAddresses: [], collectorId: null,
  contactsLastUpdatedAt: null, createdAt: expect.stringMatching(ISO), customerEmailSettings: null, customerIntegrationSettings: null,
  customerRule: null, deletedAt: null, emailAddress: null, id: expect.stringMatching(UUID), metadata: {}, name: 'Acme',
  overdueBalance: 0, overdueInvoiceCount: 0, sourceSystem: null, sourceSystemId: null, updatedAt: expect.stringMatching(ISO),
  ...fields,
});

const invalid = (...paths: unknown[]) => upwellError('VALIDATION_ERROR', ...paths);

/** No header (MISSING_AUTHORIZATION), a bad, revoked or expired token (INVALID_API_KEY), a read-only token on writes (FORBIDDEN). */
async function secured(ws: Workspace, method: string, path: string, req: CallOptions, write: boolean) {
  const { token: revoked } = await issueToken({ workspaceId: ws.workspaceId });
  await revokeToken(revoked);
  const { token: expired } = await issueToken({ workspaceId: ws.workspaceId, expiresAt: '2020-01-01T00:00:00.000Z' });
  await rejected(ws.workspaceId, method, path, { ...req, authorization: undefined }, 401, upwellError('MISSING_AUTHORIZATION'));
  for (const auth of ['qwt_dev_not-a-token', revoked, `Bearer ${revoked}`, expired, `Bearer ${expired}`, `Basic ${ws.token}`]) {
    await rejected(ws.workspaceId, method, path, { ...req, authorization: auth }, 401, upwellError('INVALID_API_KEY'));
  }
  if (write) await rejected(ws.workspaceId, method, path, { ...req, authorization: ws.readOnly }, 403, upwellError('FORBIDDEN'));
}

async function create(token: string, input: Fields = {}) {
  const res = await upwellCall('POST', CUSTOMERS, token, { body: { input: { name: 'Acme', ...input } } });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body.createCustomer;
}

const address = (fields: Fields = {}) => upwellAddress({ city: 'Springfield', zipOrPostalCode: '12345', country: 'US', type: 'BILLING', ...fields });
const contact = (fields: Fields = {}) => upwellContact({ emailAddress: 'ada@acme.test', ...fields });
const T = '2023-11-07T05:31:56Z';
const T_MS = '2023-11-07T05:31:56.000Z';

describe('POST /api/rest/customers', () => {
  it('replays the seed 003 curl example with real values and answers the documented shape', async () => {
    const ws = await workspace();
    const parent = await create(ws.token, { name: 'Acme Holding' });
    // The curl example's body, key for key, with real values for <string> and <unknown>.
    const input = {
      addresses: {}, addressesLastUpdatedAt: T, billToCustomerId: parent.id, ccEmailAddresses: ['ap@acme.test'], collectorId: 'collector-42',
      contacts: {}, contactsLastUpdatedAt: T, customerEmailSettings: {}, customerIntegrationSettings: {}, customerRule: {}, deletedAt: T,
      emailAddress: 'billing@acme.test', metadata: { region: 'EMEA' }, name: 'Acme Corporation', paymentLineItems: {}, remittanceLineItems: {},
      sourceSystem: 'netsuite', sourceSystemId: 'NS-1001',
    };
    const res = await upwellCall('POST', CUSTOMERS, ws.token, { body: { input } });
    expect(res.status).toBe(200);
    const { addresses: _a, contacts: _c, customerRule: _r, paymentLineItems: _p, remittanceLineItems: _m, ...scalars } = input;
    expect(res.body).toEqual({ createCustomer: upwell({ ...scalars, addressesLastUpdatedAt: T_MS, contactsLastUpdatedAt: T_MS, deletedAt: T_MS }) });
    const created = res.body.createCustomer;
    expect(created.updatedAt).toBe(created.createdAt);
    for (const money of [created.balance, created.overdueBalance, created.overdueInvoiceCount]) expect(Number.isInteger(money)).toBe(true);

    // The documented nested shapes: an address (country code, ADDRESS_BOOK) and a customerRule.
    const documentedAddress = { city: 'Andorra la Vella', country: 'AD', stateOrProvince: 'AD500', streetLine1: 'Carrer 1', streetLine2: 'Pis 2', type: 'ADDRESS_BOOK', zipOrPostalCode: 'AD500' };
    const full = await create(ws.token, { ...input, sourceSystemId: 'NS-1002', addresses: { data: [documentedAddress] }, customerRule: { data: { dueOption: 123 } } });
    expect(full.addresses).toEqual([{ ...documentedAddress, id: expect.stringMatching(UUID) }]);
    expect(full.customerRule).toEqual({ dueOption: 123, id: full.id });
    const documented = ['addresses', 'balance', 'billToCustomerId', 'ccEmailAddresses', 'createdAt', 'customerRule', 'emailAddress', 'id', 'metadata', 'name', 'overdueBalance', 'overdueInvoiceCount', 'sourceSystem', 'sourceSystemId', 'updatedAt'];
    expect(Object.keys(full)).toEqual(expect.arrayContaining(documented));
    expect((await upwellCall('GET', `${CUSTOMERS}/${created.id}`, ws.token)).body).toEqual({ customer: created });
    expect((await upwellCall('GET', `${CUSTOMERS}/${full.id}`, ws.token)).body).toEqual({ customer: full });
  });

  it('stores nested addresses and contacts, settings and the due option, readable through the canonical API', async () => {
    const { workspaceId, token } = await workspace();
    const input = {
      name: 'Globex', emailAddress: 'ar@globex.test', ccEmailAddresses: ['a@globex.test', 'b@globex.test'], collectorId: 'c-1', metadata: { tier: 'gold' },
      customerEmailSettings: { reminders: { enabled: true, days: [3, 7] } }, customerIntegrationSettings: { hubspot: { id: 42 }, flags: [null, 'x'] },
      customerRule: { dueOption: 30 },
      addresses: { data: [address({ type: 'ADDRESS_BOOK', country: 'de' }), address({ type: 'BILLING' }), address({ type: 'SHIPPING', streetLine2: 'Suite 5', stateOrProvince: 'IL' })] },
      contacts: { data: [contact({ phoneNumber: '+1 555 0100' }), contact({ firstName: 'Alan', lastName: 'Turing', emailAddress: 'alan@globex.test' })] },
      paymentLineItems: { data: [] }, remittanceLineItems: {},
    };
    const res = await upwellCall('POST', CUSTOMERS, token, { body: { input } });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const base = { city: 'Springfield', id: expect.stringMatching(UUID), stateOrProvince: null, streetLine1: '1 Main St', streetLine2: null, zipOrPostalCode: '12345' };
    const c = res.body.createCustomer;
    expect(res.body).toEqual({
      createCustomer: upwell({
        ...input,
        addresses: [
          { ...base, country: 'DE', type: 'ADDRESS_BOOK' },
          { ...base, country: 'US', type: 'BILLING' },
          { ...base, country: 'US', type: 'SHIPPING', streetLine2: 'Suite 5', stateOrProvince: 'IL' },
        ],
        contacts: undefined, paymentLineItems: undefined, remittanceLineItems: undefined,
        customerRule: { dueOption: 30, id: expect.stringMatching(UUID) },
      }),
    });
    expect(c.customerRule.id).toBe(c.id);
    expect(Object.keys(c)).not.toContain('contacts');

    // The same record through the canonical API: customer, contacts (GET /api/contacts?customer_id=) and addresses.
    const canonical = (await api('GET', `/api/customers/${c.id}`, { token })).body.data;
    expect(canonical).toMatchObject({
      id: c.id, workspace_id: workspaceId, name: 'Globex', type: 'company', email_address: 'ar@globex.test', cc_email_addresses: input.ccEmailAddresses,
      collector_id: 'c-1', metadata: { tier: 'gold' }, due_option: 30, email_settings: input.customerEmailSettings,
      integration_settings: input.customerIntegrationSettings, created_at: c.createdAt, updated_at: c.updatedAt, address_ids: c.addresses.map((a: Fields) => a.id),
    });
    const contacts = (await api('GET', `/api/contacts?customer_id=${c.id}`, { token })).body.data;
    expect(contacts.map((x: Fields) => [x.id, x.customer_id, x.first_name, x.last_name, x.email, x.phone])).toEqual([
      [canonical.contact_ids[0], c.id, 'Ada', 'Lovelace', 'ada@acme.test', '+1 555 0100'],
      [canonical.contact_ids[1], c.id, 'Alan', 'Turing', 'alan@globex.test', null],
    ]);
    const addresses = (await api('GET', `/api/addresses?customer_id=${c.id}`, { token })).body.data;
    expect(addresses.map((a: Fields) => [a.id, a.type, a.address_line1, a.city, a.postal_code, a.country, a.address_line2, a.state])).toEqual([
      [c.addresses[0].id, 'billing', '1 Main St', 'Springfield', '12345', 'DE', null, null],
      [c.addresses[1].id, 'billing', '1 Main St', 'Springfield', '12345', 'US', null, null],
      [c.addresses[2].id, 'shipping', '1 Main St', 'Springfield', '12345', 'US', 'Suite 5', 'IL'],
    ]);
  });

  it('takes customerRule as {data:{dueOption}} or {dueOption}, and {} relationships as no rows', async () => {
    const { workspaceId, token } = await workspace();
    const zero = await create(token, { customerRule: { data: { dueOption: 0 } }, addresses: {}, contacts: {} });
    expect(zero).toEqual(upwell({ customerRule: { dueOption: 0, id: zero.id } }));
    const seven = await create(token, { customerRule: { dueOption: 7 }, addresses: { data: [] }, contacts: { data: [] } });
    expect(seven.customerRule).toEqual({ dueOption: 7, id: seven.id });
    expect(await create(token, { customerRule: {} })).toEqual(upwell());
    const rows = await snapshot(workspaceId);
    expect([rows.customers!.length, rows.contacts!.length, rows.addresses!.length]).toEqual([3, 0, 0]);
  });

  it('accepts metadata at its limits: 50 keys, 40-character keys, 500-character values', async () => {
    const { token } = await workspace();
    const metadata = Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`${String(i).padStart(2, '0')}${'k'.repeat(38)}`, 'v'.repeat(500)]));
    const c = await create(token, { metadata });
    expect(c.metadata).toEqual(metadata);
    expect((await upwellCall('GET', `${CUSTOMERS}/${c.id}`, token)).body.customer.metadata).toEqual(metadata);
  });

  it('treats null ccEmailAddresses and metadata like absent ones (their schema declares them nullable)', async () => {
    const { token } = await workspace();
    const res = await upwellCall('POST', CUSTOMERS, token, { body: { input: { name: 'Acme', ccEmailAddresses: null, metadata: null } } });
    expect(res.body).toEqual({ createCustomer: upwell() });
    expect(res.status).toBe(200);
  });

  it('rejects invalid fields, naming each by its Upwell path', async () => {
    const { workspaceId, token } = await workspace();
    const post = (body: unknown, ...paths: string[]) => rejected(workspaceId, 'POST', CUSTOMERS, { body, authorization: token }, 400, invalid(...paths));
    const input = (fields: Fields, ...paths: string[]) => post({ input: { name: 'Acme', ...fields } }, ...paths);
    await post({}, 'input');
    await post({ input: {} }, 'input.name');
    await post({ input: { name: 'Acme' }, extra: 1 }, 'extra');
    await input({ name: '  ' }, 'input.name');
    await input({ emailAddress: 'not-an-email' }, 'input.emailAddress');
    await input({ ccEmailAddresses: ['ok@acme.test', 'nope'] }, 'input.ccEmailAddresses.1');
    await input({ ccEmailAddresses: Array.from({ length: 51 }, (_, i) => `u${i}@acme.test`) }, 'input.ccEmailAddresses');
    await input({ billToCustomerId: 'acme-1' }, 'input.billToCustomerId');
    await input({ collectorId: 7 }, 'input.collectorId');
    await input({ deletedAt: 'yesterday', addressesLastUpdatedAt: 5 }, 'input.addressesLastUpdatedAt', 'input.deletedAt');
    await input({ customerEmailSettings: 'on', customerIntegrationSettings: 5 }, 'input.customerEmailSettings', 'input.customerIntegrationSettings');
    await input({ customerRule: { data: { dueOption: 1.5 } } }, 'input.customerRule.data.dueOption');
    await input({ customerRule: { dueOption: 'net30' } }, 'input.customerRule.dueOption');
    await input({ balance: 100, overdueInvoiceCount: 1 }, 'input.balance', 'input.overdueInvoiceCount');
    await input({ paymentLineItems: { data: [{ amount: 100 }] } }, 'input.paymentLineItems.data.0');
    await input({ remittanceLineItems: { data: [{ amount: 100 }] } }, 'input.remittanceLineItems.data.0');
  });

  it('rejects metadata over its limits', async () => {
    const { workspaceId, token } = await workspace();
    const input = (metadata: unknown, path: string) => rejected(workspaceId, 'POST', CUSTOMERS, { body: { input: { name: 'Acme', metadata } }, authorization: token }, 400, invalid(path));
    await input(Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, 'v'])), 'input.metadata');
    await input({ ['k'.repeat(41)]: 'v' }, `input.metadata.${'k'.repeat(41)}`);
    await input({ k: 'v'.repeat(501) }, 'input.metadata.k');
    await input({ k: 1 }, 'input.metadata.k');
    await input('<unknown>', 'input.metadata');
  });

  it('rejects invalid nested addresses and contacts, and more than 20 of either', async () => {
    const { workspaceId, token } = await workspace();
    const input = (fields: Fields, ...paths: string[]) =>
      rejected(workspaceId, 'POST', CUSTOMERS, { body: { input: { name: 'Acme', ...fields } }, authorization: token }, 400, invalid(...paths));
    await input({ addresses: { data: [address({ country: 'XX' })] } }, 'input.addresses.data.0.country');
    await input({ addresses: { data: [address(), address({ country: 'FRA' })] } }, 'input.addresses.data.1.country');
    await input({ addresses: { data: [address({ type: 'HOME' })] } }, 'input.addresses.data.0.type');
    await input({ addresses: { data: [{ country: 'FR', type: 'BILLING' }] } }, 'input.addresses.data.0.streetLine1', 'input.addresses.data.0.city', 'input.addresses.data.0.zipOrPostalCode');
    await input({ addresses: { data: Array.from({ length: 21 }, () => address()) } }, 'input.addresses.data');
    await input({ contacts: { data: [{ firstName: 'Ada' }] } }, 'input.contacts.data.0.lastName', 'input.contacts.data.0.emailAddress');
    await input({ contacts: { data: [contact({ emailAddress: 'ada' })] } }, 'input.contacts.data.0.emailAddress');
    await input({ contacts: { data: [contact({ role: 'admin' })] } }, 'input.contacts.data.0.role');
    await input({ contacts: { data: Array.from({ length: 21 }, () => contact()) } }, 'input.contacts.data');
  });

  it('rejects JSON arrays where objects are expected, naming the field', async () => {
    const { workspaceId, token } = await workspace();
    const before = await snapshot(workspaceId);
    const cases: Fields = { addresses: [address()], contacts: [contact()], metadata: ['a', 'b'], customerIntegrationSettings: ['x'], customerEmailSettings: [], customerRule: [] };
    const outcomes = [];
    for (const [field, value] of Object.entries(cases)) {
      const res = await upwellCall('POST', CUSTOMERS, token, { body: { input: { name: 'Acme', [field]: value } } });
      outcomes.push({ field, status: res.status, body: res.body });
    }
    expect(outcomes).toEqual(Object.keys(cases).map((field) => ({ field, status: 400, body: invalid(`input.${field}`) })));
    expect(await snapshot(workspaceId)).toEqual(before);
  });

  it('accepts 20 addresses and 20 contacts', async () => {
    const { workspaceId, token } = await workspace();
    const c = await create(token, { addresses: { data: Array.from({ length: 20 }, () => address()) }, contacts: { data: Array.from({ length: 20 }, () => contact()) } });
    expect(c.addresses).toHaveLength(20);
    const rows = await snapshot(workspaceId);
    expect([rows.contacts!.length, rows.addresses!.length]).toEqual([20, 20]);
  });

  it('rejects a billToCustomerId that is not another customer of the workspace', async () => {
    const { workspaceId, token } = await workspace();
    await create(token);
    await rejected(workspaceId, 'POST', CUSTOMERS, { body: { input: { name: 'Acme', billToCustomerId: MISSING_ID } }, authorization: token }, 400, invalid(endingIn('billToCustomerId')));
  });

  it('answers 409 RESOURCE_ALREADY_EXISTS for an existing (sourceSystem, sourceSystemId) pair and changes nothing', async () => {
    const { workspaceId, token } = await workspace();
    await create(token, { sourceSystem: 'netsuite', sourceSystemId: 'NS-1' });
    const body = { input: { name: 'Other', sourceSystem: 'netsuite', sourceSystemId: 'NS-1', contacts: { data: [contact()] }, addresses: { data: [address()] } } };
    await rejected(workspaceId, 'POST', CUSTOMERS, { body, authorization: token }, 409, upwellError('RESOURCE_ALREADY_EXISTS', endingIn('sourceSystemId')));
    expect((await create(token, { sourceSystem: 'quickbooks', sourceSystemId: 'NS-1' })).sourceSystemId).toBe('NS-1');
    expect((await create(token, { sourceSystem: 'netsuite', sourceSystemId: 'NS-2' })).sourceSystem).toBe('netsuite');
  });

  it('rejects bodies that are not JSON objects (400), not JSON (415) or too large (413)', async () => {
    const { workspaceId, token } = await workspace();
    const json = { 'Content-Type': 'application/json' };
    for (const rawBody of ['{"input":', '', '[]', 'null']) await rejected(workspaceId, 'POST', CUSTOMERS, { rawBody, headers: json, authorization: token }, 400, invalid());
    await rejected(workspaceId, 'POST', CUSTOMERS, { rawBody: '{"input":{"name":"A"}}', headers: { 'Content-Type': 'text/plain' }, authorization: token }, 415, upwellError('UNSUPPORTED_MEDIA_TYPE'));
    const big = `{"input":{"name":"${'x'.repeat(MAX_BODY_BYTES)}"}}`;
    await rejected(workspaceId, 'POST', CUSTOMERS, { rawBody: big, headers: json, authorization: token }, 413, upwellError('PAYLOAD_TOO_LARGE'));
  });

  it('accepts the bare token and the Bearer form; refuses missing, bad, revoked, expired and read-only tokens', async () => {
    const ws = await workspace();
    expect((await upwellCall('POST', CUSTOMERS, `Bearer ${ws.token}`, { body: { input: { name: 'Bearer Co' } } })).status).toBe(200);
    await secured(ws, 'POST', CUSTOMERS, { body: { input: { name: 'Acme' } } }, true);
  });
});

describe('POST /api/rest/bulk-customers', () => {
  it('creates every customer with its nested rows, in order, in one round trip', async () => {
    const { workspaceId, token } = await workspace();
    const parent = await create(token, { name: 'Parent' });
    const inputs = [
      { name: 'One', sourceSystem: 'sf', sourceSystemId: '1', contacts: { data: [contact()] } },
      { name: 'Two', billToCustomerId: parent.id, addresses: { data: [address({ type: 'SHIPPING' })] }, customerRule: { data: { dueOption: 15 } } },
      { name: 'Three', metadata: { k: 'v' } },
    ];
    const res = await upwellCall('POST', BULK, token, { body: { inputs } });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.usage.d1).toBe(1);
    const [one, two] = res.body.createCustomers.returning;
    expect(res.body).toEqual({
      createCustomers: {
        returning: [
          upwell({ name: 'One', sourceSystem: 'sf', sourceSystemId: '1' }),
          upwell({ name: 'Two', billToCustomerId: parent.id, customerRule: { dueOption: 15, id: two.id }, addresses: [{ ...address({ type: 'SHIPPING' }), stateOrProvince: null, streetLine2: null, id: expect.stringMatching(UUID) }] }),
          upwell({ name: 'Three', metadata: { k: 'v' } }),
        ],
      },
    });
    const list = await upwellCall('GET', CUSTOMERS, token);
    expect(list.body).toEqual({ customers: [parent, ...res.body.createCustomers.returning], customersAggregate: { aggregate: { count: 4 } } });
    expect((await snapshot(workspaceId)).contacts).toEqual([expect.objectContaining({ customer_id: one.id, first_name: 'Ada', email: 'ada@acme.test' })]);
  });

  it('creates nothing when the third input repeats a source pair or names an invalid bill-to customer', async () => {
    const { workspaceId, token } = await workspace();
    await create(token, { sourceSystem: 'sf', sourceSystemId: '1' });
    const ok = [{ name: 'A', contacts: { data: [contact()] }, addresses: { data: [address()] } }, { name: 'B', sourceSystem: 'sf', sourceSystemId: '2' }];
    const bulk = (third: Fields, status: number, body: unknown) => rejected(workspaceId, 'POST', BULK, { body: { inputs: [...ok, { name: 'C', ...third }] }, authorization: token }, status, body);
    await bulk({ sourceSystem: 'sf', sourceSystemId: '1' }, 409, upwellError('RESOURCE_ALREADY_EXISTS', endingIn('sourceSystemId')));
    await bulk({ sourceSystem: 'sf', sourceSystemId: '2' }, 409, upwellError('RESOURCE_ALREADY_EXISTS', endingIn('sourceSystemId')));
    await bulk({ billToCustomerId: MISSING_ID }, 400, invalid(endingIn('billToCustomerId')));
    await bulk({ emailAddress: 'nope' }, 400, invalid('inputs.2.emailAddress'));
    expect((await snapshot(workspaceId)).customers).toHaveLength(1);
  });

  it('accepts 50 inputs and rejects 51, more than 20 nested rows, and malformed lists', async () => {
    const { workspaceId, token } = await workspace();
    const many = (n: number) => Array.from({ length: n }, (_, i) => ({ name: `C${i}` }));
    const post = (body: unknown, ...paths: string[]) => rejected(workspaceId, 'POST', BULK, { body, authorization: token }, 400, invalid(...paths));
    await post({ inputs: many(51) }, 'inputs');
    await post({ inputs: [{ name: 'A' }, { name: 'B', contacts: { data: Array.from({ length: 21 }, () => contact()) } }] }, 'inputs.1.contacts.data');
    await post({ inputs: [{ name: 'A', addresses: { data: Array.from({ length: 21 }, () => address()) } }] }, 'inputs.0.addresses.data');
    await post({ inputs: [{ name: 'A' }, {}] }, 'inputs.1.name');
    await post({ inputs: { name: 'A' } }, 'inputs');
    await post({ input: { name: 'A' } }, 'inputs', 'input');
    const res = await upwellCall('POST', BULK, token, { body: { inputs: many(50) } });
    expect(res.status).toBe(200);
    expect(res.body.createCustomers.returning.map((c: Fields) => c.name)).toEqual(many(50).map((c) => c.name));
  });

  it('requires a valid token with the write scope', async () => {
    await secured(await workspace(), 'POST', BULK, { body: { inputs: [{ name: 'Acme' }] } }, true);
  });
});

describe('GET /api/rest/customers', () => {
  it('lists in creation order with limit (default 25) and offset; count is the whole workspace', async () => {
    const { token, readOnly } = await workspace();
    const res = await upwellCall('POST', BULK, token, { body: { inputs: Array.from({ length: 27 }, (_, i) => ({ name: `C${String(i + 1).padStart(2, '0')}` })) } });
    const all = res.body.createCustomers.returning;
    const page = (customers: unknown[]) => ({ customers, customersAggregate: { aggregate: { count: 27 } } });
    expect((await upwellCall('GET', CUSTOMERS, readOnly)).body).toEqual(page(all.slice(0, 25)));
    expect((await upwellCall('GET', `${CUSTOMERS}?limit=10&offset=0`, token)).body).toEqual(page(all.slice(0, 10)));
    expect((await upwellCall('GET', `${CUSTOMERS}?limit=10&offset=20`, token)).body).toEqual(page(all.slice(20)));
    expect((await upwellCall('GET', `${CUSTOMERS}?limit=1&offset=26`, `Bearer ${token}`)).body).toEqual(page(all.slice(26)));
    expect((await upwellCall('GET', `${CUSTOMERS}?limit=100&offset=27`, token)).body).toEqual(page([]));
    expect((await upwellCall('GET', `${CUSTOMERS}?limit=100`, token)).body).toEqual(page(all));
  });

  it('answers an empty workspace with no customers and count 0', async () => {
    const { token } = await workspace();
    const res = await upwellCall('GET', `${CUSTOMERS}?limit=10&offset=0`, token);
    expect(res.body).toEqual({ customers: [], customersAggregate: { aggregate: { count: 0 } } });
    expect(res.status).toBe(200);
  });

  it('rejects limit outside 1-100, a bad offset and unknown parameters', async () => {
    const { workspaceId, token } = await workspace();
    const get = (query: string, ...paths: string[]) => rejected(workspaceId, 'GET', `${CUSTOMERS}?${query}`, { authorization: token }, 400, invalid(...paths));
    for (const limit of ['0', '101', 'ten', '-1', '1.5', '']) await get(`limit=${limit}`, 'limit');
    for (const offset of ['-1', 'x', '100001', '2e3']) await get(`offset=${offset}`, 'offset');
    await get('limit=10&page=2', 'page');
    await get('where=1', 'where');
  });

  it('requires a valid token; a read-only token may list', async () => {
    const ws = await workspace();
    expect((await upwellCall('GET', CUSTOMERS, ws.readOnly)).status).toBe(200);
    await secured(ws, 'GET', `${CUSTOMERS}?limit=10&offset=0`, {}, false);
  });
});

describe('GET /api/rest/customers/{id}', () => {
  it('returns the customer, whole, with its addresses', async () => {
    const { token, readOnly } = await workspace();
    const c = await create(token, { emailAddress: 'a@acme.test', addresses: { data: [address(), address({ type: 'SHIPPING' })] }, customerRule: { dueOption: 3 } });
    expect((await upwellCall('GET', `${CUSTOMERS}/${c.id}`, readOnly)).body).toEqual({ customer: c });
    expect((await upwellCall('GET', `${CUSTOMERS}/${c.id.toUpperCase()}`, token)).body).toEqual({ customer: c });
  });

  it('answers 404 RESOURCE_NOT_FOUND for an unknown or non-UUID id', async () => {
    const { workspaceId, token } = await workspace();
    await create(token);
    for (const id of [MISSING_ID, 'not-a-uuid', '1', `${MISSING_ID}x`, "x' OR '1'='1"]) {
      await rejected(workspaceId, 'GET', `${CUSTOMERS}/${encodeURIComponent(id)}`, { authorization: token }, 404, upwellError('RESOURCE_NOT_FOUND'));
    }
  });

  it('requires a valid token', async () => {
    const ws = await workspace();
    const c = await create(ws.token);
    await secured(ws, 'GET', `${CUSTOMERS}/${c.id}`, {}, false);
  });
});

describe('PUT /api/rest/customers/{id}', () => {
  const set = {
    name: 'Acme 2', emailAddress: 'new@acme.test', ccEmailAddresses: ['y@acme.test'], collectorId: 'col-9', metadata: { b: '2' },
    sourceSystem: 'hubspot', sourceSystemId: 'H-1', deletedAt: '2024-01-01T00:00:00Z',
    addressesLastUpdatedAt: '2024-02-01T00:00:00.5Z', contactsLastUpdatedAt: '2024-03-01T12:00:00+02:00',
  };

  it('sets every CustomersSetInput field and the due option; affectedRows counts the rules update', async () => {
    const { token } = await workspace();
    const parent = await create(token, { name: 'Parent' });
    const c = await create(token, { sourceSystem: 'sf', sourceSystemId: '1', metadata: { a: '1' }, addresses: { data: [address()] } });
    const res = await upwellCall('PUT', `${CUSTOMERS}/${c.id}`, token, { body: { input: { ...set, billToCustomerId: parent.id } } });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const changed = { ...c, ...set, billToCustomerId: parent.id, updatedAt: expect.stringMatching(ISO), deletedAt: '2024-01-01T00:00:00.000Z', addressesLastUpdatedAt: '2024-02-01T00:00:00.500Z', contactsLastUpdatedAt: '2024-03-01T10:00:00.000Z' };
    expect(res.body).toEqual({ updateCustomer: upwell(changed), updateCustomerRules: { affectedRows: 0 } });
    expect(res.body.updateCustomer.updatedAt > c.updatedAt).toBe(true);
    expect((await upwellCall('GET', `${CUSTOMERS}/${c.id}`, token)).body).toEqual({ customer: res.body.updateCustomer });

    const rules = await upwellCall('PUT', `${CUSTOMERS}/${c.id}`, token, { body: { customerRulesInput: { dueOption: 45 } } });
    expect(rules.body).toEqual({ updateCustomer: upwell({ ...changed, customerRule: { dueOption: 45, id: c.id } }), updateCustomerRules: { affectedRows: 1 } });
    const cleared = await upwellCall('PUT', `${CUSTOMERS}/${c.id}`, token, { body: { input: { name: 'Acme 3' }, customerRulesInput: { dueOption: null } } });
    expect(cleared.body).toEqual({ updateCustomer: upwell({ ...changed, name: 'Acme 3', customerRule: null }), updateCustomerRules: { affectedRows: 1 } });
  });

  it('clears nullable fields with null, and changes nothing with an empty input', async () => {
    const { workspaceId, token } = await workspace();
    const parent = await create(token, { name: 'Parent' });
    const c = await create(token, { ...set, billToCustomerId: parent.id, customerRule: { dueOption: 5 } });
    const before = await snapshot(workspaceId);
    const same = await upwellCall('PUT', `${CUSTOMERS}/${c.id}`, token, { body: { input: {} } });
    expect(same.body).toEqual({ updateCustomer: c, updateCustomerRules: { affectedRows: 0 } });
    expect(await snapshot(workspaceId)).toEqual(before);
    const nulls = Object.fromEntries(Object.keys(set).filter((k) => k !== 'name').map((k) => [k, null]));
    const res = await upwellCall('PUT', `${CUSTOMERS}/${c.id}`, token, { body: { input: { ...nulls, billToCustomerId: null } } });
    expect(res.body).toEqual({
      updateCustomer: upwell({ id: c.id, name: 'Acme 2', createdAt: c.createdAt, customerRule: { dueOption: 5, id: c.id } }),
      updateCustomerRules: { affectedRows: 0 },
    });
  });

  it('rejects invalid input, a bill-to that is itself or unknown, and a taken source pair', async () => {
    const { workspaceId, token } = await workspace();
    await create(token, { sourceSystem: 'sf', sourceSystemId: 'taken' });
    const c = await create(token, { sourceSystem: 'sf', sourceSystemId: 'mine' });
    const put = (body: unknown, status: number, expected: unknown) => rejected(workspaceId, 'PUT', `${CUSTOMERS}/${c.id}`, { body, authorization: token }, status, expected);
    await put({ input: { name: null } }, 400, invalid('input.name'));
    await put({ input: { name: '' } }, 400, invalid('input.name'));
    await put({ input: { emailAddress: 'x' } }, 400, invalid('input.emailAddress'));
    await put({ input: { metadata: { x: 1 } } }, 400, invalid('input.metadata.x'));
    await put({ input: { addresses: { data: [] }, balance: 1 } }, 400, invalid('input.addresses', 'input.balance'));
    await put({ customerRulesInput: { dueOption: '30' } }, 400, invalid('customerRulesInput.dueOption'));
    await put({ customerRulesInput: { dueOption: -1 } }, 400, invalid('customerRulesInput.dueOption'));
    await put({ input: {}, id: c.id }, 400, invalid('id'));
    await put({ input: { billToCustomerId: c.id } }, 400, invalid(endingIn('billToCustomerId')));
    await put({ input: { billToCustomerId: MISSING_ID } }, 400, invalid(endingIn('billToCustomerId')));
    await put({ input: { sourceSystemId: 'taken' } }, 409, upwellError('RESOURCE_ALREADY_EXISTS', endingIn('sourceSystemId')));
  });

  it('answers 404 RESOURCE_NOT_FOUND for an unknown or non-UUID id', async () => {
    const { workspaceId, token } = await workspace();
    await create(token);
    for (const id of [MISSING_ID, 'nope']) {
      await rejected(workspaceId, 'PUT', `${CUSTOMERS}/${id}`, { body: { input: { name: 'X' }, customerRulesInput: { dueOption: 1 } }, authorization: token }, 404, upwellError('RESOURCE_NOT_FOUND'));
    }
  });

  it('requires a valid token with the write scope', async () => {
    const ws = await workspace();
    const c = await create(ws.token);
    await secured(ws, 'PUT', `${CUSTOMERS}/${c.id}`, { body: { input: { name: 'Changed' } } }, true);
  });
});

describe('PUT /api/rest/customers', () => {
  it('updates the customer with that source pair and returns it; rules count per updated customer', async () => {
    const { workspaceId, token } = await workspace();
    const c = await create(token, { sourceSystem: 'sf', sourceSystemId: '1' });
    const other = await create(token, { sourceSystem: 'sf', sourceSystemId: '2' });
    const res = await upwellCall('PUT', CUSTOMERS, token, { body: { sourceSystem: 'sf', sourceSystemId: '1', input: { name: 'Renamed', collectorId: 'c' }, customerRulesInput: { dueOption: 10 } } });
    const updated = upwell({ ...c, name: 'Renamed', collectorId: 'c', customerRule: { dueOption: 10, id: c.id }, updatedAt: expect.stringMatching(ISO) });
    expect(res.body).toEqual({ updateCustomer: { affectedRows: 1, returning: [updated] }, updateCustomerRules: { affectedRows: 1 } });
    expect(res.status).toBe(200);
    const moved = await upwellCall('PUT', CUSTOMERS, token, { body: { sourceSystem: 'sf', sourceSystemId: '1', input: { sourceSystemId: '1b' } } });
    expect(moved.body).toEqual({ updateCustomer: { affectedRows: 1, returning: [{ ...updated, sourceSystemId: '1b' }] }, updateCustomerRules: { affectedRows: 0 } });
    expect((await upwellCall('GET', `${CUSTOMERS}/${other.id}`, token)).body).toEqual({ customer: other });
    expect((await snapshot(workspaceId)).customers).toHaveLength(2);
  });

  it('answers affectedRows 0 and changes nothing when no customer has the pair', async () => {
    const { workspaceId, token } = await workspace();
    await create(token, { sourceSystem: 'sf', sourceSystemId: '1' });
    const before = await snapshot(workspaceId);
    for (const pair of [{ sourceSystem: 'sf', sourceSystemId: '9' }, { sourceSystem: 'SF', sourceSystemId: '1' }, { sourceSystem: 'hubspot', sourceSystemId: '1' }]) {
      const res = await upwellCall('PUT', CUSTOMERS, token, { body: { ...pair, input: { name: 'X' }, customerRulesInput: { dueOption: 1 } } });
      expect(res.body).toEqual({ updateCustomer: { affectedRows: 0, returning: [] }, updateCustomerRules: { affectedRows: 0 } });
      expect(res.status).toBe(200);
    }
    expect(await snapshot(workspaceId)).toEqual(before);
  });

  it('rejects a missing pair, invalid input and a taken pair', async () => {
    const { workspaceId, token } = await workspace();
    await create(token, { sourceSystem: 'sf', sourceSystemId: '1' });
    await create(token, { sourceSystem: 'sf', sourceSystemId: '2' });
    const put = (body: unknown, status: number, expected: unknown) => rejected(workspaceId, 'PUT', CUSTOMERS, { body, authorization: token }, status, expected);
    await put({ input: { name: 'X' } }, 400, invalid('sourceSystem', 'sourceSystemId'));
    await put({ sourceSystem: '', sourceSystemId: 1 }, 400, invalid('sourceSystem', 'sourceSystemId'));
    await put({ sourceSystem: 'sf', sourceSystemId: '1', input: { emailAddress: 'x' } }, 400, invalid('input.emailAddress'));
    await put({ sourceSystem: 'sf', sourceSystemId: '1', customerRulesInput: { dueOption: 0.5 } }, 400, invalid('customerRulesInput.dueOption'));
    await put({ sourceSystem: 'sf', sourceSystemId: '1', where: {} }, 400, invalid('where'));
    await put({ sourceSystem: 'sf', sourceSystemId: '1', input: { sourceSystemId: '2' } }, 409, upwellError('RESOURCE_ALREADY_EXISTS', endingIn('sourceSystemId')));
  });

  it('requires a valid token with the write scope', async () => {
    const ws = await workspace();
    await create(ws.token, { sourceSystem: 'sf', sourceSystemId: '1' });
    await secured(ws, 'PUT', CUSTOMERS, { body: { sourceSystem: 'sf', sourceSystemId: '1', input: { name: 'X' } } }, true);
  });
});

describe('other methods on /api/rest', () => {
  it('answers 405 METHOD_NOT_ALLOWED with Allow, and 404 for unknown paths, in the Upwell envelope', async () => {
    const { workspaceId, token } = await workspace();
    const c = await create(token);
    for (const [method, path, allow] of [['DELETE', `${CUSTOMERS}/${c.id}`, 'GET, HEAD, PUT'], ['PATCH', CUSTOMERS, 'POST, GET, HEAD, PUT'], ['GET', BULK, 'POST']] as const) {
      const res = await rejected(workspaceId, method, path, { authorization: token }, 405, upwellError('METHOD_NOT_ALLOWED'));
      expect(res.headers.get('Allow')?.split(', ').sort()).toEqual(allow.split(', ').sort());
    }
    await rejected(workspaceId, 'GET', '/api/rest/invoices', { authorization: token }, 404, upwellError('RESOURCE_NOT_FOUND'));
  });
});

describe('Upwell address types', () => {
  it('read back as written through Upwell, while the canonical API keeps billing/shipping', async () => {
    const { token } = await workspace();
    const types = ['BILLING', 'ADDRESS_BOOK', 'SHIPPING'];
    const res = await upwellCall('POST', CUSTOMERS, token, { body: { input: { name: 'Typed', addresses: { data: types.map((type) => address({ type })) } } } });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const created = res.body.createCustomer;
    expect(created.addresses.map((a: Fields) => a.type)).toEqual(types);
    const read = await upwellCall('GET', `${CUSTOMERS}/${created.id}`, token);
    expect(read.body.customer.addresses.map((a: Fields) => a.type)).toEqual(types);
    const listed = await upwellCall('POST', `${CUSTOMERS}/search`, token, { body: { where: { id: { _eq: created.id } } } });
    expect(listed.body.customers[0].addresses.map((a: Fields) => a.type)).toEqual(types);
    const canonical = await upwellCall('GET', `/api/addresses?customer_id=${created.id}`, token);
    expect(canonical.body.data.map((a: Fields) => a.type)).toEqual(['billing', 'billing', 'shipping']);
    expect(Object.keys(canonical.body.data[0])).not.toContain('upwell_type');

    // Setting the type through the canonical API replaces Upwell's label; other changes keep it.
    const [billing, addressBook] = canonical.body.data;
    await upwellCall('PATCH', `/api/addresses/${billing.id}`, token, { body: { city: 'Shelbyville' } });
    await upwellCall('PATCH', `/api/addresses/${addressBook.id}`, token, { body: { type: 'shipping' } });
    const after = await upwellCall('GET', `${CUSTOMERS}/${created.id}`, token);
    expect(after.body.customer.addresses.map((a: Fields) => a.type)).toEqual(['BILLING', 'SHIPPING', 'SHIPPING']);
    await upwellCall('PATCH', `/api/addresses/${addressBook.id}`, token, { body: { type: 'billing' } });
    const back = await upwellCall('GET', `${CUSTOMERS}/${created.id}`, token);
    expect(back.body.customer.addresses.map((a: Fields) => a.type)).toEqual(['BILLING', 'ADDRESS_BOOK', 'SHIPPING']);
  });
});
