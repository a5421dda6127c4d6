/**
 * Concurrent writes (Promise.all of real requests): parallel updates of one
 * customer leave exactly one complete tax-id set and count every version;
 * parallel creates of one (source_system, source_system_id) make one record;
 * parallel creates number customers 1..n without gaps or duplicates; one
 * Idempotency-Key sent many times at once writes once.
 */
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { createCustomer } from '../fixtures';
import { canonicalError, endingIn, errorBody, upwellError } from '../errors';
import { api, snapshot, workspace, type ApiResponse } from '../helpers';

const N = 50;
const ETAG = /^"(\d+)-[0-9a-f]+"$/;
const versionOf = (res: ApiResponse) => {
  const etag = res.headers.get('ETag') ?? '';
  expect(etag).toMatch(ETAG);
  return Number(ETAG.exec(etag)![1]);
};
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);
const statuses = (results: ApiResponse[]) => results.map((r) => r.status).sort((a, b) => a - b);

const customerRows = async (workspaceId: string) =>
  (await env.DB.prepare('SELECT id, number, source_system, source_system_id FROM customers WHERE workspace_id = ? ORDER BY number').bind(workspaceId).all<{
    id: string;
    number: number;
    source_system: string | null;
    source_system_id: string | null;
  }>()).results;

describe('parallel updates of one customer', () => {
  it(`${N} PATCHes of tax_ids leave exactly one of the sets, mirrored in customer_tax_ids, at version ${N + 1}`, async () => {
    const { workspaceId, token } = await workspace();
    const customer = await createCustomer(token, { tax_ids: [{ tax: 'VAT', tax_value: 'ORIGINAL' }] });
    const path = `/api/customers/${customer.id}`;
    const sets = range(0, N - 1).map((i) =>
      range(0, i % 3).map((j) => ({ tax: ['VAT', 'SIREN', 'EORI'][j]!, tax_value: `S${i}-${j}` })),
    );

    const results = await Promise.all(sets.map((tax_ids) => api('PATCH', path, { token, body: { tax_ids } })));
    results.forEach((res, i) => {
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      expect(res.body.data.tax_ids).toEqual(sets[i]);
    });
    // Every update took its own version: 2..51, each exactly once.
    const versions = results.map(versionOf);
    expect([...versions].sort((a, b) => a - b)).toEqual(range(2, N + 1));

    const got = await api('GET', path, { token });
    expect(versionOf(got)).toBe(N + 1);
    const last = sets[versions.indexOf(N + 1)];
    expect(got.body.data.tax_ids).toEqual(last);
    expect(sets).toContainEqual(got.body.data.tax_ids);

    const rows = (await snapshot(workspaceId)).customer_tax_ids as Record<string, unknown>[];
    const mirrored = [...rows].sort((a, b) => (a.position as number) - (b.position as number));
    expect(mirrored).toEqual(
      last!.map((t, position) => ({
        customer_id: customer.id,
        position,
        workspace_id: workspaceId,
        tax: t.tax,
        tax_value: t.tax_value,
        tax_value_search: t.tax_value.toLowerCase(),
      })),
    );
  });

  it(`${N} PATCHes with the same If-Match: exactly one succeeds, the rest are 412`, async () => {
    const { token } = await workspace();
    const customer = await createCustomer(token);
    const path = `/api/customers/${customer.id}`;
    const etag = (await api('GET', path, { token })).headers.get('ETag')!;
    const results = await Promise.all(
      range(1, N).map((i) => api('PATCH', path, { token, body: { name: `Writer ${i}` }, headers: { 'If-Match': etag } })),
    );
    expect(statuses(results)).toEqual([200, ...Array(N - 1).fill(412)]);
    const winner = results.find((r) => r.status === 200)!;
    for (const res of results.filter((r) => r !== winner)) expect(res.body).toEqual(errorBody('precondition_failed'));
    const got = await api('GET', path, { token });
    expect(got.body.data.name).toBe(winner.body.data.name);
    expect(versionOf(got)).toBe(2);
  });
});

