/**
 * GET /api/events and /api/events/{id}: what an event holds (the object as
 * its GET showed it, the fields an update changed), the feed's order,
 * filters and cursors, and workspace isolation. POST .../redeliver.
 */
import { describe, expect, it } from 'vitest';
import { canonicalError, errorBody, invalid, rejected } from '../errors';
import { createAddress, createContact, createCustomer } from '../fixtures';
import { api, ISO, REQUEST_ID, workspace } from '../helpers';

type Event = { id: string; type: string; object_id: string; created_at: string; data: { object: Record<string, unknown>; previous_attributes?: Record<string, unknown> }; request_id: string; token_id: string; api: string };

async function feed(token: string, query = '') {
  const res = await api('GET', `/api/events${query ? `?${query}` : ''}`, { token });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body as { data: Event[]; has_more: boolean; next_cursor: string | null };
}

async function all(token: string, query: string): Promise<Event[]> {
  const out: Event[] = [];
  let cursor: string | null = null;
  for (let i = 0; i < 20; i++) {
    const page = await feed(token, `${query}&limit=2${cursor ? `&cursor=${cursor}` : ''}`);
    out.push(...page.data);
    if (!page.next_cursor) return out;
    cursor = page.next_cursor;
  }
  throw new Error('too many pages');
}

describe('what an event holds', () => {
  it('the object as its GET returned it after the write, the fields an update changed, the last state of a delete', async () => {
    const ws = await workspace();
    const created = await api('POST', '/api/customers', { token: ws.token, body: { name: 'Acme', type: 'company', tax_ids: [{ tax: 'VAT', tax_value: 'FR1' }], metadata: { tier: 'gold' } } });
    const id = created.body.data.id;
    const patched = await api('PATCH', `/api/customers/${id}`, { token: ws.token, body: { name: 'Acme Group', metadata: { tier: 'silver' }, id_crm: 'crm-1' } });
    const read = (await api('GET', `/api/customers/${id}`, { token: ws.token })).body.data;
    const deleted = await api('DELETE', `/api/customers/${id}`, { token: ws.token });
    const events = (await feed(ws.readOnly)).data;
    expect(events.map((e) => e.type)).toEqual(['customer.created', 'customer.updated', 'customer.deleted']);
    const [c, u, d] = events;
    expect(c).toEqual({
      id: expect.stringMatching(REQUEST_ID),
      type: 'customer.created',
      created_at: expect.stringMatching(ISO),
      object_id: id,
      data: { object: created.body.data },
      request_id: created.headers.get('X-Request-Id'),
      token_id: ws.tokenId,
      api: 'canonical',
    });
    const { contact_ids: _c, address_ids: _a, ...object } = read;
    expect(u!.data).toEqual({ object: patched.body.data, previous_attributes: { name: 'Acme', metadata: { tier: 'gold' }, id_crm: null } });
    expect(u!.data.object).toEqual(object);
    expect(d!.data).toEqual({ object: patched.body.data });
    expect(d!.request_id).toBe(deleted.headers.get('X-Request-Id'));
    // One event by its id.
    const one = await api('GET', `/api/events/${u!.id}`, { token: ws.readOnly });
    expect(one.body).toEqual({ success: true, data: u });
  });

  it('a contact holds its address ids, as its GET shows them', async () => {
    const ws = await workspace();
    const customer = await createCustomer(ws.token);
    const contact = await createContact(ws.token, customer.id);
    const address = await createAddress(ws.token, customer.id, { contact_id: contact.id });
    await api('PATCH', `/api/contacts/${contact.id}`, { token: ws.token, body: { phone: '1' } });
    const [updated] = (await feed(ws.token, 'type=contact.updated')).data;
    expect(updated!.data.object).toEqual((await api('GET', `/api/contacts/${contact.id}`, { token: ws.token })).body.data);
    expect(updated!.data.object.address_ids).toEqual([address.id]);
  });
});

describe('GET /api/events', () => {
  it('pages oldest or newest first, filters by type (with object.*), object and time, never another workspace', async () => {
    const ws = await workspace();
    const other = await workspace();
    await createCustomer(other.token);
    const a = await createCustomer(ws.token, { name: 'A' });
    const b = await createCustomer(ws.token, { name: 'B' });
    const contact = await createContact(ws.token, a.id);
    await api('PATCH', `/api/customers/${a.id}`, { token: ws.token, body: { name: 'A2' } });
    await api('DELETE', `/api/customers/${b.id}`, { token: ws.token });
    const oldest = await all(ws.token, 'order=asc');
    expect(oldest.map((e) => [e.type, e.object_id])).toEqual([
      ['customer.created', a.id],
      ['customer.created', b.id],
      ['contact.created', contact.id],
      ['customer.updated', a.id],
      ['customer.deleted', b.id],
    ]);
    expect(await all(ws.token, 'order=desc')).toEqual([...oldest].reverse());
    expect((await all(ws.token, 'order=asc&type=customer.*')).map((e) => e.type)).toEqual(['customer.created', 'customer.created', 'customer.updated', 'customer.deleted']);
    expect((await all(ws.token, 'order=asc&type=customer.created')).map((e) => e.object_id)).toEqual([a.id, b.id]);
    expect((await all(ws.token, `order=asc&object_id=${a.id}`)).map((e) => e.type)).toEqual(['customer.created', 'customer.updated']);
    expect((await all(ws.token, `order=desc&type=customer.*&object_id=${a.id}`)).map((e) => e.type)).toEqual(['customer.updated', 'customer.created']);
    const third = oldest[3]!.created_at;
    expect((await all(ws.token, `order=asc&created_gte=${third}`)).map((e) => e.id)).toEqual(oldest.filter((e) => e.created_at >= third).map((e) => e.id));
    expect((await all(ws.token, `order=asc&created_lt=${third}`)).map((e) => e.id)).toEqual(oldest.filter((e) => e.created_at < third).map((e) => e.id));
    expect((await feed(other.token)).data).toHaveLength(1);
    // Another workspace's event is not found, even by its id.
    await rejected(other.workspaceId, 'GET', `/api/events/${oldest[0]!.id}`, { token: other.token }, 404, errorBody('not_found'));
  });

  it('refuses bad parameters, naming each', async () => {
    const { workspaceId, token } = await workspace();
    for (const [query, name] of [
      ['type=customer', 'type'],
      ['type=invoice.created', 'type'],
      ['type=*', 'type'],
      ['order=newest', 'order'],
      ['object_id=abc', 'object_id'],
      ['created_gte=yesterday', 'created_gte'],
      ['cursor=abc', 'cursor'],
      ['limit=0', 'limit'],
      ['colour=red', 'colour'],
    ]) {
      await rejected(workspaceId, 'GET', `/api/events?${query}`, { token }, 400, invalid(name));
    }
  });
});

describe('POST /api/events/{id}/redeliver', () => {
  it('queues a known event (202) with a write token; an unknown one is a 404', async () => {
    const ws = await workspace();
    await createCustomer(ws.token);
    const [event] = (await feed(ws.token)).data;
    const res = await api('POST', `/api/events/${event!.id}/redeliver`, { token: ws.token });
    expect(res.status).toBe(202);
    expect(res.body).toEqual({ success: true, data: { event_id: event!.id, queued: true } });
    await rejected(ws.workspaceId, 'POST', `/api/events/${crypto.randomUUID()}/redeliver`, { token: ws.token }, 404, errorBody('not_found'));
    await rejected(ws.workspaceId, 'POST', `/api/events/${event!.id}/redeliver`, { token: ws.readOnly }, 403, canonicalError('forbidden'));
  });
});
