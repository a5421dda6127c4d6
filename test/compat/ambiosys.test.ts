/**
 * The AmbioSys customer API (seed 002) on the canonical records: its three
 * routes, their validation, its error envelope, the per-workspace customer_id
 * sequence, the seed's curl example replayed, and workspace isolation.
 */
import { describe, expect, it } from 'vitest';
import { MAX_BODY_BYTES } from '../../src/http/body';
import { customerObject } from '../fixtures';
import { ambiosysError, rejected, unauthenticated } from '../errors';
import { api, ISO, snapshot, workspace } from '../helpers';

const CREATE = '/api/customers/create';
const LIST = '/api/customers/getCustomers';
type Fields = Record<string, unknown>;

/** The AmbioSys customer object, whole. */
const ambiosys = (fields: Fields) => ({
  customer_id: expect.any(Number),
  name: 'Acme',
  legal_name: null,
  tax_id: null,
  contact_origin: 'WEB_FORM',
  created_at: expect.stringMatching(ISO),
  updated_at: expect.stringMatching(ISO),
  ...fields,
});

async function create(token: string, body: Fields = {}) {
  const res = await api('POST', CREATE, { token, body: { name: 'Acme', ...body } });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.customer;
}

async function list(token: string, query = '') {
  const res = await api('GET', `${LIST}${query}`, { token });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body;
}
const names = async (token: string, query: string) => (await list(token, query)).clientes.map((c: { name: string }) => c.name);

