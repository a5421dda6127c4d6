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
import { EventList } from '../../src/events/queries';
import { EVENT_TYPES, OBJECT_TYPES } from '../../src/events/sources';
import { CURRENCY_CODES } from '../../src/lib/currencies';
import { fold } from '../../src/lib/text';
import { parseInstant } from '../../src/lib/time';
import type { FieldSpec, Kind } from '../../src/model/fields';
import { listSchema, syncedListSchema } from '../../src/model/page';
import { segment } from '../../src/segments/fields';
import { searchable } from '../../src/store/search';
import { endpoint } from '../../src/webhooks/fields';
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
  /**
   * The rules over several parameters (on the values as sent, valid or not):
   * the parameters a 400 names for those that are broken.
   */
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
    case 'currency':
      // Trimmed and upper-cased before the check (src/model/values.ts).
      return (s) => CURRENCY_CODES.has(s.trim().toUpperCase());
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

/** An ISO 8601 instant the API takes (src/lib/time.ts decides the calendar and the range). */
const instant: QueryRule = (s) => typeof parseInstant(s) === 'number';

/**
 * Incremental sync (README, "Lists"): `order` id or updated_at,
 * `updated_since` an instant (it implies order=updated_at), and each walk's
 * cursor: the last id (any case), or `u.<updated_at>.<id>` of the updated_at
 * walk (as the API wrote it, in lower case).
 */
