/** /api/customers/by_external_id: find a customer by an id another system gave it, and create or update it by that id. */
import { describe, expect, it } from 'vitest';
import { canonicalError, invalid } from '../errors';
import { createContact, createCustomer, customerObject } from '../fixtures';
import { api, snapshot, workspace } from '../helpers';

const PATH = '/api/customers/by_external_id';

describe('GET /api/customers/by_external_id', () => {
  it('finds the customer by id_crm, id_erp, id_accounting or the source pair, as its GET shows it', async () => {
    const { token } = await workspace();
    const customer = await createCustomer(token, { id_crm: 'crm-1', id_erp: 'erp-1', id_accounting: 'acc-1', source_system: 'hubspot', source_system_id: 'hs-1' });
    const contact = await createContact(token, customer.id);
    const detail = (await api('GET', `/api/customers/${customer.id}`, { token })).body.data;
    expect(detail.contact_ids).toEqual([contact.id]);
    for (const query of ['id_crm=crm-1', 'id_erp=erp-1', 'id_accounting=acc-1', 'source_system=hubspot&source_system_id=hs-1']) {
      const res = await api('GET', `${PATH}?${query}`, { token });
      expect(res.status, query).toBe(200);
      expect(res.body).toEqual({ success: true, data: detail });
      expect(res.headers.get('ETag')).toMatch(/^"1-[0-9a-f]{16}"$/);
    }
    const embedded = await api('GET', `${PATH}?id_crm=crm-1&include=contacts`, { token });
    expect(embedded.body.data.contacts.map((c: { id: string }) => c.id)).toEqual([contact.id]);
  });

  it('is a 404 for an id no customer of the workspace has (another workspace’s included)', async () => {
    const { token } = await workspace();
    const other = await workspace();
    await createCustomer(other.token, { id_crm: 'crm-1' });
    const res = await api('GET', `${PATH}?id_crm=crm-1`, { token });
    expect(res.status).toBe(404);
    expect(res.body).toEqual(canonicalError('not_found'));
  });

  it('is a 409 naming the parameter when several customers share the id (external ids are not unique)', async () => {
    const { token } = await workspace();
    await createCustomer(token, { id_crm: 'shared' });
    await createCustomer(token, { id_crm: 'shared' });
    const res = await api('GET', `${PATH}?id_crm=shared`, { token });
    expect(res.status).toBe(409);
    expect(res.body).toEqual(canonicalError('ambiguous_external_id', 'id_crm'));
  });

  it.each([
    ['', ['id_crm', 'id_erp', 'id_accounting']],
    ['id_crm=a&id_erp=b', ['id_crm', 'id_erp']],
    ['source_system=hubspot', ['source_system']],
    ['id_crm=a&source_system_id=b', ['id_crm', 'source_system_id']],
    ['id_crm=', ['id_crm']],
    ['id_crm=a&name=b', ['name']],
    ['id_crm=a&include=tax_ids', ['include']],
  ])('refuses ?%s with a 400 naming %j', async (query, paths) => {
    const { token } = await workspace();
    const res = await api('GET', `${PATH}?${query}`, { token });
    expect(res.status).toBe(400);
    expect(res.body).toEqual(invalid(...paths));
  });
});

