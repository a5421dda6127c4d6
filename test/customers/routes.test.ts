/** /api/customers: the five routes, their validation, and workspace isolation. */
import { describe, expect, it } from 'vitest';
import { canonicalError, errorBody, invalid, issue, issuesAt, rejected, unauthenticated } from '../errors';
import { createAddress, createContact, createCustomer, createSegment, customerObject } from '../fixtures';
import { api, ISO, snapshot, workspace, type ApiResponse } from '../helpers';

const BASE = '/api/customers';
type Fields = Record<string, unknown>;

async function listIds(token: string, query: string): Promise<string[]> {
  const res = await api('GET', `${BASE}?${query}`, { token });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body.data.map((c: { id: string }) => c.id);
}

describe('POST /api/customers', () => {
  it('creates a customer with every field and stores it', async () => {
    const { workspaceId, token } = await workspace();
    const segmentId = (await createSegment(token)).id;
    const input = {
      name: 'Acme Corporation',
      type: 'company',
      segment_id: segmentId,
      logo: 'https://cdn.example.com/acme.png',
      tax_ids: [
        { tax: 'VAT', tax_value: 'FR12345678901' },
        { tax: 'SIREN', tax_value: '123456789' },
      ],
      id_crm: 'crm_001',
      id_erp: 'erp_001',
      id_accounting: 'acc_001',
    };
    const res = await api('POST', BASE, { token, body: input });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({ success: true, data: customerObject(workspaceId, input) });
    const data = res.body.data;
    expect(data.updated_at).toBe(data.created_at);

    const got = await api('GET', `${BASE}/${data.id}`, { token });
    expect(got.body).toEqual({ success: true, data: { ...data, contact_ids: [], address_ids: [] } });
    const rows = await snapshot(workspaceId);
    expect(rows.customer_tax_ids).toEqual([
      { customer_id: data.id, position: 0, workspace_id: workspaceId, tax: 'VAT', tax_value: 'FR12345678901', tax_value_search: 'fr12345678901' },
      { customer_id: data.id, position: 1, workspace_id: workspaceId, tax: 'SIREN', tax_value: '123456789', tax_value_search: '123456789' },
    ]);
  });

  it('defaults optional fields and trims strings', async () => {
    const { workspaceId, token } = await workspace();
    const res = await api('POST', BASE, {
      token,
      body: { name: '  Jane Doe  ', type: 'individual', tax_ids: [{ tax: ' VAT ', tax_value: ' FR1 ' }], id_crm: ' c1 ' },
    });
    expect(res.status).toBe(201);
    const expected = customerObject(workspaceId, {
      name: 'Jane Doe',
      type: 'individual',
      tax_ids: [{ tax: 'VAT', tax_value: 'FR1' }],
      id_crm: 'c1',
    });
    expect(res.body).toEqual({ success: true, data: expected });
    const got = await api('GET', `${BASE}/${res.body.data.id}`, { token });
    expect(got.body.data).toEqual({ ...expected, contact_ids: [], address_ids: [] });
  });

  it('accepts names of 1 and 255 characters and http or https logos', async () => {
    const { workspaceId, token } = await workspace();
    const long = 'é'.repeat(255);
    expect(await createCustomer(token, { name: long, logo: 'http://example.com/l.svg' })).toEqual(
      customerObject(workspaceId, { name: long, type: 'company', logo: 'http://example.com/l.svg' }),
    );
    expect((await createCustomer(token, { name: 'X' })).name).toBe('X');
  });

  it('rejects a missing, empty, too long or non-string name and a bad type', async () => {
    const { workspaceId, token } = await workspace();
    const post = (body: Fields, ...paths: string[]) => rejected(workspaceId, 'POST', BASE, { token, body }, 400, invalid(...paths));
    await post({}, 'name', 'type');
    await post({ type: 'company' }, 'name');
    await post({ name: '', type: 'company' }, 'name');
    await post({ name: '   ', type: 'company' }, 'name');
    await post({ name: 'a'.repeat(256), type: 'company' }, 'name');
    await post({ name: 42, type: 'company' }, 'name');
    await post({ name: null, type: 'company' }, 'name');
    await post({ name: 'Acme' }, 'type');
    await post({ name: 'Acme', type: 'person' }, 'type');
    await post({ name: 'Acme', type: null }, 'type');
  });

  it('rejects malformed tax_ids, naming the offending entry and key', async () => {
    const { workspaceId, token } = await workspace();
    const post = (tax_ids: unknown, ...paths: string[]) =>
      rejected(workspaceId, 'POST', BASE, { token, body: { name: 'Acme', type: 'company', tax_ids } }, 400, invalid(...paths));
    const vat = { tax: 'VAT', tax_value: 'FR1' };
    await post([{ tax: 'VAT' }], 'tax_ids.0.tax_value');
    await post([vat, { tax: '  ', tax_value: 'X' }], 'tax_ids.1.tax');
    await post([{ tax: 'VAT', tax_value: '' }], 'tax_ids.0.tax_value');
    await post([{ tax: 'VAT', tax_value: 12 }], 'tax_ids.0.tax_value');
    await post([{ ...vat, country: 'FR' }], 'tax_ids.0.country');
    await post(['FR1'], 'tax_ids.0');
    await post({ tax: 'VAT', tax_value: 'FR1' }, 'tax_ids');
    await post('FR1', 'tax_ids');
    await post(Array.from({ length: 26 }, () => vat), 'tax_ids');
  });

  it('accepts 25 tax ids', async () => {
    const { token } = await workspace();
    const tax_ids = Array.from({ length: 25 }, (_, i) => ({ tax: 'VAT', tax_value: `FR${i}` }));
    expect((await createCustomer(token, { tax_ids })).tax_ids).toEqual(tax_ids);
  });

  it('rejects a logo that is not an http(s) URL', async () => {
    const { workspaceId, token } = await workspace();
    // One logo may break several rules: each is an issue at `logo`.
    const badLogo = errorBody('validation_error', { issues: issuesAt('logo') });
    for (const logo of ['not a url', 'ftp://example.com/logo.png', 'javascript:alert(1)', '', 42]) {
      await rejected(workspaceId, 'POST', BASE, { token, body: { name: 'Acme', type: 'company', logo } }, 400, badLogo);
    }
  });

  it('rejects a segment_id that is not a segment of the workspace', async () => {
    const { workspaceId, token } = await workspace();
    const other = await workspace();
    const foreign = (await createSegment(other.token)).id;
    const body = (segment_id: unknown) => ({ token, body: { name: 'Acme', type: 'company', segment_id } });
    const badRef = canonicalError('invalid_reference', 'segment_id');
    await rejected(workspaceId, 'POST', BASE, body(foreign), 400, badRef);
    await rejected(workspaceId, 'POST', BASE, body(crypto.randomUUID()), 400, badRef);
    const res = await api('POST', BASE, body('not-a-uuid'));
    expect(res.status).toBe(400);
    expect(res.body.issues).toEqual([issue('segment_id')]);
    expect(await snapshot(workspaceId)).toEqual({ segments: [], customers: [], customer_tax_ids: [], customer_metadata: [], contacts: [], addresses: [], events: [], webhook_endpoints: [] });
  });

  it('rejects an unknown field, including server-owned ones, naming it', async () => {
    const { workspaceId, token } = await workspace();
    const other = await workspace();
    const extra: Fields[] = [{ colour: 'red' }, { id: crypto.randomUUID() }, { workspace_id: other.workspaceId }, { created_at: '2020-01-01T00:00:00.000Z' }];
    for (const field of extra) {
      const [name] = Object.keys(field);
      const body = { name: 'Acme', type: 'company', ...field };
      const res = await rejected(workspaceId, 'POST', BASE, { token, body }, 400, invalid(name!));
      expect(res.body.error).toContain(name);
    }
    expect(await snapshot(other.workspaceId)).toEqual({ segments: [], customers: [], customer_tax_ids: [], customer_metadata: [], contacts: [], addresses: [], events: [], webhook_endpoints: [] });
  });

  it('names every unknown field, not only the first', async () => {
    const { workspaceId, token } = await workspace();
    const body = { name: 'Acme', type: 'company', colour: 'red', size: 'XL' };
    await rejected(workspaceId, 'POST', BASE, { token, body }, 400, invalid('colour', 'size'));
  });

  it('rejects malformed JSON and non-object bodies with invalid_json', async () => {
    const { workspaceId, token } = await workspace();
    const headers = { 'Content-Type': 'application/json' };
    for (const rawBody of ['{"name": "Acme",', '', '[{"name":"Acme","type":"company"}]', '"Acme"', 'null']) {
      await rejected(workspaceId, 'POST', BASE, { token, rawBody, headers }, 400, errorBody('invalid_json'));
    }
  });

  it('requires a valid token with the write scope', async () => {
    const { workspaceId, readOnly } = await workspace();
    const body = { name: 'Acme', type: 'company' };
    await unauthenticated(workspaceId, 'POST', BASE, body, errorBody('unauthorized'));
    await rejected(workspaceId, 'POST', BASE, { token: readOnly, body }, 403, errorBody('forbidden'));
  });
});