describe('POST /api/customers/create', () => {
  it('creates a customer with every field, stored as a canonical company', async () => {
    const { workspaceId, token } = await workspace();
    const body = { name: 'Acme Corporation', legal_name: 'Acme Corp Ltd.', tax_id: 'ABC123456789', contact_origin: 'REFERRAL' };
    const res = await api('POST', CREATE, { token, body });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({ success: true, customer: ambiosys({ ...body, customer_id: 1 }) });
    const { customer } = res.body;
    expect(customer.updated_at).toBe(customer.created_at);

    const all = await api('GET', '/api/customers', { token });
    expect(all.body.data).toEqual([
      customerObject(workspaceId, {
        number: 1,
        name: 'Acme Corporation',
        legal_name: 'Acme Corp Ltd.',
        type: 'company',
        tax_ids: [{ tax: 'TAX_ID', tax_value: 'ABC123456789' }],
        contact_origin: 'REFERRAL',
        created_at: customer.created_at,
        updated_at: customer.updated_at,
      }),
    ]);
    const rows = await snapshot(workspaceId);
    expect(rows.customer_tax_ids).toEqual([
      { customer_id: all.body.data[0].id, position: 0, workspace_id: workspaceId, tax: 'TAX_ID', tax_value: 'ABC123456789', tax_value_search: 'abc123456789' },
    ]);
  });

  it('defaults contact_origin to WEB_FORM and legal_name and tax_id to null', async () => {
    const { token } = await workspace();
    const res = await api('POST', CREATE, { token, body: { name: 'Solo' } });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({ success: true, customer: ambiosys({ customer_id: 1, name: 'Solo' }) });
    const [stored] = (await api('GET', '/api/customers', { token })).body.data;
    expect(stored).toMatchObject({ name: 'Solo', legal_name: null, tax_ids: [], contact_origin: 'WEB_FORM', type: 'company' });
  });

  it('trims name, legal_name and tax_id; blank legal_name and tax_id count as not given', async () => {
    const { token } = await workspace();
    expect(await create(token, { name: '  Acme  ', legal_name: '  Acme Ltd.  ', tax_id: '\tABC 123\n' })).toEqual(
      ambiosys({ customer_id: 1, name: 'Acme', legal_name: 'Acme Ltd.', tax_id: 'ABC 123' }),
    );
    expect(await create(token, { legal_name: '', tax_id: '' })).toEqual(ambiosys({ customer_id: 2 }));
    expect(await create(token, { legal_name: '   ', tax_id: '  ' })).toEqual(ambiosys({ customer_id: 3 }));
    const stored = (await api('GET', '/api/customers', { token })).body.data;
    expect(stored.map((c: Fields) => [c.name, c.legal_name, c.tax_ids])).toEqual([
      ['Acme', 'Acme Ltd.', [{ tax: 'TAX_ID', tax_value: 'ABC 123' }]],
      ['Acme', null, []],
      ['Acme', null, []],
    ]);
  });

  it('round-trips tax_id through getCustomers', async () => {
    const { token } = await workspace();
    const created = await create(token, { tax_id: 'FR12345678901' });
    const got = await api('GET', `${LIST}/${created.customer_id}`, { token });
    expect(got.body).toEqual({ success: true, cliente: created });
  });

  it('numbers customers 1, 2, 3 per workspace; another workspace starts at 1', async () => {
    const a = await workspace();
    const b = await workspace();
    expect((await create(a.token, { name: 'A1' })).customer_id).toBe(1);
    expect((await create(a.token, { name: 'A2' })).customer_id).toBe(2);
    expect((await create(b.token, { name: 'B1' })).customer_id).toBe(1);
    expect((await create(a.token, { name: 'A3' })).customer_id).toBe(3);
    expect((await create(b.token, { name: 'B2' })).customer_id).toBe(2);
    expect(Number.isInteger((await create(b.token)).customer_id)).toBe(true);
  });

  it('rejects a missing, blank, too long or non-string name', async () => {
    const { workspaceId, token } = await workspace();
    for (const body of [{}, { name: '' }, { name: '   ' }, { name: 'a'.repeat(256) }, { name: 42 }, { name: null }, { legal_name: 'Acme Ltd.' }]) {
      await rejected(workspaceId, 'POST', CREATE, { token, body }, 400, ambiosysError('name'));
    }
  });

  it('rejects non-string or too long legal_name, tax_id and contact_origin, naming each', async () => {
    const { workspaceId, token } = await workspace();
    const post = (extra: Fields, ...paths: string[]) =>
      rejected(workspaceId, 'POST', CREATE, { token, body: { name: 'Acme', ...extra } }, 400, ambiosysError(...paths));
    await post({ legal_name: 42 }, 'legal_name');
    await post({ tax_id: 123456789 }, 'tax_id');
    await post({ tax_id: ['ABC'] }, 'tax_id');
    await post({ contact_origin: 7 }, 'contact_origin');
    await post({ legal_name: 'x'.repeat(256) }, 'legal_name');
    await post({ tax_id: 'x'.repeat(256) }, 'tax_id');
    await post({ legal_name: false, tax_id: {} }, 'legal_name', 'tax_id');
  });

  it('rejects unknown fields, naming every one of them', async () => {
    const { workspaceId, token } = await workspace();
    const post = (extra: Fields, ...paths: string[]) =>
      rejected(workspaceId, 'POST', CREATE, { token, body: { name: 'Acme', ...extra } }, 400, ambiosysError(...paths));
    await post({ customer_id: 7 }, 'customer_id');
    await post({ type: 'company' }, 'type');
    await post({ tax_ids: [{ tax: 'VAT', tax_value: 'FR1' }] }, 'tax_ids');
    await post({ created_at: '2024-01-15T10:30:00Z' }, 'created_at');
    await post({ colour: 'red', size: 'XL' }, 'colour', 'size');
  });

  it('rejects bodies that are not a JSON object (400), not JSON (415) or too large (413)', async () => {
    const { workspaceId, token } = await workspace();
    const json = { 'Content-Type': 'application/json' };
    for (const rawBody of ['{"name": "Acme",', '', '[{"name":"Acme"}]', '"Acme"', 'null']) {
      await rejected(workspaceId, 'POST', CREATE, { token, rawBody, headers: json }, 400, ambiosysError());
    }
    const types: Record<string, string>[] = [{ 'Content-Type': 'text/plain' }, { 'Content-Type': 'application/x-www-form-urlencoded' }, {}];
    for (const headers of types) {
      await rejected(workspaceId, 'POST', CREATE, { token, rawBody: '{"name":"Acme"}', headers }, 415, ambiosysError());
    }
    const big = `{"name":"Acme","legal_name":"${'x'.repeat(MAX_BODY_BYTES)}"}`;
    await rejected(workspaceId, 'POST', CREATE, { token, rawBody: big, headers: json }, 413, ambiosysError());
  });

  it('requires a valid token with the write scope', async () => {
    const { workspaceId, readOnly } = await workspace();
    await unauthenticated(workspaceId, 'POST', CREATE, { name: 'Acme' }, ambiosysError());
    await rejected(workspaceId, 'POST', CREATE, { token: readOnly, body: { name: 'Acme' } }, 403, ambiosysError());
  });

  it('replays the seed 002 curl example and answers the documented response', async () => {
    const { token } = await workspace();
    // `--data-raw` of the seed, byte for byte, with its two --header lines.
    const rawBody = `{
    "name": "Acme Corporation",
    "legal_name": "Acme Corp Ltd.",
    "tax_id": "ABC123456789",
    "contact_origin": "WEB_FORM"
  }`;
    const headers = { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` };
    const res = await api('POST', CREATE, { rawBody, headers });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      success: true,
      customer: {
        customer_id: expect.any(Number),
        name: 'Acme Corporation',
        legal_name: 'Acme Corp Ltd.',
        tax_id: 'ABC123456789',
        contact_origin: 'WEB_FORM',
        created_at: expect.stringMatching(ISO),
        updated_at: expect.stringMatching(ISO),
      },
    });
    expect(Object.keys(res.body.customer)).toEqual(['customer_id', 'name', 'legal_name', 'tax_id', 'contact_origin', 'created_at', 'updated_at']);
    expect(Number.isInteger(res.body.customer.customer_id)).toBe(true);
    expect(res.body.customer.updated_at).toBe(res.body.customer.created_at);
    const got = await api('GET', `${LIST}/${res.body.customer.customer_id}`, { token });
    expect(got.body).toEqual({ success: true, cliente: res.body.customer });
  });
});

describe('GET /api/customers/getCustomers', () => {
  it('answers an empty page for a workspace without customers', async () => {
    const { token } = await workspace();
    expect(await list(token)).toEqual({ success: true, clientes: [], totalCount: 0, page: 0, pageSize: 10 });
  });

  it('pages by zero-based page numbers, 10 by default, ordered by customer_id, with total counts', async () => {
    const { token, readOnly } = await workspace();
    // Names in reverse alphabetical order, so ordering by name would show.
    const created = [];
    for (let i = 0; i < 12; i++) created.push(await create(token, { name: `Customer ${String.fromCharCode(90 - i)}` }));
    const withTotal = (cs: Fields[]) => cs.map((c) => ({ ...c, total_count: 12 }));

    expect(await list(readOnly)).toEqual({ success: true, clientes: withTotal(created.slice(0, 10)), totalCount: 12, page: 0, pageSize: 10 });
    expect(await list(readOnly, '?page=0&limit=10')).toEqual(await list(readOnly));
    expect(await list(readOnly, '?page=1')).toEqual({ success: true, clientes: withTotal(created.slice(10)), totalCount: 12, page: 1, pageSize: 10 });
    expect(await list(readOnly, '?page=1&limit=5')).toEqual({ success: true, clientes: withTotal(created.slice(5, 10)), totalCount: 12, page: 1, pageSize: 5 });
    expect(await list(readOnly, '?page=2')).toEqual({ success: true, clientes: [], totalCount: 12, page: 2, pageSize: 10 });
    expect(await list(readOnly, '?limit=100')).toEqual({ success: true, clientes: withTotal(created), totalCount: 12, page: 0, pageSize: 100 });
    expect((await list(readOnly, '?limit=1&page=11')).clientes).toEqual(withTotal(created.slice(11)));
    expect(created.map((c) => c.customer_id)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
  });

  it('searches name, legal name and every tax id, case-insensitively, by substring', async () => {
    const { token } = await workspace();
    await create(token, { name: 'Acme Corporation' });
    await create(token, { name: 'Globex', legal_name: 'ACME Holdings SA' });
    await create(token, { name: 'Initech', tax_id: 'FR-acme-42' });
    await create(token, { name: 'Umbrella', legal_name: 'Umbrella plc', tax_id: 'GB999' });
    // A second tax id can only be added through the canonical API.
    const canonical = await api('POST', '/api/customers', {
      token,
      body: { name: 'Hooli', type: 'company', tax_ids: [{ tax: 'VAT', tax_value: 'US1' }, { tax: 'EIN', tax_value: 'xAcMex' }] },
    });
    expect(canonical.status).toBe(201);

    const found = await list(token, '?search=acme');
    expect(found.clientes.map((c: Fields) => [c.customer_id, c.name, c.total_count])).toEqual([
      [1, 'Acme Corporation', 4],
      [2, 'Globex', 4],
      [3, 'Initech', 4],
      [5, 'Hooli', 4],
    ]);
    expect(found).toMatchObject({ success: true, totalCount: 4, page: 0, pageSize: 10 });
    expect(await names(token, '?search=ACME&limit=2&page=1')).toEqual(['Initech', 'Hooli']);
    expect(await names(token, '?search=mBrEl')).toEqual(['Umbrella']);
    expect(await names(token, '?search=holdings')).toEqual(['Globex']);
    expect(await names(token, '?search=gb9')).toEqual(['Umbrella']);
    expect(await names(token, '?search=us1')).toEqual(['Hooli']);
    expect(await list(token, '?search=nowhere')).toEqual({ success: true, clientes: [], totalCount: 0, page: 0, pageSize: 10 });
  });

  it('matches search text literally, not as a LIKE pattern', async () => {
    const { token } = await workspace();
    await create(token, { name: 'Acme 100%' });
    await create(token, { name: 'Acme_Labs' });
    await create(token, { name: 'Acme Labs' });
    expect(await names(token, `?search=${encodeURIComponent('00%')}`)).toEqual(['Acme 100%']);
    expect(await names(token, `?search=${encodeURIComponent('e_l')}`)).toEqual(['Acme_Labs']);
    // Shorter than 3 characters, a search is a name prefix, still literal.
    expect(await names(token, `?search=${encodeURIComponent('%')}`)).toEqual([]);
    expect(await names(token, `?search=${encodeURIComponent('ac')}`)).toEqual(['Acme 100%', 'Acme_Labs', 'Acme Labs']);
  });

  it('searches through the search index from 3 characters, and by name prefix below', async () => {
    const { token } = await workspace();
    await create(token, { name: 'Pacific Trading', legal_name: 'Pacifique SARL', tax_id: 'FR-PAC-77' });
    await create(token, { name: 'Acme', tax_id: 'DE-ACM-01' });
    await create(token, { name: 'Paper Co' });
    // A substring of the name, the legal name or a tax id, anywhere in it (3+ characters).
    expect(await names(token, '?search=cif')).toEqual(['Pacific Trading']);
    expect(await names(token, '?search=sarl')).toEqual(['Pacific Trading']);
    expect(await names(token, '?search=acm-0')).toEqual(['Acme']);
    expect(await names(token, '?search=ac')).toEqual(['Acme']);
    expect(await names(token, '?search=pa')).toEqual(['Pacific Trading', 'Paper Co']);
    expect(await names(token, '?search=ci')).toEqual([]);
    // totalCount counts every match, not the page.
    const res = await api('GET', `${LIST}?search=pa&limit=1&page=1`, { token });
    expect(res.status).toBe(200);
    expect(res.body.totalCount).toBe(2);
    expect(res.body.clientes.map((c: { name: string }) => c.name)).toEqual(['Paper Co']);
    const all = await api('GET', `${LIST}?limit=1`, { token });
    expect(all.body.totalCount).toBe(3);
  });

  it('folds case and accents of non-ASCII letters in names and legal names', async () => {
    const { token } = await workspace();
    await create(token, { name: 'ÉCOLE DU LOUVRE' });
    await create(token, { name: 'Ecole', legal_name: 'SOCIÉTÉ GÉNÉRALE' });
    await create(token, { name: 'Школа' });
    expect(await names(token, `?search=${encodeURIComponent('école du')}`)).toEqual(['ÉCOLE DU LOUVRE']);
    expect(await names(token, `?search=${encodeURIComponent('ecole')}`)).toEqual(['ÉCOLE DU LOUVRE', 'Ecole']);
    expect(await names(token, `?search=${encodeURIComponent('société')}`)).toEqual(['Ecole']);
    expect(await names(token, `?search=${encodeURIComponent('GENERALE')}`)).toEqual(['Ecole']);
    expect(await names(token, `?search=${encodeURIComponent('ШКОЛ')}`)).toEqual(['Школа']);
  });

  it('finds tax ids with non-ASCII capital letters, by the stored string and in any case', async () => {
    const { token } = await workspace();
    await create(token, { name: 'Kyiv Ltd', tax_id: 'UA-ІПН-ДЖ12345' });
    await create(token, { name: 'Wien GmbH', tax_id: 'ATU-ÖSTERREICH-1' });
    await create(token, { name: 'Plain', tax_id: 'FR123' });
    expect(await names(token, `?search=${encodeURIComponent('UA-ІПН-ДЖ12345')}`)).toEqual(['Kyiv Ltd']);
    expect(await names(token, `?search=${encodeURIComponent('іпн-дж')}`)).toEqual(['Kyiv Ltd']);
    expect(await names(token, `?search=${encodeURIComponent('ÖSTERREICH')}`)).toEqual(['Wien GmbH']);
    expect(await names(token, `?search=${encodeURIComponent('osterreich')}`)).toEqual(['Wien GmbH']);
    expect(await names(token, `?search=${encodeURIComponent('fr1')}`)).toEqual(['Plain']);
  });

  it('rejects bad page, limit and unknown parameters', async () => {
    const { workspaceId, token } = await workspace();
    await create(token);
    const get = (query: string, ...paths: string[]) => rejected(workspaceId, 'GET', `${LIST}?${query}`, { token }, 400, ambiosysError(...paths));
    for (const limit of ['0', '101', '-1', 'ten', '1.5', '', '1e1']) await get(`limit=${limit}`, 'limit');
    for (const page of ['-1', 'one', '1.5', '', '0x1']) await get(`page=${page}`, 'page');
    await get('offset=0', 'offset');
    await get('page=0&limit=10&sort=name', 'sort');
    await get('page=x&limit=0', 'page', 'limit');
  });

  it('requires a valid token; a read-only token may list', async () => {
    const { workspaceId, token, readOnly } = await workspace();
    await create(token);
    await unauthenticated(workspaceId, 'GET', LIST, undefined, ambiosysError());
    expect((await list(readOnly)).totalCount).toBe(1);
  });

  it("never shows another workspace's customers, in lists, counts or searches", async () => {
    const a = await workspace();
    const b = await workspace();
    await create(a.token, { name: 'Acme Alpha', tax_id: 'SHARED-1' });
    await create(a.token, { name: 'Acme Beta' });
    const own = await create(b.token, { name: 'Bravo', tax_id: 'SHARED-2' });
    expect(await list(b.token)).toEqual({ success: true, clientes: [{ ...own, total_count: 1 }], totalCount: 1, page: 0, pageSize: 10 });
    expect(await list(b.token, '?search=acme')).toEqual({ success: true, clientes: [], totalCount: 0, page: 0, pageSize: 10 });
    expect(await names(b.token, '?search=shared')).toEqual(['Bravo']);
    expect(await names(a.token, '?search=shared')).toEqual(['Acme Alpha']);
    expect((await list(a.token)).totalCount).toBe(2);
  });
});

describe('GET /api/customers/getCustomers/{customer_id}', () => {
  it('returns the customer by its integer customer_id', async () => {
    const { token, readOnly } = await workspace();
    const first = await create(token, { name: 'First', legal_name: 'First SA', tax_id: 'T1', contact_origin: 'PHONE' });
    const second = await create(token, { name: 'Second' });
    const res = await api('GET', `${LIST}/${first.customer_id}`, { token: readOnly });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      success: true,
      cliente: ambiosys({ customer_id: 1, name: 'First', legal_name: 'First SA', tax_id: 'T1', contact_origin: 'PHONE', created_at: first.created_at, updated_at: first.updated_at }),
    });
    expect((await api('GET', `${LIST}/2`, { token })).body).toEqual({ success: true, cliente: second });
  });

  it('answers 404 for an unknown or non-integer customer_id', async () => {
    const { workspaceId, token } = await workspace();
    await create(token);
    const [canonical] = (await api('GET', '/api/customers', { token })).body.data;
    for (const id of ['2', '0', '-1', '1.5', 'abc', '1e0', '999999999999999', '12345678901234567890', canonical.id]) {
      await rejected(workspaceId, 'GET', `${LIST}/${id}`, { token }, 404, ambiosysError());
    }
  });

  it("answers 404 for another workspace's customer; each workspace reads its own customer_id 1", async () => {
    const a = await workspace();
    const b = await workspace();
    const a1 = await create(a.token, { name: 'Alpha One' });
    await create(a.token, { name: 'Alpha Two' });
    const b1 = await create(b.token, { name: 'Bravo One' });
    await rejected(b.workspaceId, 'GET', `${LIST}/2`, { token: b.token }, 404, ambiosysError());
    expect((await api('GET', `${LIST}/1`, { token: b.token })).body).toEqual({ success: true, cliente: b1 });
    expect((await api('GET', `${LIST}/1`, { token: a.token })).body).toEqual({ success: true, cliente: a1 });
  });

  it('requires a valid token', async () => {
    const { workspaceId, token } = await workspace();
    const created = await create(token);
    await unauthenticated(workspaceId, 'GET', `${LIST}/${created.customer_id}`, undefined, ambiosysError());
  });
});
