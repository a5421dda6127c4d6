import { beforeEach, describe, expect, it } from 'vitest';
import { api, freeze, ISO, snapshot, UUID, workspace } from '../helpers';
import { createCustomer, createSegment, MISSING_ID, ms } from '../fixtures';
import { errorBody, expectWriteAuth, invalid } from '../errors';

type Workspace = Awaited<ReturnType<typeof workspace>>;
let ws: Workspace;
let other: Workspace;

beforeEach(async () => {
  ws = await workspace();
  other = await workspace();
});

const segment = (overrides: Record<string, unknown> = {}) => ({
  id: expect.stringMatching(UUID),
  workspace_id: ws.workspaceId,
  name: 'Enterprise',
  reference: null,
  description: null,
  created_at: expect.stringMatching(ISO),
  updated_at: expect.stringMatching(ISO),
  ...overrides,
});


describe('POST /api/segments', () => {
  it('creates a segment with only a name', async () => {
    const res = await api('POST', '/api/segments', { token: ws.token, body: { name: 'Enterprise' } });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({ success: true, data: segment() });
    expect(res.body.data.created_at).toBe(res.body.data.updated_at);
    const got = await api('GET', `/api/segments/${res.body.data.id}`, { token: ws.token });
    expect(got.body).toEqual({ success: true, data: res.body.data });
  });

  it('stores reference and description, trimmed', async () => {
    const body = { name: ' SMB ', reference: 'SEG-01', description: '  Small and medium businesses ' };
    const res = await api('POST', '/api/segments', { token: ws.token, body });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      success: true,
      data: segment({ name: 'SMB', reference: 'SEG-01', description: 'Small and medium businesses' }),
    });
  });

  it('accepts explicit nulls for the optional fields', async () => {
    const res = await api('POST', '/api/segments', { token: ws.token, body: { name: 'X', reference: null, description: null } });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({ success: true, data: segment({ name: 'X' }) });
  });

  it.each([
    ['a missing name', {}, 'name'],
    ['a null name', { name: null }, 'name'],
    ['a blank name', { name: '  ' }, 'name'],
    ['a too long name', { name: 'n'.repeat(256) }, 'name'],
    ['a non-string reference', { name: 'A', reference: 7 }, 'reference'],
    ['a too long description', { name: 'A', description: 'd'.repeat(1001) }, 'description'],
    ['an unknown field', { name: 'A', color: 'red' }, 'color'],
  ])('rejects %s with 400 validation_error', async (_, body, path) => {
    await createSegment(ws.token);
    const unchanged = await freeze(ws.workspaceId);
    const res = await api('POST', '/api/segments', { token: ws.token, body });
    expect(res.status).toBe(400);
    expect(res.body).toEqual(invalid(path));
    expect(res.body.error).toContain(path);
    await unchanged();
  });

  it('rejects a body that is not a JSON object', async () => {
    const unchanged = await freeze(ws.workspaceId);
    const res = await api('POST', '/api/segments', { token: ws.token, body: [{ name: 'A' }] });
    expect(res.status).toBe(400);
    expect(res.body).toEqual(errorBody('invalid_json'));
    await unchanged();
  });

  it('requires a token (401) with the write scope (403)', async () => {
    await expectWriteAuth(ws, 'POST', '/api/segments', { name: 'A' });
  });
});

