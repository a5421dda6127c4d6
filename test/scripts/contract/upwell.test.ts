/**
 * The Upwell API (seed 003, tag Upwell) driven for real through `call()`,
 * which holds every response to public/openapi.json: each route's successes
 * and the errors a client can get from it, in Upwell's error dialect. The
 * last test fails unless every Upwell operation of the document answered at
 * least one success and one error here.
 */
import { describe, expect, it } from 'vitest';
import { call, expectCoverage, expectMethodsNotAllowed, expectReadScopeRequired, expectStatus, ISO, type Json, MISSING_ID, type Reply, serve, tokens, unique, UUID } from './support.ts';

serve();

const CUSTOMERS = '/api/rest/customers';
const BULK = '/api/rest/bulk-customers';
const SEARCH = '/api/rest/customers/search';

/** An Upwell error body: its code, the paths of its details, the request id of its X-Request-Id. */
function expectError(reply: Reply, status: number, code: string, detailPaths: string[] = []) {
  expect(reply.status, reply.text).toBe(status);
  expect(reply.body).toEqual({
    error: { code, message: expect.any(String), details: expect.any(Array), requestId: reply.headers['x-request-id'] },
    status: 'error',
    timestamp: expect.stringMatching(ISO),
  });
  expect(reply.body.error.details.map((d: { path: string }) => d.path)).toEqual(expect.arrayContaining(detailPaths));
}

/** Upwell clients send the bare token (README): the default for this file. */
const bare = (name: 'write' | 'read' | 'other' = 'write') => ({ Authorization: tokens()[name].token });

const source = (id: string) => ({ sourceSystem: 'NETSUITE', sourceSystemId: id });

function input(extra: Json = {}): Json {
  return {
    name: unique('Globex'),
    emailAddress: 'billing@globex.example',
    ccEmailAddresses: ['ap@globex.example'],
    collectorId: 'collector-7',
    metadata: { region: 'EMEA' },
    ...source(unique('NS')),
    customerEmailSettings: { reminders: true },
    addresses: { data: [{ streetLine1: '1 Main St', city: 'Springfield', zipOrPostalCode: '12345', country: 'US', type: 'BILLING' }] },
    contacts: { data: [{ firstName: 'Hank', lastName: 'Scorpio', emailAddress: 'hank@globex.example' }] },
    customerRule: { data: { dueOption: 30 } },
    ...extra,
  };
}

let customer: Json;
let etag: string;

