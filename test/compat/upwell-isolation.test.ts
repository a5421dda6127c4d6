/**
 * Workspace isolation over every Upwell route: workspace B's token never sees,
 * changes or learns of workspace A's customers — not through lists, searches
 * whose `where` matches A's values exactly, reads or updates by A's ids or
 * source-system ids, nor a bill-to reference — and A's rows stay as they were.
 */
import { describe, expect, it } from 'vitest';
import { upwellError } from '../errors';
import { MISSING_ID } from '../fixtures';
import { ok, snapshot, upwellCall, workspace } from '../helpers';

const CUSTOMERS = '/api/rest/customers';
type Fields = Record<string, any>;

const billTo = expect.stringMatching(/(^|\.)billToCustomerId$/);

/**
 * Workspace A with a parent customer (address, contact, due option) and a child
 * billed to it; workspace B with one customer. `unchanged()` asserts A's rows
 * are exactly as they were and A still reads the same customers.
 */
async function setup() {
  const a = await workspace();
  const b = await workspace();
  const alpha = (await ok('POST', CUSTOMERS, a.token, {
    input: {
      name: 'Alpha Corp',
      emailAddress: 'ar@alpha.test',
      collectorId: 'col-a',
      sourceSystem: 'netsuite',
      sourceSystemId: 'A-1',
      deletedAt: '2024-01-01T00:00:00Z',
      customerRule: { dueOption: 30 },
      addresses: { data: [{ streetLine1: '1 Alpha St', city: 'Paris', zipOrPostalCode: '75001', country: 'FR', type: 'BILLING' }] },
      contacts: { data: [{ firstName: 'Ada', lastName: 'Alpha', emailAddress: 'ada@alpha.test' }] },
    },
  })).createCustomer;
  const child = (await ok('POST', CUSTOMERS, a.token, { input: { name: 'Alpha Child', billToCustomerId: alpha.id, sourceSystem: 'netsuite', sourceSystemId: 'A-2' } })).createCustomer;
  const beta = (await ok('POST', CUSTOMERS, b.token, { input: { name: 'Beta', sourceSystem: 'netsuite', sourceSystemId: 'B-1' } })).createCustomer;
  const before = await snapshot(a.workspaceId);
  const aList = await ok('GET', `${CUSTOMERS}?limit=100`, a.token);
  expect(aList.customersAggregate.aggregate.count).toBe(2);
  const unchanged = async () => {
    expect(await snapshot(a.workspaceId)).toEqual(before);
    expect(await ok('GET', `${CUSTOMERS}?limit=100`, a.token)).toEqual(aList);
  };
  return { a, b, alpha, child, beta, unchanged };
}

describe('POST /api/rest/customers across workspaces', () => {
  it("refuses another workspace's customer as billToCustomerId, exactly like an unknown one", async () => {
    const { b, alpha, unchanged } = await setup();
    const before = await snapshot(b.workspaceId);
    const foreign = await upwellCall('POST', CUSTOMERS, b.token, { body: { input: { name: 'Sneaky', billToCustomerId: alpha.id } } });
    const unknown = await upwellCall('POST', CUSTOMERS, b.token, { body: { input: { name: 'Sneaky', billToCustomerId: MISSING_ID } } });
    expect(foreign.body).toEqual(upwellError('VALIDATION_ERROR', billTo));
    expect([foreign.status, foreign.body.error.message, foreign.body.error.details]).toEqual([400, unknown.body.error.message, unknown.body.error.details]);
    expect(await snapshot(b.workspaceId)).toEqual(before);
    await unchanged();
  });

  it("lets B reuse A's source-system pair: no 409 reveals that A has it", async () => {
    const { b, alpha, unchanged } = await setup();
    const copy = (await ok('POST', CUSTOMERS, b.token, { input: { name: 'Beta Copy', sourceSystem: alpha.sourceSystem, sourceSystemId: alpha.sourceSystemId } })).createCustomer;
    expect(copy.id).not.toBe(alpha.id);
    expect([copy.sourceSystem, copy.sourceSystemId, copy.addresses, copy.customerRule]).toEqual(['netsuite', 'A-1', [], null]);
    await unchanged();
  });
});

