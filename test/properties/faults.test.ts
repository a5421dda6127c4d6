/**
 * Fault injection, property flavoured: random valid write requests over every
 * write route of the three APIs, while D1 or KV throws a random error. Each
 * answers 500 (or 503) in its API's error shape with the request id of
 * X-Request-Id, logs the failure as a JSON line with that request id, never
 * logs the token, writes nothing in either workspace, and the same request
 * retried once the binding is back succeeds (nothing half-written, no
 * Idempotency-Key left claimed).
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { api, type ApiResponse } from '../helpers';
import { dbState, dialectOf, expectError, expectSuccess, makeWorld, type SuccessKind, type World } from './support';

let w: World;
const logs = {
  error: vi.spyOn(console, 'error').mockImplementation(() => {}),
  log: vi.spyOn(console, 'log').mockImplementation(() => {}),
  warn: vi.spyOn(console, 'warn').mockImplementation(() => {}),
};
afterAll(() => Object.values(logs).forEach((spy) => spy.mockRestore()));

beforeAll(async () => {
  w = await makeWorld();
}, 60_000);

interface Write {
  name: string;
  method: string;
  path: string;
  body?: unknown;
  kind: SuccessKind;
  /** Upwell clients send the bare token. */
  bare?: boolean;
}

const uniq = () => crypto.randomUUID().slice(0, 8);
const created = async (path: string, body: unknown): Promise<string> => {
  const res = await api('POST', path, { token: w.A.token, body });
  expect(res.status, `${path}: ${JSON.stringify(res.body)}`).toBe(201);
  return res.body.data.id;
};

/** Prints a generated write as its route and generated values in counterexamples. */
const shown = <T>(route: string, values: unknown, make: () => Promise<T>) =>
  Object.assign(make, { [fc.toStringMethod]: () => `${route} ${JSON.stringify(values)}` });