describe('GET /api/customers', () => {
  it('lists in creation order, 25 by default, with a cursor to the rest', async () => {
    const { workspaceId, token, readOnly } = await workspace();
    const all = [];
    for (let i = 0; i < 27; i++) all.push(await createCustomer(token, { name: `Customer ${i}` }));
    const first = await api('GET', BASE, { token: readOnly });
    expect(first.status).toBe(200);
    expect(first.body).toEqual({ success: true, data: all.slice(0, 25), has_more: true, next_cursor: all[24].id });
    expect(first.body.data[0]).toEqual(customerObject(workspaceId, { name: 'Customer 0', type: 'company' }));
    const rest = await api('GET', `${BASE}?cursor=${first.body.next_cursor}`, { token: readOnly });
    expect(rest.body).toEqual({ success: true, data: all.slice(25), has_more: false, next_cursor: null });
  });

  it('reports no more pages when the last page is exactly full', async () => {
    const { token } = await workspace();
    const all = [await createCustomer(token), await createCustomer(token)];
    const res = await api('GET', `${BASE}?limit=2`, { token });
    expect(res.body).toEqual({ success: true, data: all, has_more: false, next_cursor: null });
    const empty = await api('GET', BASE, { token: (await workspace()).token });
    expect(empty.body).toEqual({ success: true, data: [], has_more: false, next_cursor: null });
  });

  it('pages without duplicates or skips while customers are being inserted', async () => {
    const { token } = await workspace();
    const expected: string[] = [];
    for (let i = 0; i < 5; i++) expected.push((await createCustomer(token, { name: `Old ${i}` })).id);
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res: ApiResponse = await api('GET', `${BASE}?limit=2${cursor ? `&cursor=${cursor}` : ''}`, { token });
      expect(res.status).toBe(200);
      seen.push(...res.body.data.map((c: { id: string }) => c.id));
      cursor = res.body.next_cursor;
      expect(res.body.has_more).toBe(cursor !== null);
      if (pages++ < 2) expected.push((await createCustomer(token, { name: `New ${pages}` })).id);
    } while (cursor && pages < 10);
    expect(seen).toEqual(expected);
    expect(new Set(seen).size).toBe(7);
  });

  it('rejects a limit outside 1..100 or a bad cursor, naming the parameter', async () => {
    const { workspaceId, token } = await workspace();
    await createCustomer(token);
    for (const limit of ['0', '101', 'abc', '-1', '1.5', '']) {
      await rejected(workspaceId, 'GET', `${BASE}?limit=${limit}`, { token }, 400, invalid('limit'));
    }
    await rejected(workspaceId, 'GET', `${BASE}?cursor=page2`, { token }, 400, invalid('cursor'));
    expect(await listIds(token, 'limit=1')).toHaveLength(1);
    expect(await listIds(token, 'limit=100')).toHaveLength(1);
  });

  it('rejects an unknown query parameter, naming it', async () => {
    const { workspaceId, token } = await workspace();
    await createCustomer(token);
    for (const param of ['name', 'page', 'offset', 'sort']) {
      const res = await rejected(workspaceId, 'GET', `${BASE}?${param}=1`, { token }, 400, invalid(param));
      expect(res.body.error).toContain(param);
    }
  });

  it('names every unknown query parameter, not only the first', async () => {
    const { workspaceId, token } = await workspace();
    await createCustomer(token);
    const res = await rejected(workspaceId, 'GET', `${BASE}?limit=2&name=Acme&page=2`, { token }, 400, invalid('name', 'page'));
    expect(res.body.error).toMatch(/name.*page/);
  });

  it('filters by type, segment, external ids and tax value, within the workspace only', async () => {
    const { token } = await workspace();
    const other = await workspace();
    const segmentId = (await createSegment(token)).id;
    const fields = {
      type: 'individual',
      segment_id: segmentId,
      id_crm: 'crm-1',
      id_erp: 'erp-1',
      id_accounting: 'acc-1',
      tax_ids: [{ tax: 'VAT', tax_value: 'FR111' }, { tax: 'EORI', tax_value: 'FR222' }],
    };
    const plain = await createCustomer(token, { tax_ids: [{ tax: 'VAT', tax_value: 'FR333' }] });
    const match = await createCustomer(token, fields);
    const { segment_id: _s, ...foreignFields } = fields;
    await createCustomer(other.token, foreignFields);
    for (const query of ['type=individual', `segment_id=${segmentId}`, `segment_id=${segmentId.toUpperCase()}`, 'id_crm=crm-1', 'id_erp=erp-1', 'id_accounting=acc-1', 'tax_value=FR222']) {
      const res = await api('GET', `${BASE}?${query}`, { token });
      expect(res.body, query).toEqual({ success: true, data: [match], has_more: false, next_cursor: null });
    }
    expect(await listIds(token, 'type=company')).toEqual([plain.id]);
    expect(await listIds(token, 'tax_value=FR333')).toEqual([plain.id]);
    expect(await listIds(token, 'tax_value=fr111')).toEqual([]);
    const twice = await createCustomer(token, { tax_ids: [{ tax: 'VAT', tax_value: 'FR444' }, { tax: 'EORI', tax_value: 'FR444' }] });
    expect(await listIds(token, 'tax_value=FR444')).toEqual([twice.id]);
    expect(await listIds(token, 'id_crm=crm-2')).toEqual([]);
    expect(await listIds(token, 'type=individual&id_crm=crm-1&tax_value=FR111')).toEqual([match.id]);
    expect(await listIds(token, 'type=company&id_crm=crm-1')).toEqual([]);
  });

  it('rejects invalid filter values', async () => {
    const { workspaceId, token } = await workspace();
    await createCustomer(token);
    await rejected(workspaceId, 'GET', `${BASE}?type=person`, { token }, 400, invalid('type'));
    await rejected(workspaceId, 'GET', `${BASE}?segment_id=abc`, { token }, 400, invalid('segment_id'));
    await rejected(workspaceId, 'GET', `${BASE}?q=`, { token }, 400, invalid('q'));
  });

  it('searches names case- and accent-insensitively with q, non-ASCII included', async () => {
    const { token } = await workspace();
    const ecole = await createCustomer(token, { name: "L'école des Loisirs" });
    const upper = await createCustomer(token, { name: 'ÉCOLE NORMALE' });
    const acme = await createCustomer(token, { name: 'ACME 100% Corp' });
    const plain = await createCustomer(token, { name: 'Ecole sans accent' });
    const greek = await createCustomer(token, { name: 'ΣΧΟΛΕΊΟ' });
    await createCustomer((await workspace()).token, { name: 'école étrangère' });
    expect(await listIds(token, `q=${encodeURIComponent('ÉCOLE')}`)).toEqual([ecole.id, upper.id, plain.id]);
    expect(await listIds(token, `q=${encodeURIComponent('école')}`)).toEqual([ecole.id, upper.id, plain.id]);
    expect(await listIds(token, `q=${encodeURIComponent('ecole n')}`)).toEqual([upper.id]);
    expect(await listIds(token, `q=${encodeURIComponent('σχολειο')}`)).toEqual([greek.id]);
    expect(await listIds(token, 'q=acme')).toEqual([acme.id]);
    expect(await listIds(token, `q=${encodeURIComponent('0% c')}`)).toEqual([acme.id]);
    expect(await listIds(token, `q=${encodeURIComponent('00%')}`)).toEqual([acme.id]);
    expect(await listIds(token, 'q=___')).toEqual([]);
    expect(await listIds(token, 'q=zzz')).toEqual([]);
    // Under 3 characters q is the start of the name, literal too, in folded-name order.
    expect(await listIds(token, `q=${encodeURIComponent('%')}`)).toEqual([]);
    expect(await listIds(token, `q=${encodeURIComponent('É')}`)).toEqual([upper.id, plain.id]);
    expect(await listIds(token, 'q=ac')).toEqual([acme.id]);
    expect(await listIds(token, 'q=co')).toEqual([]);
  });

  it('requires a valid token and never shows another workspace', async () => {
    const { workspaceId, token } = await workspace();
    await createCustomer(token);
    await unauthenticated(workspaceId, 'GET', BASE, undefined, errorBody('unauthorized'));
    const other = await workspace();
    expect(await listIds(other.readOnly, '')).toEqual([]);
  });
});

