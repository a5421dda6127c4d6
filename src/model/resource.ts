/**
 * A resource declared once: its table and its fields (src/model/fields.ts).
 * Everything that names its fields derives from the declaration: the create,
 * update and list-filter schemas, the columns a row is selected with, the
 * row -> API object mapping, the insert values and the PATCH columns (with the
 * folded copies kept beside them). A field's API name is its column's key and
 * SQL name (src/store/schema.ts); a field without its column fails when the
 * module loads.
 */
import { getTableColumns, getTableName, type SQL } from 'drizzle-orm';
import type { SQLiteColumn } from 'drizzle-orm/sqlite-core';
import * as v from 'valibot';
import { uuidv7 } from '../lib/ids';
import { fold } from '../lib/text';
import { iso } from '../lib/time';
import { VERSION, versioned, type Versioned } from '../lib/versions';
import { JsonMerge, type RecordTable } from '../store/plan';
import type { Reader, Slot } from '../store/statements';
import type { Field, FieldSpec, ValueOf } from './fields';
import { CURSOR, type Cursored } from './page';
import { immutable, object } from './values';

export type Fields = Record<string, Field>;
export type Input = Record<string, unknown>;

/** The API object of a resource: its id and workspace, its fields, its timestamps. */
export type ApiObject<F extends Fields> = { id: string; workspace_id: string } & { -readonly [K in keyof F]: ValueOf<F[K]> } & {
  created_at: string;
  updated_at: string;
};

/** The columns every record has beside its declared fields. */
const SYSTEM = ['id', 'workspace_id', 'created_at', 'updated_at', 'version'];

export interface Declared<T extends RecordTable, F extends Fields> {
  table: T;
  fields: F;
  /** Each field's spec, by API name. */
  specs: Record<keyof F & string, FieldSpec>;
  /** The table's column of this name (API, column key and SQL names are one; folded copies included). */
  column(name: string): SQLiteColumn;
  /**
   * The columns an API object is read from (system and declared ones; no
   * folded copies). Typed as all of the table's columns, whose rows are what
   * Drizzle returns for it; the others are simply absent.
   */
  selection: T['_']['columns'];
  create: v.GenericSchema<unknown, Input>;
  update: v.GenericSchema<unknown, Input>;
  /** `?field=value` filters of the list (the fields marked filter()). */
  filters: Record<string, v.GenericSchema>;
  toApi(row: Record<string, unknown>): Versioned<ApiObject<F>>;
  /**
   * Reads a statement's rows straight into API objects (what toApi makes of
   * the row, in one pass): the version under its symbol; the selected name
   * `cursor`, if given, under CURSOR (what the list's next cursor is made
   * of); any other name beyond the declared ones (`E`: related ids, embedded
   * records) shown under its own name, after the declared fields.
   */
  reader<E extends object = object>(cursor?: string): Reader<Versioned<ApiObject<F>> & E & Cursored>;
  /** Insert values by column key, defaults and folded copies included. */
  values(workspaceId: string, input: Input, now?: number, id?: string): Record<string, unknown> & { id: string };
  /** PATCH columns by column key: only the fields sent, and the folded copies and cleared columns they bring. */
  changes(input: Input): Record<string, unknown>;
}

/** A field's schema in a create body: required, or optional with its default; `null` where nullable. */
export function createEntry(spec: FieldSpec, optional = !spec.required): v.GenericSchema {
  const value = spec.nullable ? v.nullable(spec.schema) : spec.schema;
  return optional ? v.optional(value, spec.default as never) : value;
}

const specsOf = <F extends Fields>(fields: F) =>
  Object.fromEntries(Object.entries(fields).map(([name, field]) => [name, field.spec])) as Record<keyof F & string, FieldSpec>;

/** A request shape declared with fields but stored elsewhere (a compatible API's body): its create schema. */
export function shape<F extends Fields>(fields: F) {
  const specs = specsOf(fields);
  const entries: v.ObjectEntries = {};
  for (const [name, spec] of Object.entries(specs) as [string, FieldSpec][]) entries[name] = createEntry(spec);
  return { fields, specs, create: object(entries) as unknown as v.GenericSchema<unknown, Input> };
}

/** The folded copies of a field's value: in a column, or in the `folded` JSON. */
function folded(spec: FieldSpec, value: unknown): unknown {
  if (value === null || value === undefined) return null;
  return spec.fold!.of ? (spec.fold!.of as (stored: unknown) => unknown)(value) : fold(value as string);
}

