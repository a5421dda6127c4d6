/**
 * Length limits count characters as Unicode code points, on every API: an
 * emoji is one character, though JavaScript strings hold it as two UTF-16 units.
 */
import { describe, expect, it } from 'vitest';
import { api, workspace } from '../helpers';

const EMOJI = '😀';
const emoji = (n: number) => EMOJI.repeat(n);

describe('length limits', () => {
  it('count code points: a 255-emoji name is accepted, 256 are not', async () => {
    const { token } = await workspace();
    for (const n of [128, 255]) {
      const res = await api('POST', '/api/customers', { token, body: { name: emoji(n), type: 'company' } });
      expect(res.status, `${n} emoji`).toBe(201);
      expect(res.body.data.name).toBe(emoji(n));
    }
    const over = await api('POST', '/api/customers', { token, body: { name: emoji(256), type: 'company' } });
    expect(over.status).toBe(400);
    expect(over.body.issues).toEqual([{ path: 'name', message: 'Must be at most 255 characters' }]);
  });

  it('hold for metadata keys and values, short fields, and the AmbioSys and Upwell shapes', async () => {
    const { token } = await workspace();
    const customer = await api('POST', '/api/customers', {
      token,
      body: { name: 'Acme', type: 'company', metadata: { [emoji(40)]: emoji(500) }, contact_origin: emoji(64) },
    });
    expect(customer.status, JSON.stringify(customer.body)).toBe(201);
    const tooLong = await api('POST', '/api/customers', {
      token,
      body: { name: 'Acme', type: 'company', metadata: { [emoji(41)]: emoji(501) }, contact_origin: emoji(65) },
    });
    expect(tooLong.status).toBe(400);
    expect(tooLong.body.issues).toEqual([
      { path: 'contact_origin', message: 'Must be at most 64 characters' },
      { path: `metadata.${emoji(41)}`, message: 'Keys are at most 40 characters' },
      { path: `metadata.${emoji(41)}`, message: 'Values are at most 500 characters' },
    ]);
    const contact = await api('POST', '/api/contacts', {
      token,
      body: { customer_id: customer.body.data.id, first_name: emoji(255), last_name: 'L', email: 'a@example.com', phone: emoji(64) },
    });
    expect(contact.status, JSON.stringify(contact.body)).toBe(201);
    const ambiosys = await api('POST', '/api/customers/create', { token, body: { name: emoji(255), legal_name: emoji(255), tax_id: emoji(255) } });
    expect(ambiosys.status, JSON.stringify(ambiosys.body)).toBe(201);
    const upwell = await api('POST', '/api/rest/customers', { token, body: { input: { name: emoji(255), collectorId: emoji(255) } } });
    expect(upwell.status, JSON.stringify(upwell.body)).toBe(200);
    const upwellOver = await api('POST', '/api/rest/customers', { token, body: { input: { name: 'A', collectorId: emoji(256) } } });
    expect(upwellOver.status).toBe(400);
    expect(upwellOver.body.error.details).toEqual([{ path: 'input.collectorId', message: 'Must be at most 255 characters' }]);
  });
});
