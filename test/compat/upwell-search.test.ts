/**
 * POST /api/rest/customers/search: Hasura boolean expressions (`where`) over
 * the scalar customer fields, `orderBy`, paging, the limits on a search's
 * size, and injection attempts, which must match literally or be a 400 —
 * never a 500, never another workspace's rows, never a changed table.
 */
import { env } from 'cloudflare:workers';
import { beforeAll, describe, expect, it } from 'vitest';
import { fold } from '../../src/lib/text';
import { upwellError } from '../errors';
import { issueToken, revokeToken, snapshot, upwellCall, workspace } from '../helpers';

const SEARCH = '/api/rest/customers/search';
type Fields = Record<string, any>;
type Workspace = Awaited<ReturnType<typeof workspace>>;

/** Created in this order, in one bulk request (so with one createdAt), in this workspace and, as decoys, in another. */
const FIXTURE: Fields[] = [
  { name: 'Acme Corp', emailAddress: 'billing@acme.test', sourceSystem: 'netsuite', sourceSystemId: 'NS-1', collectorId: 'col-1', addressesLastUpdatedAt: '2024-01-01T00:00:00Z', contactsLastUpdatedAt: '2024-06-01T00:00:00Z' },
  { name: 'acme labs', emailAddress: 'ops@acmelabs.test', sourceSystem: 'netsuite', sourceSystemId: 'NS-2', collectorId: 'col-2', deletedAt: '2024-03-01T00:00:00Z', addressesLastUpdatedAt: '2024-02-01T00:00:00Z' },
  { name: 'Globex', sourceSystem: 'hubspot', sourceSystemId: 'HS-1', addressesLastUpdatedAt: '2024-03-01T00:00:00Z', deletedAt: '2023-12-31T23:00:00-01:00' },
  { name: '100% Pure', sourceSystem: 'hubspot', sourceSystemId: 'HS_2' },
  { name: '100 Pure', sourceSystem: 'hubspot', sourceSystemId: 'HSx2' },
  { name: 'Star*Corp' },
  { name: 'StarXCorp' },
  { name: 'What?Inc' },
  { name: 'WhatsInc' },
  { name: '[Bracket] Ltd' },
  { name: 'B Ltd' },
  { name: 'Émile Zola', emailAddress: 'EMILE@Zola.test' },
  { name: "x' OR 1=1 --" },
  { name: 'Back\\slash' },
];
const ALL = FIXTURE.map((c) => c.name as string);
/** The order of `orderBy: name`: by the folded name (case and accents ignored), ties by creation. */
const BY_NAME = ALL.map((name, i) => ({ name, i }))
  .sort((a, b) => (fold(a.name) < fold(b.name) ? -1 : fold(a.name) > fold(b.name) ? 1 : a.i - b.i))
  .map((x) => x.name);
const except = (...names: string[]) => ALL.filter((n) => !names.includes(n));

let W: Workspace;
let other: Workspace;
let created: Fields[];
let ids: Set<string>;
/** The latest createdAt of the fixture customers. */
let bulkAt: string;

beforeAll(async () => {
  [W, other] = [await workspace(), await workspace()];
  for (const ws of [other, W]) {
    const res = await upwellCall('POST', '/api/rest/bulk-customers', ws.token, { body: { inputs: FIXTURE } });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    created = res.body.createCustomers.returning;
  }
  // acme labs is billed to Acme Corp; this update also moves its updatedAt past bulkAt.
  const put = await upwellCall('PUT', `/api/rest/customers/${created[1]!.id}`, W.token, { body: { input: { billToCustomerId: created[0]!.id } } });
  expect(put.status, JSON.stringify(put.body)).toBe(200);
  created[1] = put.body.updateCustomer;
  ids = new Set(created.map((c) => c.id));
  bulkAt = created.map((c) => c.createdAt as string).sort().at(-1)!;
});

/** A successful search by W's token; no row of another workspace may ever come back. */
async function search(body: Fields, token = W.token) {
  const res = await upwellCall('POST', SEARCH, token, { body: body });
  expect(res.status, `${JSON.stringify(body)} -> ${JSON.stringify(res.body)}`).toBe(200);
  for (const c of res.body.customers) expect(ids.has(c.id), `another workspace's row: ${c.name}`).toBe(true);
  return res.body as { customers: Fields[]; customersAggregate: { aggregate: { count: number } } };
}