/** A random valid write of every write route; DELETEs target a record made for the run. */
const writeArb = (): fc.Arbitrary<() => Promise<Write>> => {
  const name = fc.string({ minLength: 1, maxLength: 30 }).map((s) => `${s.trim() || 'x'}`);
  const cases: fc.Arbitrary<() => Promise<Write>>[] = [
    fc.record({ name, type: fc.constantFrom('company', 'individual'), tax: fc.boolean() }).map((b) => shown('POST /api/customers', b, async () => ({
      name: 'POST /api/customers',
      method: 'POST',
      path: '/api/customers',
      body: { name: b.name, type: b.type, segment_id: w.A.segment, ...(b.tax ? { tax_ids: [{ tax: 'VAT', tax_value: `FR${uniq()}` }] } : {}) },
      kind: 'qwoty.create',
    }))),
    name.map((n) => shown('PATCH /api/customers/:id', n, async () => ({ name: 'PATCH /api/customers/:id', method: 'PATCH', path: `/api/customers/${w.A.customer}`, body: { name: n, tax_ids: [] }, kind: 'qwoty.update' }))),
    name.map((n) => shown('POST /api/contacts', n, async () => ({
      name: 'POST /api/contacts',
      method: 'POST',
      path: '/api/contacts',
      body: { customer_id: w.A.customer, first_name: n, last_name: 'L', email: 'f@example.com', role: ['buyer'] },
      kind: 'qwoty.create',
    }))),
    name.map((n) => shown('PATCH /api/contacts/:id', n, async () => ({ name: 'PATCH /api/contacts/:id', method: 'PATCH', path: `/api/contacts/${w.A.contact}`, body: { first_name: n }, kind: 'qwoty.update' }))),
    name.map((n) => shown('POST /api/addresses', n, async () => ({
      name: 'POST /api/addresses',
      method: 'POST',
      path: '/api/addresses',
      body: { customer_id: w.A.customer, contact_id: w.A.contact, type: 'shipping', address_line1: n, city: 'Lyon', postal_code: '69001', country: 'fr' },
      kind: 'qwoty.create',
    }))),
    name.map((n) => shown('PATCH /api/addresses/:id', n, async () => ({ name: 'PATCH /api/addresses/:id', method: 'PATCH', path: `/api/addresses/${w.A.address}`, body: { city: n }, kind: 'qwoty.update' }))),
    name.map((n) => shown('POST /api/segments', n, async () => ({ name: 'POST /api/segments', method: 'POST', path: '/api/segments', body: { name: n }, kind: 'qwoty.create' }))),
    name.map((n) => shown('PATCH /api/segments/:id', n, async () => ({ name: 'PATCH /api/segments/:id', method: 'PATCH', path: `/api/segments/${w.A.segment}`, body: { description: n }, kind: 'qwoty.update' }))),
    fc.constantFrom('segments', 'customers', 'contacts', 'addresses').map((r) => shown(`DELETE /api/${r}/:id`, r, async () => {
      // A record of its own, so that the retry can delete it.
      const customer = r === 'contacts' || r === 'addresses' ? w.A.customer : undefined;
      const body = {
        segments: { name: 'Doomed' },
        customers: { name: 'Doomed', type: 'company', tax_ids: [{ tax: 'VAT', tax_value: 'X' }] },
        contacts: { customer_id: customer, first_name: 'D', last_name: 'D', email: 'd@example.com' },
        addresses: { customer_id: customer, type: 'billing', address_line1: '1', city: 'C', postal_code: '1', country: 'FR' },
      }[r];
      const id = await created(`/api/${r}`, body);
      return { name: `DELETE /api/${r}/:id`, method: 'DELETE', path: `/api/${r}/${id}`, kind: 'qwoty.delete' };
    })),
    fc.record({ name, legal: fc.option(name, { nil: undefined }), tax: fc.boolean() }).map((b) => shown('POST /api/customers/create', b, async () => ({
      name: 'POST /api/customers/create',
      method: 'POST',
      path: '/api/customers/create',
      body: { name: b.name, legal_name: b.legal, ...(b.tax ? { tax_id: `ES${uniq()}` } : {}) },
      kind: 'ambiosys.create',
    }))),
    fc.record({ name, source: fc.boolean(), nested: fc.boolean(), bare: fc.boolean() }).map((b) => shown('POST /api/rest/customers', b, async () => ({
      name: 'POST /api/rest/customers',
      method: 'POST',
      path: '/api/rest/customers',
      bare: b.bare,
      body: {
        input: {
          name: b.name,
          billToCustomerId: w.A.customer,
          ...(b.source ? { sourceSystem: 'erp', sourceSystemId: `s-${uniq()}` } : {}),
          ...(b.nested
            ? {
                addresses: { data: [{ streetLine1: '1 St', city: 'Paris', zipOrPostalCode: '75001', country: 'FR' }] },
                contacts: { data: [{ firstName: 'A', lastName: 'B', emailAddress: 'ab@example.com' }] },
                customerRule: { data: { dueOption: 30 } },
              }
            : {}),
        },
      },
      kind: 'upwell.create',
    }))),
    fc.array(name, { minLength: 1, maxLength: 5 }).map((names) => shown('POST /api/rest/bulk-customers', names, async () => ({
      name: 'POST /api/rest/bulk-customers',
      method: 'POST',
      path: '/api/rest/bulk-customers',
      bare: true,
      body: { inputs: names.map((n, i) => ({ name: n, sourceSystem: 'erp', sourceSystemId: `b-${uniq()}-${i}`, addresses: { data: [{ streetLine1: '2 St', city: 'Nice', zipOrPostalCode: '06000', country: 'FR' }] } })) },
      kind: 'upwell.bulk',
    }))),
    fc.record({ name, due: fc.option(fc.integer({ min: 0, max: 100_000 }), { nil: null }) }).map((b) => shown('PUT /api/rest/customers/:id', b, async () => ({
      name: 'PUT /api/rest/customers/:id',
      method: 'PUT',
      path: `/api/rest/customers/${w.A.upwell}`,
      bare: true,
      body: { input: { name: b.name, collectorId: 'c1' }, customerRulesInput: { dueOption: b.due } },
      kind: 'upwell.putId',
    }))),
    name.map((n) => shown('PUT /api/rest/customers', n, async () => ({
      name: 'PUT /api/rest/customers',
      method: 'PUT',
      path: '/api/rest/customers',
      body: { sourceSystem: w.A.sourceSystem, sourceSystemId: w.A.sourceSystemId, input: { name: n } },
      kind: 'upwell.putSource',
    }))),
  ];
  return fc.oneof(...cases);
};