describe('GET /api/segments', () => {
  it('returns an empty page for a workspace without segments', async () => {
    const res = await api('GET', '/api/segments', { token: ws.token });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ success: true, data: [], has_more: false, next_cursor: null });
  });

  it("lists the workspace's segments in creation order for a read-only token", async () => {
    const a = await createSegment(ws.token, { name: 'B-first' });
    const b = await createSegment(ws.token, { name: 'A-second', reference: 'R' });
    await createSegment(other.token, { name: 'Foreign' });
    const res = await api('GET', '/api/segments', { token: ws.readOnly });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      success: true,
      data: [segment({ id: a.id, name: 'B-first' }), segment({ id: b.id, name: 'A-second', reference: 'R' })],
      has_more: false,
      next_cursor: null,
    });
  });

  it('walks pages with limit and cursor', async () => {
    const made: any[] = [];
    for (let i = 0; i < 5; i++) made.push(await createSegment(ws.token, { name: `S${i}` }));
    const p1 = await api('GET', '/api/segments?limit=2', { token: ws.token });
    expect(p1.body).toEqual({ success: true, data: [made[0], made[1]], has_more: true, next_cursor: made[1].id });
    const p2 = await api('GET', `/api/segments?limit=2&cursor=${p1.body.next_cursor}`, { token: ws.token });
    expect(p2.body).toEqual({ success: true, data: [made[2], made[3]], has_more: true, next_cursor: made[3].id });
    const p3 = await api('GET', `/api/segments?limit=2&cursor=${p2.body.next_cursor.toUpperCase()}`, { token: ws.token });
    expect(p3.body).toEqual({ success: true, data: [made[4]], has_more: false, next_cursor: null });
    const full = await api('GET', '/api/segments?limit=5', { token: ws.token });
    expect(full.body).toEqual({ success: true, data: made, has_more: false, next_cursor: null });
  });

  it('returns 25 records by default and at most 100', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 26; i++) ids.push((await createSegment(ws.token, { name: `S${i}` })).id);
    const first = await api('GET', '/api/segments', { token: ws.token });
    expect(first.body.data.map((s: any) => s.id)).toEqual(ids.slice(0, 25));
    expect([first.body.has_more, first.body.next_cursor]).toEqual([true, ids[24]]);
    const max = await api('GET', '/api/segments?limit=100', { token: ws.token });
    expect(max.body.data.map((s: any) => s.id)).toEqual(ids);
    expect([max.body.has_more, max.body.next_cursor]).toEqual([false, null]);
  });

  it.each([
    ['limit=0', 'limit'],
    ['limit=101', 'limit'],
    ['limit=ten', 'limit'],
    ['limit=', 'limit'],
    ['cursor=abc', 'cursor'],
    [`customer_id=${MISSING_ID}`, 'customer_id'],
  ])('rejects ?%s with 400 validation_error', async (query, path) => {
    await createSegment(ws.token);
    const unchanged = await freeze(ws.workspaceId);
    const res = await api('GET', `/api/segments?${query}`, { token: ws.token });
    expect(res.status).toBe(400);
    expect(res.body).toEqual(invalid(path));
    await unchanged();
  });

  it('requires a token', async () => {
    const res = await api('GET', '/api/segments');
    expect(res.status).toBe(401);
    expect(res.body).toEqual(errorBody('unauthorized'));
  });
});

describe('GET /api/segments/:id', () => {
  it('returns the segment for a read-only token', async () => {
    const s = await createSegment(ws.token, { reference: 'ENT', description: 'Big ones' });
    const res = await api('GET', `/api/segments/${s.id}`, { token: ws.readOnly });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ success: true, data: segment({ id: s.id, reference: 'ENT', description: 'Big ones' }) });
  });

  it.each([
    ['a nonexistent id', MISSING_ID],
    ['a non-UUID id', 'enterprise'],
  ])('returns 404 for %s', async (_, id) => {
    await createSegment(ws.token);
    const unchanged = await freeze(ws.workspaceId);
    const res = await api('GET', `/api/segments/${id}`, { token: ws.token });
    expect(res.status).toBe(404);
    expect(res.body).toEqual(errorBody('not_found'));
    await unchanged();
  });

  it("returns 404 for another workspace's segment", async () => {
    const foreign = await createSegment(other.token);
    const unchanged = await freeze(ws.workspaceId, other.workspaceId);
    const res = await api('GET', `/api/segments/${foreign.id}`, { token: ws.token });
    expect(res.status).toBe(404);
    expect(res.body).toEqual(errorBody('not_found'));
    await unchanged();
  });

  it('requires a token', async () => {
    const s = await createSegment(ws.token);
    const res = await api('GET', `/api/segments/${s.id}`);
    expect(res.status).toBe(401);
    expect(res.body).toEqual(errorBody('unauthorized'));
  });
});