/** Names matching `where`, in result order; with the default page, count is their number. */
async function names(where: unknown, extra: Fields = {}) {
  const body = await search({ where, ...extra });
  const found = body.customers.map((c) => c.name);
  if (extra.limit === undefined && extra.offset === undefined) expect(body.customersAggregate.aggregate.count).toBe(found.length);
  return found;
}

/** A 400 VALIDATION_ERROR whose details name exactly `paths`, and nothing changed. */
async function invalid(body: unknown, ...paths: string[]) {
  const before = await snapshot(W.workspaceId);
  const res = await upwellCall('POST', SEARCH, W.token, { body: body });
  expect(res.body, JSON.stringify(body)).toEqual(upwellError('VALIDATION_ERROR', ...paths));
  expect(res.status).toBe(400);
  expect(await snapshot(W.workspaceId)).toEqual(before);
}

describe('POST /api/rest/customers/search', () => {
  it('returns whole customers with the aggregate count; no where matches the whole workspace', async () => {
    expect(await search({ where: { id: { _eq: created[1]!.id } } }, W.readOnly)).toEqual({
      customers: [created[1]],
      customersAggregate: { aggregate: { count: 1 } },
    });
    expect(await search({})).toEqual({ customers: created, customersAggregate: { aggregate: { count: 14 } } });
    expect(await names({})).toEqual(ALL);
    expect(await names({ _and: [] })).toEqual(ALL);
  });

  it('compares text fields with _eq, _neq, _gt, _gte, _lt, _lte, _in, _nin, _is_null', async () => {
    const [acme, labs, globex] = created;
    expect(await names({ id: { _eq: acme!.id } })).toEqual(['Acme Corp']);
    expect(await names({ id: { _in: [globex!.id, acme!.id] } })).toEqual(['Acme Corp', 'Globex']);
    expect(await names({ id: { _neq: acme!.id } })).toEqual(except('Acme Corp'));
    expect(await names({ id: { _gt: labs!.id } })).toEqual(ALL.slice(2));
    expect(await names({ id: { _lte: labs!.id } })).toEqual(ALL.slice(0, 2));
    expect(await names({ id: { _nin: [acme!.id, labs!.id] } })).toEqual(ALL.slice(2));
    expect(await names({ name: { _eq: 'Acme Corp' } })).toEqual(['Acme Corp']);
    expect(await names({ name: { _eq: 'acme corp' } })).toEqual([]);
    expect(await names({ name: { _in: ['Globex', 'B Ltd', 'globex'] } })).toEqual(['Globex', 'B Ltd']);
    expect(await names({ emailAddress: { _eq: 'billing@acme.test' } })).toEqual(['Acme Corp']);
    expect(await names({ emailAddress: { _eq: 'billing@ACME.test' } })).toEqual([]);
    expect(await names({ emailAddress: { _neq: 'billing@acme.test' } })).toEqual(['acme labs', 'Émile Zola']);
    expect(await names({ billToCustomerId: { _eq: acme!.id } })).toEqual(['acme labs']);
    expect(await names({ billToCustomerId: { _is_null: true } })).toEqual(except('acme labs'));
    expect(await names({ collectorId: { _in: ['col-2', 'col-9'] } })).toEqual(['acme labs']);
    expect(await names({ collectorId: { _nin: ['col-1'] } })).toEqual(['acme labs']);
    expect(await names({ sourceSystem: { _eq: 'netsuite' } })).toEqual(['Acme Corp', 'acme labs']);
    expect(await names({ sourceSystem: { _in: [] } })).toEqual([]);
    expect(await names({ sourceSystemId: { _in: ['NS-2', 'HS-1', 'nope'] } })).toEqual(['acme labs', 'Globex']);
    expect(await names({ sourceSystemId: { _lt: 'HT' } })).toEqual(['Globex', '100% Pure', '100 Pure']);
    expect(await names({ sourceSystemId: { _gte: 'HS-1', _lt: 'HSx' } })).toEqual(['Globex', '100% Pure']);
    expect(await names({ sourceSystem: { _gt: 'hubspot' } })).toEqual(['Acme Corp', 'acme labs']);
  });

  it('refuses what no index serves, naming each condition (README, "What an index serves")', async () => {
    // Ranges on the name: only its folded copy has a B-tree, and it does not order raw text.
    await invalid({ where: { name: { _gte: 'A', _lt: 'B' } } }, 'where.name._gte', 'where.name._lt');
    // Fields only the search index holds: equality (3+ characters), patterns; no ranges or null tests.
    await invalid({ where: { emailAddress: { _is_null: false } } }, 'where.emailAddress._is_null');
    await invalid({ where: { collectorId: { _gt: 'col' } } }, 'where.collectorId._gt');
    await invalid({ where: { collectorId: { _eq: 'c1' } } }, 'where.collectorId._eq');
    await invalid({ where: { emailAddress: { _in: ['billing@acme.test', 'x'] } } }, 'where.emailAddress._in');
    // Fields no index holds at all.
    await invalid({ where: { addressesLastUpdatedAt: { _gte: '2024-02-01T00:00:00Z' } } }, 'where.addressesLastUpdatedAt');
    await invalid({ where: { contactsLastUpdatedAt: { _neq: '2020-01-01T00:00:00Z' } } }, 'where.contactsLastUpdatedAt');
    // Patterns with no run of 3 literal characters and no literal prefix on a B-tree.
    await invalid({ where: { name: { _ilike: '%ab%' } } }, 'where.name._ilike');
    await invalid({ where: { name: { _like: 'Ac%' } } }, 'where.name._like');
    await invalid({ where: { emailAddress: { _ilike: 'bi%' } } }, 'where.emailAddress._ilike');
    await invalid({ where: { sourceSystemId: { _ilike: 'ns%' } } }, 'where.sourceSystemId._ilike');
    // Nested anywhere, the path names the condition.
    await invalid({ where: { _or: [{ sourceSystem: { _eq: 'x' } }, { _not: { collectorId: { _lt: 'a' } } }] } }, 'where._or.1._not.collectorId._lt');
    // Sort keys without a (workspace_id, field) B-tree.
    for (const field of ['emailAddress', 'collectorId', 'billToCustomerId', 'addressesLastUpdatedAt', 'contactsLastUpdatedAt']) {
      await invalid({ orderBy: [{ [field]: 'asc' }] }, `orderBy.0.${field}`);
    }
  });

  it('serves short values through B-tree prefixes and the folded name', async () => {
    expect(await names({ sourceSystemId: { _like: 'N%' } })).toEqual(['Acme Corp', 'acme labs']);
    expect(await names({ sourceSystemId: { _like: 'H_-1' } })).toEqual(['Globex']);
    expect(await names({ name: { _ilike: 'ac%' } })).toEqual(['Acme Corp', 'acme labs']);
    expect(await names({ name: { _ilike: 'É%' } })).toEqual(['Émile Zola']);
    expect(await names({ id: { _ilike: `${created[2]!.id.slice(0, 2).toUpperCase()}%` } })).toEqual(
      ALL.filter((_, i) => created[i]!.id.startsWith(created[2]!.id.slice(0, 2))),
    );
    expect(await names({ sourceSystem: { _eq: 'x' } })).toEqual([]);
  });

  it('compares timestamps as instants, whatever the offset they are written with', async () => {
    expect(await names({ deletedAt: { _eq: '2024-01-01T00:00:00Z' } })).toEqual(['Globex']);
    expect(await names({ deletedAt: { _eq: '2024-01-01T01:00:00+01:00' } })).toEqual(['Globex']);
    expect(await names({ deletedAt: { _gt: '2024-01-01T00:00:00Z' } })).toEqual(['acme labs']);
    expect(await names({ deletedAt: { _is_null: false } })).toEqual(['acme labs', 'Globex']);
    expect(await names({ deletedAt: { _gte: '2024-01-01T01:00:00+01:00' } })).toEqual(['acme labs', 'Globex']);
    expect(await names({ deletedAt: { _lt: '2024-03-01T00:00:00.000Z' } })).toEqual(['Globex']);
    expect(await names({ deletedAt: { _in: ['2024-01-01T00:00:00Z', '2024-03-01T00:00:00+00:00'] } })).toEqual(['acme labs', 'Globex']);
    expect(await names({ deletedAt: { _lte: '2024-03-01T00:00:00Z', _neq: '2024-01-01T00:00:00Z' } })).toEqual(['acme labs']);
    expect(await names({ createdAt: { _eq: bulkAt } })).toEqual(ALL.filter((_, i) => created[i]!.createdAt === bulkAt));
    expect(await names({ createdAt: { _lte: bulkAt } })).toEqual(ALL);
    expect(await names({ createdAt: { _gt: bulkAt } })).toEqual([]);
    expect(await names({ createdAt: { _lte: '2100-01-01T00:00:00Z', _gte: '2000-01-01T00:00:00Z' } })).toEqual(ALL);
    expect(await names({ updatedAt: { _gt: bulkAt } })).toEqual(['acme labs']);
    expect(await names({ updatedAt: { _lte: bulkAt } })).toEqual(except('acme labs'));
  });

  it('_like is case-sensitive with % and _ wildcards and backslash escapes; GLOB metacharacters are literal', async () => {
    const like = (pattern: string, field = 'name') => names({ [field]: { _like: pattern } });
    expect(await like('Acme%')).toEqual(['Acme Corp']);
    expect(await like('%acme%')).toEqual(['acme labs']);
    expect(await like('_cme%')).toEqual(['Acme Corp', 'acme labs']);
    expect(await like('100%')).toEqual(['100% Pure', '100 Pure']);
    expect(await like('100\\%%')).toEqual(['100% Pure']);
    expect(await like('HS\\_2', 'sourceSystemId')).toEqual(['100% Pure']);
    expect(await like('HS_2', 'sourceSystemId')).toEqual(['100% Pure', '100 Pure']);
    expect(await like('Back\\\\slash')).toEqual(['Back\\slash']);
    expect(await like('Star*%')).toEqual(['Star*Corp']);
    expect(await like('%r*C%')).toEqual(['Star*Corp']);
    expect(await like('What?%')).toEqual(['What?Inc']);
    expect(await like('%t?I%')).toEqual(['What?Inc']);
    expect(await like('[Br%')).toEqual(['[Bracket] Ltd']);
    expect(await like('[%] Ltd')).toEqual(['[Bracket] Ltd']);
    for (const glob of ['[A-Z]*', '[!a]*', 'Star[*]Corp', '*Corp']) expect(await like(glob), glob).toEqual([]);
    expect(await like('emile%', 'emailAddress')).toEqual([]);
    expect(await like('%.test', 'emailAddress')).toEqual(['Acme Corp', 'acme labs', 'Émile Zola']);
  });

  it('_ilike ignores case, Unicode included on the name', async () => {
    const ilike = (pattern: string, field = 'name') => names({ [field]: { _ilike: pattern } });
    expect(await ilike('acme%')).toEqual(['Acme Corp', 'acme labs']);
    expect(await ilike('%CORP')).toEqual(['Acme Corp', 'Star*Corp', 'StarXCorp']);
    expect(await ilike('émile%')).toEqual(['Émile Zola']);
    expect(await ilike('ÉMILE ZOLA')).toEqual(['Émile Zola']);
    expect(await ilike('100\\%%')).toEqual(['100% Pure']);
    expect(await ilike('what_inc')).toEqual(['What?Inc', 'WhatsInc']);
    expect(await ilike('emile@%', 'emailAddress')).toEqual(['Émile Zola']);
    expect(await ilike('NETSUITE', 'sourceSystem')).toEqual(['Acme Corp', 'acme labs']);
    expect(await ilike('hs\\_2', 'sourceSystemId')).toEqual(['100% Pure']);
  });

  it('combines with _and, _or, _not and several fields or operators in one object', async () => {
    expect(await names({ _or: [{ name: { _eq: 'Globex' } }, { sourceSystemId: { _eq: 'NS-1' } }] })).toEqual(['Acme Corp', 'Globex']);
    expect(await names({ _and: [{ name: { _ilike: 'acme%' } }, { deletedAt: { _is_null: true } }] })).toEqual(['Acme Corp']);
    expect(await names({ name: { _ilike: 'acme%' }, sourceSystemId: { _eq: 'NS-2' } })).toEqual(['acme labs']);
    expect(await names({ _not: { sourceSystem: { _eq: 'netsuite' } } })).toEqual(['Globex', '100% Pure', '100 Pure']);
    expect(await names({ _not: { sourceSystem: { _is_null: false } } })).toEqual(ALL.slice(5));
    expect(await names({ _not: { _or: [{ name: { _like: '%Corp' } }, { name: { _like: '%Ltd' } }] } })).toEqual(
      except('Acme Corp', 'Star*Corp', 'StarXCorp', '[Bracket] Ltd', 'B Ltd'),
    );
    expect(
      await names({ _or: [{ _and: [{ sourceSystem: { _eq: 'hubspot' } }, { _not: { sourceSystemId: { _like: 'HS-%' } } }] }, { emailAddress: { _ilike: '%zola%' } }] }),
    ).toEqual(['100% Pure', '100 Pure', 'Émile Zola']);
  });

  it('orders by orderBy keys and explicit null placement, ties by creation', async () => {
    const order = (orderBy: unknown, where: unknown = {}) => names(where, { orderBy });
    expect(await order([{ name: 'asc' }])).toEqual(BY_NAME);
    expect(await order({ name: 'desc' })).toEqual([...BY_NAME].reverse());
    // The same orders when a condition leads (its matches are sorted).
    expect(await order([{ name: 'asc' }], { createdAt: { _lte: bulkAt } })).toEqual(BY_NAME);
    expect(await order([{ name: 'desc' }], { sourceSystem: { _eq: 'netsuite' } })).toEqual(['acme labs', 'Acme Corp']);
    expect(await order([{ sourceSystem: 'asc_nulls_last' }])).toEqual(['Globex', '100% Pure', '100 Pure', 'Acme Corp', 'acme labs', ...ALL.slice(5)]);
    expect(await order([{ sourceSystem: 'desc_nulls_last' }, { sourceSystemId: 'desc' }])).toEqual(['acme labs', 'Acme Corp', '100 Pure', '100% Pure', 'Globex', ...ALL.slice(5)]);
    const nulls = ALL.filter((n) => n !== 'acme labs' && n !== 'Globex');
    expect(await order([{ deletedAt: 'asc_nulls_first' }])).toEqual([...nulls, 'Globex', 'acme labs']);
    expect(await order([{ deletedAt: 'asc_nulls_last' }])).toEqual(['Globex', 'acme labs', ...nulls]);
    expect(await order([{ deletedAt: 'desc_nulls_first' }])).toEqual([...nulls, 'acme labs', 'Globex']);
    expect(await order([{ deletedAt: 'desc_nulls_last' }])).toEqual(['acme labs', 'Globex', ...nulls]);
  });

  it('orders plain asc with nulls last and plain desc with nulls first, as Hasura (Postgres) does', async () => {
    const nulls = ALL.filter((n) => n !== 'acme labs' && n !== 'Globex');
    expect(await names({}, { orderBy: [{ deletedAt: 'asc' }] })).toEqual(['Globex', 'acme labs', ...nulls]);
    expect(await names({}, { orderBy: [{ deletedAt: 'desc' }] })).toEqual([...nulls, 'acme labs', 'Globex']);
  });

  it('pages with limit and offset; the count is every match, across pages', async () => {
    const page = await search({ where: { name: { _ilike: '%cor%' } }, orderBy: [{ name: 'asc' }], limit: 2, offset: 1 });
    const matching = BY_NAME.filter((n) => /cor/i.test(n));
    expect(page.customers.map((c) => c.name)).toEqual(matching.slice(1, 3));
    expect(page.customersAggregate).toEqual({ aggregate: { count: matching.length } });
    expect(await search({ limit: 100, offset: 14 })).toEqual({ customers: [], customersAggregate: { aggregate: { count: 14 } } });
    expect((await search({ limit: 1 })).customers.map((c) => c.name)).toEqual(['Acme Corp']);
  });

  it('rejects unsupported operators, unknown, JSON and relationship fields, naming each', async () => {
    await invalid({ where: { name: { _regex: '^A' } } }, 'where.name._regex');
    await invalid({ where: { name: { _similar: 'A%', _iregex: 'a' } } }, 'where.name._similar', 'where.name._iregex');
    await invalid({ where: { balance: { _gt: 0 } } }, 'where.balance');
    await invalid({ where: { metadata: { _eq: '{}' } } }, 'where.metadata');
    await invalid({ where: { customerEmailSettings: { _is_null: true } } }, 'where.customerEmailSettings');
    await invalid({ where: { addresses: { city: { _eq: 'Paris' } } } }, 'where.addresses');
    await invalid({ where: { workspaceId: { _eq: other.workspaceId } } }, 'where.workspaceId');
    await invalid({ where: { _nand: [] } }, 'where._nand');
    await invalid({ where: { _or: [{ name: { _eq: 'A' } }, { colour: { _eq: 'red' } }] } }, 'where._or.1.colour');
  });

  it('rejects malformed operands', async () => {
    await invalid({ where: 'name = 1' }, 'where');
    await invalid({ where: [] }, 'where');
    await invalid({ where: { name: 'Acme' } }, 'where.name');
    await invalid({ where: { name: { _eq: 5 } } }, 'where.name._eq');
    await invalid({ where: { name: { _in: 'Acme' } } }, 'where.name._in');
    await invalid({ where: { name: { _in: ['Acme', 5] } } }, 'where.name._in.1');
    await invalid({ where: { emailAddress: { _is_null: 'yes' } } }, 'where.emailAddress._is_null');
    await invalid({ where: { createdAt: { _like: '2024%' } } }, 'where.createdAt._like');
    await invalid({ where: { deletedAt: { _ilike: '2024%' } } }, 'where.deletedAt._ilike');
    await invalid({ where: { createdAt: { _gt: 'yesterday' } } }, 'where.createdAt._gt');
    await invalid({ where: { createdAt: { _gt: 1700000000000 } } }, 'where.createdAt._gt');
  });

  it('rejects timestamps that are not ISO 8601, as everywhere else in the API', async () => {
    for (const value of ['March 7, 2024', '2024', '1', "'; DELETE FROM customers WHERE '1'='1", '07/03/2024']) {
      await invalid({ where: { createdAt: { _gt: value } } }, 'where.createdAt._gt');
      await invalid({ where: { deletedAt: { _in: ['2024-01-01T00:00:00Z', value] } } }, 'where.deletedAt._in.1');
    }
    await invalid({ where: { _and: { name: { _eq: 'A' } } } }, 'where._and');
    await invalid({ where: { _or: [5] } }, 'where._or.0');
    await invalid({ where: { _not: [] } }, 'where._not');
  });

  it('rejects bad limit, offset, orderBy and unknown body fields', async () => {
    for (const limit of [0, 101, 1.5, '10', null]) await invalid({ limit }, 'limit');
    for (const offset of [-1, 100001, '0']) await invalid({ offset }, 'offset');
    await invalid({ order_by: [{ name: 'asc' }] }, 'order_by');
    await invalid({ orderBy: [{ balance: 'asc' }] }, 'orderBy.0.balance');
    await invalid({ orderBy: [{ metadata: 'asc' }] }, 'orderBy.0.metadata');
    await invalid({ orderBy: [{ name: 'up' }] }, 'orderBy.0.name');
    await invalid({ orderBy: [{ name: 'ASC' }] }, 'orderBy.0.name');
    await invalid({ orderBy: ['name'] }, 'orderBy.0');
    const six = ['id', 'name', 'createdAt', 'updatedAt', 'sourceSystem', 'sourceSystemId'].map((f) => ({ [f]: 'asc' }));
    await invalid({ orderBy: six }, 'orderBy');
    expect(await names({}, { orderBy: six.slice(1) })).toHaveLength(14);
  });

  it('limits nesting to depth 5, 30 conditions and 80 values', async () => {
    const nest = (depth: number): Fields => (depth === 1 ? { name: { _eq: 'Globex' } } : { _and: [nest(depth - 1)] });
    expect(await names(nest(5))).toEqual(['Globex']);
    await invalid({ where: nest(6) }, `where${'._and.0'.repeat(5)}`);
    const nots = (depth: number): Fields => (depth === 1 ? { name: { _eq: 'Globex' } } : { _not: { _not: nots(depth - 1) } });
    expect(await names(nots(3))).toEqual(['Globex']);
    await invalid({ where: nots(4) }, `where${'._not'.repeat(5)}`);
    const conditions = (n: number) => ({ _and: Array.from({ length: n }, (_, i) => ({ name: { _neq: `n${i}` } })) });
    expect(await names(conditions(30))).toEqual(ALL);
    await invalid({ where: conditions(31) }, 'where._and.30.name._neq');
    const values = (n: number) => Array.from({ length: n }, (_, i) => `v${i}`);
    expect(await names({ name: { _in: [...values(79), 'Globex'] } })).toEqual(['Globex']);
    await invalid({ where: { name: { _in: values(81) } } }, 'where');
    await invalid({ where: { name: { _in: values(41) }, sourceSystem: { _nin: values(40) } } }, 'where');
  });

  it('keeps injection attempts inert: literal matches or a 400 naming them, never 500, another workspace or a changed table', async () => {
    const before = await Promise.all([snapshot(W.workspaceId), snapshot(other.workspaceId)]);
    const values = ["x' OR 1=1 --", "%' ; DROP TABLE customers; --", "'; DELETE FROM customers WHERE '1'='1", '" OR ""="', "\\' OR 1=1 --", '1) OR (1=1', "' UNION SELECT * FROM customers --"];
    for (const value of values) {
      const literal = value === "x' OR 1=1 --" ? [value] : [];
      for (const op of ['_eq', '_like', '_ilike']) expect(await names({ name: { [op]: value } }), `${op} ${value}`).toEqual(literal);
      expect(await names({ name: { _in: [value] } })).toEqual(literal);
      expect(await names({ name: { _neq: value } })).toEqual(ALL.filter((n) => n !== value));
      expect(await names({ sourceSystemId: { _eq: value } })).toEqual([]);
      // On a timestamp field a value that is no ISO 8601 instant is refused, naming it.
      await invalid({ where: { createdAt: { _eq: value } } }, 'where.createdAt._eq');
    }
    for (const field of ['name; DROP TABLE customers', 'name" OR 1=1 --', 'customers.workspace_id', 'workspace_id', '1=1', '', 'name ']) {
      await invalid({ where: { [field]: { _eq: 'x' } } }, `where.${field}`);
      await invalid({ orderBy: [{ [field]: 'asc' }] }, `orderBy.0.${field}`);
    }
    for (const op of ['_eq) OR 1=1 --', '_eq OR 1=1', "= '' OR 1=1 --", '_like ESCAPE', '_in); DROP TABLE customers; --', 'eq']) {
      await invalid({ where: { name: { [op]: 'x' } } }, `where.name.${op}`);
    }
    for (const direction of ['asc; DROP TABLE customers', 'asc NULLS FIRST, (SELECT 1)', 'desc_nulls_first --']) {
      await invalid({ orderBy: [{ name: direction }] }, 'orderBy.0.name');
    }
    await invalid({ where: { name: { _eq: 'x' } }, limit: '1; DROP TABLE customers' }, 'limit');
    const tables = await env.DB.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all<{ name: string }>();
    expect(tables.results.map((t) => t.name)).toEqual(expect.arrayContaining(['addresses', 'contacts', 'customer_tax_ids', 'customers', 'segments']));
    expect(await Promise.all([snapshot(W.workspaceId), snapshot(other.workspaceId)])).toEqual(before);
  });

  it('rejects Object.prototype names as operators with a 400, not a 500 or a bogus filter', async () => {
    for (const op of ['__proto__', 'constructor', 'toString', 'valueOf', 'hasOwnProperty']) {
      const before = await snapshot(W.workspaceId);
      const res = await upwellCall('POST', SEARCH, W.token, { headers: { 'Content-Type': 'application/json' }, rawBody: `{"where":{"name":{"${op}":"x"}}}` });
      expect({ op, status: res.status, body: res.body }).toEqual({ op, status: 400, body: upwellError('VALIDATION_ERROR', `where.name.${op}`) });
      expect(await snapshot(W.workspaceId)).toEqual(before);
    }
  });

  it('requires a valid token; a read-only token may search', async () => {
    expect(await search({ where: { name: { _eq: 'Globex' } } }, W.readOnly)).toEqual(await search({ where: { name: { _eq: 'Globex' } } }));
    expect((await upwellCall('POST', SEARCH, `Bearer ${W.token}`, { body: {} })).status).toBe(200);
    const { token: revoked } = await issueToken({ workspaceId: W.workspaceId });
    await revokeToken(revoked);
    const { token: expired } = await issueToken({ workspaceId: W.workspaceId, expiresAt: '2020-01-01T00:00:00.000Z' });
    const cases: [string | undefined, string][] = [[undefined, 'MISSING_AUTHORIZATION'], ['qwt_dev_nope', 'INVALID_API_KEY'], [revoked, 'INVALID_API_KEY'], [expired, 'INVALID_API_KEY'], [`Bearer ${expired}`, 'INVALID_API_KEY']];
    for (const [auth, code] of cases) {
      const res = await upwellCall('POST', SEARCH, auth, { body: { where: { name: { _eq: 'Globex' } } } });
      expect(res.body).toEqual(upwellError(code));
      expect(res.status).toBe(401);
    }
  });
});