describe('GET /api/customers/:id', () => {
  it('returns the customer with its contact and address ids, oldest first', async () => {
    const { workspaceId, token, readOnly } = await workspace();
    const c = await createCustomer(token, { name: 'Acme', id_erp: 'E1' });
    const sibling = await createCustomer(token, { name: 'Sibling' });
    const contacts = [(await createContact(token, c.id)).id, (await createContact(token, c.id)).id];
    const addresses = [(await createAddress(token, c.id)).id, (await createAddress(token, c.id)).id];
    await createContact(token, sibling.id);
    await createAddress(token, sibling.id);
    const res = await api('GET', `${BASE}/${c.id}`, { token: readOnly });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      success: true,
      data: { ...customerObject(workspaceId, { name: 'Acme', type: 'company', id_erp: 'E1' }), id: c.id, created_at: c.created_at, updated_at: c.updated_at, contact_ids: contacts, address_ids: addresses },
    });
  });

  it('answers 404 for an unknown, malformed or foreign id', async () => {
    const { workspaceId, token } = await workspace();
    const other = await workspace();
    const foreign = await createCustomer(other.token);
    for (const id of [crypto.randomUUID(), 'not-a-uuid', '123', foreign.id]) {
      await rejected(workspaceId, 'GET', `${BASE}/${id}`, { token }, 404, errorBody('not_found'));
    }
  });

  it('requires a valid token', async () => {
    const { workspaceId, token } = await workspace();
    const c = await createCustomer(token);
    await unauthenticated(workspaceId, 'GET', `${BASE}/${c.id}`, undefined, errorBody('unauthorized'));
  });
});