describe('parallel creates with one (source_system, source_system_id)', () => {
  it(`canonical POST /api/customers: one 201 and ${N - 1} 409 already_exists, one row`, async () => {
    const { workspaceId, token } = await workspace();
    const results = await Promise.all(
      range(1, N).map((i) =>
        api('POST', '/api/customers', { token, body: { name: `Acme ${i}`, type: 'company', source_system: 'sf', source_system_id: 'ACC-1' } }),
      ),
    );
    expect(statuses(results)).toEqual([201, ...Array(N - 1).fill(409)]);
    const created = results.find((r) => r.status === 201)!;
    for (const res of results.filter((r) => r !== created)) {
      expect(res.body).toEqual(canonicalError('already_exists', 'source_system_id'));
    }
    expect(await customerRows(workspaceId)).toEqual([{ id: created.body.data.id, number: 1, source_system: 'sf', source_system_id: 'ACC-1' }]);
    // The refused creates took no number.
    expect((await createCustomer(token)).number).toBe(2);
  });

  it(`Upwell POST /api/rest/customers: one 200 and ${N - 1} 409 RESOURCE_ALREADY_EXISTS, one row`, async () => {
    const { workspaceId, token } = await workspace();
    const results = await Promise.all(
      range(1, N).map((i) =>
        api('POST', '/api/rest/customers', {
          token,
          body: { input: { name: `Acme ${i}`, sourceSystem: 'netsuite', sourceSystemId: 'NS-1', contacts: { data: [{ firstName: 'Ada', lastName: 'Lovelace', emailAddress: 'ada@acme.test' }] } } },
        }),
      ),
    );
    expect(statuses(results)).toEqual([200, ...Array(N - 1).fill(409)]);
    const created = results.find((r) => r.status === 200)!;
    for (const res of results.filter((r) => r !== created)) {
      expect(res.body).toEqual(upwellError('RESOURCE_ALREADY_EXISTS', endingIn('sourceSystemId')));
    }
    expect(await customerRows(workspaceId)).toEqual([
      { id: created.body.createCustomer.id, number: 1, source_system: 'netsuite', source_system_id: 'NS-1' },
    ]);
    // The refused creates wrote none of their nested contacts either.
    expect((await snapshot(workspaceId)).contacts).toHaveLength(1);
  });
});

describe('parallel creates in one workspace', () => {
  it(`${N} canonical creates get the distinct consecutive numbers 1..${N}`, async () => {
    const { workspaceId, token } = await workspace();
    const results = await Promise.all(range(1, N).map((i) => api('POST', '/api/customers', { token, body: { name: `Acme ${i}`, type: 'company' } })));
    for (const res of results) expect(res.status, JSON.stringify(res.body)).toBe(201);
    const numbers = results.map((r) => r.body.data.number as number);
    expect([...numbers].sort((a, b) => a - b)).toEqual(range(1, N));
    const rows = await customerRows(workspaceId);
    expect(rows.map((r) => r.number)).toEqual(range(1, N));
    expect(Object.fromEntries(rows.map((r) => [r.id, r.number]))).toEqual(Object.fromEntries(results.map((r) => [r.body.data.id, r.body.data.number])));
  });

  it(`${N} creates through the canonical, AmbioSys and Upwell APIs share one sequence`, async () => {
    const { workspaceId, token } = await workspace();
    const requests = range(1, N).map((i) => {
      if (i % 3 === 0) return api('POST', '/api/customers/create', { token, body: { name: `Ambio ${i}` } });
      if (i % 3 === 1) return api('POST', '/api/customers', { token, body: { name: `Canon ${i}`, type: 'company' } });
      return api('POST', '/api/rest/customers', { token, body: { input: { name: `Upwell ${i}` } } });
    });
    const results = await Promise.all(requests);
    // Canonical and AmbioSys creates answer 201, Upwell's 200.
    for (const [i, res] of results.entries()) expect(res.status, JSON.stringify(res.body)).toBe((i + 1) % 3 === 2 ? 200 : 201);
    const rows = await customerRows(workspaceId);
    expect(rows.map((r) => r.number)).toEqual(range(1, N));
    const byId = Object.fromEntries(rows.map((r) => [r.id, r.number]));
    for (const res of results) {
      if (res.body.data) expect(res.body.data.number).toBe(byId[res.body.data.id]);
      if (res.body.customer) expect(rows.filter((r) => r.number === res.body.customer.customer_id)).toHaveLength(1);
      if (res.body.createCustomer) expect(byId[res.body.createCustomer.id]).toEqual(expect.any(Number));
    }
    const ambiosysIds = results.filter((r) => r.body.customer).map((r) => r.body.customer.customer_id);
    expect(new Set(ambiosysIds).size).toBe(ambiosysIds.length);
  });
});

describe('one Idempotency-Key sent several times at once', () => {
  it.each([2, 20])('%i requests: one writes; every other replays that write or is told the key is in progress', async (count) => {
    const { workspaceId, token } = await workspace();
    const options = { token, body: { name: 'Acme', type: 'company' }, headers: { 'Idempotency-Key': 'burst' }, maxD1: 2 };
    const results = await Promise.all(range(1, count).map(() => api('POST', '/api/customers', options)));
    const fresh = results.filter((r) => r.status === 201 && r.headers.get('Idempotent-Replayed') === null);
    expect(fresh, JSON.stringify(results.map((r) => r.status))).toHaveLength(1);
    for (const res of results.filter((r) => r !== fresh[0])) {
      if (res.status === 409) {
        expect(res.body).toEqual(errorBody('idempotency_in_progress'));
      } else {
        expect(res.status).toBe(201);
        expect(res.headers.get('Idempotent-Replayed')).toBe('true');
        expect(JSON.stringify(res.body)).toBe(JSON.stringify(fresh[0]!.body));
        expect(res.headers.get('ETag')).toBe(fresh[0]!.headers.get('ETag'));
      }
    }
    expect(await customerRows(workspaceId)).toEqual([{ id: fresh[0]!.body.data.id, number: 1, source_system: null, source_system_id: null }]);
    // The one write advanced the counter once.
    expect((await createCustomer(token)).number).toBe(2);
  });
});
