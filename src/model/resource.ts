/**
 * A resource declared once: its table and its fields (src/model/fields.ts).
 * Everything that names its fields derives from the declaration: the create,
 * update and list-filter schemas, the columns a row is selected with, the
 * row -> API object mapping, the insert values and the PATCH columns (with the
 * folded copies kept beside them). API names are the SQL column names; a
 * field without its column fails when the module loads.
 */
import { getTableColumns, type SQL } from 'drizzle-orm';
import type { SQLiteColumn } from 'drizzle-orm/sqlite-core';
import * as v from 'valibot';
import { uuidv7 } from '../lib/ids';
import { fold } from '../lib/text';
import { iso } from '../lib/time';
import { versioned, type Versioned } from '../lib/versions';
import { JsonMerge, type RecordTable } from '../store/plan';
import type { Field, FieldSpec, ValueOf } from './fields';
import { immutable, object } from './values';

export type Fields = Record<string, Field>;
export type Input = Record<string, unknown>;

/** The API object of a resource: its id and workspace, its fields, its timestamps. */
export type ApiObject<F extends Fields> = { id: string; workspace_id: string } & { -readonly [K in keyof F]: ValueOf<F[K]> } & {
  created_at: string;
  updated_at: string;
};

const SYSTEM = { id: 'id', workspace_id: 'workspaceId', created_at: 'createdAt', updated_at: 'updatedAt', version: 'version' } as const;

export interface Declared<T extends RecordTable, F extends Fields> {
  table: T;
  fields: F;
  /** Each field's spec, by API name. */
  specs: Record<keyof F & string, FieldSpec>;
  /** API name -> Drizzle column key, for the fields and the system columns. */
  columnKeys: Record<string, string>;
  /** The table's column of this SQL name (folded copies included). */
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
  /** Insert values by column key, defaults and folded copies included. */
  values(workspaceId: string, input: Input, now?: number, id?: string): Record<string, unknown> & { id: string };
  /** PATCH columns by column key: only the fields sent, and the folded copies and cleared columns they bring. */
  changes(input: Input): Record<string, unknown>;
}

/** A request shape declared with fields but stored elsewhere (a compatible API's body): its create schema. */
export function shape<F extends Fields>(fields: F) {
  const specs = Object.fromEntries(Object.entries(fields).map(([name, field]) => [name, field.spec])) as Record<keyof F & string, FieldSpec>;
  const entries: v.ObjectEntries = {};
  for (const [name, spec] of Object.entries(specs) as [string, FieldSpec][]) {
    entries[name] = spec.required ? spec.schema : v.optional(spec.nullable ? v.nullable(spec.schema) : spec.schema, spec.default as never);
  }
  return { fields, specs, create: object(entries) as unknown as v.GenericSchema<unknown, Input> };
}

/** The folded copies of a field's value: in a column, or in the `folded` JSON. */
function folded(spec: FieldSpec, value: unknown): unknown {
  if (value === null || value === undefined) return null;
  return spec.fold!.of ? (spec.fold!.of as (stored: unknown) => unknown)(value) : fold(value as string);
}

export function declare<T extends RecordTable, F extends Fields>(table: T, fields: F): Declared<T, F> {
  const columns = getTableColumns(table) as Record<string, SQLiteColumn>;
  const byName = new Map(Object.entries(columns).map(([key, column]) => [column.name, key]));
  const keyOf = (name: string) => {
    const key = byName.get(name);
    if (!key) throw new Error(`${table._.name}: no column "${name}" for the declared field`);
    return key;
  };
  const specs = Object.fromEntries(Object.entries(fields).map(([name, field]) => [name, field.spec])) as Record<keyof F & string, FieldSpec>;
  const entries = Object.entries(specs) as [string, FieldSpec][];
  const columnKeys: Record<string, string> = { ...SYSTEM };
  for (const [name, spec] of entries) columnKeys[name] = spec.select ? name : keyOf(name);
  const selection: Record<string, SQLiteColumn | SQL> = {};
  for (const [name, key] of Object.entries(columnKeys)) selection[key] = specs[name]?.select ?? columns[key]!;
  const twinKey = (spec: FieldSpec) => (spec.fold?.column ? keyOf(spec.fold.column) : undefined);
  const foldedKey = columns.folded ? 'folded' : undefined;
  const written = entries.filter(([, spec]) => !spec.readOnly);

  const createEntries: v.ObjectEntries = {};
  const updateEntries: v.ObjectEntries = {};
  const filters: Record<string, v.GenericSchema> = {};
  for (const [name, spec] of written) {
    const value = spec.nullable ? v.nullable(spec.schema) : spec.schema;
    createEntries[name] = spec.required ? value : v.optional(value, spec.default as never);
    updateEntries[name] = spec.immutable ? immutable(name) : v.optional(value);
  }
  for (const [name, spec] of entries) if (spec.filter) filters[name] = v.optional(spec.schema);

  /** Folded copies and cleared columns a written value brings along. */
  function alongside(out: Record<string, unknown>, merge: Record<string, unknown>, name: string, spec: FieldSpec, value: unknown) {
    if (spec.fold) {
      const twin = twinKey(spec);
      if (twin) out[twin] = folded(spec, value);
      else merge[spec.fold.key ?? name] = folded(spec, value);
    }
    for (const cleared of spec.clears) out[keyOf(cleared)] = null;
  }

  return {
    table,
    fields,
    specs,
    columnKeys,
    column: (name) => columns[keyOf(name)]!,
    selection: selection as T['_']['columns'],
    create: object(createEntries) as unknown as v.GenericSchema<unknown, Input>,
    update: object(updateEntries) as unknown as v.GenericSchema<unknown, Input>,
    filters,
    toApi(row) {
      const api: Record<string, unknown> = { id: row.id, workspace_id: row.workspaceId };
      for (const [name, spec] of entries) {
        const stored = row[columnKeys[name]!];
        api[name] = spec.out ? (spec.out as (s: unknown) => unknown)(stored) : stored;
      }
      api.created_at = iso(row.createdAt as number);
      api.updated_at = iso(row.updatedAt as number);
      return versioned(api as ApiObject<F>, row.version as number);
    },
    values(workspaceId, input, now = Date.now(), id = uuidv7(now)) {
      const out: Record<string, unknown> & { id: string } = { id, workspaceId };
      const merge: Record<string, unknown> = {};
      for (const [name, spec] of written) {
        const sent = input[name];
        const value = sent === undefined ? (spec.default ?? null) : sent === null ? spec.nullAs : sent;
        out[columnKeys[name]!] = value;
        alongside(out, merge, name, spec, value);
      }
      if (foldedKey) out[foldedKey] = merge;
      out.createdAt = now;
      out.updatedAt = now;
      return out;
    },
    changes(input) {
      const out: Record<string, unknown> = {};
      const merge: Record<string, unknown> = {};
      for (const [name, spec] of written) {
        const sent = input[name];
        if (sent === undefined || spec.immutable) continue;
        const value = sent === null ? spec.nullAs : sent;
        out[columnKeys[name]!] = value;
        alongside(out, merge, name, spec, value);
      }
      if (foldedKey && Object.keys(merge).length > 0) out[foldedKey] = new JsonMerge(merge);
      return out;
    },
  };
}