/** Errors a binding may throw: D1-like messages, network failures, odd Error subclasses, with causes. */
const faultError = fc
  .tuple(
    fc.constantFrom(Error, TypeError, RangeError, SyntaxError),
    fc.oneof(
      fc.constantFrom(
        'D1_ERROR: Network connection lost.',
        'D1_ERROR: database is locked: SQLITE_BUSY',
        'D1_ERROR: no such table: customers',
        'KV GET failed: 503 Service Unavailable',
        'Internal error in D1 DB storage caused object to be reset.',
        'Too many API requests by single worker invocation.',
        '',
      ),
      fc.string({ maxLength: 60 }),
    ),
    fc.boolean(),
  )
  .map(([Kind, message, withCause]) => {
    const error = new Kind(message);
    if (withCause) (error as Error & { cause?: unknown }).cause = new Error(`cause: ${message}`);
    return error;
  });

function expectLogged(res: ApiResponse, token: string, where: string) {
  const requestId = res.headers.get('X-Request-Id')!;
  const lines = logs.error.mock.calls.map((args) => args.map(String).join(' '));
  const everything = [...lines, ...logs.log.mock.calls.map((a) => a.map(String).join(' ')), ...logs.warn.mock.calls.map((a) => a.map(String).join(' '))];
  const entries = lines.flatMap((line) => {
    try {
      return [JSON.parse(line) as Record<string, unknown>];
    } catch {
      return [];
    }
  });
  expect(entries.filter((e) => e.request_id === requestId), `${where}: no JSON error line with request_id ${requestId} in\n${lines.join('\n')}`).toHaveLength(1);
  for (const line of everything) {
    expect(line.includes(token), `${where}: the token was logged: ${line.slice(0, 300)}`).toBe(false);
    expect(line.includes(token.slice(-20)), `${where}: part of the token was logged`).toBe(false);
  }
}

describe('D1 or KV failing under random writes', () => {
  it('answers 500/503 with the request id, logs it without the token, writes nothing, and the retry succeeds', async () => {
    await fc.assert(
      fc.asyncProperty(writeArb(), fc.constantFrom('d1', 'kv'), faultError, fc.option(fc.uuid(), { nil: undefined }), async (make, binding, error, key) => {
        const write = await make();
        const where = `${write.name} with ${binding} throwing ${error.name}: ${JSON.stringify(error.message)}${key ? ' (Idempotency-Key)' : ''}`;
        const headers: Record<string, string> = { ...(key ? { 'Idempotency-Key': key } : {}), ...(write.bare ? { Authorization: w.A.token } : {}) };
        const call = (faults?: { d1?: () => Error; kv?: () => Error }) =>
          api(write.method, write.path, { token: write.bare ? undefined : w.A.token, body: write.body, headers, faults });
        for (const spy of Object.values(logs)) spy.mockClear();
        const before = await dbState(w);
        const res = await call({ [binding]: () => error });
        const after = await dbState(w);
        const at = `${where} -> ${res.status} ${JSON.stringify(res.body)}`;
        expect([500, 503], at).toContain(res.status);
        const e = expectError(res, dialectOf(write.path), at);
        expect(['internal_error', 'INTERNAL_SERVER_ERROR', '500', '503'], at).toContain(e.code);
        expect(res.usage.d1, at).toBeLessThanOrEqual(binding === 'kv' ? 0 : 1);
        expectLogged(res, w.A.token, at);
        // Internal details stay in the log, not in the answer.
        if (error.message.length > 8) expect(JSON.stringify(res.body).includes(error.message), `${at}: the error message reached the client`).toBe(false);
        expect(after.a, `${at}: partial write in workspace A`).toEqual(before.a);
        expect(after.b, `${at}: workspace B changed`).toEqual(before.b);
        // The binding is back: the very same request (same Idempotency-Key) now succeeds, and is not a replay.
        const retry = await call();
        expect(retry.status, `${where}: retry -> ${retry.status} ${JSON.stringify(retry.body)}`).toBeLessThan(300);
        expectSuccess(write.kind, retry, w.A.workspaceId, `${where}: retry`);
        expect(retry.headers.get('Idempotent-Replayed'), `${where}: retry was a replay`).toBeNull();
      }),
      { numRuns: 100 },
    );
  }, 120_000);
});
