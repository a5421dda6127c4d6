/**
 * URLs clients get wrong (issue 4): random path ids on every route that names
 * one record, and random query strings on every list. An id that names
 * nothing of A answers exactly like a missing UUID; a query string is a 200
 * exactly when every parameter is known and valid, else a 400 naming each bad
 * one.
 */
import { env } from 'cloudflare:workers';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MISSING_ID } from '../fixtures';
import { nastyString } from './arbitraries';
import { TIMEOUT, useWorld, W } from './bad-input';
import { printable, send } from './send';
import { ID_ROUTES, QUERY_ROUTES, type QueryRoute } from './url-routes';

const ambiosys = QUERY_ROUTES.find((r) => r.dialect === 'ambiosys')!;

useWorld();

describe('random path ids', () => {
  const upper = (s: string) => s.toUpperCase();
  /** Path segments: UUIDs of any version, B's ids, numbers, junk, huge, percent-escapes (raw or encoded). */
  const idArb = () =>
    fc
      .oneof(
        fc.uuid(),
        fc.uuid().map(upper),
        fc.uuid({ version: 7 }),
        fc.constantFrom(...W().bIds, ...W().bIds.map(upper)),
        fc.string({ unit: 'binary', minLength: 1, maxLength: 40 }),
        fc.string({ minLength: 1, maxLength: 80 }),
        fc.integer({ min: -10, max: 100_000 }).map(String),
        fc.constantFrom('0', '-1', '1e3', '01', '1.0', '99999999999999999999', '9007199254740993', ' 1', '1 ', '0x1', '+1', 'NaN', 'null', '__proto__', 'constructor', 'Create', 'SEARCH'),
        fc.tuple(fc.uuid(), fc.constantFrom('0', 'x', ' ', '\u0000', '%00', '/')).map(([u, s]) => `${u}${s}`),
        fc.integer({ min: 1000, max: 8000 }).map((n) => 'a'.repeat(n)),
      )
      // Not ids but other routes' names (/api/customers/create, .../getCustomers, /api/rest/customers/search), and dot segments.
      .filter((id) => !['.', '..', 'create', 'getCustomers', 'search'].includes(id));
  const RAW_SAFE = /^[A-Za-z0-9._~%-]+$/;
  // Raw escapes as sent on the wire (%2e and %2e%2e are left out: URL parsing takes them for . and ..).
  const RAW = fc.constantFrom('%', '%zz', '%E0%A4%A', '%00', '%2F', '%ff', '%F0%9F%98%80', '%41');

  it('answers an id that names nothing of A exactly like a missing UUID (404, same code and message), on every route', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...ID_ROUTES), fc.oneof(idArb().map((id) => ({ id, raw: false })), RAW.map((id) => ({ id, raw: true }))), fc.boolean(), async (r, { id, raw }, bare) => {
        const segment = raw && RAW_SAFE.test(id) ? id : encodeURIComponent(id.toWellFormed());
        const body = r.body ? JSON.stringify(r.body) : undefined;
        const call = (seg: string) => printable({ method: r.method, path: `${r.prefix}${seg}${r.suffix ?? ''}`, body, bare: r.dialect === 'upwell' && bare });
        const missing = await send(W(), call(r.dialect === 'ambiosys' ? '999999999' : MISSING_ID), r.kind);
        expect(missing.res.status).toBe(404);
        const out = await send(W(), call(segment), r.kind);
        const where = `${r.name} id=${JSON.stringify(id.slice(0, 100))}`;
        const own = r.own(W()).map((x) => x.toLowerCase());
        // Other properties add customers to A as they run, so A's numbers are read now, not at setup.
        const numbered =
          r.dialect === 'ambiosys' &&
          /^[1-9]\d{0,14}$/.test(id) &&
          (await env.DB.prepare('SELECT 1 FROM customers WHERE workspace_id = ? AND number = ?').bind(W().A.workspaceId, Number(id)).first()) !== null;
        // An id that does name one of A's records (by chance: a number A has, an id of A in upper case) finds it.
        if (own.includes(id.toLowerCase()) || numbered) {
          // (send() checked the route's success shape: 200, or 202 for a redelivery.)
          expect(out.res.status, `${where} -> ${JSON.stringify(out.res.body).slice(0, 300)}`).toBeLessThan(300);
          if (r.dialect === 'ambiosys') expect(out.res.body.cliente.customer_id, where).toBe(Number(id));
          return;
        }
        expect(out.res.status, `${where} -> ${JSON.stringify(out.res.body).slice(0, 300)}`).toBe(404);
        expect(out.error, where).toEqual(missing.error);
      }),
      {
        numRuns: 80,
        // Ids that do name one of A's records: a number A has, A's customer in upper case.
        examples: [
          [ID_ROUTES.find((r) => r.dialect === 'ambiosys')!, { id: '1', raw: false }, false],
          [ID_ROUTES.find((r) => r.name === 'GET /api/customers/:id')!, { id: W().A.customer.toUpperCase(), raw: false }, false],
          [ID_ROUTES.find((r) => r.name === 'POST /api/webhook_endpoints/:id/rotate_secret')!, { id: W().A.endpoint.toUpperCase(), raw: false }, false],
          [ID_ROUTES.find((r) => r.name === 'POST /api/events/:id/redeliver')!, { id: W().A.event, raw: false }, false],
        ],
      },
    );
  }, TIMEOUT);
});

