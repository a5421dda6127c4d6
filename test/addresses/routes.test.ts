import { beforeEach, describe, expect, it } from 'vitest';
import { api, freeze, ISO, snapshot, UUID, workspace } from '../helpers';
import { createAddress, createContact, createCustomer, MISSING_ID, ms } from '../fixtures';
import { canonicalError, errorBody, expectWriteAuth, invalid } from '../errors';

type Workspace = Awaited<ReturnType<typeof workspace>>;
let ws: Workspace;
let other: Workspace;
let customer: any;

beforeEach(async () => {
  ws = await workspace();
  other = await workspace();
  customer = await createCustomer(ws.token);
});

const required = { type: 'billing', address_line1: '1 rue de Rivoli', city: 'Paris', postal_code: '75001', country: 'FR' };

const address = (overrides: Record<string, unknown> = {}) => ({
  id: expect.stringMatching(UUID),
  workspace_id: ws.workspaceId,
  customer_id: customer.id,
  contact_id: null,
  type: 'billing',
  name: null,
  address_line1: '1 rue de Rivoli',
  address_line2: null,
  city: 'Paris',
  postal_code: '75001',
  state: null,
  country: 'FR',
  comment: null,
  id_crm: null,
  id_erp: null,
  id_accounting: null,
  created_at: expect.stringMatching(ISO),
  updated_at: expect.stringMatching(ISO),
  ...overrides,
});

const optionals = {
  name: 'HQ',
  address_line2: 'Bâtiment B',
  state: 'Île-de-France',
  comment: 'Ring twice',
  id_crm: 'crm-1',
  id_erp: 'erp-1',
  id_accounting: 'acc-1',
};

describe('POST /api/addresses', () => {
  it('creates an address with only the required fields', async () => {
    const res = await api('POST', '/api/addresses', { token: ws.token, body: { customer_id: customer.id, ...required } });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({ success: true, data: address() });
    expect(res.body.data.created_at).toBe(res.body.data.updated_at);
    const got = await api('GET', `/api/addresses/${res.body.data.id}`, { token: ws.token });
    expect(got.body).toEqual({ success: true, data: res.body.data });
  });

  it('stores every optional field, links the contact and upper-cases the country', async () => {
    const contact = await createContact(ws.token, customer.id);
    const body = { customer_id: customer.id, ...required, type: 'shipping', country: 'fr', contact_id: contact.id, ...optionals };
    const res = await api('POST', '/api/addresses', { token: ws.token, body });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({ success: true, data: address({ ...optionals, type: 'shipping', contact_id: contact.id }) });
    const linked = await api('GET', `/api/contacts/${contact.id}`, { token: ws.token });
    expect(linked.body.data.address_ids).toEqual([res.body.data.id]);
  });

  it.each([
    ['missing required fields', null, ['customer_id', 'type', 'address_line1', 'city', 'postal_code', 'country']],
    ['an unknown type', { type: 'home' }, ['type']],
    ['a null city', { city: null }, ['city']],
    ['a blank address_line1', { address_line1: ' ' }, ['address_line1']],
    ['a too long postal_code', { postal_code: '1'.repeat(33) }, ['postal_code']],
    ['a too long comment', { comment: 'x'.repeat(1001) }, ['comment']],
    ['a non-UUID contact_id', { contact_id: 'bob' }, ['contact_id']],
    ['an unknown country XX', { country: 'XX' }, ['country']],
    ['an alpha-3 country FRA', { country: 'FRA' }, ['country']],
    ['the non-ISO country UK', { country: 'UK' }, ['country']],
    ['an empty country', { country: '' }, ['country']],
    ['a numeric country', { country: 250 }, ['country']],
    ['an unknown field', { floor: 3 }, ['floor']],
  ])('rejects %s with 400 validation_error', async (_, patch, paths) => {
    const body = patch ? { customer_id: customer.id, ...required, ...patch } : {};
    await createAddress(ws.token, customer.id);
    const unchanged = await freeze(ws.workspaceId);
    const res = await api('POST', '/api/addresses', { token: ws.token, body });
    expect(res.status).toBe(400);
    expect(res.body).toEqual(invalid(...paths));
    await unchanged();
  });

  it('rejects a customer of another workspace or a nonexistent one with 400 invalid_reference', async () => {
    const foreign = await createCustomer(other.token);
    const unchanged = await freeze(ws.workspaceId, other.workspaceId);
    for (const customerId of [foreign.id, MISSING_ID]) {
      const res = await api('POST', '/api/addresses', { token: ws.token, body: { customer_id: customerId, ...required } });
      expect(res.status).toBe(400);
      expect(res.body).toEqual(canonicalError('invalid_reference', 'customer_id'));
    }
    await unchanged();
  });

  it.each([
    ['of another customer of the same workspace', async () => (await createContact(ws.token, (await createCustomer(ws.token)).id)).id],
    ['of another workspace', async () => (await createContact(other.token, (await createCustomer(other.token)).id)).id],
    ['that does not exist', async () => MISSING_ID],
  ])('rejects a contact %s with 400 invalid_reference', async (_, contactId) => {
    const id = await contactId();
    const unchanged = await freeze(ws.workspaceId, other.workspaceId);
    const body = { customer_id: customer.id, ...required, contact_id: id };
    const res = await api('POST', '/api/addresses', { token: ws.token, body });
    expect(res.status).toBe(400);
    expect(res.body).toEqual(canonicalError('invalid_reference', 'contact_id'));
    await unchanged();
  });

  it('requires a token (401) with the write scope (403)', async () => {
    const body = { customer_id: customer.id, ...required };
    await expectWriteAuth(ws, 'POST', '/api/addresses', body);
  });
});

