/**
 * GET /api/export and POST /api/import: a workspace's records as NDJSON
 * pages with a resumable cursor, and import parts applied whole or not at
 * all, idempotently, under the database's rules.
 */
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { canonicalError, errorBody, invalid, rejected } from '../errors';
import { createAddress, createContact, createCustomer, createSegment } from '../fixtures';
import { api, snapshot, workspace, type ApiResponse } from '../helpers';

type Record = { table: string; row: { [column: string]: unknown } };
const NDJSON = { 'Content-Type': 'application/x-ndjson' };

/** Every page of the workspace's export, following Export-Cursor; the records and the pages' sizes. */
async function exportAll(token: string, limit: number) {
  const records: Record[] = [];
  const pages: number[] = [];
  let cursor: string | null = '';
  for (let n = 0; cursor !== null && n < 100; n++) {
    const res: ApiResponse = await api('GET', `/api/export?limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, { token });
    expect(res.status, res.text).toBe(200);
    expect(res.headers.get('Content-Type')).toBe('application/x-ndjson');
    const lines = res.text === '' ? [] : res.text.replace(/\n$/, '').split('\n');
    expect(res.text === '' || res.text.endsWith('\n')).toBe(true);
    records.push(...lines.map((line) => JSON.parse(line) as Record));
    pages.push(lines.length);
    cursor = res.headers.get('Export-Cursor');
  }
  return { records, pages };
}

async function seedWorkspace() {
  const ws = await workspace();
  const segment = await createSegment(ws.token, { name: 'Key accounts' });
  const a = await createCustomer(ws.token, { name: 'Aster', segment_id: segment.id, tax_ids: [{ tax: 'VAT', tax_value: 'FR1' }], metadata: { tier: 'gold' } });
  const b = await createCustomer(ws.token, { name: 'Birch', bill_to_customer_id: a.id });
  const contact = await createContact(ws.token, a.id);
  await createAddress(ws.token, a.id, { contact_id: contact.id });
  await createAddress(ws.token, b.id);
  return { ...ws, segment, a, b, contact };
}

describe('GET /api/export', () => {
  it('pages through every record of the workspace in dependency and id order, ending with the counters', async () => {
    const ws = await seedWorkspace();
    await seedWorkspace(); // another workspace, never exported here
    const { records, pages } = await exportAll(ws.readOnly, 2);
    expect(records.map((r) => r.table)).toEqual(['segments', 'customers', 'customers', 'contacts', 'addresses', 'addresses', 'workspace_counters']);
    expect(records.every((r) => r.row.workspace_id === ws.workspaceId)).toBe(true);
    // A full page may have more after it; each table ends on a shorter page.
    expect(pages).toEqual([1, 2, 0, 1, 2, 0, 1]);
    for (const table of ['customers', 'addresses']) {
      const ids = records.filter((r) => r.table === table).map((r) => r.row.id as string);
      expect(ids).toEqual([...ids].sort());
    }
    // Values as stored: JSON columns as their text, timestamps as integer milliseconds; derived columns left out.
    const aster = records.find((r) => r.row.name === 'Aster')!.row;
    expect(aster).toMatchObject({ id: ws.a.id, tax_ids: '[{"tax":"VAT","tax_value":"FR1"}]', metadata: '{"tier":"gold"}', version: 1 });
    expect(aster.created_at).toEqual(Date.parse(ws.a.created_at));
    expect(records.at(-1)).toEqual({ table: 'workspace_counters', row: { workspace_id: ws.workspaceId, customers: 2 } });
    // The same records, whatever the page size.
    expect((await exportAll(ws.readOnly, 5000)).records).toEqual(records);
  });

  it('refuses a malformed cursor or limit, naming it', async () => {
    const { workspaceId, token } = await workspace();
    for (const query of ['cursor=contacts', 'cursor=tokens:', 'cursor=customers:not-an-id', 'limit=0', 'limit=5001', 'limit=x', 'table=customers']) {
      const name = query.split('=')[0]!;
      await rejected(workspaceId, 'GET', `/api/export?${query}`, { token }, 400, invalid(name));
    }
    const other = await api('GET', '/api/export', {});
    expect(other.status).toBe(401);
  });
});

describe('POST /api/import', () => {
  it('restores exported records exactly, applies a part again without changes, and reports what it applied', async () => {
    const ws = await seedWorkspace();
    const { records } = await exportAll(ws.token, 1000);
    const text = records.map((r) => `${JSON.stringify(r)}\n`).join('');
    const before = await snapshot(ws.workspaceId);
    // Lose a customer (its contact and addresses go with it), then import the export back.
    expect((await api('DELETE', `/api/customers/${ws.b.id}`, { token: ws.token })).status).toBe(200);
    const res = await api('POST', '/api/import', { token: ws.token, rawBody: text, headers: NDJSON });
    expect(res.status, res.text).toBe(200);
    expect(res.body).toEqual({ success: true, data: { imported: { segments: 1, customers: 2, contacts: 1, addresses: 2, workspace_counters: 1 } } });
    // The records are as they were; the events tell what happened (the delete, then the import restoring).
    const { events: eventsBefore, ...recordsBefore } = before as { events: any[]; addresses: any[] } & { [table: string]: any[] };
    const { events: eventsAfter, ...recordsAfter } = (await snapshot(ws.workspaceId)) as { events: any[]; addresses: any[] } & { [table: string]: any[] };
    expect(recordsAfter).toEqual(recordsBefore);
    const added = eventsAfter.slice(eventsBefore.length);
    expect(eventsAfter.slice(0, eventsBefore.length)).toEqual(eventsBefore);
    const restored = added.filter((e) => e.api === 'import');
    expect(added.filter((e) => e.api === 'canonical').map((e) => [e.type, e.object_id]).sort()).toEqual(
      [['customer.deleted', ws.b.id], ...recordsBefore.addresses.filter((a) => a.customer_id === ws.b.id).map((a) => ['address.deleted', a.id])].sort(),
    );
    expect(restored.map((e) => [e.type, e.object_id]).sort()).toEqual(
      [['customer.created', ws.b.id], ...recordsBefore.addresses.filter((a) => a.customer_id === ws.b.id).map((a) => ['address.created', a.id])].sort(),
    );
    expect(new Set(restored.map((e) => e.request_id))).toEqual(new Set([res.headers.get('X-Request-Id')]));
    const settled = await snapshot(ws.workspaceId);
    const again = await api('POST', '/api/import', { token: ws.token, rawBody: text, headers: NDJSON });
    expect(again.status).toBe(200);
    // Nothing changed, so nothing recorded.
    expect(await snapshot(ws.workspaceId)).toEqual(settled);
    // The restored customer reads back as it was, versions and timestamps included.
    expect((await api('GET', `/api/customers/${ws.b.id}`, { token: ws.token })).body.data).toEqual({ ...ws.b, contact_ids: [], address_ids: expect.any(Array) });
  });

  it('refuses bad lines, other workspaces and oversized parts, naming each line, and applies nothing', async () => {
    const ws = await seedWorkspace();
    const other = await seedWorkspace();
    const { records } = await exportAll(ws.token, 1000);
    const line = (r: unknown) => `${JSON.stringify(r)}\n`;
    const customer = records.find((r) => r.table === 'customers')!;
    const cases: [string, string[]][] = [
      ['not json\n', ['line 1']],
      [line({ table: 'tokens', row: {} }), ['line 1']],
      [line(customer) + line({ ...customer, row: { ...customer.row, workspace_id: other.workspaceId } }), ['line 2']],
      [line({ ...customer, row: { ...customer.row, name: 5 } }), ['line 1']],
      [line({ ...customer, row: { ...customer.row, colour: 'red' } }), ['line 1']],
      [Array.from({ length: 901 }, () => line(customer)).join(''), ['body']],
    ];
    for (const [text, paths] of cases) {
      await rejected(ws.workspaceId, 'POST', '/api/import', { token: ws.token, rawBody: text, headers: NDJSON }, 400, invalid(...paths));
    }
    // An id another workspace holds is never taken over: 409, nothing applied.
    const foreign = { ...customer, row: { ...customer.row, id: other.a.id, number: 99, source_system: null, source_system_id: null } };
    const before = await snapshot(other.workspaceId);
    await rejected(ws.workspaceId, 'POST', '/api/import', { token: ws.token, rawBody: line(foreign), headers: NDJSON }, 409, canonicalError('already_exists', 'id'));
    expect(await snapshot(other.workspaceId)).toEqual(before);
  });

  it('never takes a VIES check from a file: EU VAT numbers come in pending (and queued), other entries without one; an unknown type is refused', async () => {
    const ws = await seedWorkspace();
    const { records } = await exportAll(ws.token, 1000);
    const customer = records.find((r) => r.table === 'customers' && r.row.id === ws.a.id)!;
    const forged = { status: 'verified', verified_name: 'FORGED', verified_address: null, checked_at: '2026-01-01T00:00:00.000Z', consultation_number: 'WAPIFAKE' };
    const taxIds = [
      { tax: 'VAT', tax_value: 'DE136695976', type: 'eu_vat', verification: forged },
      { tax: 'EIN', tax_value: '123456789', type: 'us_ein', verification: forged },
      { tax: 'VAT', tax_value: 'FR1' },
    ];
    const line = (r: unknown) => `${JSON.stringify(r)}\n`;
    const res = await api('POST', '/api/import', { token: ws.token, rawBody: line({ ...customer, row: { ...customer.row, tax_ids: JSON.stringify(taxIds), version: 2 } }), headers: NDJSON });
    expect(res.status, res.text).toBe(200);
    const got = await api('GET', `/api/customers/${ws.a.id}`, { token: ws.token });
    expect(got.body.data.tax_ids).toEqual([
      { tax: 'VAT', tax_value: 'DE136695976', type: 'eu_vat', verification: { status: 'pending', verified_name: null, verified_address: null, checked_at: null, consultation_number: null } },
      { tax: 'EIN', tax_value: '123456789', type: 'us_ein' },
      { tax: 'VAT', tax_value: 'FR1' },
    ]);
    const checks = await env.DB.prepare('SELECT tax_value FROM tax_id_checks WHERE customer_id = ?').bind(ws.a.id).all();
    expect(checks.results).toEqual([{ tax_value: 'DE136695976' }]);
    const before = await snapshot(ws.workspaceId);
    const bad = line({ ...customer, row: { ...customer.row, tax_ids: JSON.stringify([{ tax: 'VAT', tax_value: 'X', type: 'xx_vat' }]) } });
    await rejected(ws.workspaceId, 'POST', '/api/import', { token: ws.token, rawBody: bad, headers: NDJSON }, 400, invalid('line 1'));
    expect(await snapshot(ws.workspaceId)).toEqual(before);
  });

  it('needs a write token and an NDJSON body', async () => {
    const ws = await seedWorkspace();
    const { records } = await exportAll(ws.token, 1000);
    const text = records.map((r) => `${JSON.stringify(r)}\n`).join('');
    await rejected(ws.workspaceId, 'POST', '/api/import', { token: ws.readOnly, rawBody: text, headers: NDJSON }, 403, errorBody('forbidden'));
    await rejected(ws.workspaceId, 'POST', '/api/import', { token: ws.token, rawBody: text, headers: { 'Content-Type': 'text/plain' } }, 415, errorBody('unsupported_media_type'));
    await rejected(ws.workspaceId, 'POST', '/api/import', { token: null, rawBody: text, headers: NDJSON }, 401, errorBody('unauthorized'));
  });
});
