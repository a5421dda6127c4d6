/**
 * No full-table scans on the request path: every statement the API sends to
 * D1, over every route and every list filter, is run again under
 * EXPLAIN QUERY PLAN with the same parameters, and no plan may SCAN one of the
 * real tables (a SEARCH through an index is fine, as is a scan of a subquery).
 */
import { env } from 'cloudflare:workers';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { MISSING_ID } from '../fixtures';
import { database } from '../../src/store/client';
import { purgeEvents, sweepEvents } from '../../src/webhooks/schedule';
import type { Verification } from '../../src/tax-ids/types';
import { queueDueChecks, recordOutcome, type TaxIdsEnv } from '../../src/tax-ids/vies';
import { api, workspace } from '../helpers';

interface Statement {
  sql: string;
  params: unknown[];
}
interface PlanRow {
  id: number;
  parent: number;
  detail: string;
}

const TABLE_SCAN = /^SCAN (customers|contacts|addresses|segments|customer_tax_ids|customer_metadata|events|event_context|webhook_endpoints|webhook_deliveries)\b/;

/**
 * Statements of a D1 batch never reach `usage.statements` (the counting
 * wrapper records only run/all/first/raw), so the statements handed to
 * env.DB.batch are recorded here, from the SQL and parameters they were
 * prepared and bound with.
 */
const bound = new WeakMap<D1PreparedStatement, Statement>();
const batched: Statement[] = [];
/** Every statement bound, in order (for code that runs outside an API call: the scheduled jobs). */
const allBound: Statement[] = [];

beforeAll(() => {
  const prepare = env.DB.prepare.bind(env.DB);
  const batch = env.DB.batch.bind(env.DB);
  vi.spyOn(env.DB, 'prepare').mockImplementation((sql: string) => {
    const stmt = prepare(sql);
    const bind = stmt.bind.bind(stmt);
    stmt.bind = (...params: unknown[]) => {
      const result = bind(...params);
      bound.set(result, { sql, params });
      allBound.push({ sql, params });
      return result;
    };
    return stmt;
  });
  vi.spyOn(env.DB, 'batch').mockImplementation((stmts: D1PreparedStatement[]) => {
    for (const stmt of stmts) {
      const recorded = bound.get(stmt);
      expect(recorded, 'a batched statement was not recorded').toBeDefined();
      batched.push(recorded!);
    }
    return batch(stmts);
  });
});

afterAll(() => {
  vi.restoreAllMocks();
});

/** Every statement sent by one API call, batched or not. */
async function call(method: string, path: string, token: string, body?: unknown) {
  const start = batched.length;
  const res = await api(method, path, { token, body });
  const statements = [...res.usage.statements, ...batched.slice(start)];
  return { res, statements, route: `${method} ${path}` };
}

async function plan(statement: Statement): Promise<PlanRow[]> {
  const { results } = await env.DB.prepare(`EXPLAIN QUERY PLAN ${statement.sql}`)
    .bind(...statement.params)
    .all<PlanRow>();
  return results;
}

/**
 * A statement about one customer's contacts or addresses that walks the whole
 * workspace instead: an index that leads with workspace_id chosen over the
 * customer's. Not a SCAN, but O(workspace) all the same.
 */
function walksWorkspaceForCustomer(statement: Statement, rows: PlanRow[]): boolean {
  return ['contacts', 'addresses'].some(
    (table) =>
      new RegExp(`"${table}"\\."customer_id" = |^(select|delete|update)[^(]*"${table}"[^(]*"customer_id" = `, 'i').test(statement.sql) &&
      rows.some((row) => new RegExp(`^SEARCH ${table} USING (COVERING )?INDEX ${table}_(updated_at|workspace_id)_idx \\(workspace_id=\\?`).test(row.detail)),
  );
}

/**
 * A customer list under a filter that names a few customers (an external id, a tax value, metadata) that walks
 * the workspace's customers (its status or id index) and checks the filter on each: not a SCAN, but the same
 * cost. Their own index, or the lookup table, must lead.
 */
