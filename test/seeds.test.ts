/**
 * Replays the curl examples of the source pages (/work/shared/seeds) verbatim
 * and checks the documented responses; ids and timestamps are generated, so
 * they are matched by shape, and workspace_id is the token's workspace.
 */
import { describe, expect, it } from 'vitest';
import { customerObject } from './fixtures';
import { api, ISO, workspace } from './helpers';

// Seed 000, "Examples": the body passed to `curl -d`, byte for byte.
const SEED_000_BODY = `{
    "name": "Acme Corporation",
    "type": "company",
    "tax_ids": [
      { "tax": "VAT", "tax_value": "FR12345678901" }
    ],
    "id_crm": "crm_001"
  }`;

// Seed 001, "Examples".
const SEED_001_BODY = `{
"name": "Acme Corp (Renamed)",
"tax_ids": [
{ "tax": "VAT", "tax_value": "FR98765432100" }
]
}`;

const headers = (token: string) => ({ Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' });

async function seed000(token: string) {
  return api('POST', '/api/customers', { rawBody: SEED_000_BODY, headers: headers(token) });
}

describe('seed 000: POST /api/customers (Qwoty, Create Customer)', () => {
  it('answers the documented response for the documented request', async () => {
    const { workspaceId, token } = await workspace();
    const res = await seed000(token);
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      success: true,
      data: customerObject(workspaceId, {
        name: 'Acme Corporation',
        type: 'company',
        // Not in the example response, which is "the same shape as Get Customer"; the request sent it.
        tax_ids: [{ tax: 'VAT', tax_value: 'FR12345678901' }],
        id_crm: 'crm_001',
      }),
    });
    // The example shows one instant for both on creation.
    expect(res.body.data.updated_at).toBe(res.body.data.created_at);

    const { contact_ids, address_ids, ...stored } = (await api('GET', `/api/customers/${res.body.data.id}`, { token })).body.data;
    expect(stored).toEqual(res.body.data);
    expect({ contact_ids, address_ids }).toEqual({ contact_ids: [], address_ids: [] });
  });
});

describe('seed 001: PATCH /api/customers/:id (Qwoty, Partially update a customer)', () => {
  it('renames and replaces tax ids, keeping every other field, as documented', async () => {
    const { workspaceId, token } = await workspace();
    const created = (await seed000(token)).body.data;

    const res = await api('PATCH', `/api/customers/${created.id}`, { rawBody: SEED_001_BODY, headers: headers(token) });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      success: true,
      data: customerObject(workspaceId, {
        number: created.number,
        id: created.id,
        name: 'Acme Corp (Renamed)',
        type: 'company',
        tax_ids: [{ tax: 'VAT', tax_value: 'FR98765432100' }],
        id_crm: 'crm_001',
        created_at: created.created_at,
      }),
    });
    expect(Date.parse(res.body.data.updated_at)).toBeGreaterThan(Date.parse(created.updated_at));

    const { contact_ids: _c, address_ids: _a, ...stored } = (await api('GET', `/api/customers/${created.id}`, { token })).body.data;
    expect(stored).toEqual(res.body.data);
    const byTax = async (value: string) =>
      (await api('GET', `/api/customers?tax_value=${value}`, { token })).body.data.map((c: { id: string }) => c.id);
    expect(await byTax('FR98765432100')).toEqual([created.id]);
    expect(await byTax('FR12345678901')).toEqual([]);
  });

  it('omitting tax_ids keeps them (the page: "Omitting this field leaves existing tax IDs unchanged")', async () => {
    const { token } = await workspace();
    const created = (await seed000(token)).body.data;
    const res = await api('PATCH', `/api/customers/${created.id}`, { rawBody: '{"name": "Acme Corp (Renamed)"}', headers: headers(token) });
    expect(res.status).toBe(200);
    expect(res.body.data).toEqual({ ...created, name: 'Acme Corp (Renamed)', updated_at: expect.stringMatching(ISO) });
  });
});
