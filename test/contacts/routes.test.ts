import { beforeEach, describe, expect, it } from 'vitest';
import { api, freeze, ISO, snapshot, UUID, workspace } from '../helpers';
import { createAddress, createContact, createCustomer, MISSING_ID, ms } from '../fixtures';
import { canonicalError, errorBody, expectWriteAuth, invalid, issue, unauthenticated } from '../errors';

type Workspace = Awaited<ReturnType<typeof workspace>>;
let ws: Workspace;
let other: Workspace;
let customer: any;

beforeEach(async () => {
  ws = await workspace();
  other = await workspace();
  customer = await createCustomer(ws.token);
});

const contact = (overrides: Record<string, unknown> = {}) => ({
  id: expect.stringMatching(UUID),
  workspace_id: ws.workspaceId,
  customer_id: customer.id,
  first_name: 'Ada',
  last_name: 'Lovelace',
  email: 'ada@example.com',
  phone: null,
  role: [],
  id_crm: null,
  id_erp: null,
  id_accounting: null,
  address_ids: [],
  created_at: expect.stringMatching(ISO),
  updated_at: expect.stringMatching(ISO),
  ...overrides,
});

const required = { first_name: 'Ada', last_name: 'Lovelace', email: 'ada@example.com' };

describe('POST /api/contacts', () => {
  it('creates a contact with only the required fields and defaults', async () => {
    const res = await api('POST', '/api/contacts', { token: ws.token, body: { customer_id: customer.id, ...required } });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({ success: true, data: contact() });
    expect(res.body.data.created_at).toBe(res.body.data.updated_at);
    const got = await api('GET', `/api/contacts/${res.body.data.id}`, { token: ws.token });
    expect(got.body).toEqual({ success: true, data: res.body.data });
  });

  it('stores every optional field, trims strings and de-duplicates roles', async () => {
    const body = {
      customer_id: customer.id.toUpperCase(),
      first_name: '  Grace ',
      last_name: 'Hopper',
      email: 'grace@example.com',
      phone: '+33 1 23 45 67 89',
      role: ['buyer', 'signer', 'buyer', 'admin', 'signer'],
      id_crm: 'crm-1',
      id_erp: 'erp-1',
      id_accounting: 'acc-1',
    };
    const res = await api('POST', '/api/contacts', { token: ws.token, body });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      success: true,
      data: contact({
        first_name: 'Grace',
        last_name: 'Hopper',
        email: 'grace@example.com',
        phone: '+33 1 23 45 67 89',
        role: ['buyer', 'signer', 'admin'],
        id_crm: 'crm-1',
        id_erp: 'erp-1',
        id_accounting: 'acc-1',
      }),
    });
  });

  it('accepts every role', async () => {
    const role = ['buyer', 'signer', 'billing', 'shipping', 'legal', 'admin'];
    const res = await api('POST', '/api/contacts', { token: ws.token, body: { customer_id: customer.id, ...required, role } });
    expect(res.status).toBe(201);
    expect(res.body.data.role).toEqual(role);
  });

  it.each([
    ['missing required fields', {}, [issue('customer_id'), issue('first_name'), issue('last_name'), issue('email')]],
    ['an invalid e-mail', { email: 'not-an-email' }, [issue('email', 'Must be a valid e-mail address')]],
    ['a blank first_name', { first_name: '   ' }, [issue('first_name', 'Must not be empty')]],
    ['a null last_name', { last_name: null }, [issue('last_name')]],
    ['an unknown role', { role: ['buyer', 'ceo'] }, [issue('role.1')]],
    ['a role that is not an array', { role: 'buyer' }, [issue('role')]],
    ['a non-UUID customer_id', { customer_id: 'acme' }, [issue('customer_id', 'Must be a UUID')]],
    ['a phone that is not a string', { phone: 33123 }, [issue('phone')]],
  ])('rejects %s with 400 validation_error', async (_, patch, issues) => {
    const body = Object.keys(patch).length ? { customer_id: customer.id, ...required, ...patch } : patch;
    const unchanged = await freeze(ws.workspaceId);
    const res = await api('POST', '/api/contacts', { token: ws.token, body });
    expect(res.status).toBe(400);
    expect(res.body).toEqual(errorBody('validation_error', { issues }));
    await unchanged();
  });

  it('rejects an unknown field, naming it', async () => {
    const unchanged = await freeze(ws.workspaceId);
    const body = { customer_id: customer.id, ...required, nickname: 'Ada' };
    const res = await api('POST', '/api/contacts', { token: ws.token, body });
    expect(res.status).toBe(400);
    expect(res.body).toEqual(invalid('nickname'));
    expect(res.body.error).toContain('nickname');
    await unchanged();
  });

  it('names every unknown field, not just the first', async () => {
    const unchanged = await freeze(ws.workspaceId);
    const body = { customer_id: customer.id, ...required, nickname: 'Ada', workspace_id: other.workspaceId };
    const res = await api('POST', '/api/contacts', { token: ws.token, body });
    expect(res.status).toBe(400);
    expect(res.body).toEqual(invalid('nickname', 'workspace_id'));
    await unchanged();
  });

  it('rejects a customer of another workspace with 400 invalid_reference', async () => {
    const foreign = await createCustomer(other.token);
    const unchanged = await freeze(ws.workspaceId, other.workspaceId);
    const res = await api('POST', '/api/contacts', { token: ws.token, body: { customer_id: foreign.id, ...required } });
    expect(res.status).toBe(400);
    expect(res.body).toEqual(canonicalError('invalid_reference', 'customer_id'));
    await unchanged();
  });

  it('rejects a nonexistent customer with 400 invalid_reference', async () => {
    const unchanged = await freeze(ws.workspaceId);
    const res = await api('POST', '/api/contacts', { token: ws.token, body: { customer_id: MISSING_ID, ...required } });
    expect(res.status).toBe(400);
    expect(res.body).toEqual(canonicalError('invalid_reference', 'customer_id'));
    await unchanged();
  });

  it('rejects a body that is not JSON (400) or not declared as JSON (415)', async () => {
    const unchanged = await freeze(ws.workspaceId);
    const bad = await api('POST', '/api/contacts', {
      token: ws.token,
      rawBody: '{"first_name":',
      headers: { 'Content-Type': 'application/json' },
    });
    expect(bad.status).toBe(400);
    expect(bad.body).toEqual(errorBody('invalid_json'));
    const text = await api('POST', '/api/contacts', {
      token: ws.token,
      rawBody: JSON.stringify({ customer_id: customer.id, ...required }),
      headers: { 'Content-Type': 'text/plain' },
    });
    expect(text.status).toBe(415);
    expect(text.body).toEqual(errorBody('unsupported_media_type'));
    await unchanged();
  });

  it('requires a token (401), a valid one (401) and the write scope (403)', async () => {
    const body = { customer_id: customer.id, ...required };
    await unauthenticated(ws.workspaceId, 'POST', '/api/contacts', body, errorBody('unauthorized'));
    await expectWriteAuth(ws, 'POST', '/api/contacts', body);
  });
});