describe(`POST ${CUSTOMERS}`, () => {
  it('creates a customer with its addresses and contacts (200), read back as written', async () => {
    const body = input();
    const reply = await expectStatus(200, 'POST', CUSTOMERS, { token: null, headers: bare(), body: { input: body } });
    customer = reply.body.createCustomer;
    etag = reply.headers.etag!;
    expect(customer).toMatchObject({
      id: expect.stringMatching(UUID),
      name: body.name,
      emailAddress: body.emailAddress,
      ccEmailAddresses: body.ccEmailAddresses,
      billToCustomerId: null,
      metadata: { region: 'EMEA' },
      sourceSystem: 'NETSUITE',
      sourceSystemId: body.sourceSystemId,
      customerEmailSettings: { reminders: true },
      customerIntegrationSettings: null,
      deletedAt: null,
      createdAt: expect.stringMatching(ISO),
      addresses: [{ id: expect.stringMatching(UUID), streetLine1: '1 Main St', streetLine2: null, city: 'Springfield', zipOrPostalCode: '12345', country: 'US', type: 'BILLING' }],
      balance: 0,
      overdueBalance: 0,
      overdueInvoiceCount: 0,
      customerRule: { dueOption: 30, id: expect.any(String) },
    });
    expect(customer.customerRule.id).toBe(customer.id);
    // The same customer through the canonical API, with its contact.
    const canonical = await expectStatus(200, 'GET', `/api/customers/${customer.id}`);
    expect(canonical.body.data).toMatchObject({ name: body.name, type: 'company', due_option: 30, contact_ids: [expect.stringMatching(UUID)] });
  });

  it('replays an Idempotency-Key, and refuses it for another body (422)', async () => {
    const body = { input: input({ addresses: {}, contacts: {} }) };
    const first = await expectStatus(200, 'POST', CUSTOMERS, { body, headers: { 'Idempotency-Key': 'upwell-create-1' } });
    const replay = await expectStatus(200, 'POST', CUSTOMERS, { body, headers: { 'Idempotency-Key': 'upwell-create-1' } });
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expect(replay.body).toEqual(first.body);
    expectError(await call('POST', CUSTOMERS, { body: { input: input() }, headers: { 'Idempotency-Key': 'upwell-create-1' } }), 422, 'IDEMPOTENCY_KEY_REUSED');
  });

  it('refuses a duplicate source pair (409), bad input and tokens', async () => {
    const duplicate = await call('POST', CUSTOMERS, { body: { input: input(source(customer.sourceSystemId)) } });
    expectError(duplicate, 409, 'RESOURCE_ALREADY_EXISTS', ['sourceSystemId']);
    expectError(await call('POST', CUSTOMERS, { body: { input: { emailAddress: 'nope' } } }), 400, 'VALIDATION_ERROR', ['input.name', 'input.emailAddress']);
    expectError(await call('POST', CUSTOMERS, { body: { input: input({ balance: 10 }) } }), 400, 'VALIDATION_ERROR', ['input.balance']);
    expectError(await call('POST', CUSTOMERS, { body: { input: input({ billToCustomerId: MISSING_ID }) } }), 400, 'VALIDATION_ERROR', ['billToCustomerId']);
    expectError(await call('POST', CUSTOMERS, { body: { customer: {} } }), 400, 'VALIDATION_ERROR', ['input', 'customer']);
    expectError(await call('POST', CUSTOMERS, { body: '{"input":' }), 400, 'VALIDATION_ERROR');
    expectError(await call('POST', CUSTOMERS, { body: JSON.stringify({ input: input() }), headers: { 'Content-Type': 'text/plain' } }), 415, 'UNSUPPORTED_MEDIA_TYPE');
    expectError(await call('POST', CUSTOMERS, { body: { input: input({ name: 'x'.repeat(70 * 1024) }) } }), 413, 'PAYLOAD_TOO_LARGE');
    expectError(await call('POST', CUSTOMERS, { body: { input: input() }, token: null }), 401, 'MISSING_AUTHORIZATION');
    expectError(await call('POST', CUSTOMERS, { body: { input: input() }, token: null, headers: { Authorization: 'not-a-token' } }), 401, 'INVALID_API_KEY');
    expectError(await call('POST', CUSTOMERS, { body: { input: input() }, token: null, headers: bare('read') }), 403, 'FORBIDDEN');
  });
});

describe(`POST ${BULK}`, () => {
  it('creates every customer of the request in one batch (200)', async () => {
    const inputs = [input({ contacts: {} }), input({ addresses: { data: [] }, customerRule: null })];
    const reply = await expectStatus(200, 'POST', BULK, { body: { inputs } });
    const returning = reply.body.createCustomers.returning;
    expect(returning.map((c: Json) => c.name)).toEqual(inputs.map((i) => i.name));
    expect(returning[1]).toMatchObject({ addresses: [], customerRule: null });
  });

  it('is all or nothing: a duplicate pair (409) or a bad row (400) writes none', async () => {
    const fresh = input();
    expectError(await call('POST', BULK, { body: { inputs: [fresh, input(source(customer.sourceSystemId))] } }), 409, 'RESOURCE_ALREADY_EXISTS');
    expectError(await call('POST', BULK, { body: { inputs: [fresh, { name: '' }] } }), 400, 'VALIDATION_ERROR', ['inputs.1.name']);
    const none = await expectStatus(200, 'POST', SEARCH, { body: { where: { sourceSystemId: { _eq: fresh.sourceSystemId } } } });
    expect(none.body.customersAggregate.aggregate.count).toBe(0);
    expectError(await call('POST', BULK, { body: { inputs: [] } }), 400, 'VALIDATION_ERROR', ['inputs']);
    expectError(await call('POST', BULK, { body: { inputs: Array.from({ length: 51 }, () => ({ name: 'n' })) } }), 400, 'VALIDATION_ERROR', ['inputs']);
    expectError(await call('POST', BULK, { body: { inputs: [fresh] }, token: 'read' }), 403, 'FORBIDDEN');
  });
});

