/**
 * Fault injection, property flavoured: random valid requests over every route
 * of the three APIs but the GETs (each route that takes a body, with a valid
 * body from ./body-routes.ts, and each DELETE), while D1 or KV throws a
 * random error. Each answers 500 in its API's error shape with the request id of
 * X-Request-Id, logs the failure as a JSON line with that request id, never
 * logs the token, writes nothing in either workspace, and the same request
 * retried once the binding is back succeeds (nothing half-written, no
 * Idempotency-Key left claimed).
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { dialectOf, expectErrorShape } from '../errors';
import { create, createAddress, createContact, createCustomer, createSegment } from '../fixtures';
import { api, type ApiResponse } from '../helpers';
import { BODY_ROUTES, fieldsOf } from './body-routes';
import { setAt } from './json';
import { ID_ROUTES } from './url-routes';
import { expectSuccess, type SuccessKind } from './shapes';
import { dbState, endpointRoom, makeWorld, type World } from './world';

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

/** Prints a generated write as its route and generated values in counterexamples. */
const shown = <T>(route: string, values: unknown, make: () => Promise<T>) =>
  Object.assign(make, { [fc.toStringMethod]: () => `${route} ${JSON.stringify(values)}` });

/** A valid text value (1..30 printable characters once trimmed). */
const text = fc.string({ minLength: 1, maxLength: 30 }).map((s) => `${s.trim() || 'x'}`);

/** A valid body of every route that takes one (./body-routes.ts), with a random value in one of its text fields. */
const bodyWrite = fc.constantFrom(...BODY_ROUTES).chain((r) => {
  const fields = fieldsOf(r, 'text');
  const field = fields.length ? fc.option(fc.constantFrom(...fields), { nil: undefined }) : fc.constant(undefined);
  return fc.tuple(field, text, fc.boolean()).map(([f, value, bare]) =>
    shown(r.name, { field: f?.path.join('.'), value, bare }, async (): Promise<Write> => {
      await r.prepare?.(w);
      return {
        name: r.name,
        method: r.method,
        path: r.path(w),
        body: f ? setAt(r.valid(w), f.path, value) : r.valid(w),
        kind: r.kind,
        bare: r.dialect === 'upwell' && bare,
      };
    }),
  );
});

/** A record of its own for each DELETE route, so that the retry can delete it. */
const CREATE: Record<string, () => Promise<{ id: string }>> = {
  '/api/segments/': () => createSegment(w.A.token),
  '/api/customers/': () => createCustomer(w.A.token, { tax_ids: [{ tax: 'VAT', tax_value: 'X' }] }),
  '/api/contacts/': () => createContact(w.A.token, w.A.customer),
  '/api/addresses/': () => createAddress(w.A.token, w.A.customer),
  '/api/webhook_endpoints/': async () => {
    await endpointRoom(w);
    return create(w.A.token, '/api/webhook_endpoints', { url: 'https://example.com/hooks', enabled: false });
  },
};
const deleteWrite = fc.constantFrom(...ID_ROUTES.filter((r) => r.method === 'DELETE')).map((r) =>
  shown(r.name, r.prefix, async (): Promise<Write> => {
    if (!CREATE[r.prefix]) throw new Error(`${r.name}: no record to delete in test/properties/faults.test.ts`);
    const { id } = await CREATE[r.prefix]!();
    return { name: r.name, method: r.method, path: `${r.prefix}${id}`, kind: r.kind };
  }),
);

/** The POSTs that take no body, on one of A's records (the retry acts on it again: a rotation, a redelivery). */
const actionWrite = fc.constantFrom(...ID_ROUTES.filter((r) => r.method === 'POST')).map((r) =>
  shown(r.name, r.prefix, async (): Promise<Write> => ({ name: r.name, method: r.method, path: `${r.prefix}${r.own(w)[0]}${r.suffix ?? ''}`, kind: r.kind })),
);

/** A random valid write (or body read) of every route but the GETs. */
const writeArb = (): fc.Arbitrary<() => Promise<Write>> => fc.oneof({ weight: 4, arbitrary: bodyWrite }, deleteWrite, { weight: 1, arbitrary: actionWrite });

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
        const headers: Record<string, string> = key ? { 'Idempotency-Key': key } : {};
        const auth = write.bare ? { authorization: w.A.token } : { token: w.A.token };
        const call = (faults?: { d1?: () => Error; kv?: () => Error }) => api(write.method, write.path, { ...auth, body: write.body, headers, faults });
        for (const spy of Object.values(logs)) spy.mockClear();
        const before = await dbState(w);
        const res = await call({ [binding]: () => error });
        const after = await dbState(w);
        const at = `${where} -> ${res.status} ${JSON.stringify(res.body)}`;
        const dialect = dialectOf(write.path);
        expect(res.status, at).toBe(500);
        const e = expectErrorShape(res, dialect, at);
        expect(e.code, at).toBe({ canonical: 'internal_error', ambiosys: '500', upwell: 'INTERNAL_SERVER_ERROR' }[dialect]);
        // KV fails at authentication, before any D1 call; D1 fails on the request's one round trip.
        expect(res.usage.d1, at).toBe(binding === 'kv' ? 0 : 1);
        expectLogged(res, w.A.token, at);
        // Internal details stay in the log, not in the answer.
        if (error.message.length > 8) expect(JSON.stringify(res.body).includes(error.message), `${at}: the error message reached the client`).toBe(false);
        expect(after.a, `${at}: partial write in workspace A`).toEqual(before.a);
        expect(after.b, `${at}: workspace B changed`).toEqual(before.b);
        // The binding is back: the very same request (same Idempotency-Key) now succeeds, and is not a replay.
        const retry = await call();
        expect(retry.status, `${where}: retry -> ${retry.status} ${JSON.stringify(retry.body)}`).toBeLessThan(300);
        expectSuccess(write.kind, retry, w.A.workspaceId, `${where}: retry`, write.body);
        expect(retry.headers.get('Idempotent-Replayed'), `${where}: retry was a replay`).toBeNull();
      }),
      { numRuns: 100 },
    );
  }, 120_000);
});