describe('POST /api/rest/customers/search: long and non-ASCII patterns', () => {
  const LONG = 'Very Long Company Name International Holdings Ltd';
  let V: Workspace;
  const find = async (where: unknown) => {
    const res = await upwellCall('POST', SEARCH, V.token, { body: { where } });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return res.body.customers.map((c: Fields) => c.name);
  };

  beforeAll(async () => {
    V = await workspace();
    const inputs = [
      { name: LONG, sourceSystem: 'ERP', sourceSystemId: 'ÄÖÜ-ÉTÉ-0001' },
      { name: `${LONG} (Subsidiary)`, sourceSystemId: 'äöü-été-0002' },
      { name: 'Short Name', collectorId: 'ОЛЕГ' },
    ];
    const res = await upwellCall('POST', '/api/rest/bulk-customers', V.token, { body: { inputs } });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
  });

  it('serves substring, prefix, suffix and exact patterns of any length (over D1’s 50-byte LIKE limit)', async () => {
    expect(await find({ name: { _ilike: `%${LONG}%` } })).toEqual([LONG, `${LONG} (Subsidiary)`]);
    expect(await find({ name: { _ilike: `%${LONG.toUpperCase()}%` } })).toEqual([LONG, `${LONG} (Subsidiary)`]);
    expect(await find({ name: { _like: `%${LONG}%` } })).toEqual([LONG, `${LONG} (Subsidiary)`]);
    expect(await find({ name: { _like: `%${LONG.toUpperCase()}%` } })).toEqual([]);
    expect(await find({ name: { _like: `${LONG} (Sub%` } })).toEqual([`${LONG} (Subsidiary)`]);
    expect(await find({ name: { _ilike: `%holdings ltd (subsidiary)` } })).toEqual([`${LONG} (Subsidiary)`]);
    expect(await find({ name: { _ilike: LONG.toLowerCase() } })).toEqual([LONG]);
    expect(await find({ name: { _like: LONG } })).toEqual([LONG]);
    expect(await find({ name: { _like: `%${'x'.repeat(200)}%` } })).toEqual([]);
  });

  it('refuses a long pattern that needs LIKE (an _ or several % runs) with a 400 naming the field and the limit', async () => {
    for (const [op, pattern] of [
      ['_ilike', `%Very_Long Company Name International Holdings Ltd%`],
      ['_like', `Very%Long Company Name International Holdings Limited%`],
    ] as const) {
      const before = await snapshot(V.workspaceId);
      const res = await upwellCall('POST', SEARCH, V.token, { body: { where: { name: { [op]: pattern } } } });
      expect(res.status).toBe(400);
      expect(res.body.error).toMatchObject({
        code: 'VALIDATION_ERROR',
        details: [{ path: `where.name.${op}`, message: expect.stringContaining('50 bytes') }],
      });
      expect(await snapshot(V.workspaceId)).toEqual(before);
    }
    // Short enough, the same shapes are served by LIKE/GLOB.
    expect(await find({ name: { _ilike: '%very_long%(sub%' } })).toEqual([`${LONG} (Subsidiary)`]);
    expect(await find({ name: { _like: 'Very%(Sub%' } })).toEqual([`${LONG} (Subsidiary)`]);
  });

  it('_ilike folds non-ASCII case and accents on every text field; _like stays exact', async () => {
    expect(await find({ sourceSystemId: { _ilike: 'äöü-été-%' } })).toEqual([LONG, `${LONG} (Subsidiary)`]);
    expect(await find({ sourceSystemId: { _ilike: '%AOU-ETE%' } })).toEqual([LONG, `${LONG} (Subsidiary)`]);
    expect(await find({ sourceSystemId: { _ilike: 'ÄÖÜ-ÉTÉ-0001' } })).toEqual([LONG]);
    expect(await find({ sourceSystemId: { _like: 'ÄÖÜ%' } })).toEqual([LONG]);
    expect(await find({ collectorId: { _ilike: 'олег' } })).toEqual(['Short Name']);
    expect(await find({ sourceSystem: { _ilike: 'erp' } })).toEqual([LONG]);
  });
});
