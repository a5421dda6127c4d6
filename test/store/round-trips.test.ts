/**
 * The per-request budget, exactly: every route, on success, makes exactly one
 * D1 round trip and exactly one KV read (the token lookup). test/helpers.ts
 * already fails any call above one of each; this pins the "exactly", so that
 * a route cannot silently answer from nowhere or split its work in two.
 * One successful request per route (and per customer list filter).
 */
import { describe, expect, it } from 'vitest';
import { api, workspace } from '../helpers';
import { createAddress, createContact, createCustomer, createSegment } from '../fixtures';

interface Call {
  method: string;
  path: string;
  body?: unknown;
  status: number;
}

async function expectOneRoundTrip(token: string, call: Call) {
  const res = await api(call.method, call.path, { token, body: call.body });
  const route = `${call.method} ${call.path}`;
  expect(res.status, `${route}: ${JSON.stringify(res.body)}`).toBe(call.status);
  expect(res.usage.d1, `${route}: D1 round trips`).toBe(1);
  expect(res.usage.kvReads, `${route}: KV reads`).toBe(1);
  expect(res.usage.kvWrites, `${route}: KV writes`).toBe(0);
}

describe('exactly one D1 round trip and one KV read per request', () => {
  it('for every canonical route', async () => {
    const { token } = await workspace();
    const segment = await createSegment(token);
    const spare = await createSegment(token, { name: 'Spare' });
    const customer = await createCustomer(token, {
      segment_id: segment.id,
      tax_ids: [{ tax: 'VAT', tax_value: 'FR12345678901' }],
      id_crm: 'crm-1',
    });
    const doomed = await createCustomer(token, { name: 'Doomed' });
    const contact = await createContact(token, customer.id);
    const address = await createAddress(token, customer.id, { contact_id: contact.id });
    const otherContact = await createContact(token, customer.id);
    const otherAddress = await createAddress(token, customer.id);

    const calls: Call[] = [
      { method: 'POST', path: '/api/segments', body: { name: 'New' }, status: 201 },
      { method: 'GET', path: '/api/segments', status: 200 },
      { method: 'GET', path: `/api/segments/${segment.id}`, status: 200 },
      { method: 'PATCH', path: `/api/segments/${segment.id}`, body: { description: 'Big ones' }, status: 200 },
      { method: 'DELETE', path: `/api/segments/${spare.id}`, status: 200 },

      { method: 'POST', path: '/api/customers', body: { name: 'New', type: 'individual' }, status: 201 },
      { method: 'GET', path: '/api/customers', status: 200 },
      { method: 'GET', path: `/api/customers/${customer.id}`, status: 200 },
      { method: 'PATCH', path: `/api/customers/${customer.id}`, body: { name: 'Renamed', id_erp: 'erp-1' }, status: 200 },
      { method: 'PATCH', path: `/api/customers/${customer.id}`, body: {}, status: 200 },
      { method: 'DELETE', path: `/api/customers/${doomed.id}`, status: 200 },

      { method: 'POST', path: '/api/contacts', body: { customer_id: customer.id, first_name: 'A', last_name: 'B', email: 'a@b.example' }, status: 201 },
      { method: 'GET', path: '/api/contacts', status: 200 },
      { method: 'GET', path: `/api/contacts?customer_id=${customer.id}`, status: 200 },
      { method: 'GET', path: `/api/contacts/${contact.id}`, status: 200 },
      { method: 'PATCH', path: `/api/contacts/${contact.id}`, body: { phone: '+33 1 00 00 00 00' }, status: 200 },
      { method: 'DELETE', path: `/api/contacts/${otherContact.id}`, status: 200 },

      { method: 'POST', path: '/api/addresses', body: { customer_id: customer.id, type: 'shipping', address_line1: '2 rue X', city: 'Lyon', postal_code: '69001', country: 'fr' }, status: 201 },
      { method: 'GET', path: '/api/addresses', status: 200 },
      { method: 'GET', path: `/api/addresses?customer_id=${customer.id}`, status: 200 },
      { method: 'GET', path: `/api/addresses/${address.id}`, status: 200 },
      { method: 'PATCH', path: `/api/addresses/${address.id}`, body: { city: 'Marseille' }, status: 200 },
      { method: 'DELETE', path: `/api/addresses/${otherAddress.id}`, status: 200 },
    ];
    for (const call of calls) await expectOneRoundTrip(token, call);
  });

  it('for every customer list filter, alone and with a cursor', async () => {
    const { token } = await workspace();
    const segment = await createSegment(token);
    const first = await createCustomer(token, { segment_id: segment.id, tax_ids: [{ tax: 'VAT', tax_value: 'FR1' }] });
    await createCustomer(token, { id_crm: 'c', id_erp: 'e', id_accounting: 'a' });
    await createCustomer(token, { id_crm: 'c' });
    const filters = [
      'type=company',
      `segment_id=${segment.id}`,
      'id_crm=c',
      'id_erp=e',
      'id_accounting=a',
      'tax_value=FR1',
      'limit=1',
    ];
    for (const filter of filters) {
      await expectOneRoundTrip(token, { method: 'GET', path: `/api/customers?${filter}`, status: 200 });
      await expectOneRoundTrip(token, { method: 'GET', path: `/api/customers?${filter}&cursor=${first.id}`, status: 200 });
    }
    // q has cursors of its own: the search index's (3+ characters) and the name prefix's.
    for (const q of ['acm', 'ac', 'acm&id_crm=c']) {
      const page = await api('GET', `/api/customers?q=${q}&limit=1`, { token });
      expect(page.body.next_cursor, q).toEqual(expect.any(String));
      await expectOneRoundTrip(token, { method: 'GET', path: `/api/customers?q=${q}`, status: 200 });
      await expectOneRoundTrip(token, { method: 'GET', path: `/api/customers?q=${q}&limit=1&cursor=${page.body.next_cursor}`, status: 200 });
    }
  });

  it('for the AmbioSys compatibility routes', async () => {
    const { token } = await workspace();
    const created = await api('POST', '/api/customers/create', { token, body: { name: 'Ambio', tax_id: 'B12345678' } });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.usage.d1).toBe(1);
    expect(created.usage.kvReads).toBe(1);
    const number = created.body.customer.customer_id as number;
    await expectOneRoundTrip(token, { method: 'GET', path: '/api/customers/getCustomers', status: 200 });
    await expectOneRoundTrip(token, { method: 'GET', path: '/api/customers/getCustomers?page=0&limit=5&search=amb', status: 200 });
    await expectOneRoundTrip(token, { method: 'GET', path: `/api/customers/getCustomers/${number}`, status: 200 });
  });
});