describe('GET /api/addresses', () => {
  it('returns an empty page for a workspace without addresses', async () => {
    const res = await api('GET', '/api/addresses', { token: ws.token });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ success: true, data: [], has_more: false, next_cursor: null });
  });

  it("lists the workspace's addresses in creation order for a read-only token", async () => {
    const a = await createAddress(ws.token, customer.id);
    const b = await createAddress(ws.token, customer.id, { type: 'shipping', city: 'Lyon' });
    await createAddress(other.token, (await createCustomer(other.token)).id);
    const res = await api('GET', '/api/addresses', { token: ws.readOnly });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      success: true,
      data: [address({ id: a.id }), address({ id: b.id, type: 'shipping', city: 'Lyon' })],
      has_more: false,
      next_cursor: null,
    });
  });

  it('walks pages with limit and cursor', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await createAddress(ws.token, customer.id, { name: `A${i}` })).id);
    const p1 = await api('GET', '/api/addresses?limit=2', { token: ws.token });
    expect(p1.body).toEqual({
      success: true,
      data: [address({ id: ids[0], name: 'A0' }), address({ id: ids[1], name: 'A1' })],
      has_more: true,
      next_cursor: ids[1],
    });
    const p2 = await api('GET', `/api/addresses?limit=2&cursor=${p1.body.next_cursor}`, { token: ws.token });
    expect(p2.body.data.map((a: any) => a.id)).toEqual([ids[2], ids[3]]);
    expect([p2.body.has_more, p2.body.next_cursor]).toEqual([true, ids[3]]);
    const p3 = await api('GET', `/api/addresses?limit=2&cursor=${p2.body.next_cursor}`, { token: ws.token });
    expect(p3.body).toEqual({ success: true, data: [address({ id: ids[4], name: 'A4' })], has_more: false, next_cursor: null });
  });

  it('filters by customer_id', async () => {
    const second = await createCustomer(ws.token, { name: 'Globex' });
    const a = await createAddress(ws.token, customer.id);
    await createAddress(ws.token, second.id);
    const c = await createAddress(ws.token, customer.id, { type: 'shipping' });
    const res = await api('GET', `/api/addresses?customer_id=${customer.id}`, { token: ws.token });
    expect(res.body).toEqual({
      success: true,
      data: [address({ id: a.id }), address({ id: c.id, type: 'shipping' })],
      has_more: false,
      next_cursor: null,
    });
    const paged = await api('GET', `/api/addresses?customer_id=${customer.id}&limit=1&cursor=${a.id}`, { token: ws.token });
    expect(paged.body).toEqual({ success: true, data: [address({ id: c.id, type: 'shipping' })], has_more: false, next_cursor: null });
    const foreign = await createCustomer(other.token);
    await createAddress(other.token, foreign.id);
    const none = await api('GET', `/api/addresses?customer_id=${foreign.id}`, { token: ws.token });
    expect(none.body).toEqual({ success: true, data: [], has_more: false, next_cursor: null });
  });

  it.each([
    ['limit=0', 'limit'],
    ['limit=101', 'limit'],
    ['limit=-1', 'limit'],
    ['cursor=page2', 'cursor'],
    ['customer_id=1', 'customer_id'],
    ['contact_id=' + MISSING_ID, 'contact_id'],
  ])('rejects ?%s with 400 validation_error', async (query, path) => {
    await createAddress(ws.token, customer.id);
    const unchanged = await freeze(ws.workspaceId);
    const res = await api('GET', `/api/addresses?${query}`, { token: ws.token });
    expect(res.status).toBe(400);
    expect(res.body).toEqual(invalid(path));
    await unchanged();
  });

  it('requires a token', async () => {
    const res = await api('GET', '/api/addresses');
    expect(res.status).toBe(401);
    expect(res.body).toEqual(errorBody('unauthorized'));
  });
});

