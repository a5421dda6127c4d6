/**
 * Timestamps: what the API accepts, how it normalises it (UTC, milliseconds),
 * and that every timestamp it returns is accepted back, at both ends of the
 * range, on the canonical API and on Upwell's.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { expectError, invalid, upwellError } from '../errors';
import { createCustomer } from '../fixtures';
import { api, snapshot, workspace } from '../helpers';

type Workspace = Awaited<ReturnType<typeof workspace>>;
let ws: Workspace;
let customerId: string;

beforeAll(async () => {
  ws = await workspace();
  customerId = (await createCustomer(ws.token)).id;
});

const patch = (deleted_at: unknown) => api('PATCH', `/api/customers/${customerId}`, { token: ws.token, body: { deleted_at } });

describe('timestamps', () => {
  it('normalise to UTC with milliseconds, and every returned value is accepted back unchanged', async () => {
    const cases: [string, string][] = [
      ['2026-01-15T11:30:00+01:00', '2026-01-15T10:30:00.000Z'],
      ['2026-01-15T10:30:00Z', '2026-01-15T10:30:00.000Z'],
      ['2026-01-15 10:30:00Z', '2026-01-15T10:30:00.000Z'],
      ['2026-01-15T10:30:00.123456789Z', '2026-01-15T10:30:00.123Z'],
      ['2026-01-15T05:00:00-0530', '2026-01-15T10:30:00.000Z'],
      ['2024-02-29T23:59:59-23:59', '2024-03-01T23:58:59.000Z'],
      ['0000-01-01T00:00:00Z', '0000-01-01T00:00:00.000Z'],
      ['0000-02-29T12:00:00Z', '0000-02-29T12:00:00.000Z'],
      ['0050-06-15T12:00:00Z', '0050-06-15T12:00:00.000Z'],
      ['0099-12-31T23:59:59.999Z', '0099-12-31T23:59:59.999Z'],
      ['0000-01-01T00:30:00+00:30', '0000-01-01T00:00:00.000Z'],
      ['9999-12-31T23:59:59.999Z', '9999-12-31T23:59:59.999Z'],
      ['9999-12-31T23:59:59+00:00', '9999-12-31T23:59:59.000Z'],
    ];
    for (const [sent, stored] of cases) {
      const first = await patch(sent);
      expect(first.status, `${sent}: ${JSON.stringify(first.body)}`).toBe(200);
      expect(first.body.data.deleted_at, sent).toBe(stored);
      const again = await patch(first.body.data.deleted_at);
      expect(again.status, stored).toBe(200);
      expect(again.body.data.deleted_at).toBe(stored);
      const read = await api('GET', `/api/customers/${customerId}`, { token: ws.token });
      expect(read.body.data.deleted_at).toBe(stored);
    }
  });

  it('refuses instants outside 0000-01-01T00:00:00Z..9999-12-31T23:59:59.999Z once in UTC, and dates that do not exist', async () => {
    for (const value of [
      '9999-12-31T23:59:59-23:59',
      '9999-12-31T23:00:00-01:00',
      '0000-01-01T00:00:00+00:01',
      '0000-01-01T10:00:00+23:00',
      '2023-02-29T00:00:00Z',
      '2026-04-31T00:00:00Z',
      '2026-13-01T00:00:00Z',
      '2026-01-15T24:00:00Z',
      '2026-01-15T10:30:00+24:00',
      '2026-01-15',
      '+010000-01-01T00:00:00.000Z',
      '-000001-01-01T00:00:00.000Z',
      '2026-01-15T10:30:00z',
    ]) {
      const before = await snapshot(ws.workspaceId);
      const res = await patch(value);
      expectError(res, 400, invalid('deleted_at'), value);
      expect(await snapshot(ws.workspaceId)).toEqual(before);
    }
    const res = await patch('9999-12-31T23:59:59-23:59');
    expect(res.body.issues[0].message).toBe('Must be from 0000-01-01T00:00:00Z to 9999-12-31T23:59:59.999Z in UTC');
  });

  it('hold the same rules on Upwell, whose clients read back what they wrote', async () => {
    const created = await api('POST', '/api/rest/customers', {
      token: ws.token,
      body: { input: { name: 'Upwell Ltd', deletedAt: '0001-01-01T00:00:00Z', addressesLastUpdatedAt: '9999-12-31T23:59:59.999Z' } },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(200);
    const c = created.body.createCustomer;
    expect([c.deletedAt, c.addressesLastUpdatedAt]).toEqual(['0001-01-01T00:00:00.000Z', '9999-12-31T23:59:59.999Z']);
    const put = await api('PUT', `/api/rest/customers/${c.id}`, {
      token: ws.token,
      body: { input: { deletedAt: c.deletedAt, addressesLastUpdatedAt: c.addressesLastUpdatedAt } },
    });
    expect(put.status).toBe(200);
    expect(put.body.updateCustomer.deletedAt).toBe('0001-01-01T00:00:00.000Z');
    const search = await api('POST', '/api/rest/customers/search', {
      token: ws.token,
      body: { where: { deletedAt: { _eq: c.deletedAt }, createdAt: { _eq: c.createdAt } } },
    });
    expect(search.body.customers.map((x: { id: string }) => x.id)).toEqual([c.id]);
    const refused = await api('POST', '/api/rest/customers', { token: ws.token, body: { input: { name: 'X', deletedAt: '9999-12-31T23:59:59-23:59' } } });
    expectError(refused, 400, upwellError('VALIDATION_ERROR', 'input.deletedAt'));
  });
});
