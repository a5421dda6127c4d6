/**
 * Every write route of the three APIs (and the import) records exactly its
 * events, in the write's transaction: the types and objects, the request id,
 * token and API that made it; a refused write records none (every rejected()
 * in the suite also checks that: snapshot() includes the events table).
 */
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { createAddress, createContact, createCustomer, createSegment } from '../fixtures';
import { api, REQUEST_ID, workspace, type ApiResponse } from '../helpers';

type Ws = Awaited<ReturnType<typeof workspace>>;

interface Recorded {
  type: string;
  object_id: string;
  request_id: string | null;
  token_id: string | null;
  api: string | null;
}

/** The workspace's events recorded since `after` (a seq), oldest first. */
async function eventsSince(workspaceId: string, after: number): Promise<Recorded[]> {
  const { results } = await env.DB.prepare('SELECT type, object_id, request_id, token_id, api FROM events WHERE workspace_id = ? AND seq > ? ORDER BY seq')
    .bind(workspaceId, after)
    .all<Recorded>();
  return results;
}
const lastSeq = async () => ((await env.DB.prepare('SELECT coalesce(max(seq), 0) AS seq FROM events').first<{ seq: number }>())!.seq);

interface World {
  ws: Ws;
  customer: { id: string; number: number };
  contact: { id: string };
  address: { id: string };
  segment: { id: string };
}

async function world(): Promise<World> {
  const ws = await workspace();
  const segment = await createSegment(ws.token);
  const customer = await createCustomer(ws.token, { segment_id: segment.id });
  const contact = await createContact(ws.token, customer.id);
  const address = await createAddress(ws.token, customer.id, { contact_id: contact.id });
  return { ws, customer, contact, address, segment };
}

interface Case {
  name: string;
  api: string;
  call: (w: World) => Promise<ApiResponse>;
  /** The expected events: type and the object they name (from the world, or the response). */
  events: (w: World, res: ApiResponse) => [string, string][];
}

const NDJSON = { 'Content-Type': 'application/x-ndjson' };
const upwellId = (res: ApiResponse) => res.body.createCustomer.id as string;

const CASES: Case[] = [
  { name: 'POST /api/customers', api: 'canonical', call: (w) => api('POST', '/api/customers', { token: w.ws.token, body: { name: 'New', type: 'company' } }), events: (_, r) => [['customer.created', r.body.data.id]] },
  { name: 'PATCH /api/customers/:id', api: 'canonical', call: (w) => api('PATCH', `/api/customers/${w.customer.id}`, { token: w.ws.token, body: { name: 'Renamed' } }), events: (w) => [['customer.updated', w.customer.id]] },
  {
    name: 'DELETE /api/customers/:id',
    api: 'canonical',
    call: (w) => api('DELETE', `/api/customers/${w.customer.id}`, { token: w.ws.token }),
    // Its address and contact go with it, in that order (the batch deletes addresses first).
    events: (w) => [
      ['address.deleted', w.address.id],
      ['contact.deleted', w.contact.id],
      ['customer.deleted', w.customer.id],
    ],
  },
  { name: 'POST /api/contacts', api: 'canonical', call: (w) => api('POST', '/api/contacts', { token: w.ws.token, body: { customer_id: w.customer.id, first_name: 'A', last_name: 'B', email: 'a@b.test' } }), events: (_, r) => [['contact.created', r.body.data.id]] },
  { name: 'PATCH /api/contacts/:id', api: 'canonical', call: (w) => api('PATCH', `/api/contacts/${w.contact.id}`, { token: w.ws.token, body: { phone: '555' } }), events: (w) => [['contact.updated', w.contact.id]] },
  {
    name: 'DELETE /api/contacts/:id',
    api: 'canonical',
    call: (w) => api('DELETE', `/api/contacts/${w.contact.id}`, { token: w.ws.token }),
    // Its address is unlinked first (contact_id set to null): an update of the address.
    events: (w) => [
      ['address.updated', w.address.id],
      ['contact.deleted', w.contact.id],
    ],
  },
  { name: 'POST /api/addresses', api: 'canonical', call: (w) => api('POST', '/api/addresses', { token: w.ws.token, body: { customer_id: w.customer.id, type: 'billing', address_line1: '1 Rd', city: 'Lyon', postal_code: '69001', country: 'FR' } }), events: (_, r) => [['address.created', r.body.data.id]] },
  { name: 'PATCH /api/addresses/:id', api: 'canonical', call: (w) => api('PATCH', `/api/addresses/${w.address.id}`, { token: w.ws.token, body: { city: 'Nice' } }), events: (w) => [['address.updated', w.address.id]] },
  { name: 'DELETE /api/addresses/:id', api: 'canonical', call: (w) => api('DELETE', `/api/addresses/${w.address.id}`, { token: w.ws.token }), events: (w) => [['address.deleted', w.address.id]] },
  { name: 'POST /api/segments', api: 'canonical', call: (w) => api('POST', '/api/segments', { token: w.ws.token, body: { name: 'S' } }), events: (_, r) => [['segment.created', r.body.data.id]] },
  { name: 'PATCH /api/segments/:id', api: 'canonical', call: (w) => api('PATCH', `/api/segments/${w.segment.id}`, { token: w.ws.token, body: { description: 'd' } }), events: (w) => [['segment.updated', w.segment.id]] },
  {
    name: 'DELETE /api/segments/:id',
    api: 'canonical',
    call: async (w) => {
      const s = await createSegment(w.ws.token);
      (w as World & { spare?: string }).spare = s.id;
      return api('DELETE', `/api/segments/${s.id}`, { token: w.ws.token });
    },
    events: (w) => [
      ['segment.created', (w as World & { spare: string }).spare],
      ['segment.deleted', (w as World & { spare: string }).spare],
    ],
  },
  { name: 'POST /api/customers/create', api: 'ambiosys', call: (w) => api('POST', '/api/customers/create', { token: w.ws.token, body: { name: 'Ambio' } }), events: () => [['customer.created', expect.any(String) as unknown as string]] },
  {
    name: 'POST /api/rest/customers',
    api: 'upwell',
    call: (w) => api('POST', '/api/rest/customers', { token: w.ws.token, body: { input: { name: 'Up', contacts: { data: [{ firstName: 'F', lastName: 'L', emailAddress: 'f@l.test' }] } } } }),
    events: (_, r) => [
      ['customer.created', upwellId(r)],
      ['contact.created', expect.any(String) as unknown as string],
    ],
  },
  {
    name: 'POST /api/rest/bulk-customers',
    api: 'upwell',
    call: (w) => api('POST', '/api/rest/bulk-customers', { token: w.ws.token, body: { inputs: [{ name: 'B1' }, { name: 'B2' }] } }),
    events: (_, r) => r.body.createCustomers.returning.map((c: { id: string }) => ['customer.created', c.id]),
  },
  { name: 'PUT /api/rest/customers/:id', api: 'upwell', call: (w) => api('PUT', `/api/rest/customers/${w.customer.id}`, { token: w.ws.token, body: { input: { collectorId: 'c-1' } } }), events: (w) => [['customer.updated', w.customer.id]] },
  {
    name: 'PUT /api/rest/customers',
    api: 'upwell',
    call: async (w) => {
      await api('PATCH', `/api/customers/${w.customer.id}`, { token: w.ws.token, body: { source_system: 'erp', source_system_id: 'X1' } });
      return api('PUT', '/api/rest/customers', { token: w.ws.token, body: { sourceSystem: 'erp', sourceSystemId: 'X1', input: { name: 'By source' } } });
    },
    // The setup's PATCH is an update too.
    events: (w) => [
      ['customer.updated', w.customer.id],
      ['customer.updated', w.customer.id],
    ],
  },
  {
    name: 'POST /api/import',
    api: 'import',
    call: async (w) => {
      const exported = await api('GET', '/api/export', { token: w.ws.token });
      const lines = exported.text.split('\n').filter(Boolean).map((l) => JSON.parse(l));
      const segment = lines.find((l) => l.table === 'segments');
      segment.row.description = 'imported';
      return api('POST', '/api/import', { token: w.ws.token, rawBody: `${JSON.stringify(segment)}\n`, headers: NDJSON });
    },
    events: (w) => [['segment.updated', w.segment.id]],
  },
];

