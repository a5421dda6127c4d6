/**
 * The declarations (src/<resource>/fields.ts), the Drizzle schema (src/store/schema.ts)
 * and the migrations (migrations/*.sql) agree: every declared field has its
 * column, of the storage and nullability the field implies; every column is
 * a field, a system column or a folded copy a field keeps; and the migrations
 * build exactly the tables, columns and indexes the Drizzle schema describes.
 */
import { getTableColumns, type Column } from 'drizzle-orm';
import { getTableConfig, type SQLiteTable } from 'drizzle-orm/sqlite-core';
import { describe, expect, it } from 'vitest';
import { address } from '../../src/addresses/fields';
import { contact } from '../../src/contacts/fields';
import { customer } from '../../src/customers/fields';
import type { FieldSpec } from '../../src/model/fields';
import { segment } from '../../src/segments/fields';
import * as schema from '../../src/store/schema';
import * as jobsSchema from '../../src/tax-ids/schema';
import { customerSearch, SEARCH_COLUMNS } from '../../src/store/search';
import { limitedDatabase, migrationStatements } from '../d1/shadow';

const SYSTEM = ['id', 'workspace_id', 'created_at', 'updated_at', 'version'];
const JSON_KINDS = ['list', 'object', 'metadata', 'json'];
const INTEGER_KINDS = ['integer', 'timestamp'];

interface Declaration {
  table: SQLiteTable;
  specs: Record<string, FieldSpec>;
}

/** What a declaration and its table disagree on, one line each. */
export function disagreements({ table, specs }: Declaration): string[] {
  const columns = getTableColumns(table) as Record<string, Column>;
  const problems: string[] = [];
  const accounted = new Set(SYSTEM);
  for (const [name, spec] of Object.entries(specs)) {
    if (spec.select) continue;
    accounted.add(name);
    const column = columns[name];
    if (!column) {
      problems.push(`${name}: no column`);
      continue;
    }
    if (column.name !== name) problems.push(`${name}: its column is named ${column.name}`);
    const storage = JSON_KINDS.includes(spec.kind.type) ? 'json' : INTEGER_KINDS.includes(spec.kind.type) ? 'integer' : 'text';
    const actual = column.dataType === 'json' ? 'json' : column.columnType === 'SQLiteInteger' ? 'integer' : 'text';
    if (storage !== actual) problems.push(`${name}: a ${spec.kind.type} field stored as ${actual}`);
    // NULL is stored only for a nullable field whose null is not an empty value.
    const nullStored = spec.nullable && spec.nullAs === null;
    if (!spec.readOnly && column.notNull === nullStored) problems.push(`${name}: column ${column.notNull ? 'NOT NULL' : 'nullable'}, field ${nullStored ? 'nullable' : 'never null'}`);
    if (spec.kind.type === 'enum' && JSON.stringify(column.enumValues) !== JSON.stringify(spec.kind.values)) {
      problems.push(`${name}: values ${JSON.stringify(spec.kind.values)}, column ${JSON.stringify(column.enumValues)}`);
    }
    if (spec.fold?.column) accounted.add(spec.fold.column);
    else if (spec.fold) accounted.add('folded');
    for (const cleared of spec.clears) accounted.add(cleared);
  }
  for (const name of Object.keys(columns)) if (!accounted.has(name)) problems.push(`${name}: a column no field declares`);
  return problems;
}

const declarations: [string, Declaration][] = [
  ['customers', customer as unknown as Declaration],
  ['contacts', contact as unknown as Declaration],
  ['addresses', address as unknown as Declaration],
  ['segments', segment as unknown as Declaration],
];

describe('declarations and the Drizzle schema', () => {
  it.each(declarations)('%s: every field has its column, every column its field', (_, declaration) => {
    expect(disagreements(declaration)).toEqual([]);
  });

  it('the check bites: a missing column, a wrong nullability or storage, an undeclared column', () => {
    const specs = { ...customer.specs } as Record<string, FieldSpec>;
    specs.nickname = { ...specs.logo! };
    specs.logo = { ...specs.logo!, nullable: false };
    specs.due_option = { ...specs.due_option!, kind: { type: 'text', max: 9 } };
    delete specs.collector_id;
    expect(disagreements({ table: customer.table, specs })).toEqual([
      'logo: column nullable, field never null',
      'due_option: a text field stored as integer',
      'nickname: no column',
      'collector_id: a column no field declares',
    ]);
  });
});

/** Tables, columns and indexes as the migrations build them, in node:sqlite. */
function migrated() {
  const db = limitedDatabase();
  for (const { sql } of migrationStatements()) db.exec(sql);
  return db;
}

// drizzle.config.ts reads both: the API's tables and the jobs Worker's.
const tables: SQLiteTable[] = Object.values({ ...schema, ...jobsSchema } as Record<string, unknown>).filter(
  (value): value is SQLiteTable => typeof value === 'object' && value !== null && 'getSQL' in value,
);

describe('the Drizzle schema and the migrations', () => {
  const db = migrated();

  it('have the same tables', () => {
    // The search index is a virtual table (FTS5) with shadow tables of its own, declared in src/store/search.ts.
    const names = db
      .prepare(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE 'd1_%' AND name NOT LIKE 'customer_search%' ORDER BY name",
      )
      .all()
      .map((row) => row.name);
    expect(names).toEqual(tables.map((t) => getTableConfig(t).name).sort());
  });

  it('have the same search index columns', () => {
    const { name, columns } = getTableConfig(customerSearch);
    const actual = db.prepare('SELECT name FROM pragma_table_info(?) ORDER BY cid').all(name).map((row) => row.name);
    expect(actual).toEqual(columns.filter((c) => c.name !== 'rowid').map((c) => c.name));
    expect(actual).toEqual([...SEARCH_COLUMNS]);
  });

  it.each(tables.map((t) => [getTableConfig(t).name, t] as const))('%s: the same columns (type, NOT NULL, key) and indexes', (name, table) => {
    const config = getTableConfig(table);
    const primaryKey = config.primaryKeys[0]?.columns.map((c) => c.name) ?? config.columns.filter((c) => c.primary).map((c) => c.name);
    const expected = config.columns
      .map((c) => ({ name: c.name, type: c.getSQLType().toUpperCase(), notnull: c.notNull ? 1 : 0, pk: primaryKey.indexOf(c.name) + 1 }))
      .sort((a, b) => a.name.localeCompare(b.name));
    const actual = db
      .prepare(`SELECT name, type, "notnull", pk FROM pragma_table_info(?) ORDER BY name`)
      .all(name)
      .map((row) => ({ ...row }));
    expect(actual).toEqual(expected);

    const indexes = db
      .prepare(`SELECT name, "unique" FROM pragma_index_list(?) WHERE origin = 'c' ORDER BY name`)
      .all(name)
      .map((row) => ({
        name: row.name,
        unique: row.unique === 1,
        columns: db.prepare('SELECT name FROM pragma_index_info(?) ORDER BY seqno').all(row.name as string).map((c) => c.name),
      }));
    expect(indexes).toEqual(
      config.indexes
        .map((i) => ({ name: i.config.name, unique: i.config.unique, columns: i.config.columns.map((c) => (c as Column).name) }))
        .sort((a, b) => a.name.localeCompare(b.name)),
    );
  });
});