describe('PATCH /api/segments/:id', () => {
  it('changes only the fields sent and moves updated_at forward each time', async () => {
    const s = await createSegment(ws.token, { reference: 'ENT', description: 'Big ones' });
    const first = await api('PATCH', `/api/segments/${s.id}`, { token: ws.token, body: { name: 'Key accounts' } });
    expect(first.status).toBe(200);
    expect(first.body).toEqual({
      success: true,
      data: segment({ id: s.id, created_at: s.created_at, name: 'Key accounts', reference: 'ENT', description: 'Big ones' }),
    });
    expect(ms(first.body.data.updated_at)).toBeGreaterThan(ms(s.updated_at));
    const second = await api('PATCH', `/api/segments/${s.id}`, { token: ws.token, body: { description: 'Top 50' } });
    expect(second.body.data).toEqual({ ...first.body.data, description: 'Top 50', updated_at: expect.stringMatching(ISO) });
    expect(ms(second.body.data.updated_at)).toBeGreaterThan(ms(first.body.data.updated_at));
    expect((await api('GET', `/api/segments/${s.id}`, { token: ws.token })).body.data).toEqual(second.body.data);
  });

  it('unsets reference and description with null', async () => {
    const s = await createSegment(ws.token, { reference: 'ENT', description: 'Big ones' });
    const res = await api('PATCH', `/api/segments/${s.id}`, { token: ws.token, body: { reference: null, description: null } });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ success: true, data: segment({ id: s.id, created_at: s.created_at }) });
    expect(ms(res.body.data.updated_at)).toBeGreaterThan(ms(s.updated_at));
  });

  it.each([
    ['name: null', { name: null }, 'name'],
    ['a blank name', { name: '' }, 'name'],
    ['a non-string description', { description: ['x'] }, 'description'],
    ['an unknown field', { workspace_id: MISSING_ID }, 'workspace_id'],
  ])('rejects %s with 400 validation_error and changes nothing', async (_, body, path) => {
    const s = await createSegment(ws.token, { reference: 'ENT' });
    const unchanged = await freeze(ws.workspaceId);
    const res = await api('PATCH', `/api/segments/${s.id}`, { token: ws.token, body });
    expect(res.status).toBe(400);
    expect(res.body).toEqual(invalid(path));
    await unchanged();
  });

  it.each([
    ['a nonexistent id', MISSING_ID],
    ['a non-UUID id', '42'],
  ])('returns 404 for %s', async (_, id) => {
    await createSegment(ws.token);
    const unchanged = await freeze(ws.workspaceId);
    const res = await api('PATCH', `/api/segments/${id}`, { token: ws.token, body: { name: 'X' } });
    expect(res.status).toBe(404);
    expect(res.body).toEqual(errorBody('not_found'));
    await unchanged();
  });

  it("returns 404 for another workspace's segment and leaves it unchanged", async () => {
    const foreign = await createSegment(other.token, { reference: 'R' });
    const unchanged = await freeze(ws.workspaceId, other.workspaceId);
    const res = await api('PATCH', `/api/segments/${foreign.id}`, { token: ws.token, body: { name: 'Hijacked', reference: null } });
    expect(res.status).toBe(404);
    expect(res.body).toEqual(errorBody('not_found'));
    await unchanged();
  });

  it('requires a token (401) with the write scope (403)', async () => {
    const s = await createSegment(ws.token);
    await expectWriteAuth(ws, 'PATCH', `/api/segments/${s.id}`, { name: 'X' });
  });
});

