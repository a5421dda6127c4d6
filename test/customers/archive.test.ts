/** POST /api/customers/{id}/archive and /restore: archived customers keep everything but leave the lists. */
import { describe, expect, it } from 'vitest';
import { canonicalError, invalid } from '../errors';
import { createAddress, createContact, createCustomer, MISSING_ID } from '../fixtures';
import { api, ISO, snapshot, workspace } from '../helpers';

const BASE = '/api/customers';
const ids = (res: { body: { data: { id: string }[] } }) => res.body.data.map((c) => c.id);

describe('archive and restore', () => {
  it('archive keeps the customer, its contacts and addresses; it leaves the default list; restore brings it back', async () => {
    const { workspaceId, token } = await workspace();
    const kept = await createCustomer(token, { name: 'Acme Kept' });
    const customer = await createCustomer(token, { name: 'Acme Archived' });
    const contact = await createContact(token, customer.id);
    const address = await createAddress(token, customer.id);

    const archived = await api('POST', `${BASE}/${customer.id}/archive`, { token });
    expect(archived.status).toBe(200);
    expect(archived.body).toEqual({ success: true, data: { ...customer, status: 'archived', archived_at: expect.stringMatching(ISO), updated_at: expect.stringMatching(ISO) } });
    expect(archived.headers.get('ETag')).toMatch(/^"2-/);
    const got = await api('GET', `${BASE}/${customer.id}`, { token });
    expect(got.body.data).toMatchObject({ status: 'archived', contact_ids: [contact.id], address_ids: [address.id] });

    expect(ids(await api('GET', BASE, { token }))).toEqual([kept.id]);
    expect(ids(await api('GET', `${BASE}?status=active`, { token }))).toEqual([kept.id]);
    expect(ids(await api('GET', `${BASE}?status=archived`, { token }))).toEqual([customer.id]);
    expect(ids(await api('GET', `${BASE}?status=all`, { token }))).toEqual([kept.id, customer.id]);
    expect(ids(await api('GET', `${BASE}?q=acme`, { token }))).toEqual([kept.id]);
    expect(ids(await api('GET', `${BASE}?q=acme&status=all`, { token }))).toEqual([kept.id, customer.id]);
    expect(ids(await api('GET', `${BASE}?q=ac&status=archived`, { token }))).toEqual([customer.id]);
    expect(ids(await api('GET', `${BASE}?type=company&status=archived`, { token }))).toEqual([customer.id]);
    // Incremental sync sees every customer: an archive is a change to sync.
    expect(ids(await api('GET', `${BASE}?order=updated_at`, { token }))).toEqual([kept.id, customer.id]);
    expect((await snapshot(workspaceId)).contacts).toHaveLength(1);

    const restored = await api('POST', `${BASE}/${customer.id}/restore`, { token });
    expect(restored.body.data).toEqual({ ...archived.body.data, status: 'active', archived_at: null, updated_at: expect.stringMatching(ISO) });
    expect(ids(await api('GET', BASE, { token }))).toEqual([kept.id, customer.id]);
  });

  it('archiving twice keeps the first archive time and records one event; restoring records another', async () => {
    const { token } = await workspace();
    const customer = await createCustomer(token);
    const first = await api('POST', `${BASE}/${customer.id}/archive`, { token });
    const second = await api('POST', `${BASE}/${customer.id}/archive`, { token });
    expect(second.body.data.archived_at).toBe(first.body.data.archived_at);
    await api('POST', `${BASE}/${customer.id}/restore`, { token });
    const events = await api('GET', `/api/events?object_id=${customer.id}`, { token });
    expect(events.body.data.map((e: { type: string; data: { previous_attributes?: unknown } }) => [e.type, e.data.previous_attributes])).toEqual([
      ['customer.created', undefined],
      ['customer.updated', { status: 'active', archived_at: null }],
      ['customer.updated', { status: 'archived', archived_at: first.body.data.archived_at }],
    ]);
  });

  it('a missing customer is a 404, a read token a 403, status is not writable, and a bad status a 400', async () => {
    const { workspaceId, token, readOnly } = await workspace();
    const customer = await createCustomer(token);
    const before = await snapshot(workspaceId);
    expect((await api('POST', `${BASE}/${MISSING_ID}/archive`, { token })).body).toEqual(canonicalError('not_found'));
    expect((await api('POST', `${BASE}/${customer.id}/archive`, { token: readOnly })).body).toEqual(canonicalError('forbidden'));
    expect((await api('PATCH', `${BASE}/${customer.id}`, { token, body: { status: 'archived' } })).body).toEqual(invalid('status'));
    expect((await api('POST', BASE, { token, body: { name: 'X', type: 'company', archived_at: '2026-01-01T00:00:00Z' } })).body).toEqual(invalid('archived_at'));
    expect((await api('GET', `${BASE}?status=deleted`, { token })).body).toEqual(invalid('status'));
    expect((await api('GET', `${BASE}?status=archived&order=updated_at`, { token })).body).toEqual(invalid('status'));
    expect(await snapshot(workspaceId)).toEqual(before);
  });

  it('the compatible APIs keep listing every customer (their contracts have no status); DELETE still deletes for good', async () => {
    const { workspaceId, token } = await workspace();
    const customer = await createCustomer(token);
    await api('POST', `${BASE}/${customer.id}/archive`, { token });
    const upwell = await api('GET', '/api/rest/customers', { token });
    expect(upwell.body.customers.map((c: { id: string }) => c.id)).toEqual([customer.id]);
    const ambiosys = await api('GET', '/api/customers/getCustomers', { token });
    expect(ambiosys.body.totalCount).toBe(1);
    expect((await api('DELETE', `${BASE}/${customer.id}`, { token })).status).toBe(200);
    expect((await snapshot(workspaceId)).customers).toEqual([]);
  });
});