describe('PATCH /api/customers/:id', () => {
  async function full(token: string) {
    const segmentId = (await createSegment(token)).id;
    return createCustomer(token, {
      name: 'Acme',
      segment_id: segmentId,
      logo: 'https://example.com/logo.png',
      tax_ids: [{ tax: 'VAT', tax_value: 'FR111' }],
      id_crm: 'crm-1',
      id_erp: 'erp-1',
      id_accounting: 'acc-1',
    });
  }
  const patch = (token: string, id: string, body: unknown) => api('PATCH', `${BASE}/${id}`, { token, body });

  it('leaves omitted fields unchanged and moves updated_at forward', async () => {
    const { token } = await workspace();
    const c = await full(token);
    const res = await patch(token, c.id, { name: '  Acme Renamed ', type: 'individual' });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ success: true, data: { ...c, name: 'Acme Renamed', type: 'individual', updated_at: expect.stringMatching(ISO) } });
    expect(Date.parse(res.body.data.updated_at)).toBeGreaterThan(Date.parse(c.updated_at));
    const got = await api('GET', `${BASE}/${c.id}`, { token });
    expect(got.body.data).toEqual({ ...res.body.data, contact_ids: [], address_ids: [] });
    expect(await listIds(token, 'tax_value=FR111')).toEqual([c.id]);
    expect(await listIds(token, `q=renamed`)).toEqual([c.id]);
    expect(await listIds(token, `q=${encodeURIComponent('Acme Corp')}`)).toEqual([]);
  });

  it('unsets nullable fields with null and removes all tax ids with []', async () => {
    const { workspaceId, token } = await workspace();
    const c = await full(token);
    const body = { segment_id: null, logo: null, tax_ids: [], id_crm: null, id_erp: null, id_accounting: null };
    const res = await patch(token, c.id, body);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ success: true, data: { ...c, ...body, updated_at: expect.stringMatching(ISO) } });
    expect(Date.parse(res.body.data.updated_at)).toBeGreaterThan(Date.parse(c.updated_at));
    const got = await api('GET', `${BASE}/${c.id}`, { token });
    expect(got.body.data).toEqual({ ...res.body.data, contact_ids: [], address_ids: [] });
    expect((await snapshot(workspaceId)).customer_tax_ids).toEqual([]);
    expect(await listIds(token, 'tax_value=FR111')).toEqual([]);
  });

  it('replaces tax ids and sets other fields, keeping the tax_value filter in step', async () => {
    const { workspaceId, token } = await workspace();
    const c = await createCustomer(token, { tax_ids: [{ tax: 'VAT', tax_value: 'FR111' }, { tax: 'EORI', tax_value: 'FR222' }] });
    const segmentId = (await createSegment(token)).id;
    const body = { tax_ids: [{ tax: 'VAT', tax_value: 'FR999' }], segment_id: segmentId, logo: 'https://example.com/new.png', id_crm: 'c2' };
    const res = await patch(token, c.id, body);
    expect(res.body).toEqual({ success: true, data: { ...c, ...body, updated_at: expect.stringMatching(ISO) } });
    expect(await listIds(token, 'tax_value=FR111')).toEqual([]);
    expect(await listIds(token, 'tax_value=FR222')).toEqual([]);
    expect(await listIds(token, 'tax_value=FR999')).toEqual([c.id]);
    expect(await listIds(token, `segment_id=${segmentId}`)).toEqual([c.id]);
    expect((await snapshot(workspaceId)).customer_tax_ids).toEqual([
      { customer_id: c.id, position: 0, workspace_id: workspaceId, tax: 'VAT', tax_value: 'FR999', tax_value_search: 'fr999' },
    ]);
  });

  it('moves updated_at strictly forward on every change, created_at never', async () => {
    const { token } = await workspace();
    const c = await createCustomer(token);
    let last = c.updated_at;
    for (let i = 0; i < 3; i++) {
      const res = await patch(token, c.id, { id_crm: `crm-${i}` });
      expect(res.body.data.created_at).toBe(c.created_at);
      expect(Date.parse(res.body.data.updated_at)).toBeGreaterThan(Date.parse(last));
      last = res.body.data.updated_at;
    }
  });

  it('returns the customer unchanged for an empty body', async () => {
    const { token } = await workspace();
    const c = await full(token);
    const res = await patch(token, c.id, {});
    expect(res.body).toEqual({ success: true, data: c });
  });

  it('rejects null name or type, invalid values and unknown fields, changing nothing', async () => {
    const { workspaceId, token } = await workspace();
    const c = await full(token);
    const fails = (body: Fields, ...paths: string[]) =>
      rejected(workspaceId, 'PATCH', `${BASE}/${c.id}`, { token, body }, 400, invalid(...paths));
    await fails({ name: null }, 'name');
    await fails({ type: null }, 'type');
    await fails({ name: '  ' }, 'name');
    await fails({ name: 'b'.repeat(256) }, 'name');
    await fails({ type: 'person' }, 'type');
    await fails({ logo: 'ftp://example.com/x.png' }, 'logo');
    await fails({ tax_ids: [{ tax: 'VAT', tax_value: ' ' }] }, 'tax_ids.0.tax_value');
    await fails({ tax_ids: [{ tax: 'VAT', tax_value: 'X', note: 'y' }] }, 'tax_ids.0.note');
    await fails({ tax_ids: Array.from({ length: 26 }, () => ({ tax: 'VAT', tax_value: 'X' })) }, 'tax_ids');
    await fails({ name: 'Valid', workspace_id: crypto.randomUUID() }, 'workspace_id');
    await fails({ id: crypto.randomUUID() }, 'id');
    const headers = { 'Content-Type': 'application/json' };
    await rejected(workspaceId, 'PATCH', `${BASE}/${c.id}`, { token, rawBody: '{"name":', headers }, 400, errorBody('invalid_json'));
    expect((await api('GET', `${BASE}/${c.id}`, { token })).body.data).toEqual({ ...c, contact_ids: [], address_ids: [] });
  });

  it('names every unknown field, not only the first', async () => {
    const { workspaceId, token } = await workspace();
    const c = await createCustomer(token);
    const body = { name: 'Valid', created_at: '2020-01-01T00:00:00.000Z', updated_at: '2020-01-01T00:00:00.000Z' };
    await rejected(workspaceId, 'PATCH', `${BASE}/${c.id}`, { token, body }, 400, invalid('created_at', 'updated_at'));
  });

  it('rejects a segment_id of another workspace with invalid_reference', async () => {
    const { workspaceId, token } = await workspace();
    const c = await full(token);
    const foreign = (await createSegment((await workspace()).token)).id;
    const badRef = canonicalError('invalid_reference', 'segment_id');
    await rejected(workspaceId, 'PATCH', `${BASE}/${c.id}`, { token, body: { segment_id: foreign, name: 'New' } }, 400, badRef);
    await rejected(workspaceId, 'PATCH', `${BASE}/${c.id}`, { token, body: { segment_id: crypto.randomUUID() } }, 400, badRef);
  });

  it('requires a write token and cannot reach another workspace', async () => {
    const { workspaceId, token, readOnly } = await workspace();
    const c = await full(token);
    const body = { name: 'Hijacked' };
    await unauthenticated(workspaceId, 'PATCH', `${BASE}/${c.id}`, body, errorBody('unauthorized'));
    await rejected(workspaceId, 'PATCH', `${BASE}/${c.id}`, { token: readOnly, body }, 403, errorBody('forbidden'));
    const other = await workspace();
    await rejected(workspaceId, 'PATCH', `${BASE}/${c.id}`, { token: other.token, body }, 404, errorBody('not_found'));
    await rejected(workspaceId, 'PATCH', `${BASE}/${c.id}`, { token: other.token, body: {} }, 404, errorBody('not_found'));
    for (const id of ['not-a-uuid', crypto.randomUUID()]) {
      await rejected(workspaceId, 'PATCH', `${BASE}/${id}`, { token, body }, 404, errorBody('not_found'));
    }
  });
});