describe('GET /api/contacts', () => {
  it('returns an empty page for a workspace without contacts', async () => {
    const res = await api('GET', '/api/contacts', { token: ws.token });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ success: true, data: [], has_more: false, next_cursor: null });
  });

  it('lists the workspace contacts in creation order, with their address ids, for a read-only token', async () => {
    const a = await createContact(ws.token, customer.id, { first_name: 'A' });
    const b = await createContact(ws.token, customer.id, { first_name: 'B', role: ['legal'] });
    const addr = await createAddress(ws.token, customer.id, { contact_id: b.id });
    await createContact(other.token, (await createCustomer(other.token)).id);
    const res = await api('GET', '/api/contacts', { token: ws.readOnly });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      success: true,
      data: [contact({ ...a, first_name: 'A' }), contact({ ...b, role: ['legal'], address_ids: [addr.id] })],
      has_more: false,
      next_cursor: null,
    });
  });

  it('walks pages with limit and cursor', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await createContact(ws.token, customer.id, { first_name: `C${i}` })).id);
    const seen: string[] = [];
    const pages: { has_more: boolean; next_cursor: string | null }[] = [];
    let cursor: string | null = null;
    do {
      const query: string = cursor ? `?limit=2&cursor=${cursor}` : '?limit=2';
      const res = await api('GET', `/api/contacts${query}`, { token: ws.token });
      expect(res.status).toBe(200);
      expect(res.body.data.length).toBeLessThanOrEqual(2);
      seen.push(...res.body.data.map((c: any) => c.id));
      pages.push({ has_more: res.body.has_more, next_cursor: res.body.next_cursor });
      cursor = res.body.next_cursor;
    } while (cursor && pages.length < 10);
    expect(seen).toEqual(ids);
    expect(pages).toEqual([
      { has_more: true, next_cursor: ids[1] },
      { has_more: true, next_cursor: ids[3] },
      { has_more: false, next_cursor: null },
    ]);
  });

  it('filters by customer_id', async () => {
    const second = await createCustomer(ws.token, { name: 'Globex' });
    const a = await createContact(ws.token, customer.id);
    const b = await createContact(ws.token, second.id);
    const c = await createContact(ws.token, customer.id);
    const first = await api('GET', `/api/contacts?customer_id=${customer.id}`, { token: ws.token });
    expect(first.body).toEqual({ success: true, data: [contact(a), contact(c)], has_more: false, next_cursor: null });
    const paged = await api('GET', `/api/contacts?customer_id=${customer.id}&limit=1`, { token: ws.token });
    expect(paged.body).toEqual({ success: true, data: [contact(a)], has_more: true, next_cursor: a.id });
    const byUpper = await api('GET', `/api/contacts?customer_id=${second.id.toUpperCase()}`, { token: ws.token });
    expect(byUpper.body.data).toEqual([contact({ ...b, customer_id: second.id })]);
    const foreign = await createCustomer(other.token);
    await createContact(other.token, foreign.id);
    const none = await api('GET', `/api/contacts?customer_id=${foreign.id}`, { token: ws.token });
    expect(none.body).toEqual({ success: true, data: [], has_more: false, next_cursor: null });
  });

  it.each([
    ['limit=0', 'limit'],
    ['limit=101', 'limit'],
    ['limit=abc', 'limit'],
    ['limit=1.5', 'limit'],
    ['cursor=nope', 'cursor'],
    ['customer_id=acme', 'customer_id'],
    ['sort=name', 'sort'],
  ])('rejects ?%s with 400 validation_error', async (query, path) => {
    await createContact(ws.token, customer.id);
    const unchanged = await freeze(ws.workspaceId);
    const res = await api('GET', `/api/contacts?${query}`, { token: ws.token });
    expect(res.status).toBe(400);
    expect(res.body).toEqual(invalid(path));
    await unchanged();
  });

  it('requires a token', async () => {
    const res = await api('GET', '/api/contacts', {});
    expect(res.status).toBe(401);
    expect(res.body).toEqual(errorBody('unauthorized'));
  });
});

