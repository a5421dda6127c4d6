/**
 * The VIES checks the jobs Worker runs (src/tax-ids/vies.ts), against the
 * local fake VIES (fake-vies.ts): the cron step leases due checks into the
 * real local queue; the queue handler (src/jobs.ts) asks VIES and writes the
 * outcome into the customer, with its event, in one batch.
 */
import { createExecutionContext, createMessageBatch, createScheduledController, getQueueResult, waitOnExecutionContext } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { describe, expect, inject, it, vi } from 'vitest';
import jobs, { type JobsEnv } from '../../src/jobs';
import { RETRY_MINUTES, queueDueChecks, type CheckMessage } from '../../src/tax-ids/vies';
import { api, workspace } from '../helpers';

const VIES_URL = inject('viesUrl');
const PENDING = { status: 'pending', verified_name: null, verified_address: null, checked_at: null, consultation_number: null };
const ISO = expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);

/** The jobs Worker's env: the test's real D1 and queue, the fake VIES, and the requester numbers given. */
const jobsEnv = (requesters: Record<string, string> = {}) =>
  ({ DB: env.DB, CHECKS: env.TAX_ID_CHECKS, VIES_URL, VIES_REQUESTERS: JSON.stringify(requesters) }) as unknown as JobsEnv;

async function customerWith(token: string, ...numbers: string[]) {
  const res = await api('POST', '/api/customers', {
    token,
    body: { name: 'Acme', type: 'company', tax_ids: numbers.map((n) => ({ tax: 'VAT', tax_value: n, type: 'eu_vat' })) },
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.data as { id: string; tax_ids: { tax_value: string; verification: unknown }[] };
}

const checkRows = (customerId: string) =>
  env.DB.prepare('SELECT tax_value, attempts, next_attempt_at FROM tax_id_checks WHERE customer_id = ? ORDER BY tax_value')
    .bind(customerId)
    .all<{ tax_value: string; attempts: number; next_attempt_at: number }>()
    .then((r) => r.results);

/** Runs the queue handler on these checks, as the queue would deliver them; returns what it acked and retried. */
async function deliver(messages: CheckMessage[], requesters: Record<string, string> = {}) {
  const batch = createMessageBatch<CheckMessage>(
    'customers-tax-id-checks',
    messages.map((body, i) => ({ id: `m${i}`, timestamp: Date.now(), attempts: 1, body })),
  );
  const ctx = createExecutionContext();
  await jobs.queue!(batch as MessageBatch<never>, jobsEnv(requesters), ctx);
  return getQueueResult(batch, ctx);
}

const asked = async () => (await (await fetch(`${VIES_URL}/__requests`)).json()) as Record<string, string>[];

const message = (workspaceId: string, customerId: string, taxValue: string, attempts = 0): CheckMessage => ({ workspace_id: workspaceId, customer_id: customerId, tax_value: taxValue, attempts });

async function get(token: string, id: string) {
  return (await api('GET', `/api/customers/${id}`, { token })).body.data;
}

describe('VIES checks (jobs Worker)', () => {
  it('the cron leases the due checks into the queue, and not again while leased', async () => {
    const { workspaceId, token } = await workspace();
    const customer = await customerWith(token, 'DE136695976', 'FR40303265045');
    // The jobs Worker's cron handler leases them (at its own now) and queues them: the real queue, its sends recorded.
    const sent: { body: CheckMessage }[] = [];
    const queue = new Proxy(env.TAX_ID_CHECKS, {
      get: (target, prop) => (prop === 'sendBatch' ? (messages: { body: CheckMessage }[]) => (sent.push(...messages), target.sendBatch(messages)) : Reflect.get(target, prop)),
    });
    const before = Date.now();
    const ctx = createExecutionContext();
    await jobs.scheduled!(createScheduledController({ scheduledTime: before, cron: '* * * * *' }), { ...jobsEnv(), CHECKS: queue } as JobsEnv, ctx);
    await waitOnExecutionContext(ctx);
    expect(sent.map((m) => m.body).filter((b) => b.customer_id === customer.id)).toEqual([
      message(workspaceId, customer.id, 'DE136695976'),
      message(workspaceId, customer.id, 'FR40303265045'),
    ]);
    const leased = await checkRows(customer.id);
    expect(leased.map((r) => [r.tax_value, r.attempts])).toEqual([
      ['DE136695976', 0],
      ['FR40303265045', 0],
    ]);
    for (const row of leased) expect(row.next_attempt_at).toBeGreaterThanOrEqual(before + 10 * 60_000);
    const now = Date.now();
    // Within the lease nothing of this customer is due.
    await queueDueChecks(jobsEnv(), now + 60_000);
    expect(await checkRows(customer.id)).toEqual(leased);
  });

  it('verified: keeps the name, the address, the time and (with the workspace as requester) the consultation number; one customer.updated event', async () => {
    const { workspaceId, token } = await workspace();
    const customer = await customerWith(token, 'DE136695976', 'EL094259216');
    await asked();
    const result = await deliver([message(workspaceId, customer.id, 'DE136695976'), message(workspaceId, customer.id, 'EL094259216')], { [workspaceId]: 'IE 6388047V' });
    expect(result.explicitAcks.sort()).toEqual(['m0', 'm1']);
    expect((await asked()).sort((a, b) => a.countryCode!.localeCompare(b.countryCode!))).toEqual([
      { countryCode: 'DE', vatNumber: '136695976', requesterMemberStateCode: 'IE', requesterNumber: '6388047V' },
      { countryCode: 'EL', vatNumber: '094259216', requesterMemberStateCode: 'IE', requesterNumber: '6388047V' },
    ]);
    const got = await get(token, customer.id);
    expect(got.tax_ids).toEqual([
      {
        tax: 'VAT',
        tax_value: 'DE136695976',
        type: 'eu_vat',
        verification: { status: 'verified', verified_name: 'MUSTER GMBH', verified_address: 'MUSTERSTRASSE 1\n10115 BERLIN', checked_at: ISO, consultation_number: 'WAPIDE136695976' },
      },
      {
        tax: 'VAT',
        tax_value: 'EL094259216',
        type: 'eu_vat',
        verification: { status: 'verified', verified_name: 'ΠΑΡΑΔΕΙΓΜΑ Α.Ε.', verified_address: 'ΟΔΟΣ 1 10431 ΑΘΗΝΑ', checked_at: ISO, consultation_number: 'WAPIEL094259216' },
      },
    ]);
    expect(await checkRows(customer.id)).toEqual([]);
    const events = await api('GET', `/api/events?object_id=${customer.id}`, { token });
    expect(events.status, JSON.stringify(events.body)).toBe(200);
    expect(events.body.data.map((e: { type: string }) => e.type)).toEqual(['customer.created', 'customer.updated', 'customer.updated']);
    const last = events.body.data[2];
    expect(last).toMatchObject({ request_id: expect.stringMatching(/^vies:m[01]$/), api: 'vies', token_id: null });
    expect(Object.keys(last.data.previous_attributes)).toEqual(['tax_ids']);
    expect(last.data.object.tax_ids).toEqual(got.tax_ids);
  });

  it('unverified: VIES says not valid, or cannot check the number (INVALID_INPUT)', async () => {
    const { workspaceId, token } = await workspace();
    const customer = await customerWith(token, 'FR40303265045', 'ESX2482300W');
    await deliver([message(workspaceId, customer.id, 'FR40303265045'), message(workspaceId, customer.id, 'ESX2482300W')]);
    const got = await get(token, customer.id);
    expect(got.tax_ids.map((t: { verification: unknown }) => t.verification)).toEqual([
      { status: 'unverified', verified_name: null, verified_address: null, checked_at: ISO, consultation_number: null },
      { status: 'unverified', verified_name: null, verified_address: null, checked_at: ISO, consultation_number: null },
    ]);
    expect(await checkRows(customer.id)).toEqual([]);
  });

  it('unavailable (a member state down, a gateway error page): shown once, retried on RETRY_MINUTES, later failures change nothing', async () => {
    const { workspaceId, token } = await workspace();
    const customer = await customerWith(token, 'NL004495445B01', 'BE0403019261');
    const before = Date.now();
    const first = await deliver([message(workspaceId, customer.id, 'NL004495445B01'), message(workspaceId, customer.id, 'BE0403019261')]);
    expect(first.explicitAcks.sort()).toEqual(['m0', 'm1']);
    const got = await get(token, customer.id);
    expect(got.tax_ids.map((t: { verification: unknown }) => t.verification)).toEqual([
      { status: 'unavailable', verified_name: null, verified_address: null, checked_at: ISO, consultation_number: null },
      { status: 'unavailable', verified_name: null, verified_address: null, checked_at: ISO, consultation_number: null },
    ]);
    const rows = await checkRows(customer.id);
    expect(rows.map((r) => [r.tax_value, r.attempts])).toEqual([
      ['BE0403019261', 1],
      ['NL004495445B01', 1],
    ]);
    for (const row of rows) {
      expect(row.next_attempt_at).toBeGreaterThanOrEqual(before + RETRY_MINUTES[0]! * 60_000);
      expect(row.next_attempt_at).toBeLessThanOrEqual(Date.now() + RETRY_MINUTES[0]! * 60_000);
    }
    // A second failure: the customer is left as it is (no new event), the wait grows.
    const version = (await api('GET', `/api/customers/${customer.id}`, { token })).headers.get('ETag');
    await deliver([message(workspaceId, customer.id, 'NL004495445B01', 1)]);
    expect((await api('GET', `/api/customers/${customer.id}`, { token })).headers.get('ETag')).toBe(version);
    const nl = (await checkRows(customer.id)).find((r) => r.tax_value === 'NL004495445B01')!;
    expect(nl.attempts).toBe(2);
    expect(nl.next_attempt_at).toBeGreaterThanOrEqual(before + RETRY_MINUTES[1]! * 60_000);
    // Past the last wait the check is dropped; the number stays unavailable until it is sent again.
    await env.DB.prepare('UPDATE tax_id_checks SET attempts = ? WHERE customer_id = ? AND tax_value = ?').bind(RETRY_MINUTES.length, customer.id, 'NL004495445B01').run();
    await deliver([message(workspaceId, customer.id, 'NL004495445B01', RETRY_MINUTES.length)]);
    expect((await checkRows(customer.id)).map((r) => r.tax_value)).toEqual(['BE0403019261']);
    const resent = await api('PATCH', `/api/customers/${customer.id}`, { token, body: { tax_ids: [{ tax: 'VAT', tax_value: 'NL004495445B01', type: 'eu_vat' }] } });
    expect(resent.body.data.tax_ids[0].verification).toEqual(PENDING);
    expect((await checkRows(customer.id)).map((r) => [r.tax_value, r.attempts])).toEqual([['NL004495445B01', 0]]);
  });

  it('a requester VIES refuses: the number is still checked, without a consultation number', async () => {
    const { workspaceId, token } = await workspace();
    const customer = await customerWith(token, 'ATU13585627');
    await asked();
    await deliver([message(workspaceId, customer.id, 'ATU13585627')], { [workspaceId]: 'DE136695976' });
    expect(await asked()).toEqual([
      { countryCode: 'AT', vatNumber: 'U13585627', requesterMemberStateCode: 'DE', requesterNumber: '136695976' },
      { countryCode: 'AT', vatNumber: 'U13585627' },
    ]);
    const got = await get(token, customer.id);
    expect(got.tax_ids[0].verification).toEqual({ status: 'verified', verified_name: 'BEISPIEL GMBH', verified_address: 'HAUPTPLATZ 1, 1010 WIEN', checked_at: ISO, consultation_number: null });
  });

  it('a Greek requester number written GR is sent as VIES writes it, EL', async () => {
    const { workspaceId, token } = await workspace();
    const customer = await customerWith(token, 'DE136695976');
    await asked();
    await deliver([message(workspaceId, customer.id, 'DE136695976')], { [workspaceId]: 'gr 094259216' });
    expect(await asked()).toEqual([{ countryCode: 'DE', vatNumber: '136695976', requesterMemberStateCode: 'EL', requesterNumber: '094259216' }]);
    expect((await get(token, customer.id)).tax_ids[0].verification.consultation_number).toBe('WAPIDE136695976');
  });

  it('a malformed VIES_REQUESTERS is logged, and the number is checked without a requester', async () => {
    const { workspaceId, token } = await workspace();
    const customer = await customerWith(token, 'IE6388047V');
    await asked();
    const errors = vi.spyOn(console, 'error').mockImplementation(() => {});
    const batch = createMessageBatch<CheckMessage>('customers-tax-id-checks', [{ id: 'r', timestamp: Date.now(), attempts: 1, body: message(workspaceId, customer.id, 'IE6388047V') }]);
    const ctx = createExecutionContext();
    await jobs.queue!(batch as MessageBatch<never>, { ...jobsEnv(), VIES_REQUESTERS: '{not json' } as JobsEnv, ctx);
    expect((await getQueueResult(batch, ctx)).explicitAcks).toEqual(['r']);
    expect(errors.mock.calls.map((c) => String(c[0])).join('\n')).toContain('VIES_REQUESTERS is not a JSON object');
    errors.mockRestore();
    expect(await asked()).toEqual([{ countryCode: 'IE', vatNumber: '6388047V' }]);
    expect((await get(token, customer.id)).tax_ids[0].verification).toMatchObject({ status: 'verified', consultation_number: null });
  });

  it('a number changed or removed while its check was queued is left alone; VIES not reachable is unavailable', async () => {
    const { workspaceId, token } = await workspace();
    const customer = await customerWith(token, 'DE136695976');
    await api('PATCH', `/api/customers/${customer.id}`, { token, body: { tax_ids: [{ tax: 'VAT', tax_value: 'IE6388047V', type: 'eu_vat' }] } });
    const etag = (await api('GET', `/api/customers/${customer.id}`, { token })).headers.get('ETag');
    const result = await deliver([message(workspaceId, customer.id, 'DE136695976')]);
    expect(result.explicitAcks).toEqual(['m0']);
    expect((await api('GET', `/api/customers/${customer.id}`, { token })).headers.get('ETag')).toBe(etag);
    expect((await checkRows(customer.id)).map((r) => r.tax_value)).toEqual(['IE6388047V']);

    const down = { ...jobsEnv(), VIES_URL: 'http://127.0.0.1:9' } as JobsEnv;
    const batch = createMessageBatch<CheckMessage>('customers-tax-id-checks', [{ id: 'x', timestamp: Date.now(), attempts: 1, body: message(workspaceId, customer.id, 'IE6388047V') }]);
    const ctx = createExecutionContext();
    await jobs.queue!(batch as MessageBatch<never>, down, ctx);
    expect((await getQueueResult(batch, ctx)).explicitAcks).toEqual(['x']);
    expect((await get(token, customer.id)).tax_ids[0].verification.status).toBe('unavailable');
  });

  it('the jobs Worker refuses a queue it does not consume, and has no HTTP routes', async () => {
    const batch = createMessageBatch('another-queue', [{ id: 'a', timestamp: Date.now(), attempts: 1, body: {} }]);
    await expect(jobs.queue!(batch as MessageBatch<never>, jobsEnv(), createExecutionContext())).rejects.toThrow('no consumer for queue another-queue');
    const res = await jobs.fetch!(new Request('http://jobs/') as Request<unknown, IncomingRequestCfProperties>, jobsEnv(), createExecutionContext());
    expect(res.status).toBe(404);
  });
});
