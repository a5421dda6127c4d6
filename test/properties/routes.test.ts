/**
 * The property tests cover every route the Worker registers: each registered
 * route is in the tables they iterate (./body-routes.ts, ./url-routes.ts),
 * under the API that registers it, and each table names only registered
 * routes. A route added to src/canonical/api.ts, src/compat/ambiosys/api.ts
 * or src/compat/upwell/api.ts without its place in these tables fails here,
 * named. The faults property (faults.test.ts) sends every BODY_ROUTES route
 * and every DELETE and POST of ID_ROUTES, so it covers every route but the GETs.
 */
import { describe, expect, it } from 'vitest';
import { canonicalApi } from '../../src/canonical/api';
import { ambiosysApi } from '../../src/compat/ambiosys/api';
import { upwellApi } from '../../src/compat/upwell/api';
import type { Api } from '../../src/http/api';
import { BODY_ROUTES } from './body-routes';
import { entriesOf } from './fields';
import { ID_ROUTES, QUERY_ROUTES } from './url-routes';

const APIS: Api[] = [canonicalApi, ambiosysApi, upwellApi];
/**
 * Routes that speak NDJSON, not JSON, which these tables' bodies and list
 * shapes do not describe: their own tests cover input, refusals and scopes
 * (test/exchange/routes.test.ts, test/scripts/export-import.test.ts).
 */
const NDJSON_ROUTES = ['GET /api/export', 'POST /api/import'];
/**
 * The lookup and upsert by an external id: their query is one key among five parameters (a rule across them),
 * and what a valid request answers depends on whether a customer has that key (404, 200, 201 or 409), which
 * these tables' one success per route does not describe. test/customers/external.test.ts covers their input,
 * refusals, scopes and writes; the contract suite validates their responses.
 */
const OWN_TEST_ROUTES = ['GET /api/customers/by_external_id', 'PUT /api/customers/by_external_id'];
const registered = APIS.flatMap((api) => api.routes.map((r) => ({ name: `${r.method} ${r.path}`, method: r.method, path: r.path, api: api.name }))).filter(
  (r) => !NDJSON_ROUTES.includes(r.name) && !OWN_TEST_ROUTES.includes(r.name),
);
/**
 * POSTs that take no body (an action on the record their path names; the
 * Worker does not read a body): not in BODY_ROUTES, whose properties are about
 * bodies, but in ID_ROUTES like any route that names a record (random ids in
 * bad-urls.test.ts, B's ids in foreign-ids.test.ts, faults in faults.test.ts).
 */
const BODILESS_ROUTES = [
  'POST /api/events/:id/redeliver',
  'POST /api/webhook_endpoints/:id/rotate_secret',
  'POST /api/customers/:id/archive',
  'POST /api/customers/:id/restore',
];

const TABLES = { BODY_ROUTES, QUERY_ROUTES, ID_ROUTES } as const;
type Table = keyof typeof TABLES;

/** The tables a registered route must be in: by its body (POST, PATCH, PUT), its path id, or as a list (a GET of no id). */
function tablesFor(route: { method: string; path: string }): Table[] {
  const out: Table[] = [];
  if (['POST', 'PATCH', 'PUT'].includes(route.method) && !BODILESS_ROUTES.includes(`${route.method} ${route.path}`)) out.push('BODY_ROUTES');
  if (route.path.includes('/:')) out.push('ID_ROUTES');
  else if (route.method === 'GET') out.push('QUERY_ROUTES');
  return out;
}

/** Each missing (route, table), as `METHOD path: not in TABLE`. */
function missing(routes: { name: string; method: string; path: string }[], tables: Record<Table, { name: string }[]>): string[] {
  return routes.flatMap((r) => tablesFor(r).filter((t) => !tables[t].some((x) => x.name === r.name)).map((t) => `${r.name}: not in ${t}`));
}

describe('the routes the property tests iterate', () => {
  it('include every route registered by the three APIs, each in every table it belongs to', () => {
    expect(registered.length).toBeGreaterThanOrEqual(30);
    expect(missing(registered, TABLES)).toEqual([]);
  });

  it('name only registered routes, each under the API that registers it', () => {
    const apiOf = new Map(registered.map((r) => [r.name, r.api]));
    const stale = Object.entries(TABLES).flatMap(([table, routes]) =>
      (routes as { name: string; dialect: string }[]).filter((r) => apiOf.get(r.name) !== r.dialect).map((r) => `${table}: ${r.name} (${r.dialect}) is registered by ${apiOf.get(r.name) ?? 'no API'}`),
    );
    expect(stale).toEqual([]);
    expect(BODILESS_ROUTES.filter((name) => !apiOf.has(name)), 'BODILESS_ROUTES naming no registered route').toEqual([]);
  });

  it('give every key of each route’s body schema a field, and no field its schema lacks', () => {
    for (const r of BODY_ROUTES) {
      const keys = Object.keys(entriesOf(r.schema)).sort();
      const top = [...new Set(r.fields.filter((f) => f.path.length === 1).map((f) => String(f.path[0])))].sort();
      // Read-only fields are in the tables to prove they are refused; the schema does not take them.
      const taken = [...new Set(r.fields.filter((f) => f.path.length === 1 && f.kind !== 'never').map((f) => String(f.path[0])))].sort();
      expect(keys.filter((k) => !top.includes(k)), `${r.name}: schema keys without a field`).toEqual([]);
      expect(taken.filter((k) => !keys.includes(k)), `${r.name}: fields the schema does not take`).toEqual([]);
    }
  });

  it('the check bites: a route missing from a table is named with the table', () => {
    const routes = [
      { name: 'GET /api/widgets', method: 'GET', path: '/api/widgets' },
      { name: 'PATCH /api/widgets/:id', method: 'PATCH', path: '/api/widgets/:id' },
      { name: 'POST /api/customers', method: 'POST', path: '/api/customers' },
    ];
    expect(missing(routes, TABLES)).toEqual(['GET /api/widgets: not in QUERY_ROUTES', 'PATCH /api/widgets/:id: not in BODY_ROUTES', 'PATCH /api/widgets/:id: not in ID_ROUTES']);
  });
});