describe('DELETE /api/customers/:id', () => {
  it('deletes the customer with its tax ids, contacts and addresses', async () => {
    const { workspaceId, token } = await workspace();
    const c = await createCustomer(token, { tax_ids: [{ tax: 'VAT', tax_value: 'FR111' }] });
    const kept = await createCustomer(token, { name: 'Kept', tax_ids: [{ tax: 'VAT', tax_value: 'FR222' }] });
    const contactId = (await createContact(token, c.id)).id;
    const addressId = (await createAddress(token, c.id)).id;
    const keptContact = (await createContact(token, kept.id)).id;
    const keptAddress = (await createAddress(token, kept.id)).id;
    const before = await snapshot(workspaceId);

    const res = await api('DELETE', `${BASE}/${c.id}`, { token });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ success: true, data: { id: c.id, deleted: true } });

    const after = await snapshot(workspaceId);
    const mine = (row: unknown) => (row as { customer_id?: string; id?: string }).customer_id === c.id || (row as { id?: string }).id === c.id;
    expect(after).toEqual({
      segments: [],
      customers: before.customers!.filter((r) => !mine(r)),
      customer_tax_ids: before.customer_tax_ids!.filter((r) => !mine(r)),
      customer_metadata: before.customer_metadata!.filter((r) => !mine(r)),
      contacts: before.contacts!.filter((r) => !mine(r)),
      addresses: before.addresses!.filter((r) => !mine(r)),
      // Its deletes recorded: addresses, then contacts, then the customer (test/events covers what they hold).
      events: [...before.events!, ...['address.deleted', 'contact.deleted', 'customer.deleted'].map((type) => expect.objectContaining({ type, request_id: res.headers.get('X-Request-Id') }))],
      webhook_endpoints: [],
    });
    expect((after.events!.slice(-3) as { object_id: string }[]).map((e) => e.object_id)).toEqual([addressId, contactId, c.id]);
    expect(after.customers).toHaveLength(1);
    expect(after.customer_tax_ids).toHaveLength(1);
    expect((await api('GET', `${BASE}/${c.id}`, { token })).body).toEqual(errorBody('not_found'));
    expect((await api('GET', `/api/contacts/${contactId}`, { token })).status).toBe(404);
    expect((await api('GET', `/api/addresses/${addressId}`, { token })).status).toBe(404);
    expect(await listIds(token, 'tax_value=FR111')).toEqual([]);
    expect((await api('GET', `${BASE}/${kept.id}`, { token })).body.data).toEqual({ ...kept, contact_ids: [keptContact], address_ids: [keptAddress] });

    await rejected(workspaceId, 'DELETE', `${BASE}/${c.id}`, { token }, 404, errorBody('not_found'));
  });

  it('requires a write token and cannot reach another workspace', async () => {
    const { workspaceId, token, readOnly } = await workspace();
    const c = await createCustomer(token, { tax_ids: [{ tax: 'VAT', tax_value: 'FR111' }] });
    await createContact(token, c.id);
    await createAddress(token, c.id);
    await unauthenticated(workspaceId, 'DELETE', `${BASE}/${c.id}`, undefined, errorBody('unauthorized'));
    await rejected(workspaceId, 'DELETE', `${BASE}/${c.id}`, { token: readOnly }, 403, errorBody('forbidden'));
    const other = await workspace();
    await rejected(workspaceId, 'DELETE', `${BASE}/${c.id}`, { token: other.token }, 404, errorBody('not_found'));
    for (const id of ['not-a-uuid', crypto.randomUUID()]) {
      await rejected(workspaceId, 'DELETE', `${BASE}/${id}`, { token }, 404, errorBody('not_found'));
    }
    expect((await api('GET', `${BASE}/${c.id}`, { token })).status).toBe(200);
  });
});
