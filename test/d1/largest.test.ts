/**
 * D1 runs at most 1,000 queries per Worker invocation on Workers Paid (50 on
 * Free). Every request in the suite is held to 1,000 (test/helpers.ts); these
 * are the largest requests each kind of route allows, with their exact counts,
 * which the README's "Limits" table quotes.
 */
import { describe, expect, it } from 'vitest';
import { api, workspace } from '../helpers';
import { D1_QUERIES_PER_INVOCATION } from './limits';

const nested = (i: number, kind: 'contact' | 'address') =>
  kind === 'contact'
    ? { firstName: `F${i}`, lastName: 'L', emailAddress: `c${i}@example.com` }
    : { streetLine1: `${i} Main St`, city: 'Springfield', zipOrPostalCode: '12345', country: 'US', type: 'BILLING' };

describe('the largest requests, in D1 queries per invocation', () => {
  it('Upwell bulk create: 50 customers with 200 contacts and addresses, keyed, is 308 queries', async () => {
    const { token } = await workspace();
    const inputs = Array.from({ length: 50 }, (_, i) => ({
      name: `Customer ${i}`,
      contacts: { data: [nested(i * 2, 'contact'), nested(i * 2 + 1, 'contact')] },
      addresses: { data: [nested(i * 2, 'address'), nested(i * 2 + 1, 'address')] },
    }));
    const res = await api('POST', '/api/rest/bulk-customers', { token, body: { inputs }, headers: { 'Idempotency-Key': 'largest-bulk' } });
    expect(res.status, JSON.stringify(res.body).slice(0, 300)).toBe(200);
    expect(res.body.createCustomers.returning).toHaveLength(50);
    // 2 per customer (its number, the row) + 1 per nested row + the read-back; the events 2 (context, recorded); the key adds 5.
    expect(res.usage.statements.length).toBe(2 * 50 + 200 + 1 + 2 + 5);
    expect(res.usage.statements.length).toBeLessThanOrEqual(D1_QUERIES_PER_INVOCATION);
    expect(res.usage.d1).toBe(1);
  });

  it('deleting a customer with 100 contacts and 100 addresses, under If-Match, is 6 queries', async () => {
    const { token } = await workspace();
    const customer = (await api('POST', '/api/customers', { token, body: { name: 'Big', type: 'company' } })).body.data;
    for (let i = 0; i < 100; i++) {
      const contact = await api('POST', '/api/contacts', { token, body: { customer_id: customer.id, first_name: 'A', last_name: 'B', email: `a${i}@example.com` } });
      await api('POST', '/api/addresses', {
        token,
        body: { customer_id: customer.id, contact_id: contact.body.data.id, type: 'billing', address_line1: '1 rue', city: 'Paris', postal_code: '75001', country: 'FR' },
      });
    }
    const current = await api('GET', `/api/customers/${customer.id}`, { token });
    const res = await api('DELETE', `/api/customers/${customer.id}`, { token, headers: { 'If-Match': current.headers.get('ETag')! } });
    expect(res.status).toBe(200);
    // Addresses, contacts, the customer (rows go by one statement each), the If-Match read, and the events' 2.
    expect(res.usage.statements.length).toBe(6);
    // Its 201 events (100 addresses, 100 contacts, the customer) are the triggers' work, not queries.
    const events = await api('GET', `/api/events?type=address.deleted&limit=100`, { token });
    expect(events.body.data).toHaveLength(100);
    expect((await api('GET', `/api/contacts?customer_id=${customer.id}`, { token })).body.data).toEqual([]);
  });
});
