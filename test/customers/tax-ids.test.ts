/**
 * Typed tax ids on the canonical API: a `type` (Stripe's names) makes the
 * number checked (format and check digits, by the jobs Worker's stdnum
 * validators over the TAX_IDS service binding) and normalised; an EU VAT
 * number starts its VIES check as `pending` (test/tax-ids/vies.test.ts runs it).
 */
import { env } from 'cloudflare:workers';
import { describe, expect, it, vi } from 'vitest';
import { errorBody, invalid, issue, issuesAt } from '../errors';
import { createCustomer, customerObject } from '../fixtures';
import { api, snapshot, workspace } from '../helpers';
import { database } from '../../src/store/client';
import type { Verification } from '../../src/tax-ids/types';
import { recordOutcome } from '../../src/tax-ids/vies';

const BASE = '/api/customers';
const PENDING = { status: 'pending', verified_name: null, verified_address: null, checked_at: null, consultation_number: null };

/** [type, as sent, as stored] */
const NORMALISED: [string, string, string][] = [
  ['eu_vat', 'de 136.695.976', 'DE136695976'],
  ['eu_vat', 'GR 094259216', 'EL094259216'],
  ['eu_vat', 'EL094259216', 'EL094259216'],
  ['eu_vat', 'FR 40 303 265 045', 'FR40303265045'],
  ['eu_vat', 'FR GB 303265045', 'FRGB303265045'], // a French key of letters, GB included, stays
  ['eu_vat', 'NL004495445B01', 'NL004495445B01'],
  ['eu_vat', 'atu13585627', 'ATU13585627'],
  ['eu_vat', 'ESX2482300W', 'ESX2482300W'],
  ['eu_vat', 'XI 980 7806 84', 'XI980780684'],
  ['gb_vat', '980 7806 84', 'GB980780684'],
  ['ch_vat', 'CHE-109.322.551 MWST', 'CHE109322551MWST'],
  ['ch_vat', 'CHE-109.322.551', 'CHE109322551MWST'],
  ['no_vat', '995 525 828', '995525828MVA'],
  ['no_vat', 'NO 995525828 MVA', '995525828MVA'],
  ['us_ein', '12-3456789', '123456789'],
  ['au_abn', '51 824 753 556', '51824753556'],
  ['ca_bn', '123456782', '123456782'],
  ['in_gst', '27aapfu0939f1zv', '27AAPFU0939F1ZV'],
  ['br_cnpj', '16.727.230/0001-97', '16727230000197'],
];

/** [type, number] that fail their type's check. */
const REFUSED: [string, string][] = [
  ['eu_vat', 'DE136695977'], // check digit
  ['eu_vat', 'US123456789'], // not an EU prefix
  ['eu_vat', '136695976'], // no prefix
  ['gb_vat', 'GB980780685'],
  ['ch_vat', 'CHE-109.322.552'],
  ['no_vat', '995525829'],
  ['us_ein', '07-3456789'], // no such prefix
  ['us_ein', '12-345678'],
  ['au_abn', '51 824 753 557'],
  ['ca_bn', '123456789'],
  ['in_gst', '27AAPFU0939F1ZW'],
  ['br_cnpj', '16.727.230/0001-98'],
];