function walksWorkspaceForFilter(statement: Statement, rows: PlanRow[]): boolean {
  return (
    /^select[^(]*from "customers"/i.test(statement.sql) &&
    /"customers"\."(id_crm|id_erp|id_accounting|currency)" = \?|"customer_(tax_ids|metadata)"/.test(statement.sql) &&
    // A range walk of the workspace (no `id=?`: an id looked up from the filter's rows is fine).
    rows.some((row) => /^SEARCH customers USING (COVERING )?INDEX customers_(status|workspace_id)_idx \(workspace_id=\?( AND status=\?)?( AND id>\?)?\)$/.test(row.detail))
  );
}

/** The plan rows of `statement` that scan a real table. */
async function scans(statement: Statement): Promise<string[]> {
  return (await plan(statement)).map((row) => row.detail).filter((detail) => TABLE_SCAN.test(detail));
}

describe('the plan check itself', () => {
  it('flags a statement that scans a table', async () => {
    expect(await scans({ sql: 'SELECT * FROM customers WHERE name = ?', params: ['x'] })).toEqual(['SCAN customers']);
  });

  it("flags a customer's contacts found by walking the workspace, and accepts them found through the customer", async () => {
    const walk = { sql: 'DELETE FROM "contacts" WHERE "contacts"."workspace_id" = ? AND "contacts"."customer_id" = ?', params: ['w', 'c'] };
    expect(walksWorkspaceForCustomer(walk, await plan(walk))).toBe(true);
    const through = { sql: 'DELETE FROM "contacts" WHERE +"contacts"."workspace_id" = ? AND "contacts"."customer_id" = ?', params: ['w', 'c'] };
    expect(walksWorkspaceForCustomer(through, await plan(through))).toBe(false);
  });

  it('flags a filtered customer list that walks the workspace by its status index', async () => {
    const sql = 'SELECT "id" FROM "customers" WHERE "customers"."workspace_id" = ? AND "customers"."status" = ? AND "customers"."id_crm" = ? ORDER BY "customers"."id"';
    const walk = { sql, params: ['w', 'active', 'c'] };
    expect(walksWorkspaceForFilter(walk, await plan(walk))).toBe(true);
    const led = { sql: sql.replace('AND "customers"."status"', 'AND +"customers"."status"'), params: ['w', 'active', 'c'] };
    expect(walksWorkspaceForFilter(led, await plan(led))).toBe(false);
  });

  it('accepts an index search', async () => {
    const rows = await plan({ sql: 'SELECT * FROM customers WHERE workspace_id = ? ORDER BY id', params: ['x'] });
    expect(rows.map((row) => row.detail)).toEqual([expect.stringMatching(/^SEARCH customers USING INDEX customers_workspace_id_idx/)]);
  });
});

describe('no full-table scans on the request path', () => {
  const seen: { route: string; statement: Statement }[] = [];

  /** Calls the API, asserts the status, and keeps every statement it sent. */
  async function exercise(method: string, path: string, token: string, status: number, body?: unknown) {
    const { res, statements, route } = await call(method, path, token, body);
    expect(res.status, `${route}: ${JSON.stringify(res.body)}`).toBe(status);
    expect(statements.length, `${route}: statements recorded for its D1 round trips`).toBeGreaterThanOrEqual(res.usage.d1);
    for (const statement of statements) seen.push({ route, statement });
    return res.body;
  }

  it('over every route, filter and error path', async () => {
    const { token } = await workspace();
    const other = await workspace();
    const id = (body: { data: { id: string } }) => body.data.id;

    // Segments.
    const segment = id(await exercise('POST', '/api/segments', token, 201, { name: 'Enterprise', reference: 'ENT' }));
    const segment2 = id(await exercise('POST', '/api/segments', token, 201, { name: 'SMB' }));
    const spare = id(await exercise('POST', '/api/segments', token, 201, { name: 'Spare' }));
    await exercise('GET', '/api/segments', token, 200);
    const segPage = await exercise('GET', '/api/segments?limit=1', token, 200);
    await exercise('GET', `/api/segments?cursor=${segPage.next_cursor}`, token, 200);
    await exercise('GET', `/api/segments/${segment}`, token, 200);
    await exercise('PATCH', `/api/segments/${segment}`, token, 200, { description: 'Large accounts' });
    await exercise('PATCH', `/api/segments/${segment}`, token, 200, {});

    // Customers.
    const customer = id(
      await exercise('POST', '/api/customers', token, 201, {
        name: 'Acme Industries',
        type: 'company',
        segment_id: segment,
        tax_ids: [{ tax: 'vat', tax_value: 'FR123' }, { tax: 'siren', tax_value: '123456789' }],
        id_crm: 'crm-1',
        id_erp: 'erp-1',
        id_accounting: 'acc-1',
      }),
    );
    const customer2 = id(await exercise('POST', '/api/customers', token, 201, { name: 'Jane Doe', type: 'individual' }));
    await exercise('POST', '/api/customers', token, 201, { name: 'Globex', type: 'company', segment_id: segment2 });
    for (const query of [
      '',
      '?type=company',
      '?type=individual',
      `?segment_id=${segment}`,
      '?id_crm=crm-1',
      '?id_erp=erp-1',
      '?id_accounting=acc-1',
      '?tax_value=FR123',
      '?q=acme',
      '?limit=1',
      `?cursor=${customer}`,
      `?type=company&cursor=${customer}&limit=1`,
      `?segment_id=${segment}&cursor=${customer}`,
      `?id_crm=crm-1&cursor=${customer}`,
      `?tax_value=FR123&cursor=${customer}`,
      // q: the search index (3+ characters), or the folded-name prefix (shorter), each with its own cursor.
      '?q=acme&cursor=s.1',
      '?q=ac',
      `?q=ac&cursor=p.${btoa(JSON.stringify(['acme', customer])).replaceAll('+', '-').replaceAll('/', '_').replace(/=+$/, '')}`,
      `?q=acme&type=company&segment_id=${segment}`,
      '?q=acme&id_crm=crm-1&cursor=s.1',
      '?q=acme&tax_value=FR123',
      `?q=acme&type=company&segment_id=${segment}&id_crm=crm-1&id_erp=erp-1&id_accounting=acc-1&tax_value=FR123`,
    ]) {
      await exercise('GET', `/api/customers${query}`, token, 200);
    }
    await exercise('GET', `/api/customers/${customer}`, token, 200);
    await exercise('PATCH', `/api/customers/${customer}`, token, 200, { name: 'Acme Group', id_crm: 'crm-2' });
    await exercise('PATCH', `/api/customers/${customer}`, token, 200, { segment_id: segment2, tax_ids: [{ tax: 'vat', tax_value: 'FR999' }] });
    await exercise('PATCH', `/api/customers/${customer}`, token, 200, {});

    // Contacts.
    const contact = id(
      await exercise('POST', '/api/contacts', token, 201, {
        customer_id: customer,
        first_name: 'Ada',
        last_name: 'Lovelace',
        email: 'ada@example.com',
        role: ['buyer'],
      }),
    );
    const contact2 = id(
      await exercise('POST', '/api/contacts', token, 201, { customer_id: customer2, first_name: 'Jo', last_name: 'Doe', email: 'jo@example.com' }),
    );
    await exercise('GET', '/api/contacts', token, 200);
    await exercise('GET', `/api/contacts?customer_id=${customer}`, token, 200);
    await exercise('GET', `/api/contacts?cursor=${contact}`, token, 200);
    await exercise('GET', `/api/contacts?customer_id=${customer}&cursor=${contact}&limit=1`, token, 200);
    await exercise('GET', `/api/contacts/${contact}`, token, 200);
    await exercise('PATCH', `/api/contacts/${contact}`, token, 200, { phone: '+33 1 23 45 67 89', role: ['signer'] });
    await exercise('PATCH', `/api/contacts/${contact}`, token, 200, {});

    // Addresses.
    const address = {
      type: 'billing',
      address_line1: '1 rue de Rivoli',
      city: 'Paris',
      postal_code: '75001',
      country: 'FR',
    };
    const addr = id(await exercise('POST', '/api/addresses', token, 201, { ...address, customer_id: customer, contact_id: contact }));
    id(await exercise('POST', '/api/addresses', token, 201, { ...address, customer_id: customer2 }));
    await exercise('GET', '/api/addresses', token, 200);
    await exercise('GET', `/api/addresses?customer_id=${customer}`, token, 200);
    await exercise('GET', `/api/addresses?cursor=${addr}`, token, 200);
    await exercise('GET', `/api/addresses?customer_id=${customer}&cursor=${addr}&limit=1`, token, 200);
    await exercise('GET', `/api/addresses/${addr}`, token, 200);
    await exercise('PATCH', `/api/addresses/${addr}`, token, 200, { city: 'Lyon', contact_id: null });
    await exercise('PATCH', `/api/addresses/${addr}`, token, 200, { contact_id: contact });
    await exercise('PATCH', `/api/addresses/${addr}`, token, 200, {});

    // Error paths that still reach D1: missing records, foreign references, a segment in use.
    const missing = MISSING_ID;
    for (const resource of ['customers', 'contacts', 'addresses', 'segments']) {
      await exercise('GET', `/api/${resource}/${missing}`, token, 404);
      await exercise('PATCH', `/api/${resource}/${missing}`, token, 404, {});
      await exercise('DELETE', `/api/${resource}/${missing}`, token, 404);
    }
    await exercise('PATCH', `/api/customers/${missing}`, token, 404, { name: 'Nobody' });
    await exercise('PATCH', `/api/contacts/${missing}`, token, 404, { first_name: 'Nobody' });
    await exercise('PATCH', `/api/addresses/${missing}`, token, 404, { city: 'Nowhere' });
    await exercise('PATCH', `/api/segments/${missing}`, token, 404, { name: 'Nothing' });
    await exercise('POST', '/api/contacts', other.token, 400, { customer_id: customer, first_name: 'X', last_name: 'Y', email: 'x@example.com' });
    await exercise('POST', '/api/customers', other.token, 400, { name: 'X', type: 'company', segment_id: segment });
    await exercise('PATCH', `/api/addresses/${addr}`, token, 400, { contact_id: contact2 });
    await exercise('DELETE', `/api/segments/${segment2}`, token, 409);

    // Deletes, the customer's being a batch.
    await exercise('DELETE', `/api/addresses/${addr}`, token, 200);
    await exercise('DELETE', `/api/contacts/${contact}`, token, 200);
    await exercise('DELETE', `/api/customers/${customer}`, token, 200);
    await exercise('DELETE', `/api/segments/${spare}`, token, 200);

    // Coverage: every kind of statement on every table was collected.
    const sqls = seen.map(({ statement }) => statement.sql.toLowerCase());
    for (const table of ['customers', 'contacts', 'addresses', 'segments']) {
      for (const verb of ['insert into', 'select', 'update', 'delete from']) {
        const pattern = verb === 'select' ? new RegExp(`^select .* from "${table}"`) : new RegExp(`^${verb} "${table}"`);
        expect(sqls.some((sql) => pattern.test(sql)), `no "${verb}" on ${table} was collected`).toBe(true);
      }
    }
    expect(batched.length, 'the customer delete batch was recorded').toBeGreaterThanOrEqual(3);

    // The check: no statement's plan scans a real table.
    await expectNoScans(seen);
  });

  /** Every statement collected from `entries`, run under EXPLAIN QUERY PLAN: none may scan a real table. */
  async function expectNoScans(entries: { route: string; statement: Statement }[]) {
    const unique = new Map<string, { route: string; statement: Statement }>();
    for (const entry of entries) unique.set(JSON.stringify(entry.statement), entry);
    const offenders: string[] = [];
    for (const { route, statement } of unique.values()) {
      const rows = await plan(statement);
      if (rows.some((row) => TABLE_SCAN.test(row.detail)) || walksWorkspaceForCustomer(statement, rows) || walksWorkspaceForFilter(statement, rows)) {
        offenders.push(
          `${route}\n  SQL: ${statement.sql}\n  params: ${JSON.stringify(statement.params)}\n  plan:\n${rows.map((row) => `    ${row.detail}`).join('\n')}`,
        );
      }
    }
    expect(offenders, `full-table scans on the request path:\n\n${offenders.join('\n\n')}`).toEqual([]);
  }

  it('over the events feed, webhook endpoints, deliveries and the incremental-sync walks', async () => {
    const start = seen.length;
    const { token } = await workspace();
    const id = (body: { data: { id: string } }) => body.data.id;
    const customer = id(await exercise('POST', '/api/customers', token, 201, { name: 'Acme', type: 'company' }));
    await exercise('PATCH', `/api/customers/${customer}`, token, 200, { name: 'Acme Group' });
    await exercise('POST', '/api/segments', token, 201, { name: 'Events' });
    // Disabled: nothing is delivered from this test, but its statements are the same.
    const endpoint = id(await exercise('POST', '/api/webhook_endpoints', token, 201, { url: 'https://hooks.example.com/in', enabled: false }));
    await exercise('POST', '/api/webhook_endpoints', token, 201, { url: 'https://hooks.example.com/other', enabled: false });
    const firstEndpoints = await exercise('GET', '/api/webhook_endpoints?limit=1', token, 200);
    await exercise('GET', `/api/webhook_endpoints?cursor=${firstEndpoints.next_cursor}`, token, 200);
    await exercise('GET', `/api/webhook_endpoints/${endpoint}`, token, 200);
    await exercise('PATCH', `/api/webhook_endpoints/${endpoint}`, token, 200, { description: 'CRM sync', event_types: ['customer.*'] });
    await exercise('POST', `/api/webhook_endpoints/${endpoint}/rotate_secret`, token, 200);
    const deliveries = await exercise('GET', `/api/webhook_endpoints/${endpoint}/deliveries?limit=1`, token, 200);
    expect(deliveries.data).toEqual([]);
    await exercise('GET', `/api/webhook_endpoints/${endpoint}/deliveries?cursor=${customer}`, token, 200);
    const since = encodeURIComponent(new Date(Date.now() - 60_000).toISOString());
    const feed = await exercise('GET', '/api/events?limit=1', token, 200);
    const event = feed.data[0].id;
    for (const query of [
      `?cursor=${feed.next_cursor}`,
      '?order=desc',
      '?order=desc&limit=1',
      '?type=customer.updated',
      '?type=customer.*',
      `?object_id=${customer}`,
      `?created_gte=${since}`,
      `?created_lt=${since}`,
      `?type=customer.*&object_id=${customer}&created_gte=${since}&order=desc`,
    ]) {
      await exercise('GET', `/api/events${query}`, token, 200);
    }
    await exercise('GET', `/api/events/${event}`, token, 200);
    await exercise('POST', `/api/events/${event}/redeliver`, token, 202);
    for (const resource of ['customers', 'contacts', 'addresses', 'segments']) {
      const page = await exercise('GET', `/api/${resource}?order=updated_at&limit=1`, token, 200);
      if (page.next_cursor) await exercise('GET', `/api/${resource}?order=updated_at&cursor=${encodeURIComponent(page.next_cursor)}`, token, 200);
      await exercise('GET', `/api/${resource}?updated_since=${since}`, token, 200);
    }
    // Under a filter: a customer's contacts and addresses by last change (their index, then a sort), and
    // a customer filter refused with the updated_at walk (it would walk the workspace).
    await exercise('POST', '/api/contacts', token, 201, { customer_id: customer, first_name: 'Ada', last_name: 'L', email: 'ada@example.com' });
    for (const resource of ['contacts', 'addresses']) {
      await exercise('GET', `/api/${resource}?customer_id=${customer}&order=updated_at`, token, 200);
      await exercise('GET', `/api/${resource}?customer_id=${customer}&updated_since=${since}&cursor=u.1.${customer}`, token, 200);
    }
    await exercise('GET', '/api/customers?order=updated_at&id_crm=crm-1', token, 400);
    // The billing profile's currency filter, and the related records embedded by include (per customer, by its index).
    await exercise('GET', '/api/customers?currency=EUR', token, 200);
    for (const query of ['metadata[tier]=gold', 'metadata[tier]=gold&metadata[region]=eu', 'metadata[tier]=gold&q=acme', 'metadata[tier]=gold&type=company&status=all']) await exercise('GET', `/api/customers?${query}`, token, 200);
    for (const query of ['', '&q=acme', '&q=ac', '&order=updated_at', '&id_crm=crm-1']) await exercise('GET', `/api/customers?include=contacts,addresses${query}`, token, 200);
    await exercise('GET', `/api/customers/${customer}?include=contacts,addresses`, token, 200);
    // Archive and restore, the status walks; the lookup and the upsert by external id (update, insert, ambiguous).
    await exercise('POST', `/api/customers/${customer}/archive`, token, 200);
    for (const query of ['status=archived', 'status=all', 'status=archived&q=acme', 'status=archived&q=ac', 'status=archived&type=company']) await exercise('GET', `/api/customers?${query}`, token, 200);
    await exercise('POST', `/api/customers/${customer}/restore`, token, 200);
    await exercise('PUT', '/api/customers/by_external_id?id_crm=plan-1', token, 201, { name: 'Upserted', type: 'company' });
    await exercise('PUT', '/api/customers/by_external_id?id_crm=plan-1', token, 200, { name: 'Upserted', type: 'company' });
    await exercise('PUT', '/api/customers/by_external_id?source_system=s&source_system_id=1', token, 201, { name: 'Upserted', type: 'company' });
    await exercise('GET', '/api/customers/by_external_id?id_crm=plan-1', token, 200);
    await exercise('GET', '/api/customers/by_external_id?source_system=s&source_system_id=1&include=contacts', token, 200);
    await exercise('POST', '/api/customers', token, 201, { name: 'Twin', type: 'company', id_erp: 'twin' });
    await exercise('POST', '/api/customers', token, 201, { name: 'Twin', type: 'company', id_erp: 'twin' });
    await exercise('PUT', '/api/customers/by_external_id?id_erp=twin', token, 409, { name: 'Twin', type: 'company' });
    await exercise('DELETE', `/api/webhook_endpoints/${endpoint}`, token, 200);
    await exercise('DELETE', `/api/customers/${customer}`, token, 200);

    const sqls = seen.slice(start).map(({ statement }) => statement.sql.toLowerCase());
    for (const table of ['events', 'event_context', 'webhook_endpoints', 'webhook_deliveries']) {
      expect(sqls.some((sql) => sql.includes(`"${table}"`)), `no statement on ${table} was collected`).toBe(true);
    }
    await expectNoScans(seen.slice(start));
  });

  it('over the scheduled jobs: the sweep of undispatched events, the purge of old events and deliveries', async () => {
    const start = allBound.length;
    const db = database(env.DB);
    await sweepEvents(db, env.WEBHOOKS, Date.now());
    await purgeEvents(db, env, Date.now());
    const statements = allBound.slice(start);
    expect(statements.map((s) => s.sql.toLowerCase().split(' ')[0])).toEqual(expect.arrayContaining(['select', 'delete']));
    await expectNoScans(statements.map((statement) => ({ route: 'scheduled', statement })));
  });

  // The PATCH that keeps tax ids' verifications is the customer PATCH with tax_ids of the first test.
  it("over the jobs Worker's VIES steps: the cron's lease, an outcome written, a retry scheduled", async () => {
    const { workspaceId, token } = await workspace();
    const created = await api('POST', '/api/customers', {
      token,
      body: { name: 'Acme', type: 'company', tax_ids: [{ tax: 'VAT', tax_value: 'DE136695976', type: 'eu_vat' }, { tax: 'VAT', tax_value: 'NL004495445B01', type: 'eu_vat' }] },
    });
    expect(created.status).toBe(201);
    const start = allBound.length;
    const now = Date.now() + 1000;
    const db = database(env.DB);
    await queueDueChecks({ DB: env.DB, CHECKS: env.TAX_ID_CHECKS } as unknown as TaxIdsEnv, now);
    const message = (taxValue: string) => ({ workspace_id: workspaceId, customer_id: created.body.data.id, tax_value: taxValue, attempts: 0 });
    const outcome = (status: Verification['status']) => ({ status, verified_name: null, verified_address: null, checked_at: new Date(now).toISOString(), consultation_number: null });
    await recordOutcome(db, message('DE136695976'), outcome('verified'), 'vies:1', now);
    await recordOutcome(db, message('NL004495445B01'), outcome('unavailable'), 'vies:2', now);
    const statements = allBound.slice(start);
    expect(statements.filter((s) => /tax_id_checks/.test(s.sql)).length).toBeGreaterThanOrEqual(3);
    await expectNoScans(statements.map((statement) => ({ route: 'jobs: VIES', statement })));
  });

  it('over the AmbioSys and Upwell routes, every Upwell search field, operator and sort key', async () => {
    const start = seen.length;
    const { token } = await workspace();
    const other = await workspace();
    const missing = MISSING_ID;

    // AmbioSys (seed 002).
    for (const name of ['Acme', 'Globex', 'Initech']) {
      await exercise('POST', '/api/customers/create', token, 201, { name, legal_name: `${name} Ltd`, tax_id: `TAX-${name}` });
    }
    for (const query of ['', '?page=0&limit=10', '?page=1&limit=2', '?search=acme', '?page=0&limit=10&search=tax-glo', '?search=ltd&page=1&limit=1', '?search=gl', '?search=g&page=1&limit=1']) {
      await exercise('GET', `/api/customers/getCustomers${query}`, token, 200);
    }
    await exercise('GET', '/api/customers/getCustomers/2', token, 200);
    await exercise('GET', '/api/customers/getCustomers/99', token, 404);

    // Upwell (seed 003): creates with nested rows, and the errors database rules raise.
    const REST = '/api/rest/customers';
    const stamp = '2024-01-01T00:00:00Z';
    const address = { streetLine1: '1 Main St', city: 'Springfield', zipOrPostalCode: '12345', country: 'US', type: 'SHIPPING' };
    const contact = { firstName: 'Ada', lastName: 'Lovelace', emailAddress: 'ada@example.com' };
    const created = await exercise('POST', REST, token, 200, {
      input: {
        name: 'Parent', emailAddress: 'p@example.com', collectorId: 'col-1', sourceSystem: 'sf', sourceSystemId: 'P',
        deletedAt: stamp, addressesLastUpdatedAt: stamp, contactsLastUpdatedAt: stamp, customerRule: { data: { dueOption: 30 } },
        addresses: { data: [address, { ...address, type: 'BILLING' }] }, contacts: { data: [contact] },
      },
    });
    const parent: string = created.createCustomer.id;
    await exercise('POST', '/api/rest/bulk-customers', token, 200, {
      inputs: [
        { name: 'Child', billToCustomerId: parent, sourceSystem: 'sf', sourceSystemId: 'C', contacts: { data: [contact] } },
        { name: 'Other', addresses: { data: [address] } },
        { name: 'Plain' },
      ],
    });
    await exercise('POST', REST, token, 409, { input: { name: 'Dup', sourceSystem: 'sf', sourceSystemId: 'P' } });
    await exercise('POST', REST, other.token, 400, { input: { name: 'Foreign', billToCustomerId: parent } });
    await exercise('POST', '/api/rest/bulk-customers', token, 409, { inputs: [{ name: 'A' }, { name: 'B', sourceSystem: 'sf', sourceSystemId: 'C' }] });

    // Lists and reads.
    for (const query of ['', '?limit=10&offset=0', '?limit=2&offset=2', '?limit=100&offset=1000']) await exercise('GET', `${REST}${query}`, token, 200);
    await exercise('GET', `${REST}/${parent}`, token, 200);
    await exercise('GET', `${REST}/${missing}`, token, 404);

    // Search: every filterable field with every operator that applies to it, sorted on every key, paged, combined.
    const SEARCH = `${REST}/search`;
    const values: Record<string, [string, string]> = {
      id: [parent, missing],
      name: ['Parent', 'Child'],
      emailAddress: ['p@example.com', 'q@example.com'],
      billToCustomerId: [parent, missing],
      collectorId: ['col-1', 'col-2'],
      sourceSystem: ['sf', 'hubspot'],
      sourceSystemId: ['P', 'C'],
      createdAt: [stamp, '2100-01-01T00:00:00Z'],
      updatedAt: [stamp, '2100-01-01T00:00:00Z'],
      deletedAt: [stamp, '2025-01-01T00:00:00Z'],
      addressesLastUpdatedAt: [stamp, '2025-01-01T00:00:00Z'],
      contactsLastUpdatedAt: [stamp, '2025-01-01T00:00:00Z'],
    };
    // What an index serves (README, "What an index serves"): 200, or a 400 naming the condition.
    type Support = { eq: boolean; range: boolean; isNull: boolean; like: [boolean, boolean, boolean]; sort: boolean };
    const btree = (like: Support['like']): Support => ({ eq: true, range: true, isNull: true, like, sort: true });
    const searched: Support = { eq: true, range: false, isNull: false, like: [true, true, false], sort: false };
    const unindexed: Support = { eq: false, range: false, isNull: false, like: [false, false, false], sort: false };
    // like: [_like 'Par%', _ilike '%arent%', _ilike 'p%']
    const support: Record<string, Support> = {
      id: btree([true, false, true]),
      name: { eq: true, range: false, isNull: true, like: [true, true, true], sort: true },
      emailAddress: searched,
      billToCustomerId: { ...btree([true, false, true]), sort: false },
      collectorId: searched,
      sourceSystem: btree([true, true, false]),
      sourceSystemId: btree([true, true, false]),
      createdAt: btree([false, false, false]),
      updatedAt: btree([false, false, false]),
      deletedAt: btree([false, false, false]),
      addressesLastUpdatedAt: unindexed,
      contactsLastUpdatedAt: unindexed,
    };
    const status = (ok: boolean) => (ok ? 200 : 400);
    for (const [field, [one, two]] of Object.entries(values)) {
      const s = support[field]!;
      const indexed = s !== unindexed;
      const where: [Record<string, unknown>, boolean][] = [
        [{ [field]: { _eq: one } }, s.eq],
        [{ [field]: { _in: [one, two] } }, s.eq],
        // Checked on the rows other conditions find; alone, on the workspace's rows: allowed on any indexed field.
        [{ [field]: { _neq: one } }, indexed],
        [{ [field]: { _nin: [one, two] } }, indexed],
        ...['_gt', '_gte', '_lt', '_lte'].map((op): [Record<string, unknown>, boolean] => [{ [field]: { [op]: one } }, s.range]),
        [{ [field]: { _is_null: true } }, s.isNull],
        [{ [field]: { _is_null: false } }, s.isNull],
        ...(['Par%', '%arent%', 'p%'] as const).map((pattern, i): [Record<string, unknown>, boolean] => [
          { [field]: { [i === 0 ? '_like' : '_ilike']: pattern } },
          s.like[i]!,
        ]),
      ];
      for (const [w, ok] of where) {
        const body = await exercise('POST', SEARCH, token, status(ok), { where: w });
        if (ok) continue;
        const op = Object.keys(w[field] as object)[0];
        expect(body.error.details.map((d: { path: string }) => d.path), JSON.stringify(w)).toEqual([indexed ? `where.${field}.${op}` : `where.${field}`]);
      }
      for (const direction of ['asc', 'desc', 'asc_nulls_first', 'asc_nulls_last', 'desc_nulls_first', 'desc_nulls_last']) {
        const body = await exercise('POST', SEARCH, token, status(s.sort), { orderBy: [{ [field]: direction }], limit: 2, offset: 1 });
        if (!s.sort) expect(body.error.details).toEqual([{ path: `orderBy.0.${field}`, message: `Sorting by ${field} has no index to use` }]);
        // A condition an index serves leads, its matches sorted: the plans differ from the unfiltered walk.
        if (s.sort) await exercise('POST', SEARCH, token, 200, { where: { sourceSystem: { _eq: 'sf' } }, orderBy: [{ [field]: direction }] });
      }
    }
    // ORs of served conditions (each by its own index), ANDs led by one part, and the search index with a B-tree.
    for (const where of [
      { _or: [{ sourceSystemId: { _eq: 'P' } }, { name: { _ilike: '%aren%' } }] },
      { _or: [{ emailAddress: { _eq: 'p@example.com' } }, { createdAt: { _gt: stamp } }, { id: { _in: [parent] } }] },
      { name: { _ilike: '%aren%' }, sourceSystemId: { _eq: 'P' } },
      { collectorId: { _ilike: '%col%' }, _not: { deletedAt: { _is_null: true } } },
      { _and: [{ updatedAt: { _gte: stamp } }, { _or: [{ name: { _eq: 'Parent' } }, { billToCustomerId: { _eq: parent } }] }] },
      { _not: { name: { _eq: 'Parent' } } },
      { name: { _neq: 'Parent' } },
    ]) {
      await exercise('POST', SEARCH, token, 200, { where, orderBy: [{ name: 'desc' }], limit: 5, offset: 1 });
    }
    await exercise('POST', SEARCH, token, 200, {});
    await exercise('POST', SEARCH, token, 200, {
      where: {
        _or: [
          { name: { _ilike: 'p%' }, deletedAt: { _is_null: false } },
          { _and: [{ sourceSystem: { _eq: 'sf' } }, { _not: { sourceSystemId: { _in: ['P'] } } }] },
        ],
      },
      orderBy: [{ sourceSystem: 'asc_nulls_last' }, { createdAt: 'desc' }],
      limit: 10,
      offset: 0,
    });

    // Updates by id and by source-system ids, and their errors.
    await exercise('PUT', `${REST}/${parent}`, token, 200, {
      input: { name: 'Parent 2', emailAddress: 'p2@example.com', ccEmailAddresses: ['cc@example.com'], metadata: { k: 'v' }, deletedAt: null },
      customerRulesInput: { dueOption: 45 },
    });
    await exercise('PUT', `${REST}/${parent}`, token, 200, {});
    await exercise('PUT', `${REST}/${parent}`, token, 400, { input: { billToCustomerId: parent } });
    await exercise('PUT', `${REST}/${missing}`, token, 404, { input: { name: 'Nobody' } });
    await exercise('PUT', REST, token, 200, { sourceSystem: 'sf', sourceSystemId: 'C', input: { collectorId: 'col-2', billToCustomerId: null }, customerRulesInput: { dueOption: 1 } });
    await exercise('PUT', REST, token, 200, { sourceSystem: 'sf', sourceSystemId: 'C' });
    await exercise('PUT', REST, token, 200, { sourceSystem: 'sf', sourceSystemId: 'nobody', input: { name: 'X' } });
    await exercise('PUT', REST, token, 409, { sourceSystem: 'sf', sourceSystemId: 'C', input: { sourceSystemId: 'P' } });

    // Coverage: the compatibility routes' inserts, selects and updates were all collected.
    const mine = seen.slice(start);
    const sqls = mine.map(({ statement }) => statement.sql.toLowerCase());
    for (const pattern of [/^insert into "customers"/, /^insert into "contacts"/, /^insert into "addresses"/, /^select .* from "customers"/, /^update "customers"/]) {
      expect(sqls.some((sql) => pattern.test(sql)), `no statement matching ${pattern} was collected`).toBe(true);
    }
    await expectNoScans(mine);
  }, 60_000);
});