describe('GET /api/contacts/:id', () => {
  it('returns the contact with the ids of its addresses, oldest first', async () => {
    const c = await createContact(ws.token, customer.id, { phone: '123' });
    const a1 = await createAddress(ws.token, customer.id, { contact_id: c.id });
    await createAddress(ws.token, customer.id);
    const a2 = await createAddress(ws.token, customer.id, { contact_id: c.id, type: 'shipping' });
    const res = await api('GET', `/api/contacts/${c.id.toUpperCase()}`, { token: ws.readOnly });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ success: true, data: contact({ ...c, address_ids: [a1.id, a2.id] }) });
  });

  it.each([
    ['a nonexistent id', () => MISSING_ID],
    ['a non-UUID id', () => 'not-a-uuid'],
  ])('returns 404 for %s', async (_, id) => {
    await createContact(ws.token, customer.id);
    const unchanged = await freeze(ws.workspaceId);
    const res = await api('GET', `/api/contacts/${id()}`, { token: ws.token });
    expect(res.status).toBe(404);
    expect(res.body).toEqual(errorBody('not_found'));
    await unchanged();
  });

  it("returns 404 for another workspace's contact", async () => {
    const foreign = await createContact(other.token, (await createCustomer(other.token)).id);
    const unchanged = await freeze(ws.workspaceId, other.workspaceId);
    const res = await api('GET', `/api/contacts/${foreign.id}`, { token: ws.token });
    expect(res.status).toBe(404);
    expect(res.body).toEqual(errorBody('not_found'));
    await unchanged();
  });

  it('requires a token', async () => {
    const c = await createContact(ws.token, customer.id);
    const res = await api('GET', `/api/contacts/${c.id}`, {});
    expect(res.status).toBe(401);
    expect(res.body).toEqual(errorBody('unauthorized'));
  });
});

