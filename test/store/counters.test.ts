/**
 * Unfiltered totals (AmbioSys totalCount, Upwell count) come from the
 * workspace's counter, which triggers keep in the same transaction as every
 * create and delete, through any API, bulk or imported.
 */
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { createCustomer } from '../fixtures';
import { api, workspace } from '../helpers';

async function totals(token: string) {
  const ambiosys = await api('GET', '/api/customers/getCustomers?limit=1', { token });
  const upwell = await api('GET', '/api/rest/customers?limit=1', { token });
  expect(ambiosys.status).toBe(200);
  expect(upwell.status).toBe(200);
  return { ambiosys: ambiosys.body.totalCount, upwell: upwell.body.customersAggregate.aggregate.count };
}

const stored = async (workspaceId: string) =>
  (await env.DB.prepare('SELECT count(*) AS n FROM customers WHERE workspace_id = ?').bind(workspaceId).all<{ n: number }>()).results[0]!.n;

describe('workspace totals', () => {
  it('follow creates and deletes through every API, and equal the stored count', async () => {
    const ws = await workspace();
    const other = await workspace();
    await createCustomer(other.token);
    expect(await totals(ws.token)).toEqual({ ambiosys: 0, upwell: 0 });

    const a = await createCustomer(ws.token);
    await api('POST', '/api/customers/create', { token: ws.token, body: { name: 'Ambio' } });
    await api('POST', '/api/rest/bulk-customers', { token: ws.token, body: { inputs: [{ name: 'U1' }, { name: 'U2' }] } });
    expect(await totals(ws.token)).toEqual({ ambiosys: 4, upwell: 4 });

    // A refused bulk create (its second customer duplicates the first's source ids) changes no total.
    const dup = { name: 'D', sourceSystem: 's', sourceSystemId: '1' };
    expect((await api('POST', '/api/rest/bulk-customers', { token: ws.token, body: { inputs: [dup, dup] } })).status).toBe(409);
    expect(await totals(ws.token)).toEqual({ ambiosys: 4, upwell: 4 });

    await api('DELETE', `/api/customers/${a.id}`, { token: ws.token });
    expect(await totals(ws.token)).toEqual({ ambiosys: 3, upwell: 3 });
    expect(await stored(ws.workspaceId)).toBe(3);
    expect(await totals(other.token)).toEqual({ ambiosys: 1, upwell: 1 });
  });

  it('count the matches when a search or condition applies', async () => {
    const ws = await workspace();
    for (const name of ['Acme One', 'Acme Two', 'Other']) await createCustomer(ws.token, { name });
    expect((await api('GET', '/api/customers/getCustomers?search=acme&limit=1', { token: ws.token })).body.totalCount).toBe(2);
    const search = await api('POST', '/api/rest/customers/search', { token: ws.token, body: { where: { name: { _ilike: '%acme%' } }, limit: 1 } });
    expect(search.body.customersAggregate.aggregate.count).toBe(2);
  });
});
