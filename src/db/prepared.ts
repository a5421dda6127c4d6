/**
 * SQL rendered once per isolate. A statement is written as a function of
 * placeholders (`param('id')`); the first request of each
 * shape has Drizzle build it and render its SQL text and result mapping, and
 * every later request only binds its values to that text. Shapes that vary
 * with the request (the filters of a list, the fields of a PATCH, the length
 * of an If-Match list) are told apart by the key. A statement built without a
 * key is rendered for its one request: for shapes a client composes freely
 * (Upwell's `where` trees, bulk creates), where a cache would only grow.
 */
import { Column, is, Param, Placeholder, SQL, sql, type Query } from 'drizzle-orm';
import type { Db } from './client';

/** The placeholder `name`, bound from the request's values at run time. */
export const param = (name: string) => sql.placeholder(name);

export type Values = Record<string, unknown>;

/** What Drizzle's select/insert/update/delete builders have in common. */
export interface Preparable {
  prepare(): {
    getQuery(): Query;
    mapAllResult(rows: unknown, isFromBatch?: boolean): unknown;
    mapResult(response: unknown, isFromBatch?: boolean): unknown;
  };
  all(): Promise<unknown>;
}

/** The rows a builder returns (its `.all()`), or D1's result for a write without RETURNING. */
export type Rows<Q> = Q extends { all(): Promise<infer R> } ? R : never;

export interface Statement {
  sql: string;
  /** Per parameter: its value for the request (a placeholder's value, encoded like a column's). */
  params: ((values: Values) => unknown)[];
  /** Rows from `.raw()` (arrays, the cheapest form D1 returns) to Drizzle's rows. */
  mapRows(rows: unknown[][]): unknown;
  /** A result of a batch (`{ results: [...objects] }`) to what Drizzle would have returned. */
  mapBatchResult(result: unknown): unknown;
}

function valueOf(values: Values, name: string): unknown {
  const value = values[name];
  if (value === undefined) throw new Error(`No value for placeholder "${name}"`);
  return value;
}

/**
 * Drizzle leaves a placeholder in the params as is, or wrapped with the
 * column that encodes it (insert values, update sets). Unlike Drizzle's own
 * fillPlaceholders, null stays NULL here rather than going through the
 * encoder (a JSON column would store the text 'null'), as it does when
 * Drizzle renders a literal null.
 */
function binder(rendered: unknown): (values: Values) => unknown {
  if (is(rendered, Placeholder)) {
    const { name } = rendered;
    return (values) => valueOf(values, name);
  }
  if (is(rendered, Param) && is(rendered.value, Placeholder)) {
    const { name } = rendered.value;
    const { encoder } = rendered;
    return (values) => {
      const value = valueOf(values, name);
      return value === null ? null : encoder.mapToDriverValue(value);
    };
  }
  return () => rendered;
}

interface Decoder {
  mapFromDriverValue(value: unknown): unknown;
}

/**
 * Drizzle maps each row field by field, checking every field's class each
 * time; a selection of flat fields (columns and SQL expressions: no nested
 * objects, so no join nullification) gets its decoders looked up once
 * instead, with the same result (NULL stays null).
 * `fields` is the prepared query's selection as Drizzle orders it; anything
 * else falls back to Drizzle's own mapping.
 */
function flatRows(prepared: object): ((rows: unknown[][]) => unknown) | undefined {
  const fields = (prepared as { fields?: { path: string[]; field: unknown }[] }).fields;
  if (!fields) return undefined;
  const names: string[] = [];
  const decoders: Decoder[] = [];
  for (const { path, field } of fields) {
    if (path.length !== 1) return undefined;
    if (is(field, Column)) decoders.push(field);
    else if (is(field, SQL)) decoders.push((field as unknown as { decoder: Decoder }).decoder);
    else return undefined;
    names.push(path[0]!);
  }
  return (rows) =>
    rows.map((row) => {
      const out: Record<string, unknown> = {};
      for (let i = 0; i < names.length; i++) {
        const value = row[i];
        out[names[i]!] = value === null ? null : decoders[i]!.mapFromDriverValue(value);
      }
      return out;
    });
}

function render(query: Preparable): Statement {
  const prepared = query.prepare();
  const { sql: text, params } = prepared.getQuery();
  const flat = flatRows(prepared);
  return {
    sql: text,
    params: params.map(binder),
    mapRows: flat ?? ((rows) => prepared.mapAllResult(rows)),
    // A batch returns rows as objects, their keys in column order (as Drizzle reads them too).
    mapBatchResult: flat
      ? (result) => flat((result as D1Result<Record<string, unknown>>).results.map((row) => Object.values(row)))
      : (result) => prepared.mapResult(result, true),
  };
}

/**
 * Shapes kept per isolate. A PATCH's columns alone allow millions of shapes,
 * so a client could otherwise grow the cache until the isolate runs out of
 * memory; past the bound the oldest shape is dropped (and rebuilt if used again).
 */
export const MAX_SHAPES = 512;
const cache = new Map<string, readonly Statement[]>();

/** The statements of `key`, built and rendered on first use (every time without a key). */
export function statements(key: string | undefined, build: () => readonly Preparable[]): readonly Statement[] {
  if (key === undefined) return build().map(render);
  let found = cache.get(key);
  if (!found) {
    found = build().map(render);
    if (cache.size >= MAX_SHAPES) cache.delete(cache.keys().next().value!);
    cache.set(key, found);
  }
  return found;
}

/**
 * Runs statements with their values in one round trip (one statement, or one
 * batch: one transaction) and maps each result as Drizzle would.
 */
export async function execute(db: Db, list: readonly Statement[], values: Values): Promise<unknown[]> {
  const d1 = db.$client;
  const bound = list.map((s) => d1.prepare(s.sql).bind(...s.params.map((bind) => bind(values))));
  if (bound.length === 1) return [list[0]!.mapRows(await bound[0]!.raw())];
  const results = await d1.batch(bound);
  return results.map((result, i) => list[i]!.mapBatchResult(result));
}

/** A read of one or more statements (one round trip), each typed as its builder's rows. */
export async function read<const Q extends readonly Preparable[]>(
  db: Db,
  key: string | undefined,
  build: () => Q,
  values: Values,
): Promise<{ -readonly [K in keyof Q]: Rows<Q[K]> }> {
  return (await execute(db, statements(key, build), values)) as { -readonly [K in keyof Q]: Rows<Q[K]> };
}
