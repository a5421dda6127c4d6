/**
 * The workspace export format, shared by the export and import routes
 * (src/exchange/routes.ts) and `npm run export` / `npm run import`.
 *
 * NDJSON, one record a line: {"table": "<table>", "row": {<every column, by
 * its name, with the value as stored>}}. Records come in dependency order
 * (segments, customers, contacts, addresses, each in id order), then exactly
 * one {"table": "workspace_counters", ...} line, last. What the database
 * derives (customer_tax_ids, the search index, the counters' total) and
 * Idempotency-Key records are not part of it.
 *
 * Columns come from the Drizzle schema, so a column added there is exported
 * and imported with no change here. Plain erasable TypeScript with explicit
 * extensions: the Node scripts import it too.
 */
import { getTableColumns, getTableName } from 'drizzle-orm';
import type { SQLiteTable } from 'drizzle-orm/sqlite-core';
import { addresses, contacts, customers, segments, workspaceCounters } from '../store/schema.ts';
import { PENDING, TAX_ID_TYPES } from '../tax-ids/types.ts';

/** Workspace ids, as the token CLI and the API use them. */
export const WORKSPACE_ID = /^[A-Za-z0-9_-]{1,64}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** The record tables, in dependency order (a record only refers to earlier tables, or to its own). */
export const RECORD_TABLES = ['segments', 'customers', 'contacts', 'addresses'] as const;
export type RecordTable = (typeof RECORD_TABLES)[number];
export const COUNTERS_TABLE = 'workspace_counters';
export type TableName = RecordTable | typeof COUNTERS_TABLE;
export const TABLE_NAMES: readonly TableName[] = [...RECORD_TABLES, COUNTERS_TABLE];

/** References between records of a workspace; the database's triggers enforce the same rules. */
export const REFERENCES: readonly { table: RecordTable; column: string; target: RecordTable }[] = [
  { table: 'customers', column: 'segment_id', target: 'segments' },
  { table: 'customers', column: 'bill_to_customer_id', target: 'customers' },
  { table: 'contacts', column: 'customer_id', target: 'customers' },
  { table: 'addresses', column: 'customer_id', target: 'customers' },
  { table: 'addresses', column: 'contact_id', target: 'contacts' },
];

type JsonShape = 'any' | 'object' | 'string-array' | 'string-map' | 'tax-ids';

/** JSON columns whose shape the database (triggers) or the API rely on. Other JSON columns must just parse. */
const JSON_SHAPES: Record<string, JsonShape> = {
  'customers.tax_ids': 'tax-ids',
  'customers.cc_email_addresses': 'string-array',
  'customers.metadata': 'string-map',
  'customers.folded': 'object',
  'customers.email_settings': 'object',
  'customers.integration_settings': 'object',
  'contacts.role': 'string-array',
};

/** Columns the database keeps itself (triggers): not exported, never imported. */
const DERIVED = new Set(['workspace_counters.total']);

export interface ColumnSpec {
  name: string;
  type: 'text' | 'integer';
  nullable: boolean;
  enumValues?: readonly string[];
  json?: JsonShape;
  /** A record id or a reference to one: a lower-case UUID. */
  uuid: boolean;
}

export interface TableSpec {
  name: TableName;
  /** The primary key, which upserts conflict on. */
  key: string;
  columns: ColumnSpec[];
}

function tableSpec(table: SQLiteTable, key: string): TableSpec {
  const name = getTableName(table) as TableName;
  const columns = Object.values(getTableColumns(table))
    .filter((column) => !DERIVED.has(`${name}.${column.name}`))
    .map((column): ColumnSpec => {
      let type: ColumnSpec['type'];
      if (column.columnType === 'SQLiteInteger') type = 'integer';
      else if (column.columnType === 'SQLiteText' || column.columnType === 'SQLiteTextJson') type = 'text';
      else throw new Error(`${name}.${column.name}: column type ${column.columnType} is not supported by the export format`);
      const enumValues = column.enumValues as readonly string[] | undefined;
      return {
        name: column.name,
        type,
        nullable: !column.notNull,
        enumValues: enumValues && enumValues.length > 0 ? enumValues : undefined,
        json: column.dataType === 'json' ? (JSON_SHAPES[`${name}.${column.name}`] ?? 'any') : undefined,
        uuid: (name !== COUNTERS_TABLE && column.name === 'id') || REFERENCES.some((r) => r.table === name && r.column === column.name),
      };
    });
  for (const required of [key, 'workspace_id']) {
    if (!columns.some((c) => c.name === required)) throw new Error(`${name} has no ${required} column`);
  }
  return { name, key, columns };
}

const SOURCES: Record<TableName, [SQLiteTable, string]> = {
  segments: [segments, 'id'],
  customers: [customers, 'id'],
  contacts: [contacts, 'id'],
  addresses: [addresses, 'id'],
  workspace_counters: [workspaceCounters, 'workspace_id'],
};

/** Each table's spec, derived on first use (the Worker's startup CPU is budgeted, and most requests never need one). */
export const TABLES = {} as Record<TableName, TableSpec>;
for (const [name, [table, key]] of Object.entries(SOURCES) as [TableName, [SQLiteTable, string]][]) {
  let spec: TableSpec | undefined;
  Object.defineProperty(TABLES, name, { enumerable: true, get: () => (spec ??= tableSpec(table, key)) });
}

export type SqlValue = string | number | null;
export type Row = Record<string, SqlValue>;

export interface WorkspaceRecord {
  table: TableName;
  row: Row;
}