describe('PATCH /api/contacts/:id', () => {
  it('changes only the fields sent and moves updated_at forward each time', async () => {
    const c = await createContact(ws.token, customer.id, { phone: '123', role: ['buyer'], id_crm: 'crm-1' });
    const addr = await createAddress(ws.token, customer.id, { contact_id: c.id });
    const first = await api('PATCH', `/api/contacts/${c.id}`, {
      token: ws.token,
      body: { last_name: 'Byron', email: 'ada@byron.example', role: ['signer', 'signer', 'billing'] },
    });
    expect(first.status).toBe(200);
    expect(first.body).toEqual({
      success: true,
      data: contact({
        ...c,
        last_name: 'Byron',
        email: 'ada@byron.example',
        role: ['signer', 'billing'],
        address_ids: [addr.id],
        updated_at: expect.stringMatching(ISO),
      }),
    });
    expect(ms(first.body.data.updated_at)).toBeGreaterThan(ms(c.updated_at));
    const second = await api('PATCH', `/api/contacts/${c.id}`, { token: ws.token, body: { first_name: 'Augusta' } });
    expect(second.status).toBe(200);
    expect(second.body.data).toEqual({ ...first.body.data, first_name: 'Augusta', updated_at: expect.stringMatching(ISO) });
    expect(ms(second.body.data.updated_at)).toBeGreaterThan(ms(first.body.data.updated_at));
    const got = await api('GET', `/api/contacts/${c.id}`, { token: ws.token });
    expect(got.body.data).toEqual(second.body.data);
  });

  it('unsets nullable fields with null and clears roles with []', async () => {
    const c = await createContact(ws.token, customer.id, {
      phone: '123',
      role: ['admin'],
      id_crm: 'crm',
      id_erp: 'erp',
      id_accounting: 'acc',
    });
    const body = { phone: null, role: [], id_crm: null, id_erp: null, id_accounting: null };
    const res = await api('PATCH', `/api/contacts/${c.id}`, { token: ws.token, body });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ success: true, data: contact({ id: c.id, created_at: c.created_at }) });
    expect(ms(res.body.data.updated_at)).toBeGreaterThan(ms(c.updated_at));
  });

  it.each([
    ['customer_id, even unchanged', (c: any) => ({ customer_id: c.customer_id }), ['customer_id']],
    ['customer_id: null', () => ({ customer_id: null }), ['customer_id']],
    ['first_name: null', () => ({ first_name: null }), ['first_name']],
    ['last_name: null', () => ({ last_name: null }), ['last_name']],
    ['email: null', () => ({ email: null }), ['email']],
    ['role: null', () => ({ role: null }), ['role']],
    ['an invalid e-mail', () => ({ email: 'nope', phone: '1' }), ['email']],
    ['an unknown role', () => ({ role: ['boss'] }), ['role.0']],
    ['an unknown field', () => ({ title: 'Countess' }), ['title']],
  ])('rejects %s with 400 validation_error and changes nothing', async (_, body, paths) => {
    const c = await createContact(ws.token, customer.id, { phone: '123' });
    const unchanged = await freeze(ws.workspaceId);
    const res = await api('PATCH', `/api/contacts/${c.id}`, { token: ws.token, body: body(c) });
    expect(res.status).toBe(400);
    expect(res.body).toEqual(invalid(...paths));
    expect(res.body.error).toContain(paths[0]);
    await unchanged();
  });

  it('refuses to move a contact to another customer', async () => {
    const c = await createContact(ws.token, customer.id);
    const second = await createCustomer(ws.token, { name: 'Globex' });
    const unchanged = await freeze(ws.workspaceId);
    const res = await api('PATCH', `/api/contacts/${c.id}`, { token: ws.token, body: { customer_id: second.id } });
    expect(res.status).toBe(400);
    expect(res.body).toEqual(invalid('customer_id'));
    await unchanged();
  });

  it.each([
    ['a nonexistent id', MISSING_ID],
    ['a non-UUID id', '12345'],
  ])('returns 404 for %s', async (_, id) => {
    await createContact(ws.token, customer.id);
    const unchanged = await freeze(ws.workspaceId);
    const res = await api('PATCH', `/api/contacts/${id}`, { token: ws.token, body: { first_name: 'X' } });
    expect(res.status).toBe(404);
    expect(res.body).toEqual(errorBody('not_found'));
    await unchanged();
  });

  it("returns 404 for another workspace's contact and leaves it unchanged", async () => {
    const foreign = await createContact(other.token, (await createCustomer(other.token)).id);
    const unchanged = await freeze(ws.workspaceId, other.workspaceId);
    const res = await api('PATCH', `/api/contacts/${foreign.id}`, { token: ws.token, body: { first_name: 'Mallory' } });
    expect(res.status).toBe(404);
    expect(res.body).toEqual(errorBody('not_found'));
    await unchanged();
  });

  it('requires a token (401) with the write scope (403)', async () => {
    const c = await createContact(ws.token, customer.id);
    await expectWriteAuth(ws, 'PATCH', `/api/contacts/${c.id}`, { first_name: 'X' });
  });
});

