/**
 * A customer found by an id another system gave it, and upserted by it
 * (`/api/customers/by_external_id`): one of `id_crm`, `id_erp`,
 * `id_accounting`, or the pair `source_system` + `source_system_id`.
 *
 * Uniqueness: the source pair is unique per workspace (an index enforces
 * it). The three external ids are not: workspaces may already hold
 * duplicates, which a unique index would refuse to build on. A lookup or an
 * upsert that finds several customers is a 409 `ambiguous_external_id`
 * naming the parameter, and changes nothing.
 */
import * as v from 'valibot';
import { object, text } from '../model/values';
import type { Db } from '../store/client';
import { StoreError } from '../store/errors';
import { customers } from '../store/schema';
import { family, into, param, read, type Values } from '../store/statements';
import { customer } from './fields';
import { BY_EXTERNAL, customerQueries, detailReader, detailSelection, include } from './queries';

export const EXTERNAL_IDS = ['id_crm', 'id_erp', 'id_accounting'] as const;
type Key = (typeof EXTERNAL_IDS)[number] | 'source';

const ONE_KEY = 'One key: id_crm, id_erp, id_accounting, or source_system with source_system_id';

/** The key of a by_external_id query, once validated. */
function keyOf(q: Record<string, unknown>): Key {
  return EXTERNAL_IDS.find((name) => q[name] !== undefined) ?? 'source';
}

/** Every parameter that can name the customer. */
const KEY_PARAMS = [...EXTERNAL_IDS, 'source_system', 'source_system_id'];
const named = (q: Record<string, unknown>) => KEY_PARAMS.filter((name) => q[name] !== undefined);

/** The query string of GET and PUT: one key (the pair counts as one), and `include` on GET. */
const keyQuery = <E extends v.ObjectEntries>(extra: E) =>
  v.pipe(
    object({
      id_crm: v.optional(text()),
      id_erp: v.optional(text()),
      id_accounting: v.optional(text()),
      source_system: v.optional(text()),
      source_system_id: v.optional(text()),
      ...extra,
    }),
    v.rawCheck(({ dataset, addIssue }) => {
      if (!dataset.typed) return;
      const q = dataset.value as Record<string, unknown>;
      const given = named(q);
      const pair = given.filter((name) => name.startsWith('source_system')).length;
      if (given.length === 1 ? pair === 0 : given.length === 2 && pair === 2) return;
      // Each key given is named (none given: the three ids).
      for (const key of given.length ? given : EXTERNAL_IDS) addIssue({ message: ONE_KEY, path: [{ type: 'object', origin: 'value', input: q, key, value: q[key] }] as never });
    }),
  );

export const ByExternalGet = keyQuery({ include });
export const ByExternalPut = keyQuery({});

/**
 * The PUT body: a customer as on create (`name` and `type` required), applied as a PATCH when the customer
 * exists (fields left out stay as they are); the key, if sent in the body too, must be the query's.
 */
const required = (field: 'name' | 'type') => v.forward(v.check((b: Record<string, unknown>) => b[field] != null, 'Required'), [field]);
export const ByExternalBody = v.pipe(customer.update, required('name'), required('type'));

const keyValues = (key: Key, q: Record<string, unknown>, workspaceId: string): Values =>
  key === 'source' ? { workspaceId, sourceSystem: q.source_system, sourceSystemId: q.source_system_id } : { workspaceId, key: q[key] };

/** The parameter an ambiguity is reported on. */
const fieldOf = (key: Key) => (key === 'source' ? 'source_system_id' : key);

const lookup = family('customers.by_external', (db, shape: { key: Key; include: readonly ('contacts' | 'addresses')[] }) => [
  // Two rows at most: one is the customer, two say the key is ambiguous.
  into(db.select(detailSelection(shape.include)).from(customers).where(BY_EXTERNAL[shape.key](customers)).orderBy(customers.id).limit(2), detailReader),
] as const);

/** The one customer with this external id (as its GET shows it), undefined if none; several: StoreError `ambiguous`. */
export async function getByExternal(db: Db, workspaceId: string, q: v.InferOutput<typeof ByExternalGet>) {
  const key = keyOf(q);
  const [rows] = await read(db, lookup, { key, include: q.include ?? [] }, keyValues(key, q, workspaceId));
  if (rows.length > 1) throw new StoreError({ kind: 'ambiguous', field: fieldOf(key), count: rows.length });
  return rows[0];
}

/** The body's value of the key, when it names one that differs from the query's: a 400. */
export function keyConflict(q: Record<string, unknown>, body: Record<string, unknown>): string | undefined {
  return KEY_PARAMS.find((name) => q[name] !== undefined && body[name] !== undefined && body[name] !== q[name]);
}

/** Creates the customer with this external id, or updates the one that has it: one round trip. */
export function putByExternal(workspaceId: string, q: v.InferOutput<typeof ByExternalPut>, body: Record<string, unknown>) {
  const key = keyOf(q);
  const withKey = { ...body, ...Object.fromEntries(named(q).map((name) => [name, q[name as keyof typeof q]])) };
  const row = customer.values(workspaceId, withKey);
  return customerQueries.write.upsert(key, fieldOf(key), keyValues(key, q, workspaceId), row, customer.changes(body), customer.toApi);
}