describe('PUT /api/customers/by_external_id', () => {
  it('creates the customer with that id (201), then updates it (200): only the fields sent change', async () => {
    const { workspaceId, token } = await workspace();
    const created = await api('PUT', `${PATH}?id_crm=crm-9`, { token, body: { name: 'Acme', type: 'company', currency: 'EUR', metadata: { a: '1' } } });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body).toEqual({ success: true, data: customerObject(workspaceId, { name: 'Acme', type: 'company', id_crm: 'crm-9', currency: 'EUR', metadata: { a: '1' } }) });
    expect(created.headers.get('ETag')).toMatch(/^"1-/);

    const updated = await api('PUT', `${PATH}?id_crm=crm-9`, { token, body: { name: 'Acme Group', type: 'company', phone: '+1 555' } });
    expect(updated.status).toBe(200);
    expect(updated.body.data).toEqual({ ...created.body.data, name: 'Acme Group', phone: '+1 555', updated_at: expect.any(String) });
    expect(updated.headers.get('ETag')).toMatch(/^"2-/);
    const rows = (await snapshot(workspaceId)).customers as Record<string, unknown>[];
    expect(rows).toHaveLength(1);

    // The update took no customer number: the next customer gets the one after the first.
    const next = await createCustomer(token);
    expect(next.number).toBe(created.body.data.number + 1);
    const events = await api('GET', `/api/events?object_id=${created.body.data.id}`, { token });
    expect(events.body.data.map((e: { type: string }) => e.type)).toEqual(['customer.created', 'customer.updated']);
  });

  it('by the source pair: creates with both set, then updates the same customer', async () => {
    const { token } = await workspace();
    const query = 'source_system=netsuite&source_system_id=NS-1';
    const created = await api('PUT', `${PATH}?${query}`, { token, body: { name: 'Acme', type: 'company' } });
    expect(created.status).toBe(201);
    expect(created.body.data).toMatchObject({ source_system: 'netsuite', source_system_id: 'NS-1' });
    const again = await api('PUT', `${PATH}?${query}`, { token, body: { name: 'Acme 2', type: 'individual' } });
    expect(again.status).toBe(200);
    expect(again.body.data).toMatchObject({ id: created.body.data.id, name: 'Acme 2', type: 'individual' });
  });

  it('replays under an Idempotency-Key: same status and body, nothing written twice', async () => {
    const { workspaceId, token } = await workspace();
    const headers = { 'Idempotency-Key': 'upsert-1' };
    const first = await api('PUT', `${PATH}?id_erp=e-1`, { token, headers, body: { name: 'Acme', type: 'company' } });
    const replay = await api('PUT', `${PATH}?id_erp=e-1`, { token, headers, body: { name: 'Acme', type: 'company' }, maxD1: 2 });
    expect(first.status).toBe(201);
    expect(replay.status).toBe(201);
    expect(replay.body).toEqual(first.body);
    expect(replay.headers.get('Idempotent-Replayed')).toBe('true');
    expect((await snapshot(workspaceId)).customers).toHaveLength(1);
  });

  it('changes nothing when several customers share the id (409), or the body names another id (400)', async () => {
    const { workspaceId, token } = await workspace();
    await createCustomer(token, { id_accounting: 'dup' });
    await createCustomer(token, { id_accounting: 'dup' });
    const before = await snapshot(workspaceId);
    const ambiguous = await api('PUT', `${PATH}?id_accounting=dup`, { token, body: { name: 'X', type: 'company' } });
    expect(ambiguous.status).toBe(409);
    expect(ambiguous.body).toEqual(canonicalError('ambiguous_external_id', 'id_accounting'));
    const other = await api('PUT', `${PATH}?id_crm=c-1`, { token, body: { name: 'X', type: 'company', id_crm: 'c-2' } });
    expect(other.body).toEqual(invalid('id_crm'));
    const missing = await api('PUT', `${PATH}?id_crm=c-1`, { token, body: { legal_name: 'X' } });
    expect(missing.body).toEqual(invalid('name', 'type'));
    const conditional = await api('PUT', `${PATH}?id_crm=c-1`, { token, headers: { 'If-Match': '"1"' }, body: { name: 'X', type: 'company' } });
    expect(conditional.body).toEqual(invalid('If-Match'));
    expect(await snapshot(workspaceId)).toEqual(before);
  });

  it('needs the write scope; other methods on the path are a 405', async () => {
    const { workspaceId, token, readOnly } = await workspace();
    const res = await api('PUT', `${PATH}?id_crm=x`, { token: readOnly, body: { name: 'X', type: 'company' } });
    expect(res.status).toBe(403);
    expect(res.body).toEqual(canonicalError('forbidden'));
    expect((await snapshot(workspaceId)).customers).toEqual([]);
    const patch = await api('PATCH', PATH, { token, body: {} });
    expect(patch.status).toBe(405);
    expect(patch.headers.get('Allow')).toBe('GET, HEAD, PUT');
  });
});