describe('every write route records exactly its events', () => {
  it.each(CASES.map((c) => [c.name, c] as const))('%s', async (_, c) => {
    const w = await world();
    const before = await lastSeq();
    const res = await c.call(w);
    expect(res.status, JSON.stringify(res.body)).toBeLessThan(300);
    const requestId = res.headers.get('X-Request-Id');
    expect(requestId).toMatch(REQUEST_ID);
    const expected = c.events(w, res);
    const recorded = await eventsSince(w.ws.workspaceId, before);
    // The call's own events (a setup request of the case came first, with its own request id).
    const own = recorded.filter((e) => e.request_id === requestId);
    const setup = recorded.length - own.length;
    expect(recorded.map((e) => [e.type, e.object_id])).toEqual(expected);
    expect(own).toHaveLength(expected.length - setup);
    for (const e of own) expect(e).toMatchObject({ token_id: w.ws.tokenId, api: c.api });
  });

  it('records nothing for a refused write, and nothing for a write that changes nothing', async () => {
    const w = await world();
    const before = await lastSeq();
    expect((await api('POST', '/api/customers', { token: w.ws.token, body: { type: 'company' } })).status).toBe(400);
    expect((await api('POST', '/api/contacts', { token: w.ws.token, body: { customer_id: crypto.randomUUID(), first_name: 'A', last_name: 'B', email: 'a@b.test' } })).status).toBe(400);
    expect((await api('DELETE', `/api/segments/${w.segment.id}`, { token: w.ws.token })).status).toBe(409);
    expect((await api('PATCH', `/api/customers/${w.customer.id}`, { token: w.ws.token, body: {} })).status).toBe(200);
    expect((await api('PATCH', `/api/customers/${w.customer.id}`, { token: w.ws.token, body: { name: 'Acme' } })).status).toBe(200);
    expect(await eventsSince(w.ws.workspaceId, before)).toEqual([]);
  });

  it('records a bill-to customer cleared by another customer’s delete as an update of it', async () => {
    const ws = await workspace();
    const payer = await createCustomer(ws.token);
    const billed = await createCustomer(ws.token, { bill_to_customer_id: payer.id });
    const before = await lastSeq();
    expect((await api('DELETE', `/api/customers/${payer.id}`, { token: ws.token })).status).toBe(200);
    expect((await eventsSince(ws.workspaceId, before)).map((e) => [e.type, e.object_id])).toEqual([
      ['customer.deleted', payer.id],
      ['customer.updated', billed.id],
    ]);
  });
});