const UPDATED_CURSOR = /^u\.\d{1,16}\.[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const SYNC: Record<string, QueryRule> = {
  order: (s) => s === 'id' || s === 'updated_at',
  updated_since: instant,
  cursor: (s) => UUID_RE.test(s) || UPDATED_CURSOR.test(s),
};
type Walk = 'id' | 'updated' | 'search' | 'prefix';
const syncWalk = (p: Map<string, string>): Walk => (p.get('order') === 'updated_at' || (!p.has('order') && p.has('updated_since')) ? 'updated' : 'id');

/** The rules over several sync parameters: updated_since takes the updated_at order; a cursor must be its walk's. */
function syncAcross(p: Map<string, string>, walk: Walk, cursorOk: (cursor: string, walk: Walk) => boolean): string[] {
  const bad: string[] = [];
  if (p.has('updated_since') && p.get('order') === 'id') bad.push('updated_since');
  if (p.has('cursor') && !cursorOk(p.get('cursor')!, walk)) bad.push('cursor');
  return bad;
}

/** A customer search's walks (README, "Lists"): q of 3+ characters (folded) walks the index, `s.<n>`; shorter, the names from the prefix on, `p.<base64url of [name, id]>`. */
const SEARCH_CURSOR = /^s\.\d{1,19}$/;
const PREFIX_CURSOR = /^p\.[A-Za-z0-9_-]{1,2000}$/;
function prefixCursorOk(cursor: string): boolean {
  try {
    const bytes = Uint8Array.from(atob(cursor.slice(2).replaceAll('-', '+').replaceAll('_', '/')), (c) => c.charCodeAt(0));
    const value: unknown = JSON.parse(new TextDecoder().decode(bytes));
    return Array.isArray(value) && value.length === 2 && typeof value[0] === 'string' && typeof value[1] === 'string' && UUID_RE.test(value[1]);
  } catch {
    return false;
  }
}
const customerCursor = (cursor: string, walk: Walk) =>
  walk === 'id' ? UUID_RE.test(cursor) : walk === 'updated' ? UPDATED_CURSOR.test(cursor) : walk === 'search' ? SEARCH_CURSOR.test(cursor) : PREFIX_CURSOR.test(cursor) && prefixCursorOk(cursor);

/** `include`: contacts, addresses, or two of them comma-separated (a name twice is the name once). */
const INCLUDE: QueryRule = (s) => /^(contacts|addresses)(,(contacts|addresses))?$/.test(s);

/** The customers list's filters: the updated_at walk takes none of them (it would walk the workspace). */
const CUSTOMER_FILTERS = [...Object.keys(customer.filters), 'tax_value'];

/** The customers list: q walks its own order (no `order`, no `updated_since`); the updated_at walk takes no filter; the cursor must be the walk's. */
function customerAcross(p: Map<string, string>): string[] {
  const q = p.get('q');
  if (q === undefined) {
    const walk = syncWalk(p);
    // The updated_at walk takes no filter, nor a status (it syncs every customer).
    return [...syncAcross(p, walk, customerCursor), ...(walk === 'updated' ? [...CUSTOMER_FILTERS, 'status', 'metadata'].filter((filter) => p.has(filter)) : [])];
  }
  const bad: string[] = [];
  if (p.has('order')) bad.push('order');
  if (p.has('updated_since')) bad.push('updated_since');
  const walk: Walk = searchable(fold(q.trim())) ? 'search' : 'prefix';
  if (p.has('cursor') && !customerCursor(p.get('cursor')!, walk)) bad.push('cursor');
  return bad;
}

/** Every list route and the query parameters it takes, each with its rule. */
export const QUERY_ROUTES: QueryRoute[] = named<QueryRoute>([
  {
    name: 'GET /api/customers',
    dialect: 'canonical',
    kind: 'canonical.list',
    path: '/api/customers',
    // Beyond the declared filters: tax_value (any tax id) and q (name substring), text up to 255; sync; a cursor of any walk.
    params: {
      ...paramsOf(CustomerList, specsOf(customer), { tax_value: text255, q: text255, order: SYNC.order!, updated_since: SYNC.updated_since!, include: INCLUDE, status: (s) => ['active', 'archived', 'all'].includes(s), metadata: () => false }),
      cursor: (s) => UUID_RE.test(s) || UPDATED_CURSOR.test(s) || SEARCH_CURSOR.test(s) || PREFIX_CURSOR.test(s),
    },
    across: customerAcross,
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
    params: { ...paramsOf(syncedListSchema(declared.filters), specsOf(declared), SYNC), cursor: SYNC.cursor! },
    // The cursor as the API reads it: lower-cased first.
    across: (p) => syncAcross(p, syncWalk(p), (cursor, walk) => (walk === 'updated' ? UPDATED_CURSOR : UUID_RE).test(cursor.toLowerCase())),
  })),
  {
    name: 'GET /api/events',
    dialect: 'canonical',
    kind: 'events.list',
    path: '/api/events',
    // Oldest or newest first; an event type or `object.*`; an object; created_at bounds; the cursor an event's sequence number.
    params: {
      ...paramsOf(EventList, {}, {
        order: (s) => s === 'asc' || s === 'desc',
        type: (s) => [...EVENT_TYPES, ...OBJECT_TYPES.map((o) => `${o}.*`)].includes(s),
        object_id: (s) => UUID_RE.test(s),
        created_gte: instant,
        created_lt: instant,
      }),
      cursor: (s) => /^\d{1,19}$/.test(s),
    },
  },
  {
    name: 'GET /api/webhook_endpoints',
    dialect: 'canonical',
    kind: 'canonical.list',
    path: '/api/webhook_endpoints',
    params: paramsOf(listSchema(endpoint.filters), specsOf(endpoint)),
  },
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

/** Routes that name one record by path: `${prefix}${id}${suffix}`. */
export interface IdRoute {
  /** `METHOD path` as the route is registered. */
  name: string;
  method: 'GET' | 'PATCH' | 'DELETE' | 'PUT' | 'POST';
  dialect: Dialect;
  kind: SuccessKind;
  prefix: string;
  /** What follows the id (an action on the record: `/rotate_secret`). */
  suffix?: string;
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
  // Take no body.
  ...(['archive', 'restore'] as const).map(
    (action): IdRoute => ({ name: `POST /api/customers/:id/${action}`, method: 'POST', dialect: 'canonical', kind: 'canonical.update', prefix: '/api/customers/', suffix: `/${action}`, own: ownOf('customers') }),
  ),
  { name: 'GET /api/customers/getCustomers/:id', method: 'GET', dialect: 'ambiosys', kind: 'ambiosys.get', prefix: '/api/customers/getCustomers/', own: (w) => w.A.numbers.map(String) },
  { name: 'GET /api/rest/customers/:id', method: 'GET', dialect: 'upwell', kind: 'upwell.get', prefix: '/api/rest/customers/', own: ownOf('customers') },
  { name: 'PUT /api/rest/customers/:id', method: 'PUT', dialect: 'upwell', kind: 'upwell.putId', prefix: '/api/rest/customers/', body: { input: {} }, own: ownOf('customers') },
  { name: 'GET /api/events/:id', method: 'GET', dialect: 'canonical', kind: 'events.get', prefix: '/api/events/', own: (w) => [w.A.event] },
  // Takes no body.
  { name: 'POST /api/events/:id/redeliver', method: 'POST', dialect: 'canonical', kind: 'events.redeliver', prefix: '/api/events/', suffix: '/redeliver', own: (w) => [w.A.event] },
  ...(
    [
      ['GET', 'canonical.get', '', undefined],
      ['PATCH', 'canonical.update', '', {}],
      ['DELETE', 'canonical.delete', '', undefined],
      // Takes no body.
      ['POST', 'webhooks.rotate', '/rotate_secret', undefined],
      ['GET', 'webhooks.deliveries', '/deliveries', undefined],
    ] as const
  ).map(
    ([method, kind, suffix, body]): IdRoute => ({
      name: `${method} /api/webhook_endpoints/:id${suffix}`,
      method,
      dialect: 'canonical',
      kind,
      prefix: '/api/webhook_endpoints/',
      ...(suffix ? { suffix } : {}),
      ...(body ? { body } : {}),
      own: method === 'DELETE' ? () => [] : (w) => [w.A.endpoint],
    }),
  ),
]);