export function declare<T extends RecordTable, F extends Fields>(table: T, fields: F): Declared<T, F> {
  const columns = getTableColumns(table) as Record<string, SQLiteColumn>;
  const column = (name: string) => {
    if (!columns[name]) throw new Error(`${getTableName(table)}: no column "${name}" for the declared field`);
    return columns[name];
  };
  const specs = specsOf(fields);
  const entries = Object.entries(specs) as [string, FieldSpec][];
  const selection: Record<string, SQLiteColumn | SQL> = {};
  for (const name of [...SYSTEM, ...Object.keys(specs)]) selection[name] = specs[name as keyof F & string]?.select ?? column(name);
  // The table keeps the folded copies of its fields in a JSON column `folded` (customers do).
  const hasFolded = 'folded' in columns;
  const written = entries.filter(([, spec]) => !spec.readOnly);

  const createEntries: v.ObjectEntries = {};
  const updateEntries: v.ObjectEntries = {};
  const filters: Record<string, v.GenericSchema> = {};
  for (const [name, spec] of written) {
    createEntries[name] = createEntry(spec);
    updateEntries[name] = spec.immutable ? immutable(name) : createEntry({ ...spec, default: undefined }, true);
  }
  for (const [name, spec] of entries) if (spec.filter) filters[name] = v.optional(spec.schema);

  // The API object's keys in order, each with how its stored value is shown.
  // Every object starts as a copy of `shape`, which has all the keys already,
  // so that V8 keeps it a fast object. `shape` comes from JSON.parse, which
  // puts every property in the object itself: an object built key by key (or
  // by Object.fromEntries) keeps all but 4 in a side array, and adding one
  // more property by a computed key (the version's symbol) to an object with
  // over 12 there turns it into a dictionary, about 1.6 x dearer to serialize
  // (measured in Node on a page of 25 customers).
  type Out = ((stored: unknown) => unknown) | undefined;
  const apiKeys = ['id', 'workspace_id', ...entries.map(([name]) => name), 'created_at', 'updated_at'];
  const apiOuts: Out[] = [undefined, undefined, ...entries.map(([, spec]) => spec.out as Out), iso as Out, iso as Out];
  const shape = JSON.parse(JSON.stringify(Object.fromEntries(apiKeys.map((key) => [key, null])))) as Record<string, null>;
  const outOf = new Map(apiKeys.map((key, i) => [key, apiOuts[i]]));

  /**
   * Folded copies and cleared columns a written value brings along. In the
   * `folded` JSON a missing key reads as null (`->>`), so a create leaves
   * nulls out (a smaller row for every trigger and index to read); a change
   * keeps them, because json_patch removes a key patched to null.
   */
  function alongside(out: Record<string, unknown>, merge: Record<string, unknown> | undefined, name: string, spec: FieldSpec, value: unknown) {
    if (spec.fold) {
      const copy = folded(spec, value);
      if (spec.fold.column) out[column(spec.fold.column).name] = copy;
      else if (merge) merge[spec.fold.key ?? name] = copy;
    }
    for (const cleared of spec.clears) out[column(cleared).name] = null;
  }

  return {
    table,
    fields,
    specs,
    column,
    selection: selection as T['_']['columns'],
    create: object(createEntries) as unknown as v.GenericSchema<unknown, Input>,
    update: object(updateEntries) as unknown as v.GenericSchema<unknown, Input>,
    filters,
    toApi(row) {
      const api: Record<string, unknown> = { ...shape };
      for (let i = 0; i < apiKeys.length; i++) {
        const key = apiKeys[i]!;
        const out = apiOuts[i];
        api[key] = out === undefined ? row[key] : out(row[key]);
      }
      return versioned(api as ApiObject<F>, row.version as number);
    },
    reader(cursor) {
      const slot = (name: string): Slot => (name === 'version' ? { key: VERSION } : name === cursor ? { key: CURSOR } : { key: name, out: outOf.get(name) as Slot['out'] });
      return (names) => ({ start: shape, slots: names.map(slot) });
    },
    values(workspaceId, input, now = Date.now(), id = uuidv7(now)) {
      const out: Record<string, unknown> & { id: string } = { id, workspace_id: workspaceId };
      const merge: Record<string, unknown> = {};
      for (const [name, spec] of written) {
        const sent = input[name];
        const value = sent === undefined ? (spec.default ?? null) : sent === null ? spec.nullAs : sent;
        out[name] = value;
        alongside(out, value === null ? undefined : merge, name, spec, value);
      }
      if (hasFolded) out.folded = merge;
      out.created_at = now;
      out.updated_at = now;
      return out;
    },
    changes(input) {
      const out: Record<string, unknown> = {};
      const merge: Record<string, unknown> = {};
      for (const [name, spec] of written) {
        const sent = input[name];
        if (sent === undefined || spec.immutable) continue;
        const value = sent === null ? spec.nullAs : sent;
        out[name] = spec.onUpdate ? spec.onUpdate(value as never) : value;
        alongside(out, merge, name, spec, value);
      }
      if (hasFolded && Object.keys(merge).length > 0) out.folded = new JsonMerge(merge);
      return out;
    },
  };
}
