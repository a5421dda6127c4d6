/**
 * Incremental sync: `order=updated_at` walks a canonical list by last change
 * with its own cursor; `updated_since` starts there; deletes come from the
 * events feed.
 */
import { describe, expect, it } from 'vitest';
import { invalid, rejected } from '../errors';
import { createContact, createCustomer, createSegment } from '../fixtures';
import { api, workspace, type ApiResponse } from '../helpers';

async function walk(token: string, path: string, query: string, limit = 2): Promise<{ id: string; updated_at: string }[]> {
  const out: { id: string; updated_at: string }[] = [];
  let cursor: string | null = null;
  for (let i = 0; i < 30; i++) {
    const res: ApiResponse = await api('GET', `${path}?${query}&limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, { token });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    out.push(...res.body.data);
    cursor = res.body.next_cursor;
    if (!cursor) return out;
  }
  throw new Error('too many pages');
}

describe('order=updated_at and updated_since', () => {
  it.each(['customers', 'contacts', 'segments'])('walk /api/%s by last change, from a time on', async (resource) => {
    const ws = await workspace();
    const customer = await createCustomer(ws.token);
    const make = async () =>
      resource === 'customers' ? createCustomer(ws.token) : resource === 'contacts' ? createContact(ws.token, customer.id) : createSegment(ws.token);
    const made = [await make(), await make(), await make()];
    // Touch the first: it moves to the end of the walk.
    const body = resource === 'customers' ? { name: 'Touched' } : resource === 'contacts' ? { phone: '1' } : { description: 'touched' };
    const touched = await api('PATCH', `/api/${resource}/${made[0]!.id}`, { token: ws.token, body });
    const path = `/api/${resource}`;
    const ids = (rows: { id: string }[]) => rows.map((r) => r.id);
    const mine = (rows: { id: string }[]) => ids(rows).filter((id) => made.some((m) => m.id === id));
    expect(mine(await walk(ws.token, path, 'order=updated_at'))).toEqual([made[1]!.id, made[2]!.id, made[0]!.id]);
    expect(mine(await walk(ws.token, path, 'order=updated_at', 1))).toEqual([made[1]!.id, made[2]!.id, made[0]!.id]);
    expect(ids(await walk(ws.token, path, `updated_since=${encodeURIComponent(touched.body.data.updated_at)}`))).toEqual([made[0]!.id]);
    const rows = await walk(ws.token, path, 'order=updated_at');
    expect(rows.map((r) => r.updated_at)).toEqual(rows.map((r) => r.updated_at).sort());
  });

  it("walks one customer's contacts by last change, through that customer's rows only", async () => {
    const ws = await workspace();
    const [a, b] = [await createCustomer(ws.token), await createCustomer(ws.token)];
    const mine = [await createContact(ws.token, a.id), await createContact(ws.token, a.id), await createContact(ws.token, a.id)];
    await createContact(ws.token, b.id);
    await api('PATCH', `/api/contacts/${mine[0]!.id}`, { token: ws.token, body: { phone: '2' } });
    const walked = await walk(ws.token, '/api/contacts', `customer_id=${a.id}&order=updated_at`, 1);
    expect(walked.map((c) => c.id)).toEqual([mine[1]!.id, mine[2]!.id, mine[0]!.id]);
  });

  it('refuses updated_since with order=id or q, a cursor of another walk, and q with an order', async () => {
    const { workspaceId, token } = await workspace();
    const c = await createCustomer(token);
    for (const [query, ...names] of [
      ['order=id&updated_since=2024-01-01T00:00:00Z', 'updated_since'],
      ['q=acme&updated_since=2024-01-01T00:00:00Z', 'updated_since'],
      ['q=acme&order=updated_at', 'order'],
      [`order=updated_at&cursor=${c.id}`, 'cursor'],
      [`cursor=u.1.${c.id}`, 'cursor'],
      ['order=name', 'order'],
      ['updated_since=yesterday', 'updated_since'],
      // The updated_at walk is the whole workspace's: a filter would walk every customer to find a few.
      ['order=updated_at&type=company', 'type'],
      ['updated_since=2024-01-01T00:00:00Z&id_crm=crm-1', 'id_crm'],
      ['order=updated_at&tax_value=FR1&segment_id=' + c.id, 'segment_id', 'tax_value'],
    ] as [string, ...string[]][]) {
      await rejected(workspaceId, 'GET', `/api/customers?${query}`, { token }, 400, invalid(...names));
    }
    await rejected(workspaceId, 'GET', `/api/contacts?order=id&updated_since=2024-01-01T00:00:00Z`, { token }, 400, invalid('updated_since'));
  });
});