describe(`POST ${SEARCH} and GET ${CUSTOMERS}`, () => {
  it('search: Hasura where and orderBy, with the count across pages', async () => {
    const where = { _and: [{ name: { _ilike: `%${customer.name.slice(0, 10).toLowerCase()}%` } }, { sourceSystem: { _eq: 'NETSUITE' } }] };
    const all = await expectStatus(200, 'POST', SEARCH, { token: 'read', body: { where, orderBy: [{ createdAt: 'desc' }], limit: 100 } });
    const count = all.body.customersAggregate.aggregate.count;
    expect(count).toBeGreaterThanOrEqual(4);
    expect(all.body.customers).toHaveLength(count);
    expect(all.body.customers.at(-1).id).toBe(customer.id);
    const page = await expectStatus(200, 'POST', SEARCH, { body: { where, orderBy: [{ createdAt: 'desc' }], limit: 1, offset: 1 } });
    expect(page.body).toEqual({ customers: [all.body.customers[1]], customersAggregate: { aggregate: { count } } });
    const exact = await expectStatus(200, 'POST', SEARCH, { body: { where: { id: { _eq: customer.id } } } });
    expect(exact.body.customers.map((c: Json) => c.id)).toEqual([customer.id]);
  });

  it('search: refuses what it cannot serve, naming the condition', async () => {
    expectError(await call('POST', SEARCH, { body: { where: { name: { _regex: 'a.*' } } } }), 400, 'VALIDATION_ERROR', ['where.name._regex']);
    expectError(await call('POST', SEARCH, { body: { where: { balance: { _gt: 0 } } } }), 400, 'VALIDATION_ERROR', ['where.balance']);
    expectError(await call('POST', SEARCH, { body: { where: { name: { _gte: 'A' } } } }), 400, 'VALIDATION_ERROR', ['where.name._gte']);
    expectError(await call('POST', SEARCH, { body: { orderBy: [{ emailAddress: 'asc' }] } }), 400, 'VALIDATION_ERROR');
    expectError(await call('POST', SEARCH, { body: { limit: 0 } }), 400, 'VALIDATION_ERROR', ['limit']);
    expectError(await call('POST', SEARCH, { body: {}, token: null }), 401, 'MISSING_AUTHORIZATION');
  });

  it('list: pages in creation order, with the workspace count', async () => {
    const all = await expectStatus(200, 'GET', CUSTOMERS, { token: null, headers: bare('read'), query: { limit: 100 } });
    const count = all.body.customersAggregate.aggregate.count;
    expect(all.body.customers).toHaveLength(count);
    expect(all.body.customers[0].id).toBe(customer.id);
    const second = await expectStatus(200, 'GET', CUSTOMERS, { query: { limit: 1, offset: 1 } });
    expect(second.body).toEqual({ customers: [all.body.customers[1]], customersAggregate: { aggregate: { count } } });
    expect((await expectStatus(200, 'HEAD', CUSTOMERS)).text).toBe('');
    const theirs = await expectStatus(200, 'GET', CUSTOMERS, { token: 'other' });
    expect(theirs.body).toEqual({ customers: [], customersAggregate: { aggregate: { count: 0 } } });
    expectError(await call('GET', CUSTOMERS, { query: { limit: 0 } }), 400, 'VALIDATION_ERROR', ['limit']);
    expectError(await call('GET', CUSTOMERS, { query: { offset: 100_001 } }), 400, 'VALIDATION_ERROR', ['offset']);
    expectError(await call('GET', CUSTOMERS, { query: { where: 'name' } }), 400, 'VALIDATION_ERROR', ['where']);
    expectError(await call('GET', CUSTOMERS, { token: 'expired' }), 401, 'INVALID_API_KEY');
  });
});

