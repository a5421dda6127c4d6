/** `include=contacts,addresses`: a customer's related records embedded, on GET one and the list, in one round trip. */
import { describe, expect, it } from 'vitest';
import { invalid } from '../errors';
import { createAddress, createContact, createCustomer } from '../fixtures';
import { api, workspace } from '../helpers';

const BASE = '/api/customers';

/** A customer with two contacts and two addresses, one linked to the first contact; and the records as their own GETs show them. */
async function family(token: string) {
  const customer = await createCustomer(token);
  const first = await createContact(token, customer.id);
  const second = await createContact(token, customer.id, { first_name: 'Grace', email: 'grace@example.com' });
  const billing = await createAddress(token, customer.id, { contact_id: first.id });
  const shipping = await createAddress(token, customer.id, { type: 'shipping' });
  const get = async (path: string) => (await api('GET', path, { token })).body.data;
  return {
    customer,
    contacts: [await get(`/api/contacts/${first.id}`), await get(`/api/contacts/${second.id}`)],
    addresses: [await get(`/api/addresses/${billing.id}`), await get(`/api/addresses/${shipping.id}`)],
  };
}

describe('include on GET /api/customers/{id}', () => {
  it('embeds the contacts and the addresses, oldest first, exactly as their own GETs show them', async () => {
    const { token } = await workspace();
    const { customer, contacts, addresses } = await family(token);
    expect(contacts[0].address_ids).toEqual([addresses[0].id]);
    const plain = (await api('GET', `${BASE}/${customer.id}`, { token })).body.data;
    expect(plain).not.toHaveProperty('contacts');
    expect(plain).not.toHaveProperty('addresses');

    const both = await api('GET', `${BASE}/${customer.id}?include=contacts,addresses`, { token });
    expect(both.status).toBe(200);
    expect(both.body).toEqual({ success: true, data: { ...plain, contacts, addresses } });
    expect((await api('GET', `${BASE}/${customer.id}?include=addresses,contacts`, { token })).body.data).toEqual({ ...plain, contacts, addresses });
    expect((await api('GET', `${BASE}/${customer.id}?include=contacts`, { token })).body.data).toEqual({ ...plain, contacts });
    expect((await api('GET', `${BASE}/${customer.id}?include=addresses`, { token })).body.data).toEqual({ ...plain, addresses });
  });

  it('embeds empty arrays for a customer without any; the ETag follows what is embedded', async () => {
    const { token } = await workspace();
    const customer = await createCustomer(token);
    const first = await api('GET', `${BASE}/${customer.id}?include=contacts,addresses`, { token });
    expect(first.body.data).toMatchObject({ contacts: [], addresses: [] });
    const contact = await createContact(token, customer.id);
    const second = await api('GET', `${BASE}/${customer.id}?include=contacts`, { token, headers: { 'If-None-Match': first.headers.get('ETag')! } });
    expect(second.status).toBe(200);
    expect(second.body.data.contacts.map((c: { id: string }) => c.id)).toEqual([contact.id]);
    const again = await api('GET', `${BASE}/${customer.id}?include=contacts`, { token, headers: { 'If-None-Match': second.headers.get('ETag')! } });
    expect(again.status).toBe(304);
  });

  it.each(['', 'contact', 'contacts,contacts,addresses', 'tax_ids', 'contacts;addresses'])('refuses include=%j with a 400 naming it', async (value) => {
    const { token } = await workspace();
    const customer = await createCustomer(token);
    const res = await api('GET', `${BASE}/${customer.id}?include=${encodeURIComponent(value)}`, { token });
    expect(res.status).toBe(400);
    expect(res.body).toEqual(invalid('include'));
  });

  it('refuses an unknown parameter, and embeds nothing of another workspace', async () => {
    const { token } = await workspace();
    const other = await workspace();
    const { customer } = await family(token);
    expect((await api('GET', `${BASE}/${customer.id}?expand=contacts`, { token })).body).toEqual(invalid('expand'));
    expect((await api('GET', `${BASE}/${customer.id}?include=contacts`, { token: other.token })).status).toBe(404);
  });
});

describe('include on GET /api/customers', () => {
  it('embeds each listed customer’s records, on every walk (id, search, name prefix, updated_at)', async () => {
    const { token } = await workspace();
    const one = await family(token);
    const bare = await createCustomer(token, { name: 'Bare Ltd' });
    for (const query of ['', '&q=acme', '&q=ac', '&order=updated_at']) {
      const res = await api('GET', `${BASE}?include=contacts,addresses${query}`, { token });
      expect(res.status, query).toBe(200);
      const byId = Object.fromEntries(res.body.data.map((c: { id: string }) => [c.id, c]));
      expect(byId[one.customer.id], query).toMatchObject({ contacts: one.contacts, addresses: one.addresses });
      if (byId[bare.id]) expect(byId[bare.id]).toMatchObject({ contacts: [], addresses: [] });
    }
    const plain = await api('GET', BASE, { token });
    expect(plain.body.data[0]).not.toHaveProperty('contacts');
    const bad = await api('GET', `${BASE}?include=everything`, { token });
    expect(bad.body).toEqual(invalid('include'));
  });
});
