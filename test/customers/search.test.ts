/**
 * GET /api/customers?q=: the substring search through the search index (3+
 * characters) and the name-prefix walk (shorter), their fields, orders and
 * cursors, and the index kept in step with every write (triggers).
 */
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { invalid, rejected } from '../errors';
import { createCustomer } from '../fixtures';
import { api, workspace } from '../helpers';

const BASE = '/api/customers';

async function list(token: string, query: string) {
  const res = await api('GET', `${BASE}?${query}`, { token });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body as { data: { id: string; name: string }[]; has_more: boolean; next_cursor: string | null };
}
const names = async (token: string, query: string) => (await list(token, query)).data.map((c) => c.name);

/** Every page of a query, following next_cursor; the names in order. */
async function walk(token: string, query: string, limit: number): Promise<string[]> {
  const seen: string[] = [];
  let cursor: string | null = null;
  for (let pages = 0; pages < 50; pages++) {
    const page = await list(token, `${query}&limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    seen.push(...page.data.map((c) => c.name));
    expect(page.has_more).toBe(page.next_cursor !== null);
    if (!page.next_cursor) return seen;
    cursor = page.next_cursor;
  }
  throw new Error('more than 50 pages');
}

describe('GET /api/customers?q= (3 characters or more: the search index)', () => {
  it('matches a substring of each documented field, and of no other', async () => {
    const { token } = await workspace();
    await createCustomer(token, { name: 'Northwind Name' });
    const fields: Record<string, unknown> = {
      legal_name: 'Legalwind SAS',
      email_address: 'mailwind@example.com',
      id_crm: 'CRMWIND-1',
      id_erp: 'ERPWIND-1',
      id_accounting: 'ACCWIND-1',
      tax_ids: [{ tax: 'VAT', tax_value: 'TAXWIND-1' }],
    };
    for (const [field, value] of Object.entries(fields)) await createCustomer(token, { name: `holder of ${field}`, [field]: value });
    await api('POST', '/api/rest/customers', { token, body: { input: { name: 'holder of source_system_id', sourceSystem: 'erp', sourceSystemId: 'SRCWIND-1' } } });
    // Not searched: contact origin, metadata, the source system's name.
    await createCustomer(token, { name: 'holder of others', contact_origin: 'ORIGWIND', metadata: { k: 'metawind' } });
    await api('POST', '/api/rest/customers', { token, body: { input: { name: 'holder of source_system', sourceSystem: 'SYSWIND', sourceSystemId: 'x' } } });
    const expected = (prefix: string, field: string) => expect(names(token, `q=${prefix}wind`)).resolves.toEqual([`holder of ${field}`]);
    expect(await names(token, 'q=northwind')).toEqual(['Northwind Name']);
    await expected('legal', 'legal_name');
    await expected('mail', 'email_address');
    await expected('crm', 'id_crm');
    await expected('erp', 'id_erp');
    await expected('acc', 'id_accounting');
    await expected('tax', 'tax_ids');
    await expected('src', 'source_system_id');
    expect(await names(token, 'q=origwind')).toEqual([]);
    expect(await names(token, 'q=metawind')).toEqual([]);
    expect(await names(token, 'q=syswind')).toEqual([]);
    expect(await names(token, 'q=wind')).toHaveLength(8);
  });

  it('pages in creation order with its own cursors, nothing repeated or skipped, past a deleted cursor row', async () => {
    const { token } = await workspace();
    const created = [];
    for (let i = 0; i < 7; i++) created.push(await createCustomer(token, { name: `Orbital ${i}` }));
    await createCustomer(token, { name: 'Unrelated' });
    const all = created.map((c) => c.name);
    expect(await walk(token, 'q=orbit', 2)).toEqual(all);
    expect(await walk(token, 'q=orbit', 100)).toEqual(all);
    // The cursor is the search index's position, so the row it came from may go meanwhile.
    const first = await list(token, 'q=orbit&limit=3');
    expect(first.next_cursor).toMatch(/^s\.\d+$/);
    expect((await api('DELETE', `${BASE}/${created[2]!.id}`, { token })).status).toBe(200);
    expect(await names(token, `q=orbit&cursor=${first.next_cursor}`)).toEqual(all.slice(3));
  });

  it('follows every write: renames, tax-id changes and deletes, through any API', async () => {
    const { token } = await workspace();
    const c = await createCustomer(token, { name: 'Kestrel Ltd', tax_ids: [{ tax: 'VAT', tax_value: 'KX-123' }] });
    expect(await names(token, 'q=kestrel')).toEqual(['Kestrel Ltd']);
    await api('PATCH', `${BASE}/${c.id}`, { token, body: { name: 'Falcon Ltd', tax_ids: [{ tax: 'VAT', tax_value: 'FX-999' }] } });
    expect(await names(token, 'q=kestrel')).toEqual([]);
    expect(await names(token, 'q=kx-1')).toEqual([]);
    expect(await names(token, 'q=falcon')).toEqual(['Falcon Ltd']);
    expect(await names(token, 'q=fx-9')).toEqual(['Falcon Ltd']);
    await api('PUT', `/api/rest/customers/${c.id}`, { token, body: { input: { name: 'Osprey Ltd' } } });
    expect(await names(token, 'q=falcon')).toEqual([]);
    expect(await names(token, 'q=osprey')).toEqual(['Osprey Ltd']);
    await api('DELETE', `${BASE}/${c.id}`, { token });
    expect(await names(token, 'q=osprey')).toEqual([]);
    // The index holds no row for a deleted customer.
    const { results } = await env.DB.prepare(`SELECT count(*) AS n FROM customer_search WHERE customer_search MATCH '"osprey"'`).all();
    expect(results).toEqual([{ n: 0 }]);
  });

  it('keeps only the folded copies a customer has: a create stores no nulls, a PATCH to null removes the key', async () => {
    const { token } = await workspace();
    const c = await createCustomer(token, { name: 'Ibis', id_crm: 'Ibis-CRM', tax_ids: [{ tax: 'VAT', tax_value: 'IBÍS-1' }] });
    const stored = async () => {
      const row = await env.DB.prepare('SELECT folded FROM customers WHERE id = ?').bind(c.id).first<{ folded: string }>();
      return JSON.parse(row!.folded) as Record<string, unknown>;
    };
    expect(await stored()).toEqual({ id_crm: 'ibis-crm', tax_values: ['ibis-1'] });
    expect(await names(token, 'q=is-crm')).toEqual(['Ibis']);
    expect((await api('PATCH', `${BASE}/${c.id}`, { token, body: { id_crm: null, id_erp: 'Ibis-ERP' } })).status).toBe(200);
    expect(await stored()).toEqual({ id_erp: 'ibis-erp', tax_values: ['ibis-1'] });
    expect(await names(token, 'q=is-crm')).toEqual([]);
    expect(await names(token, 'q=is-erp')).toEqual(['Ibis']);
    expect(await names(token, 'q=ibis-1')).toEqual(['Ibis']);
  });

  it('combines with filters, whichever leads (an external id or tax value names few customers)', async () => {
    const { token } = await workspace();
    await createCustomer(token, { name: 'Heron One', type: 'company', id_crm: 'h-1', tax_ids: [{ tax: 'VAT', tax_value: 'HV1' }] });
    await createCustomer(token, { name: 'Heron Two', type: 'individual', id_crm: 'h-2' });
    await createCustomer(token, { name: 'Heron Three', type: 'company', id_crm: 'h-1' });
    expect(await names(token, 'q=heron&type=company')).toEqual(['Heron One', 'Heron Three']);
    expect(await names(token, 'q=heron&id_crm=h-1')).toEqual(['Heron One', 'Heron Three']);
    expect(await names(token, 'q=three&id_crm=h-1')).toEqual(['Heron Three']);
    expect(await names(token, 'q=heron&tax_value=HV1')).toEqual(['Heron One']);
    expect(await names(token, 'q=two&id_crm=h-1')).toEqual([]);
    expect(await walk(token, 'q=heron&id_crm=h-1', 1)).toEqual(['Heron One', 'Heron Three']);
  });

  it('never finds another workspace’s customers', async () => {
    const [a, b] = [await workspace(), await workspace()];
    await createCustomer(a.token, { name: 'Pelican A' });
    await createCustomer(b.token, { name: 'Pelican B', id_crm: 'pel' });
    expect(await names(a.token, 'q=pelican')).toEqual(['Pelican A']);
    expect(await names(a.token, 'q=pelican&id_crm=pel')).toEqual([]);
    expect(await names(a.token, 'q=pe')).toEqual(['Pelican A']);
  });
});

describe('GET /api/customers?q= (1-2 characters: a name prefix)', () => {
  it('matches the start of the name only, in folded-name order, with its own cursors', async () => {
    const { token } = await workspace();
    for (const name of ['zeta', 'Zebra', 'Ézio', 'Amazing Zoo', 'zz top', 'Zé']) await createCustomer(token, { name });
    expect(await names(token, 'q=z')).toEqual(['Zé', 'Zebra', 'zeta', 'zz top']);
    expect(await names(token, 'q=ze')).toEqual(['Zé', 'Zebra', 'zeta']);
    expect(await names(token, `q=${encodeURIComponent('É')}`)).toEqual(['Ézio']);
    expect(await walk(token, 'q=z', 1)).toEqual(['Zé', 'Zebra', 'zeta', 'zz top']);
    expect(await walk(token, 'q=z', 3)).toEqual(['Zé', 'Zebra', 'zeta', 'zz top']);
  });
});

describe('GET /api/customers?q= cursors', () => {
  it('refuses a cursor of another walk, or a forged one, naming cursor and changing nothing', async () => {
    const { workspaceId, token } = await workspace();
    const c = await createCustomer(token, { name: 'Ibis' });
    const prefix = (await list(token, 'q=ib&limit=1')).next_cursor;
    expect(prefix).toBeNull();
    for (const query of [
      `q=ibis&cursor=${c.id}`, // an id walk's cursor on a search
      'cursor=s.1', // a search's cursor without q
      'q=ib&cursor=s.1', // a search's cursor on a prefix walk
      'q=ibis&cursor=p.WyJpYmlzIl0', // a prefix walk's cursor on a search
      'q=ib&cursor=p.bm90IGpzb24', // not JSON
      `q=ib&cursor=p.${btoa(JSON.stringify(['ibis', 'not-a-uuid']))}`,
      'q=ibis&cursor=s.-1',
      'q=ibis&cursor=s.99999999999999999999',
    ]) {
      await rejected(workspaceId, 'GET', `${BASE}?${query}`, { token }, 400, invalid('cursor'));
    }
  });
});