describe('DELETE /api/contacts/:id', () => {
  it('deletes the contact and keeps its addresses with contact_id null', async () => {
    const c = await createContact(ws.token, customer.id);
    const keep = await createContact(ws.token, customer.id, { first_name: 'Keep' });
    const addr = await createAddress(ws.token, customer.id, { contact_id: c.id });
    const res = await api('DELETE', `/api/contacts/${c.id}`, { token: ws.token });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ success: true, data: { id: c.id, deleted: true } });
    expect((await api('GET', `/api/contacts/${c.id}`, { token: ws.token })).status).toBe(404);
    const got = await api('GET', `/api/addresses/${addr.id}`, { token: ws.token });
    expect(got.status).toBe(200);
    expect(got.body.data).toEqual({ ...addr, contact_id: null, updated_at: expect.stringMatching(ISO) });
    const rows = await snapshot(ws.workspaceId);
    expect(rows.contacts!.map((r: any) => r.id)).toEqual([keep.id]);
    expect(rows.addresses).toHaveLength(1);
    expect(rows.customers).toHaveLength(1);
  });

  it.each([
    ['a nonexistent id', MISSING_ID],
    ['a non-UUID id', 'abc'],
  ])('returns 404 for %s', async (_, id) => {
    await createContact(ws.token, customer.id);
    const unchanged = await freeze(ws.workspaceId);
    const res = await api('DELETE', `/api/contacts/${id}`, { token: ws.token });
    expect(res.status).toBe(404);
    expect(res.body).toEqual(errorBody('not_found'));
    await unchanged();
  });

  it('returns 404 the second time', async () => {
    const c = await createContact(ws.token, customer.id);
    expect((await api('DELETE', `/api/contacts/${c.id}`, { token: ws.token })).status).toBe(200);
    const unchanged = await freeze(ws.workspaceId);
    const again = await api('DELETE', `/api/contacts/${c.id}`, { token: ws.token });
    expect(again.status).toBe(404);
    expect(again.body).toEqual(errorBody('not_found'));
    await unchanged();
  });

  it("returns 404 for another workspace's contact and keeps it", async () => {
    const foreignCustomer = await createCustomer(other.token);
    const foreign = await createContact(other.token, foreignCustomer.id);
    await createAddress(other.token, foreignCustomer.id, { contact_id: foreign.id });
    const unchanged = await freeze(ws.workspaceId, other.workspaceId);
    const res = await api('DELETE', `/api/contacts/${foreign.id}`, { token: ws.token });
    expect(res.status).toBe(404);
    expect(res.body).toEqual(errorBody('not_found'));
    await unchanged();
  });

  it('requires a token (401) with the write scope (403)', async () => {
    const c = await createContact(ws.token, customer.id);
    await expectWriteAuth(ws, 'DELETE', `/api/contacts/${c.id}`);
  });
});