/** A record as one NDJSON line (without the newline): columns in schema order. */
export function formatRecord(record: WorkspaceRecord): string {
  const row = Object.fromEntries(TABLES[record.table].columns.map((c) => [c.name, record.row[c.name]]));
  return JSON.stringify({ table: record.table, row });
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

function jsonProblem(shape: JsonShape, text: string): string | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return 'must be JSON text';
  }
  switch (shape) {
    case 'any':
      return undefined;
    case 'object':
      return isObject(value) ? undefined : 'must be a JSON object';
    case 'string-map':
      return isObject(value) && Object.values(value).every((v) => typeof v === 'string') ? undefined : 'must be a JSON object of strings';
    case 'string-array':
      return Array.isArray(value) && value.every((v) => typeof v === 'string') ? undefined : 'must be a JSON array of strings';
    case 'tax-ids':
      return Array.isArray(value) &&
        value.every((t) => isObject(t) && typeof t.tax === 'string' && typeof t.tax_value === 'string' && (t.type === undefined || (TAX_ID_TYPES as readonly unknown[]).includes(t.type)))
        ? undefined
        : `must be a JSON array of {"tax": string, "tax_value": string, "type"?: ${TAX_ID_TYPES.join(' | ')}}`;
  }
}

function valueProblem(column: ColumnSpec, value: unknown): string | undefined {
  if (value === null) return column.nullable ? undefined : 'must not be null';
  if (column.type === 'integer') return Number.isSafeInteger(value) ? undefined : 'must be an integer';
  if (typeof value !== 'string') return 'must be a string';
  if (!value.isWellFormed()) return 'has unpaired UTF-16 surrogates';
  if (column.name === 'workspace_id' && !WORKSPACE_ID.test(value)) return 'must be 1-64 letters, digits, "-" or "_"';
  if (column.uuid && !UUID.test(value)) return 'must be a lower-case UUID';
  if (column.enumValues && !column.enumValues.includes(value)) return `must be one of: ${column.enumValues.join(', ')}`;
  if (column.json) return jsonProblem(column.json, value);
  return undefined;
}

/**
 * Tax ids as imported: a VIES check is never taken from a file (a consultation
 * number is proof, and anyone with a write token could write one), so every
 * EU VAT number comes in pending and the jobs Worker checks it again; any other
 * entry loses a `verification`. The text is kept as it is when nothing changes.
 */
function unverified(text: string): string {
  const entries = JSON.parse(text) as Record<string, unknown>[];
  if (!entries.some((t) => t.type === 'eu_vat' || 'verification' in t)) return text;
  return JSON.stringify(entries.map(({ verification: _, ...t }) => (t.type === 'eu_vat' ? { ...t, verification: PENDING } : t)));
}

/**
 * One parsed line as a record, or what is wrong with it: its shape, its
 * table, each column present and of its type, no other column, and (when
 * given) the workspace it must belong to.
 */
export function checkRecord(value: unknown, workspaceId?: string): { record: WorkspaceRecord } | { problem: string } {
  if (!isObject(value) || Object.keys(value).length !== 2 || !('table' in value) || !('row' in value)) {
    return { problem: 'expected {"table": ..., "row": {...}}' };
  }
  const table = value.table;
  if (typeof table !== 'string' || !Object.hasOwn(TABLES, table)) {
    return { problem: `unknown table ${JSON.stringify(table)} (expected ${TABLE_NAMES.join(', ')})` };
  }
  const spec = TABLES[table as TableName];
  if (!isObject(value.row)) return { problem: `${spec.name}: "row" must be an object` };
  const input = value.row;
  const row: Row = {};
  const problems: string[] = [];
  for (const column of spec.columns) {
    const v = input[column.name];
    if (v === undefined) {
      problems.push(`missing column ${column.name}`);
      continue;
    }
    const problem = valueProblem(column, v);
    if (problem) problems.push(`${column.name} ${problem}`);
    else row[column.name] = (column.json === 'tax-ids' ? unverified(v as string) : v) as SqlValue;
  }
  for (const name of Object.keys(input)) {
    if (!spec.columns.some((c) => c.name === name)) problems.push(`unknown column ${JSON.stringify(name)}`);
  }
  if (problems.length > 0) return { problem: `${spec.name}: ${problems.join('; ')}` };
  if (workspaceId !== undefined && row.workspace_id !== workspaceId) {
    return { problem: `${spec.name}: workspace_id ${JSON.stringify(row.workspace_id)} is not ${JSON.stringify(workspaceId)}` };
  }
  return { record: { table: spec.name, row } };
}

const quoted = (name: string) => `"${name}"`;

/**
 * The upsert of one record, its values bound in column order: an insert,
 * or, for an existing row, an update only where something differs, so that
 * importing the same records again changes nothing. A record of another
 * workspace, a contact or address moving to another customer, a reference
 * that does not resolve: the database's triggers refuse them, aborting the
 * batch. The counter of customer numbers only grows.
 */
export function upsertSql(table: TableName): string {
  const { columns, key } = TABLES[table];
  const names = columns.map((c) => quoted(c.name));
  const head = `INSERT INTO ${quoted(table)} (${names.join(', ')}) VALUES (${columns.map(() => '?').join(', ')}) ON CONFLICT (${quoted(key)}) DO UPDATE SET `;
  if (table === COUNTERS_TABLE) return `${head}"customers" = max("customers", excluded."customers")`;
  const others = names.filter((name) => name !== quoted(key));
  return `${head}${others.map((n) => `${n} = excluded.${n}`).join(', ')} WHERE ${others.map((n) => `${n} IS NOT excluded.${n}`).join(' OR ')}`;
}

/** A record's values in the order upsertSql() binds them. */
export const upsertValues = (record: WorkspaceRecord): SqlValue[] => TABLES[record.table].columns.map((c) => record.row[c.name] ?? null);
