/**
 * The routes named by their URL alone: every list with the query parameters
 * it takes (each with the rule that decides it), and every route that names
 * one record by a path id. Parameter names come from the list schemas (a
 * parameter without a rule here fails loudly); the rules are the README's.
 */
import type * as v from 'valibot';
import { address } from '../../src/addresses/fields';
import { AmbiosysList } from '../../src/compat/ambiosys/schemas';
import { ListQuery } from '../../src/compat/upwell/schemas';
import { contact } from '../../src/contacts/fields';
import { customer } from '../../src/customers/fields';
import { CustomerList } from '../../src/customers/queries';
import type { FieldSpec, Kind } from '../../src/model/fields';
import { listSchema } from '../../src/model/page';
import { segment } from '../../src/segments/fields';
import type { Dialect } from '../errors';
import { named } from './body-routes';
import { entriesOf } from './fields';
import type { Body } from './json';
import { UUID_RE, type SuccessKind } from './shapes';
import type { World } from './world';

/** Length rule of text(): trimmed, min..max characters counted as Unicode code points (README, "Objects"). */
export function lengthOk(value: string, min: number, max: number): boolean {
  const points = [...value.trim()].length;
  return points >= min && points <= max;
}

/** Whether a parameter's value is accepted. */
export type QueryRule = (value: string) => boolean;

export interface QueryRoute {
  name: string;
  dialect: Dialect;
  kind: SuccessKind;
  path: string;
  params: { [key: string]: QueryRule };
  /** A rule over several parameters, once each is valid: the parameters a 400 names when it is broken. */
  across?: (params: Map<string, string>) => string[];
}

/** An integer of at most `maxDigits` ASCII digits (leading zeros count) in min..max. */
const digits = (maxDigits: number, min: number, max: number): QueryRule => (s) => /^\d+$/.test(s) && s.length <= maxDigits && Number(s) >= min && Number(s) <= max;

/** A filter's rule, from its declared kind (exact-match filters take text, ids and enum values). */
function kindRule(kind: Kind): QueryRule {
  switch (kind.type) {
    case 'text':
      return (s) => lengthOk(s, 1, kind.max);
    case 'uuid':
      return (s) => UUID_RE.test(s);
    case 'enum':
      return (s) => kind.values.includes(s);
    default:
      throw new Error(`No query rule for a ${kind.type} filter`);
  }
}

/** The canonical lists' keyset page: limit 1..100, cursor a previous next_cursor (README, "Lists"). */
const PAGE: Record<string, QueryRule> = { limit: digits(3, 1, 100), cursor: (s) => UUID_RE.test(s) };

/** Every parameter of `schema`, with the rule of its declared filter, the page's, or one of `extra`. */
function paramsOf(schema: v.GenericSchema, specs: Record<string, FieldSpec>, extra: Record<string, QueryRule> = {}) {
  return Object.fromEntries(
    Object.keys(entriesOf(schema)).map((key): [string, QueryRule] => {
      if (Object.hasOwn(specs, key) && specs[key]!.filter) return [key, kindRule(specs[key]!.kind)];
      if (Object.hasOwn(PAGE, key)) return [key, PAGE[key]!];
      if (Object.hasOwn(extra, key)) return [key, extra[key]!];
      throw new Error(`List parameter ${key} has no rule in test/properties/url-routes.ts`);
    }),
  );
}

const specsOf = (declared: { specs: object }) => declared.specs as Record<string, FieldSpec>;
const text255: QueryRule = (s) => lengthOk(s, 1, 255);

/** Every list route and the query parameters it takes, each with its rule. */
export const QUERY_ROUTES: QueryRoute[] = named<QueryRoute>([
  {
    name: 'GET /api/customers',
    dialect: 'canonical',
    kind: 'canonical.list',
    path: '/api/customers',
    // Beyond the declared filters: tax_value (any tax id) and q (name substring), text up to 255.
    params: paramsOf(CustomerList, specsOf(customer), { tax_value: text255, q: text255 }),
  },
  ...(
    [
      ['contacts', contact],
      ['addresses', address],
      ['segments', segment],
    ] as const
  ).map(([r, declared]): QueryRoute => ({
    name: `GET /api/${r}`,
    dialect: 'canonical',
    kind: 'canonical.list',
    path: `/api/${r}`,
    params: paramsOf(listSchema(declared.filters), specsOf(declared)),
  })),
  {
    name: 'GET /api/customers/getCustomers',
    dialect: 'ambiosys',
    kind: 'ambiosys.list',
    path: '/api/customers/getCustomers',
    params: paramsOf(AmbiosysList, {}, {
      page: digits(6, 0, 100_000),
      limit: digits(6, 1, 100),
      // List screens send `search=` when the box is empty: blank is no search.
      search: (s) => s.trim() === '' || text255(s),
    }),
    // Pages reach at most 100000 rows deep: beyond, a 400 naming `page`.
    across: (p) => (Number(p.get('page') ?? 0) * Number(p.get('limit') ?? 10) > 100_000 ? ['page'] : []),
  },
  {
    name: 'GET /api/rest/customers',
    dialect: 'upwell',
    kind: 'upwell.list',
    path: '/api/rest/customers',
    params: paramsOf(ListQuery, {}, { limit: digits(6, 1, 100), offset: digits(6, 0, 100_000) }),
  },
]);

/** Routes that name one record by path. */
export interface IdRoute {
  /** `METHOD path` as the route is registered. */
  name: string;
  method: 'GET' | 'PATCH' | 'DELETE' | 'PUT';
  dialect: Dialect;
  kind: SuccessKind;
  prefix: string;
  body?: Body;
  /** A's own ids this route would find (so a random id equal to one is not "missing"). */
  own: (w: World) => string[];
}

const RESOURCES = { customers: 'customer', contacts: 'contact', addresses: 'address', segments: 'segment' } as const;
const ownOf = (r: keyof typeof RESOURCES) => (w: World) => [w.A[RESOURCES[r]], ...(r === 'customers' ? [w.A.upwell] : [])];

export const ID_ROUTES: IdRoute[] = named([
  ...(Object.keys(RESOURCES) as (keyof typeof RESOURCES)[]).flatMap((r): IdRoute[] => [
    { name: `GET /api/${r}/:id`, method: 'GET', dialect: 'canonical', kind: 'canonical.get', prefix: `/api/${r}/`, own: ownOf(r) },
    { name: `PATCH /api/${r}/:id`, method: 'PATCH', dialect: 'canonical', kind: 'canonical.update', prefix: `/api/${r}/`, body: {}, own: ownOf(r) },
    { name: `DELETE /api/${r}/:id`, method: 'DELETE', dialect: 'canonical', kind: 'canonical.delete', prefix: `/api/${r}/`, own: () => [] },
  ]),
  { name: 'GET /api/customers/getCustomers/:id', method: 'GET', dialect: 'ambiosys', kind: 'ambiosys.get', prefix: '/api/customers/getCustomers/', own: (w) => w.A.numbers.map(String) },
  { name: 'GET /api/rest/customers/:id', method: 'GET', dialect: 'upwell', kind: 'upwell.get', prefix: '/api/rest/customers/', own: ownOf('customers') },
  { name: 'PUT /api/rest/customers/:id', method: 'PUT', dialect: 'upwell', kind: 'upwell.putId', prefix: '/api/rest/customers/', body: { input: {} }, own: ownOf('customers') },
]);