describe('random query strings on every list route', () => {
  it('answers 200 with the list shape exactly when every parameter is known and valid, else 400 naming each bad one', async () => {
    const value = fc.oneof(
      nastyString(255).map((s) => s.slice(0, 2000)),
      fc.integer({ min: -5, max: 200_000 }).map(String),
      fc.constantFrom('company', 'individual', '0', '1', '25', '100', '101', '1e2', '00', '007', ' 5', '5 ', '', '-0', '0x10', '१२', '100000', '100001', '1000000'),
      // Orders, event types, instants and cursors of the sync and events parameters.
      fc.constantFrom('id', 'updated_at', 'asc', 'desc', 'customer.created', 'contact.*', 'segment.deleted', 'customer', '*', '99999999999999999999', '9223372036854775808'),
      fc.constantFrom('2024-01-01T00:00:00Z', '2024-01-01T00:00:00.123+02:00', '2024-02-30T00:00:00Z', '0000-01-01T00:00:00Z', '10000-01-01T00:00:00Z', 'yesterday'),
      fc.uuid().map((u) => `u.1700000000000.${u}`),
      fc.constantFrom('s.1', 's.', 'p.WyJhY21lIiwiMDE5MGEwMDAtMDAwMC03MDAwLTgwMDAtMDAwMDAwMDAwMDAwIl0', 'p.abc', 'u.1.x'),
      fc.uuid(),
      fc.constant(null).map(() => W().bIds[0]!),
      fc.constant(null).map(() => W().B.marker),
      fc.constant(null).map(() => W().A.customer),
    );
    const allKeys = [...new Set(QUERY_ROUTES.flatMap((r) => Object.keys(r.params)))];
    const arb = fc.constantFrom(...QUERY_ROUTES).chain((r) => {
      const key = fc.oneof(
        { weight: 4, arbitrary: fc.constantFrom(...Object.keys(r.params)) },
        fc.constantFrom(...allKeys),
        fc.string({ maxLength: 10 }),
        fc.constantFrom('__proto__', 'constructor', 'toString', 'hasOwnProperty', 'LIMIT', 'limit[]', 'q '),
      );
      const query = fc.oneof(
        { weight: 4, arbitrary: fc.array(fc.tuple(key, value), { maxLength: 5 }).map((pairs) => new URLSearchParams(pairs).toString()) },
        fc.string({ unit: 'binary-ascii', maxLength: 40 }).map((s) => s.replace(/[#\s]/g, '')),
        fc.constantFrom('&&', '=', '=&=', 'limit', 'limit=', 'limit=5&limit=0', 'limit=0&limit=5', 'q=%zz', 'q=%00', 'q=%ff', 'limit=%35', 'page=1&page=x'),
      );
      return fc.tuple(fc.constant(r), query);
    });
    await fc.assert(
      fc.asyncProperty(arb, async ([r, query]) => {
        const path = `${r.path}?${query}`;
        const out = await send(W(), printable({ method: 'GET', path }), r.kind);
        // The parameters as the Worker reads them: the last of a repeated key wins.
        const params = new Map<string, string>();
        for (const [k, v] of new URL(`https://api.test${path}`).searchParams) params.set(k, v);
        // Unknown parameters and invalid values, and the parameters of the rules over several that are broken.
        const bad = [...params].filter(([k, v]) => !Object.hasOwn(r.params, k) || !r.params[k]!(v)).map(([k]) => k);
        const across = r.across?.(params) ?? [];
        const where = `${r.name} ?${query.slice(0, 200)} -> ${JSON.stringify(out.res.body).slice(0, 300)}`;
        if (bad.length === 0 && across.length === 0) {
          expect(out.res.status, where).toBe(200);
          return;
        }
        expect(out.res.status, where).toBe(400);
        const named = new Set(out.error!.paths);
        // Every value valid: the issues name exactly the parameters of the broken rules.
        if (bad.length === 0) {
          expect(named, where).toEqual(new Set(across));
          return;
        }
        // Else they name each bad parameter, and nothing else but a parameter of a broken rule: whether those
        // rules are checked beside bad values depends on the value (a text or cursor check does not stop them,
        // an unknown parameter or a value of the wrong form does).
        for (const name of bad) expect(named.has(name), `${where}: ${name} not named`).toBe(true);
        for (const name of named) expect(bad.includes(name) || across.includes(name), `${where}: ${name} named`).toBe(true);
      }),
      {
        numRuns: 150,
        // The README leaves these to the code: a blank search is no search, leading zeros count as digits, pages reach 100000 rows deep.
        examples: [
          ['search=', 'search=%20%20', 'limit=007&page=0001', 'page=100000&limit=1', 'page=50001&limit=2', 'page=1000&limit=100', 'page=1001&limit=100'].map((q) => [[ambiosys, q]] as [[QueryRoute, string]]),
          ['limit=007', 'limit=0007', 'limit=00'].map((q) => [[QUERY_ROUTES[0]!, q]] as [[QueryRoute, string]]),
        ].flat(),
      },
    );
  }, TIMEOUT);
});