describe('GET /api/addresses/:id', () => {
  it('returns the address for a read-only token', async () => {
    const contact = await createContact(ws.token, customer.id);
    const a = await createAddress(ws.token, customer.id, { ...optionals, contact_id: contact.id });
    const res = await api('GET', `/api/addresses/${a.id}`, { token: ws.readOnly });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ success: true, data: address({ ...optionals, id: a.id, contact_id: contact.id }) });
  });

  it.each([
    ['a nonexistent id', MISSING_ID],
    ['a non-UUID id', 'home'],
  ])('returns 404 for %s', async (_, id) => {
    await createAddress(ws.token, customer.id);
    const unchanged = await freeze(ws.workspaceId);
    const res = await api('GET', `/api/addresses/${id}`, { token: ws.token });
    expect(res.status).toBe(404);
    expect(res.body).toEqual(errorBody('not_found'));
    await unchanged();
  });

  it("returns 404 for another workspace's address", async () => {
    const foreign = await createAddress(other.token, (await createCustomer(other.token)).id);
    const unchanged = await freeze(ws.workspaceId, other.workspaceId);
    const res = await api('GET', `/api/addresses/${foreign.id}`, { token: ws.token });
    expect(res.status).toBe(404);
    expect(res.body).toEqual(errorBody('not_found'));
    await unchanged();
  });

  it('requires a token', async () => {
    const a = await createAddress(ws.token, customer.id);
    const res = await api('GET', `/api/addresses/${a.id}`);
    expect(res.status).toBe(401);
    expect(res.body).toEqual(errorBody('unauthorized'));
  });
});