describe('DELETE /api/segments/:id', () => {
  it('deletes an unused segment', async () => {
    const s = await createSegment(ws.token);
    const keep = await createSegment(ws.token, { name: 'Keep' });
    const res = await api('DELETE', `/api/segments/${s.id}`, { token: ws.token });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ success: true, data: { id: s.id, deleted: true } });
    expect((await api('GET', `/api/segments/${s.id}`, { token: ws.token })).status).toBe(404);
    expect((await snapshot(ws.workspaceId)).segments!.map((r: any) => r.id)).toEqual([keep.id]);
  });

  it('refuses with 409 segment_in_use while customers use it, and deletes once they drop it', async () => {
    const s = await createSegment(ws.token);
    const c1 = await createCustomer(ws.token, { segment_id: s.id });
    const c2 = await createCustomer(ws.token, { name: 'Globex', segment_id: s.id });
    const unchanged = await freeze(ws.workspaceId);
    const refused = await api('DELETE', `/api/segments/${s.id}`, { token: ws.token });
    expect(refused.status).toBe(409);
    expect(refused.body).toEqual(errorBody('segment_in_use'));
    await unchanged();

    const drop1 = await api('PATCH', `/api/customers/${c1.id}`, { token: ws.token, body: { segment_id: null } });
    expect(drop1.status).toBe(200);
    expect(drop1.body.data.segment_id).toBeNull();
    const stillUsed = await freeze(ws.workspaceId);
    const again = await api('DELETE', `/api/segments/${s.id}`, { token: ws.token });
    expect(again.status).toBe(409);
    expect(again.body).toEqual(errorBody('segment_in_use'));
    await stillUsed();

    expect((await api('PATCH', `/api/customers/${c2.id}`, { token: ws.token, body: { segment_id: null } })).status).toBe(200);
    const res = await api('DELETE', `/api/segments/${s.id}`, { token: ws.token });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ success: true, data: { id: s.id, deleted: true } });
    const rows = await snapshot(ws.workspaceId);
    expect(rows.segments).toEqual([]);
    expect(rows.customers!.map((r: any) => [r.id, r.segment_id])).toEqual([
      [c1.id, null],
      [c2.id, null],
    ]);
  });

  it('deletes a segment whose only customer was deleted', async () => {
    const s = await createSegment(ws.token);
    const c = await createCustomer(ws.token, { segment_id: s.id });
    expect((await api('DELETE', `/api/customers/${c.id}`, { token: ws.token })).status).toBe(200);
    const res = await api('DELETE', `/api/segments/${s.id}`, { token: ws.token });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ success: true, data: { id: s.id, deleted: true } });
  });

  it.each([
    ['a nonexistent id', MISSING_ID],
    ['a non-UUID id', 'abc'],
  ])('returns 404 for %s', async (_, id) => {
    await createSegment(ws.token);
    const unchanged = await freeze(ws.workspaceId);
    const res = await api('DELETE', `/api/segments/${id}`, { token: ws.token });
    expect(res.status).toBe(404);
    expect(res.body).toEqual(errorBody('not_found'));
    await unchanged();
  });

  it("returns 404 for another workspace's segment and keeps it", async () => {
    const foreign = await createSegment(other.token);
    const unchanged = await freeze(ws.workspaceId, other.workspaceId);
    const res = await api('DELETE', `/api/segments/${foreign.id}`, { token: ws.token });
    expect(res.status).toBe(404);
    expect(res.body).toEqual(errorBody('not_found'));
    await unchanged();
  });

  it("returns 404, not 409, for another workspace's segment in use", async () => {
    const foreign = await createSegment(other.token);
    await createCustomer(other.token, { segment_id: foreign.id });
    const unchanged = await freeze(ws.workspaceId, other.workspaceId);
    const res = await api('DELETE', `/api/segments/${foreign.id}`, { token: ws.token });
    expect(res.status).toBe(404);
    expect(res.body).toEqual(errorBody('not_found'));
    await unchanged();
  });

  it('requires a token (401) with the write scope (403)', async () => {
    const s = await createSegment(ws.token);
    await expectWriteAuth(ws, 'DELETE', `/api/segments/${s.id}`);
  });
});