describe(`GET ${CUSTOMERS}/{id}`, () => {
  it('returns the customer with its ETag; 304 when unchanged', async () => {
    const one = await expectStatus(200, 'GET', `${CUSTOMERS}/${customer.id}`, { token: 'read' });
    expect(one.body).toEqual({ customer });
    // The version of the create's ETag; its digest is of this representation, not the create's.
    expect(one.headers.etag!.split('-')[0]).toBe(etag.split('-')[0]);
    etag = one.headers.etag!;
    const unchanged = await expectStatus(304, 'GET', `${CUSTOMERS}/${customer.id}`, { headers: { 'If-None-Match': etag } });
    expect(unchanged.text).toBe('');
    expect((await expectStatus(200, 'HEAD', `${CUSTOMERS}/${customer.id}`)).text).toBe('');
  });

  it('404 for ids it cannot see; 401', async () => {
    expectError(await call('GET', `${CUSTOMERS}/${MISSING_ID}`), 404, 'RESOURCE_NOT_FOUND');
    expectError(await call('GET', `${CUSTOMERS}/12345`), 404, 'RESOURCE_NOT_FOUND');
    expectError(await call('GET', `${CUSTOMERS}/${customer.id}`, { token: 'other' }), 404, 'RESOURCE_NOT_FOUND');
    expectError(await call('GET', `${CUSTOMERS}/${customer.id}`, { token: `qwt_dev_${'2'.repeat(64)}` }), 401, 'INVALID_API_KEY');
  });
});

describe(`PUT ${CUSTOMERS}/{id}`, () => {
  it('changes what is sent and the customer rule (200), under If-Match', async () => {
    const reply = await expectStatus(200, 'PUT', `${CUSTOMERS}/${customer.id}`, {
      body: { input: { collectorId: null, metadata: { region: 'APAC' } }, customerRulesInput: { dueOption: 45 } },
      headers: { 'If-Match': etag },
    });
    expect(reply.body).toEqual({
      updateCustomer: { ...customer, collectorId: null, metadata: { region: 'APAC' }, customerRule: { dueOption: 45, id: customer.id }, updatedAt: expect.stringMatching(ISO) },
      updateCustomerRules: { affectedRows: 1 },
    });
    expect(reply.headers.etag).not.toBe(etag);
    const same = await expectStatus(200, 'PUT', `${CUSTOMERS}/${customer.id}`, { body: { input: { name: customer.name } } });
    expect(same.body.updateCustomerRules).toEqual({ affectedRows: 0 });
    expectError(await call('PUT', `${CUSTOMERS}/${customer.id}`, { body: { input: { name: 'Stale' } }, headers: { 'If-Match': etag } }), 412, 'PRECONDITION_FAILED');
    etag = same.headers.etag!;
  });

  it('refuses bad input, unknown ids and read tokens', async () => {
    expectError(await call('PUT', `${CUSTOMERS}/${customer.id}`, { body: { input: { name: null } } }), 400, 'VALIDATION_ERROR', ['input.name']);
    expectError(await call('PUT', `${CUSTOMERS}/${customer.id}`, { body: { input: { customerEmailSettings: {} } } }), 400, 'VALIDATION_ERROR', ['input.customerEmailSettings']);
    expectError(await call('PUT', `${CUSTOMERS}/${customer.id}`, { body: { input: { billToCustomerId: customer.id } } }), 400, 'VALIDATION_ERROR', ['billToCustomerId']);
    expectError(await call('PUT', `${CUSTOMERS}/${MISSING_ID}`, { body: { input: { name: 'Nobody' } } }), 404, 'RESOURCE_NOT_FOUND');
    const [other] = (await expectStatus(200, 'POST', BULK, { body: { inputs: [input()] } })).body.createCustomers.returning;
    const taken = { input: { sourceSystemId: customer.sourceSystemId } };
    expectError(await call('PUT', `${CUSTOMERS}/${other.id}`, { body: taken }), 409, 'RESOURCE_ALREADY_EXISTS', ['sourceSystemId']);
    expectError(await call('PUT', `${CUSTOMERS}/${customer.id}`, { body: { input: {} }, token: 'read' }), 403, 'FORBIDDEN');
  });
});