describe('PATCH /api/addresses/:id', () => {
  it('changes only the fields sent and moves updated_at forward each time', async () => {
    const a = await createAddress(ws.token, customer.id, { name: 'HQ', comment: 'old' });
    const first = await api('PATCH', `/api/addresses/${a.id}`, {
      token: ws.token,
      body: { type: 'shipping', city: 'Berlin', postal_code: '10115', country: 'de' },
    });
    expect(first.status).toBe(200);
    expect(first.body).toEqual({
      success: true,
      data: address({ id: a.id, created_at: a.created_at, name: 'HQ', comment: 'old', type: 'shipping', city: 'Berlin', postal_code: '10115', country: 'DE' }),
    });
    expect(ms(first.body.data.updated_at)).toBeGreaterThan(ms(a.updated_at));
    const second = await api('PATCH', `/api/addresses/${a.id}`, { token: ws.token, body: { address_line1: '2 Unter den Linden' } });
    expect(second.body.data).toEqual({ ...first.body.data, address_line1: '2 Unter den Linden', updated_at: expect.stringMatching(ISO) });
    expect(ms(second.body.data.updated_at)).toBeGreaterThan(ms(first.body.data.updated_at));
    expect((await api('GET', `/api/addresses/${a.id}`, { token: ws.token })).body.data).toEqual(second.body.data);
  });

  it('links and unlinks a contact of the same customer', async () => {
    const contact = await createContact(ws.token, customer.id);
    const a = await createAddress(ws.token, customer.id);
    const linked = await api('PATCH', `/api/addresses/${a.id}`, { token: ws.token, body: { contact_id: contact.id } });
    expect(linked.status).toBe(200);
    expect(linked.body.data).toEqual(address({ id: a.id, contact_id: contact.id }));
    expect((await api('GET', `/api/contacts/${contact.id}`, { token: ws.token })).body.data.address_ids).toEqual([a.id]);
    const unlinked = await api('PATCH', `/api/addresses/${a.id}`, { token: ws.token, body: { contact_id: null } });
    expect(unlinked.body.data).toEqual(address({ id: a.id }));
    expect(ms(unlinked.body.data.updated_at)).toBeGreaterThan(ms(linked.body.data.updated_at));
    expect((await api('GET', `/api/contacts/${contact.id}`, { token: ws.token })).body.data.address_ids).toEqual([]);
  });

  it('unsets every nullable field with null', async () => {
    const contact = await createContact(ws.token, customer.id);
    const a = await createAddress(ws.token, customer.id, { ...optionals, contact_id: contact.id });
    const body = Object.fromEntries([...Object.keys(optionals), 'contact_id'].map((k) => [k, null]));
    const res = await api('PATCH', `/api/addresses/${a.id}`, { token: ws.token, body });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ success: true, data: address({ id: a.id, created_at: a.created_at }) });
    expect(ms(res.body.data.updated_at)).toBeGreaterThan(ms(a.updated_at));
  });

  it.each([
    ['customer_id', (a: any) => ({ customer_id: a.customer_id }), 'customer_id'],
    ['type: null', () => ({ type: null }), 'type'],
    ['address_line1: null', () => ({ address_line1: null }), 'address_line1'],
    ['city: null', () => ({ city: null }), 'city'],
    ['postal_code: null', () => ({ postal_code: null }), 'postal_code'],
    ['country: null', () => ({ country: null }), 'country'],
    ['country UK', () => ({ country: 'UK', city: 'London' }), 'country'],
    ['type invoice', () => ({ type: 'invoice' }), 'type'],
    ['an unknown field', () => ({ zip: '75001' }), 'zip'],
  ])('rejects %s with 400 validation_error and changes nothing', async (_, body, path) => {
    const a = await createAddress(ws.token, customer.id, { name: 'HQ' });
    const unchanged = await freeze(ws.workspaceId);
    const res = await api('PATCH', `/api/addresses/${a.id}`, { token: ws.token, body: body(a) });
    expect(res.status).toBe(400);
    expect(res.body).toEqual(invalid(path));
    expect(res.body.error).toContain(path);
    await unchanged();
  });

  it.each([
    ['of another customer of the same workspace', async () => (await createContact(ws.token, (await createCustomer(ws.token)).id)).id],
    ['of another workspace', async () => (await createContact(other.token, (await createCustomer(other.token)).id)).id],
    ['that does not exist', async () => MISSING_ID],
  ])('rejects a contact %s with 400 invalid_reference', async (_, contactId) => {
    const a = await createAddress(ws.token, customer.id);
    const id = await contactId();
    const unchanged = await freeze(ws.workspaceId, other.workspaceId);
    const res = await api('PATCH', `/api/addresses/${a.id}`, { token: ws.token, body: { contact_id: id, city: 'Nice' } });
    expect(res.status).toBe(400);
    expect(res.body).toEqual(canonicalError('invalid_reference', 'contact_id'));
    await unchanged();
  });

  it.each([
    ['a nonexistent id', MISSING_ID],
    ['a non-UUID id', 'x'],
  ])('returns 404 for %s', async (_, id) => {
    await createAddress(ws.token, customer.id);
    const unchanged = await freeze(ws.workspaceId);
    const res = await api('PATCH', `/api/addresses/${id}`, { token: ws.token, body: { city: 'Nice' } });
    expect(res.status).toBe(404);
    expect(res.body).toEqual(errorBody('not_found'));
    await unchanged();
  });

  it("returns 404 for another workspace's address and leaves it unchanged", async () => {
    const foreign = await createAddress(other.token, (await createCustomer(other.token)).id);
    const unchanged = await freeze(ws.workspaceId, other.workspaceId);
    const res = await api('PATCH', `/api/addresses/${foreign.id}`, { token: ws.token, body: { city: 'Nowhere', name: null } });
    expect(res.status).toBe(404);
    expect(res.body).toEqual(errorBody('not_found'));
    await unchanged();
  });

  it('requires a token (401) with the write scope (403)', async () => {
    const a = await createAddress(ws.token, customer.id);
    await expectWriteAuth(ws, 'PATCH', `/api/addresses/${a.id}`, { city: 'Nice' });
  });
});

