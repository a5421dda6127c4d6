/**
 * Every use of Drizzle's internals, in one place; test/store/drizzle.test.ts
 * fails if an upgrade of drizzle-orm (pinned) changes any of them. What the
 * rest of the store does with Drizzle goes through its public API.
 *
 * Used here, beyond the public API:
 * - a prepared query's `fields` (its selection as Drizzle orders it) and its
 *   `mapAllResult` / `mapResult(result, isFromBatch)`, to render a statement
 *   once and map its rows later without rebuilding it;
 * - the shapes Drizzle leaves in a rendered query's params: a Placeholder, or
 *   a Param wrapping one with the column that encodes it;
 * - an `sql` expression's `decoder` (what `.mapWith()` set).
 * A raw query (`db.values(sql\`...\`)`, for what the builders cannot write: an INSERT ... SELECT) is read
 * through its public getQuery(); its params are the same shapes.
 */
import { Column, is, Param, Placeholder, SQL, type Query } from 'drizzle-orm';
import type { SQLiteColumn } from 'drizzle-orm/sqlite-core';

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

/** A statement rendered once: its SQL text, how to bind a request's values, how to read its rows. */
export interface Statement {
  sql: string;
  /** Per parameter: its value for the request (a placeholder's value, encoded like a column's). */
  params: ((values: Values) => unknown)[];
  /** Rows from `.raw()` (arrays, the cheapest form D1 returns) to Drizzle's rows. */
  mapRows(rows: unknown[][]): unknown;
  /** A result of a batch (`{ results: [...objects] }`) to what Drizzle would have returned. */
  mapBatchResult(result: unknown): unknown;
}

interface Decoder {
  mapFromDriverValue(value: unknown): unknown;
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

/** How a selected field's stored value is read: a column's own mapping, or an expression's `.mapWith()`. */
const decoderOf = (field: unknown): Decoder | undefined =>
  is(field, Column) ? field : is(field, SQL) ? (field as unknown as { decoder: Decoder }).decoder : undefined;

/** Where a reader puts one selected value, and how it shows it (after the column's decoding; NULL stays null). */
export interface Slot {
  key: PropertyKey;
  out?: (value: never) => unknown;
}

/**
 * Reads a statement's rows straight into the caller's objects, in one pass:
 * given the selected names in the statement's order, each one's slot, and the
 * object every row starts as a copy of. `R` is what a row becomes.
 */
export interface Reader<R = unknown> {
  (names: readonly string[]): { start: object; slots: readonly Slot[] };
  /** Type only. */
  readonly row?: R;
}

/**
 * Drizzle maps each row field by field, checking every field's class each
 * time; a selection of flat fields (columns and SQL expressions: no nested
 * objects, so no join nullification) gets its decoders looked up once
 * instead, with the same result (NULL stays null). With a reader, each value
 * goes straight to its slot in the caller's object (a list page builds no
 * intermediate row). Anything else falls back to Drizzle's own mapping.
 */
function flatRows(prepared: object, reader?: Reader): ((rows: unknown[][]) => unknown) | undefined {
  const fields = (prepared as { fields?: { path: string[]; field: unknown }[] }).fields;
  if (!fields) return undefined;
  const names: string[] = [];
  const decoders: Decoder[] = [];
  for (const { path, field } of fields) {
    const decoder = decoderOf(field);
    if (path.length !== 1 || !decoder) return undefined;
    decoders.push(decoder);
    names.push(path[0]!);
  }
  const { start, slots } = reader
    ? reader(names)
    : { start: {}, slots: names.map((key): Slot => ({ key })) };
  const keys = slots.map((slot) => slot.key);
  const outs = slots.map((slot) => slot.out as ((value: unknown) => unknown) | undefined);
  return (rows) =>
    rows.map((row) => {
      const out: Record<PropertyKey, unknown> = { ...start };
      for (let i = 0; i < keys.length; i++) {
        const value = row[i];
        if (value === null) out[keys[i]!] = null;
        else {
          const decoded = decoders[i]!.mapFromDriverValue(value);
          const show = outs[i];
          out[keys[i]!] = show === undefined ? decoded : show(decoded);
        }
      }
      return out;
    });
}

/** A statement written as SQL (a raw query of Drizzle's), rendered once: its rows decoded by `selection`, in that order. */
export function rawStatement(query: { getQuery(): Query }, selection: Selection): Statement {
  const { sql: text, params } = query.getQuery();
  const keys = Object.keys(selection);
  const decode = (row: unknown[]) => decodeRow(selection, Object.fromEntries(keys.map((key, i) => [key, row[i]])));
  return {
    sql: text,
    params: params.map(binder),
    mapRows: (rows) => rows.map(decode),
    mapBatchResult: (result) => (result as D1Result<Record<string, unknown>>).results.map((row) => decode(Object.values(row))),
  };
}

/** Builds a statement's SQL text and its mappings, once; its rows are Drizzle's, or what `reader` makes of them. */
export function render(query: Preparable, reader?: Reader): Statement {
  const prepared = query.prepare();
  const { sql: text, params } = prepared.getQuery();
  const flat = flatRows(prepared, reader);
  if (reader && !flat) throw new Error(`A reader needs a selection of flat fields: ${text}`);
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

export type Selection = Record<string, SQLiteColumn | SQL>;

/** A selected row, typed: a column's data (null where nullable), an expression's `.mapWith()` type. */
export type Row<S extends Selection> = {
  [K in keyof S]: S[K] extends SQLiteColumn ? S[K]['_']['data'] | (S[K]['_']['notNull'] extends true ? never : null) : S[K] extends SQL<infer U> ? U : never;
};

/** A row as JSON built in SQL, decoded the way Drizzle decodes a selected row. */
export function decodeRow<S extends Selection>(selection: S, raw: Record<string, unknown>): Row<S> {
  const row: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(selection)) {
    const value = raw[key] ?? null;
    if (value === null) row[key] = null;
    else if (is(field, Column)) row[key] = field.mapFromDriverValue(value);
    // JSON built in SQL (json_group_array) arrives already parsed; text still needs the field's decoder.
    else row[key] = typeof value === 'string' ? decoderOf(field)!.mapFromDriverValue(value) : value;
  }
  return row as Row<S>;
}