describe('POST /api/rest/bulk-customers across workspaces', () => {
  it("creates nothing when one input is billed to A's customer", async () => {
    const { b, alpha, unchanged } = await setup();
    const before = await snapshot(b.workspaceId);
    const res = await upwellCall('POST', '/api/rest/bulk-customers', b.token, { body: { inputs: [{ name: 'B1' }, { name: 'B2' }, { name: 'B3', billToCustomerId: alpha.id }] } });
    expect(res.body).toEqual(upwellError('VALIDATION_ERROR', billTo));
    expect(res.status).toBe(400);
    expect(await snapshot(b.workspaceId)).toEqual(before);
    await unchanged();
  });
});

describe('GET /api/rest/customers across workspaces', () => {
  it('lists and counts only the caller’s customers, whatever the paging', async () => {
    const { b, beta, unchanged } = await setup();
    const only = { customers: [beta], customersAggregate: { aggregate: { count: 1 } } };
    expect(await ok('GET', CUSTOMERS, b.token)).toEqual(only);
    expect(await ok('GET', `${CUSTOMERS}?limit=100&offset=0`, b.readOnly)).toEqual(only);
    expect(await ok('GET', `${CUSTOMERS}?limit=10&offset=1`, b.token)).toEqual({ ...only, customers: [] });
    await unchanged();
  });
});

describe('GET /api/rest/customers/{id} across workspaces', () => {
  it("answers 404 for A's customers, exactly as for an id that does not exist", async () => {
    const { b, alpha, child, unchanged } = await setup();
    const unknown = await upwellCall('GET', `${CUSTOMERS}/${MISSING_ID}`, b.token);
    for (const id of [alpha.id, child.id, alpha.id.toUpperCase()]) {
      const res = await upwellCall('GET', `${CUSTOMERS}/${id}`, b.token);
      expect(res.body).toEqual(upwellError('RESOURCE_NOT_FOUND'));
      expect([res.status, res.body.error.message]).toEqual([404, unknown.body.error.message]);
    }
    await unchanged();
  });
});

describe('POST /api/rest/customers/search across workspaces', () => {
  it("never returns or counts A's rows, even for a where that matches them exactly", async () => {
    const { a, b, alpha, child, beta, unchanged } = await setup();
    const none = { customers: [], customersAggregate: { aggregate: { count: 0 } } };
    const wheres: Fields[] = [
      { id: { _eq: alpha.id } },
      { id: { _in: [alpha.id, child.id] } },
      { name: { _eq: 'Alpha Corp' } },
      { name: { _like: 'Alpha%' } },
      { name: { _ilike: '%alpha%' } },
      { emailAddress: { _eq: 'ar@alpha.test' } },
      { billToCustomerId: { _eq: alpha.id } },
      { billToCustomerId: { _is_null: false } },
      { collectorId: { _eq: 'col-a' } },
      { sourceSystemId: { _in: ['A-1', 'A-2'] } },
      { deletedAt: { _eq: '2024-01-01T00:00:00Z' } },
      { deletedAt: { _is_null: false } },
      { createdAt: { _lte: alpha.createdAt }, sourceSystemId: { _neq: 'B-1' } },
      { _or: [{ id: { _eq: alpha.id } }, { sourceSystemId: { _eq: 'A-2' } }] },
      { _and: [{ sourceSystem: { _eq: 'netsuite' } }, { _not: { sourceSystemId: { _eq: 'B-1' } } }] },
    ];
    for (const where of wheres) {
      const res = await upwellCall('POST', `${CUSTOMERS}/search`, b.token, { body: { where } });
      expect(res.body, JSON.stringify(where)).toEqual(none);
    }
    expect(await ok('POST', `${CUSTOMERS}/search`, b.token, { where: { _not: { id: { _eq: beta.id } } } })).toEqual(none);
    const eitherId = { _or: [{ id: { _eq: alpha.id } }, { id: { _eq: beta.id } }] };
    expect(await ok('POST', `${CUSTOMERS}/search`, b.token, { where: eitherId })).toEqual({ customers: [beta], customersAggregate: { aggregate: { count: 1 } } });
    expect(await ok('POST', `${CUSTOMERS}/search`, b.token, { where: { sourceSystem: { _eq: 'netsuite' } }, orderBy: [{ createdAt: 'asc' }], limit: 100 })).toEqual({
      customers: [beta],
      customersAggregate: { aggregate: { count: 1 } },
    });
    // The same searches by A find A's rows, and only them.
    expect((await ok('POST', `${CUSTOMERS}/search`, a.token, { where: { sourceSystem: { _eq: 'netsuite' } } })).customers.map((c: Fields) => c.id)).toEqual([alpha.id, child.id]);
    await unchanged();
  });
});