describe('DELETE /api/addresses/:id', () => {
  it('deletes the address and unlinks it from its contact', async () => {
    const contact = await createContact(ws.token, customer.id);
    const a = await createAddress(ws.token, customer.id, { contact_id: contact.id });
    const keep = await createAddress(ws.token, customer.id, { contact_id: contact.id, type: 'shipping' });
    const res = await api('DELETE', `/api/addresses/${a.id}`, { token: ws.token });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ success: true, data: { id: a.id, deleted: true } });
    expect((await api('GET', `/api/addresses/${a.id}`, { token: ws.token })).status).toBe(404);
    expect((await api('GET', `/api/contacts/${contact.id}`, { token: ws.token })).body.data.address_ids).toEqual([keep.id]);
    const rows = await snapshot(ws.workspaceId);
    expect(rows.addresses!.map((r: any) => r.id)).toEqual([keep.id]);
    expect(rows.contacts).toHaveLength(1);
  });

  it.each([
    ['a nonexistent id', MISSING_ID],
    ['a non-UUID id', '1'],
  ])('returns 404 for %s', async (_, id) => {
    await createAddress(ws.token, customer.id);
    const unchanged = await freeze(ws.workspaceId);
    const res = await api('DELETE', `/api/addresses/${id}`, { token: ws.token });
    expect(res.status).toBe(404);
    expect(res.body).toEqual(errorBody('not_found'));
    await unchanged();
  });

  it("returns 404 for another workspace's address and keeps it", async () => {
    const foreign = await createAddress(other.token, (await createCustomer(other.token)).id);
    const unchanged = await freeze(ws.workspaceId, other.workspaceId);
    const res = await api('DELETE', `/api/addresses/${foreign.id}`, { token: ws.token });
    expect(res.status).toBe(404);
    expect(res.body).toEqual(errorBody('not_found'));
    await unchanged();
  });

  it('requires a token (401) with the write scope (403)', async () => {
    const a = await createAddress(ws.token, customer.id);
    await expectWriteAuth(ws, 'DELETE', `/api/addresses/${a.id}`);
  });
});
