/**
 * SQL rendered once per isolate. A family of statements is declared once, at
 * module level, as `family(name, build)`: `build` gets a Drizzle instance and
 * the shape (the facts that change the SQL text: which filters a list has,
 * which columns a PATCH sets, how many versions If-Match lists) and writes the
 * statements with placeholders (`param('id')`). The first request of a shape
 * has Drizzle build and render it; later ones only bind their values. The
 * cache key is the family's (unique) name and the shape itself, and the
 * builder sees nothing else, so a key cannot name another shape's SQL; the
 * test suite also rebuilds every cache hit and compares it (checkCacheHits).
 * Statements a client composes freely (Upwell `where` trees, bulk creates)
 * are built per request with `once()` instead: a cache keyed by them could
 * only grow.
 */
import { sql } from 'drizzle-orm';
import type { Db } from './client';
import { render, type Preparable, type Reader, type Slot, type Statement, type Values } from './drizzle';

export type { Preparable, Reader, Slot, Statement, Values };

/** A query whose rows a reader makes (src/store/drizzle.ts): `R` each. */
export interface Into<R> {
  readonly query: Preparable;
  readonly reader: Reader<R>;
}

/** `query`, its rows read by `reader` straight into the objects it makes. */
export const into = <R>(query: Preparable, reader: Reader<R>): Into<R> => ({ query, reader });

/** What a family or a plan writes: a builder, a builder with its reader, or a statement already rendered. */
export type Buildable = Preparable | Into<unknown> | Statement;

/** The placeholder `name`, bound from the request's values at run time. */
export const param = (name: string) => sql.placeholder(name);

/** What decides a statement's SQL text; JSON, so that it can be the cache key. */
export type Shape = null | boolean | number | string | readonly Shape[] | { readonly [key: string]: Shape };

export interface Family<S extends Shape, B> {
  readonly name: string;
  build(db: Db, shape: S): B;
}

const names = new Set<string>();

/** Declares a family of statements; its name must be unique (checked when the module loads). */
export function family<S extends Shape, B>(name: string, build: (db: Db, shape: S) => B): Family<S, B> {
  if (names.has(name)) throw new Error(`Two statement families are named "${name}"`);
  names.add(name);
  return { name, build };
}

/**
 * Shapes kept per isolate. A PATCH's columns alone allow millions of shapes,
 * so a client could otherwise grow the cache until the isolate runs out of
 * memory; past the bound the oldest shape is dropped (and rebuilt if used again).
 */
export const MAX_SHAPES = 512;
const cache = new Map<string, readonly Statement[]>();
type Check = (key: string, cached: readonly Statement[], build: () => readonly Buildable[]) => void;
let check: Check | undefined;

/** The test suite sets a check run on every cache hit (it rebuilds the shape and compares the SQL). */
export function checkCacheHits(run: Check | undefined): void {
  check = run;
}

export const keyOf = (family: Family<never, unknown>, shape: Shape) => `${family.name}:${JSON.stringify(shape)}`;

/** A statement written as SQL text, its values bound as given (nothing for Drizzle to build). */
export const sqlStatement = (text: string, values: readonly unknown[]): Statement => ({
  sql: text,
  params: values.map((value) => () => value),
  mapRows: (rows) => rows,
  mapBatchResult: (result) => (result as D1Result).results,
});

export const toStatement = (s: Buildable): Statement => ('mapRows' in s ? s : 'reader' in s ? render(s.query, s.reader) : render(s));

/** The statements under `key`, built and rendered on first use. */
export function cached(key: string, build: () => readonly Buildable[]): readonly Statement[] {
  let found = cache.get(key);
  if (!found) {
    found = build().map(toStatement);
    if (cache.size >= MAX_SHAPES) cache.delete(cache.keys().next().value!);
    cache.set(key, found);
  } else check?.(key, found, build);
  return found;
}

/** Statements built for one request (shapes a client composes). */
export const once = (build: () => readonly Buildable[]): readonly Statement[] => build().map(toStatement);

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

/** The rows a builder returns (its `.all()`), or what its reader makes of them. */
export type Rows<Q> = Q extends Into<infer R> ? R[] : Q extends { all(): Promise<infer R> } ? R : never;
type Results<Q extends readonly (Preparable | Into<unknown>)[]> = { -readonly [K in keyof Q]: Rows<Q[K]> };

/** A read of a family's statements for a shape (one round trip), each typed as its builder's rows. */
export async function read<S extends Shape, const Q extends readonly (Preparable | Into<unknown>)[]>(
  db: Db,
  family: Family<S, Q>,
  shape: S,
  values: Values,
): Promise<Results<Q>> {
  return (await execute(db, cached(keyOf(family as Family<never, unknown>, shape), () => family.build(db, shape)), values)) as Results<Q>;
}

/** A read composed by the client (rendered for this request). */
export async function readOnce<const Q extends readonly (Preparable | Into<unknown>)[]>(db: Db, build: () => Q): Promise<Results<Q>> {
  return (await execute(db, once(build), {})) as Results<Q>;
}