describe('PUT /api/rest/customers/{id} across workspaces', () => {
  it("answers 404 for A's customers and changes nothing", async () => {
    const { b, alpha, child, unchanged } = await setup();
    const before = await snapshot(b.workspaceId);
    for (const [id, body] of [
      [alpha.id, { input: { name: 'Hijacked', emailAddress: 'x@b.test' }, customerRulesInput: { dueOption: 1 } }],
      [child.id, { input: { billToCustomerId: null } }],
      [alpha.id, { input: {} }],
    ] as const) {
      const res = await upwellCall('PUT', `${CUSTOMERS}/${id}`, b.token, { body: body });
      expect(res.body).toEqual(upwellError('RESOURCE_NOT_FOUND'));
      expect(res.status).toBe(404);
    }
    expect(await snapshot(b.workspaceId)).toEqual(before);
    await unchanged();
  });

  it("refuses A's customer as B's billToCustomerId", async () => {
    const { b, alpha, beta, unchanged } = await setup();
    const before = await snapshot(b.workspaceId);
    const res = await upwellCall('PUT', `${CUSTOMERS}/${beta.id}`, b.token, { body: { input: { billToCustomerId: alpha.id } } });
    expect(res.body).toEqual(upwellError('VALIDATION_ERROR', billTo));
    expect(res.status).toBe(400);
    expect(await snapshot(b.workspaceId)).toEqual(before);
    await unchanged();
  });
});

describe('PUT /api/rest/customers across workspaces', () => {
  it("answers affectedRows 0 for A's source-system pairs and changes nothing", async () => {
    const { b, unchanged } = await setup();
    const before = await snapshot(b.workspaceId);
    for (const sourceSystemId of ['A-1', 'A-2']) {
      const res = await ok('PUT', CUSTOMERS, b.token, { sourceSystem: 'netsuite', sourceSystemId, input: { name: 'Hijacked', collectorId: 'b' }, customerRulesInput: { dueOption: 1 } });
      expect(res).toEqual({ updateCustomer: { affectedRows: 0, returning: [] }, updateCustomerRules: { affectedRows: 0 } });
    }
    expect(await snapshot(b.workspaceId)).toEqual(before);
    await unchanged();
  });

  it("updates only B's customer when both workspaces use the same pair", async () => {
    const { b, alpha, unchanged } = await setup();
    const copy = (await ok('POST', CUSTOMERS, b.token, { input: { name: 'Beta Copy', sourceSystem: 'netsuite', sourceSystemId: 'A-1' } })).createCustomer;
    const res = await ok('PUT', CUSTOMERS, b.token, { sourceSystem: 'netsuite', sourceSystemId: 'A-1', input: { name: 'Renamed' }, customerRulesInput: { dueOption: 9 } });
    expect(res.updateCustomer.returning.map((c: Fields) => [c.id, c.name])).toEqual([[copy.id, 'Renamed']]);
    expect([res.updateCustomer.affectedRows, res.updateCustomerRules.affectedRows]).toEqual([1, 1]);
    expect(res.updateCustomer.returning[0].id).not.toBe(alpha.id);
    await unchanged();
  });
});