describe('typed tax ids', () => {
  it.each(NORMALISED)('%s %j is checked and stored as %j', async (type, sent, stored) => {
    const { workspaceId, token } = await workspace();
    const res = await api('POST', BASE, { token, body: { name: 'Acme', type: 'company', tax_ids: [{ tax: 'VAT', tax_value: sent, type }] } });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    const entry = { tax: 'VAT', tax_value: stored, type, ...(type === 'eu_vat' ? { verification: PENDING } : {}) };
    expect(res.body).toEqual({ success: true, data: customerObject(workspaceId, { name: 'Acme', type: 'company', tax_ids: [entry] }) });
    const got = await api('GET', `${BASE}/${res.body.data.id}`, { token });
    expect(got.body.data.tax_ids).toEqual([entry]);
    // The tax_value filter finds it by the stored spelling.
    const found = await api('GET', `${BASE}?tax_value=${encodeURIComponent(stored)}`, { token });
    expect(found.body.data.map((c: { id: string }) => c.id)).toEqual([res.body.data.id]);
  });

  it.each(REFUSED)('%s %j is a 400 naming tax_ids.N.tax_value, and nothing is written', async (type, number) => {
    const { workspaceId, token } = await workspace();
    const before = await snapshot(workspaceId);
    const res = await api('POST', BASE, {
      token,
      body: { name: 'Acme', type: 'company', tax_ids: [{ tax: 'Other', tax_value: 'kept as sent' }, { tax: 'VAT', tax_value: number, type }] },
    });
    expect(res.status).toBe(400);
    expect(res.body).toEqual(errorBody('validation_error', { issues: [issue('tax_ids.1.tax_value', expect.stringMatching(new RegExp(`^Not a valid ${type} number`)))] }));
    expect(await snapshot(workspaceId)).toEqual(before);
  });

  it('names every refused number of a request, and refuses an unknown type or a verification sent by the client', async () => {
    const { token } = await workspace();
    const two = await api('POST', BASE, {
      token,
      body: { name: 'Acme', type: 'company', tax_ids: [{ tax: 'VAT', tax_value: 'DE136695977', type: 'eu_vat' }, { tax: 'VAT', tax_value: 'DE136695976', type: 'eu_vat' }, { tax: 'EIN', tax_value: '1', type: 'us_ein' }] },
    });
    expect(two.body).toEqual(errorBody('validation_error', { issues: issuesAt('tax_ids.0.tax_value', 'tax_ids.2.tax_value') }));
    const unknown = await api('POST', BASE, { token, body: { name: 'Acme', type: 'company', tax_ids: [{ tax: 'VAT', tax_value: 'X', type: 'xx_vat' }] } });
    expect(unknown.body).toEqual(invalid('tax_ids.0.type'));
    const verification = await api('POST', BASE, {
      token,
      body: { name: 'Acme', type: 'company', tax_ids: [{ tax: 'VAT', tax_value: 'DE136695976', type: 'eu_vat', verification: { status: 'verified' } }] },
    });
    expect(verification.body).toEqual(invalid('tax_ids.0.verification'));
  });

  it('leaves untyped entries exactly as sent (Qwoty’s contract), and types a labelled one only when its number passes', async () => {
    const { workspaceId, token } = await workspace();
    const taxIds = [
      { tax: 'VAT', tax_value: 'not a number at all' },
      { tax: 'EIN', tax_value: '12-3456789' },
      { tax: 'ein', tax_value: '07-3456789' },
      { tax: 'ABN', tax_value: '51 824 753 556' },
      { tax: 'CNPJ', tax_value: '16.727.230/0001-97' },
      { tax: 'GSTIN', tax_value: '27AAPFU0939F1ZV' },
      { tax: 'TAX_ID', tax_value: 'DE136695976' },
    ];
    const res = await api('POST', BASE, { token, body: { name: 'Acme', type: 'company', tax_ids: taxIds } });
    expect(res.status).toBe(201);
    expect(res.body.data.tax_ids).toEqual([
      taxIds[0],
      { ...taxIds[1], type: 'us_ein' },
      taxIds[2],
      { ...taxIds[3], type: 'au_abn' },
      { ...taxIds[4], type: 'br_cnpj' },
      { ...taxIds[5], type: 'in_gst' },
      taxIds[6],
    ]);
    const [row] = (await snapshot(workspaceId)).customers as { tax_ids: string }[];
    expect(JSON.parse(row!.tax_ids)).toEqual(res.body.data.tax_ids);
  });

  it('the jobs Worker out of reach: a typed write is a 500 with a request id, logged, and writes nothing; an untyped one does not need it', async () => {
    const { workspaceId, token } = await workspace();
    // The real binding, with its RPC failing as an unreachable Worker's would.
    const down = new Proxy(env.TAX_IDS, { get: (target, prop) => (prop === 'check' ? () => Promise.reject(new Error('Network connection lost.')) : Reflect.get(target, prop)) });
    const before = await snapshot(workspaceId);
    const errors = vi.spyOn(console, 'error').mockImplementation(() => {});
    const res = await api('POST', BASE, { token, env: { TAX_IDS: down }, body: { name: 'Acme', type: 'company', tax_ids: [{ tax: 'VAT', tax_value: 'DE136695976', type: 'eu_vat' }] } });
    expect(res.status).toBe(500);
    expect(res.body).toEqual(errorBody('internal_error'));
    expect(errors.mock.calls.map((c) => String(c[0])).join('\n')).toContain(res.body.request_id);
    errors.mockRestore();
    expect(await snapshot(workspaceId)).toEqual(before);
    const untyped = await api('POST', BASE, { token, env: { TAX_IDS: down }, body: { name: 'Acme', type: 'company', tax_ids: [{ tax: 'VAT', tax_value: 'DE136695976' }] } });
    expect(untyped.status).toBe(201);
  });

  it('checks numbers on PATCH and on PUT by external id too', async () => {
    const { workspaceId, token } = await workspace();
    const customer = await createCustomer(token);
    const before = await snapshot(workspaceId);
    const bad = await api('PATCH', `${BASE}/${customer.id}`, { token, body: { tax_ids: [{ tax: 'ABN', tax_value: '1', type: 'au_abn' }] } });
    expect(bad.body).toEqual(invalid('tax_ids.0.tax_value'));
    const badPut = await api('PUT', `${BASE}/by_external_id?id_crm=c1`, { token, body: { name: 'B', type: 'company', tax_ids: [{ tax: 'ABN', tax_value: '1', type: 'au_abn' }] } });
    expect(badPut.body).toEqual(invalid('tax_ids.0.tax_value'));
    expect(await snapshot(workspaceId)).toEqual(before);
    const good = await api('PATCH', `${BASE}/${customer.id}`, { token, body: { tax_ids: [{ tax: 'ABN', tax_value: '51824753556', type: 'au_abn' }] } });
    expect(good.body.data.tax_ids).toEqual([{ tax: 'ABN', tax_value: '51824753556', type: 'au_abn' }]);
    const put = await api('PUT', `${BASE}/by_external_id?id_crm=c1`, { token, body: { name: 'B', type: 'company', tax_ids: [{ tax: 'VAT', tax_value: 'gb 980780684', type: 'gb_vat' }] } });
    expect(put.status).toBe(201);
    expect(put.body.data.tax_ids).toEqual([{ tax: 'VAT', tax_value: 'GB980780684', type: 'gb_vat' }]);
  });

  it('queues a VIES check per pending EU VAT number; sending the numbers again keeps their checks; a changed number is checked anew', async () => {
    const { workspaceId, token } = await workspace();
    const de = { tax: 'VAT', tax_value: 'DE136695976', type: 'eu_vat' };
    const fr = { tax: 'VAT', tax_value: 'FR40303265045', type: 'eu_vat' };
    const nl = { tax: 'VAT', tax_value: 'NL004495445B01', type: 'eu_vat' };
    const created = await api('POST', BASE, { token, body: { name: 'Acme', type: 'company', tax_ids: [de, nl, { tax: 'SIREN', tax_value: '303265045' }] } });
    const id = created.body.data.id;
    const checks = () => env.DB.prepare('SELECT tax_value, attempts FROM tax_id_checks WHERE customer_id = ? ORDER BY tax_value').bind(id).all().then((r) => r.results);
    expect(await checks()).toEqual([
      { tax_value: 'DE136695976', attempts: 0 },
      { tax_value: 'NL004495445B01', attempts: 0 },
    ]);
    // As the jobs Worker records VIES's answers: DE verified; NL unavailable, on its third try.
    const now = Date.now();
    const answer = (status: Verification['status']) => ({ status, verified_name: status === 'verified' ? 'MUSTER GMBH' : null, verified_address: null, checked_at: new Date(now).toISOString(), consultation_number: null });
    const message = (taxValue: string, attempts: number) => ({ workspace_id: workspaceId, customer_id: id, tax_value: taxValue, attempts });
    await recordOutcome(database(env.DB), message('DE136695976', 0), answer('verified'), 'vies:1', now);
    await env.DB.prepare('UPDATE tax_id_checks SET attempts = 2 WHERE customer_id = ?').bind(id).run();
    await recordOutcome(database(env.DB), message('NL004495445B01', 2), answer('unavailable'), 'vies:2', now);
    expect(await checks()).toEqual([{ tax_value: 'NL004495445B01', attempts: 3 }]);

    // Sent again: DE keeps its check; NL, unavailable, is pending again and its checks start over; FR is new.
    const again = await api('PATCH', `${BASE}/${id}`, { token, body: { tax_ids: [fr, { ...de, tax_value: 'de136695976' }, nl] } });
    expect(again.body.data.tax_ids).toEqual([
      { ...fr, verification: PENDING },
      { ...de, verification: answer('verified') },
      { ...nl, verification: PENDING },
    ]);
    expect(await checks()).toEqual([
      { tax_value: 'FR40303265045', attempts: 0 },
      { tax_value: 'NL004495445B01', attempts: 0 },
    ]);
    // A stale message from before the resend (attempts 3) leaves the restarted row alone.
    await recordOutcome(database(env.DB), message('NL004495445B01', 3), answer('unavailable'), 'vies:3', now);
    expect(await checks()).toContainEqual({ tax_value: 'NL004495445B01', attempts: 0 });
    // An unverified number keeps its check too.
    await recordOutcome(database(env.DB), message('FR40303265045', 0), answer('unverified'), 'vies:4', now);
    const kept = await api('PATCH', `${BASE}/${id}`, { token, body: { tax_ids: [fr, de] } });
    expect(kept.body.data.tax_ids).toEqual([
      { ...fr, verification: answer('unverified') },
      { ...de, verification: answer('verified') },
    ]);
    // The update's event holds the list as the API shows it.
    const events = await api('GET', `/api/events?object_id=${id}&order=desc&limit=1`, { token });
    expect(events.status, JSON.stringify(events.body)).toBe(200);
    expect(events.body.data[0].data.object.tax_ids).toEqual(kept.body.data.tax_ids);
    // Removing a number drops its check (NL here); deleting the customer drops the rest.
    expect(await checks()).toEqual([]);
    await api('PATCH', `${BASE}/${id}`, { token, body: { tax_ids: [nl] } });
    expect(await checks()).toHaveLength(1);
    expect((await api('DELETE', `${BASE}/${id}`, { token })).status).toBe(200);
    expect(await checks()).toEqual([]);
  });
});