describe(`PUT ${CUSTOMERS} (by source system ids)`, () => {
  it('updates the customer with that pair, or none (affectedRows 0)', async () => {
    const reply = await expectStatus(200, 'PUT', CUSTOMERS, {
      body: { ...source(customer.sourceSystemId), input: { emailAddress: 'ar@globex.example' }, customerRulesInput: { dueOption: null } },
    });
    expect(reply.body).toEqual({
      updateCustomer: { affectedRows: 1, returning: [expect.objectContaining({ id: customer.id, emailAddress: 'ar@globex.example', customerRule: null })] },
      updateCustomerRules: { affectedRows: 1 },
    });
    const stale = { 'If-Match': reply.headers.etag!.replace(/^"(\d+)-/, (_, version) => `"${Number(version) - 1}-`) };
    const refused = await call('PUT', CUSTOMERS, { body: { ...source(customer.sourceSystemId), input: { name: 'Stale' } }, headers: stale });
    expectError(refused, 412, 'PRECONDITION_FAILED');
    const none = await expectStatus(200, 'PUT', CUSTOMERS, { body: { ...source('no-such-id'), input: { name: 'Nobody' } } });
    expect(none.body).toEqual({ updateCustomer: { affectedRows: 0, returning: [] }, updateCustomerRules: { affectedRows: 0 } });
  });

  it('refuses a body without the pair, and read tokens', async () => {
    expectError(await call('PUT', CUSTOMERS, { body: { input: { name: 'X' } } }), 400, 'VALIDATION_ERROR', ['sourceSystem', 'sourceSystemId']);
    expectError(await call('PUT', CUSTOMERS, { body: { ...source('x'), input: { ccEmailAddresses: ['not-mail'] } } }), 400, 'VALIDATION_ERROR', ['input.ccEmailAddresses.0']);
    expectError(await call('PUT', CUSTOMERS, { body: { ...source('x') }, token: 'read' }), 403, 'FORBIDDEN');
    expectError(await call('PUT', CUSTOMERS, { body: { ...source('x') }, token: null }), 401, 'MISSING_AUTHORIZATION');
  });
});

describe('methods a path does not take', () => {
  it('answers 405 with Allow on every path', async () => {
    const cases: [string, string, string][] = [
      ['DELETE', CUSTOMERS, 'GET, HEAD, POST, PUT'],
      ['GET', BULK, 'POST'],
      ['GET', SEARCH, 'POST'],
      ['PATCH', `${CUSTOMERS}/${MISSING_ID}`, 'GET, HEAD, PUT'],
    ];
    await expectMethodsNotAllowed(cases, (reply) => expectError(reply, 405, 'METHOD_NOT_ALLOWED'));
  });
});

describe('scopes', () => {
  it('a token without the read scope gets 403 on the read routes, searches included', async () => {
    const cases: [string, string, unknown?][] = [['GET', CUSTOMERS], ['GET', `${CUSTOMERS}/${MISSING_ID}`], ['POST', SEARCH, {}]];
    await expectReadScopeRequired(cases, (reply) => expectError(reply, 403, 'FORBIDDEN'));
  });
});

describe('the document', () => {
  it('every Upwell operation answered a success and an error', () => {
    console.log(JSON.stringify(expectCoverage('Upwell')));
  });
});
