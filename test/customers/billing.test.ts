/** The customer's billing profile: currency, locale, timezone, payment terms, tax exemption, phone. */
import { describe, expect, it } from 'vitest';
import { errorBody, invalid, issuesAt } from '../errors';
import { createCustomer, customerObject } from '../fixtures';
import { api, snapshot, workspace } from '../helpers';

const BASE = '/api/customers';
const PROFILE = { currency: 'EUR', locale: 'fr-FR', timezone: 'Europe/Paris', payment_terms_days: 30, tax_exempt: 'reverse_charge', phone: '+33 1 23 45 67 89' };

describe('billing profile', () => {
  it('is taken on create, normalised (codes upper-cased, tags and zones in their canonical spelling) and stored', async () => {
    const { workspaceId, token } = await workspace();
    const res = await api('POST', BASE, {
      token,
      body: { name: 'Acme', type: 'company', currency: ' eur ', locale: 'FR-fr', timezone: 'europe/paris', payment_terms_days: 30, tax_exempt: 'reverse_charge', phone: ' +33 1 23 45 67 89 ' },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body).toEqual({ success: true, data: customerObject(workspaceId, { name: 'Acme', type: 'company', ...PROFILE }) });
    const [row] = (await snapshot(workspaceId)).customers as Record<string, unknown>[];
    expect(row).toMatchObject(PROFILE);
  });

  it('is null until set; PATCH sets, keeps what is omitted and unsets with null', async () => {
    const { workspaceId, token } = await workspace();
    const created = await createCustomer(token);
    expect(created).toEqual(customerObject(workspaceId, { name: 'Acme', type: 'company' }));
    const set = await api('PATCH', `${BASE}/${created.id}`, { token, body: PROFILE });
    expect(set.body.data).toMatchObject(PROFILE);
    const partly = await api('PATCH', `${BASE}/${created.id}`, { token, body: { currency: 'usd', payment_terms_days: null } });
    expect(partly.body.data).toEqual({ ...set.body.data, currency: 'USD', payment_terms_days: null, updated_at: expect.any(String) });
    const got = await api('GET', `${BASE}/${created.id}`, { token });
    expect(got.body.data).toMatchObject({ ...PROFILE, currency: 'USD', payment_terms_days: null });
  });

  it.each([
    ['currency', 'EUX'],
    ['currency', 'HRK'],
    ['currency', 'XAU'],
    ['currency', 7],
    ['locale', 'en_US'],
    ['locale', 'not a tag'],
    ['locale', 'x'.repeat(65)],
    ['timezone', 'Mars/Olympus'],
    ['timezone', '+01:00'],
    ['timezone', ''],
    ['payment_terms_days', 366],
    ['payment_terms_days', -1],
    ['payment_terms_days', 1.5],
    ['payment_terms_days', '30'],
    ['tax_exempt', 'yes'],
    ['phone', ''],
    ['phone', '1'.repeat(65)],
  ])('refuses %s = %j with a 400 naming it, and writes nothing', async (field, value) => {
    const { workspaceId, token } = await workspace();
    const created = await api('POST', BASE, { token, body: { name: 'Acme', type: 'company', [field]: value } });
    expect(created.status).toBe(400);
    // One field, named once or twice (a too-long tag is also not a tag).
    expect(created.body).toEqual(errorBody('validation_error', { issues: issuesAt(field) }));
    const customer = await createCustomer(token);
    const before = await snapshot(workspaceId);
    const patched = await api('PATCH', `${BASE}/${customer.id}`, { token, body: { [field]: value } });
    expect(patched.body).toEqual(errorBody('validation_error', { issues: issuesAt(field) }));
    expect(await snapshot(workspaceId)).toEqual(before);
  });

  it('lists filter by currency (any case), through its index, and a bad code is a 400 naming it', async () => {
    const { token } = await workspace();
    const eur = await createCustomer(token, { currency: 'EUR' });
    await createCustomer(token, { currency: 'USD' });
    await createCustomer(token);
    const eur2 = await createCustomer(token, { currency: 'EUR' });
    const res = await api('GET', `${BASE}?currency=eur`, { token });
    expect(res.body.data.map((c: { id: string }) => c.id)).toEqual([eur.id, eur2.id]);
    const bad = await api('GET', `${BASE}?currency=EURO`, { token });
    expect(bad.status).toBe(400);
    expect(bad.body).toEqual(invalid('currency'));
    // The whole workspace's updated_at walk takes no filter.
    const sync = await api('GET', `${BASE}?currency=EUR&order=updated_at`, { token });
    expect(sync.body).toEqual(invalid('currency'));
  });

  it('changes are events: previous_attributes holds the profile fields an update changed', async () => {
    const { token } = await workspace();
    const customer = await createCustomer(token, { currency: 'EUR' });
    await api('PATCH', `${BASE}/${customer.id}`, { token, body: { currency: 'GBP', locale: 'en-GB' } });
    const events = await api('GET', `/api/events?object_id=${customer.id}&type=customer.updated`, { token });
    expect(events.body.data).toHaveLength(1);
    expect(events.body.data[0].data.previous_attributes).toEqual({ currency: 'EUR', locale: null });
    expect(events.body.data[0].data.object).toMatchObject({ currency: 'GBP', locale: 'en-GB' });
  });

  it('stays in the canonical API: Upwell and AmbioSys customers do not show it', async () => {
    const { token } = await workspace();
    const customer = await createCustomer(token, PROFILE);
    const upwell = await api('GET', `/api/rest/customers/${customer.id}`, { token });
    expect(upwell.status).toBe(200);
    for (const key of Object.keys(PROFILE)) expect(upwell.body.customer).not.toHaveProperty(key);
    const ambiosys = await api('GET', `/api/customers/getCustomers/${customer.number}`, { token });
    for (const key of Object.keys(PROFILE)) expect(ambiosys.body.cliente).not.toHaveProperty(key);
  });
});
