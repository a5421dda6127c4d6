/**
 * The workspace export format, shared by `npm run export` and `npm run import`.
 *
 * NDJSON, one record a line: {"table": "<table>", "row": {<every column, by
 * its snake_case DB name, with the value as stored>}}. Records come in
 * dependency order (segments, customers, contacts, addresses, each in id
 * order), then exactly one {"table": "workspace_counters", ...} line, last.
 * customer_tax_ids (derived from customers.tax_ids by triggers) and
 * idempotency_keys (short-lived request records) are not part of it.
 *
 * Columns come from the Drizzle schema (src/store/schema.ts), so a column added
 * there is exported and imported with no change here. RecordChecker holds
 * every rule a line must pass; the export runs its own output through it too,
 * so it never writes a file that the import would refuse.
 */
import { getTableColumns, getTableName } from 'drizzle-orm';
import type { SQLiteTable } from 'drizzle-orm/sqlite-core';
import { addresses, contacts, customers, segments, workspaceCounters } from '../../src/store/schema.ts';
import type { SqlValue } from './sql.ts';

/** Workspace ids, as the token CLI and the API use them. */
export const WORKSPACE_ID = /^[A-Za-z0-9_-]{1,64}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** The record tables, in dependency order (a record only refers to earlier tables, or to its own). */
export const RECORD_TABLES = ['segments', 'customers', 'contacts', 'addresses'] as const;
export type RecordTable = (typeof RECORD_TABLES)[number];
export const COUNTERS_TABLE = 'workspace_counters';
export type TableName = RecordTable | typeof COUNTERS_TABLE;

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
  'customers.email_settings': 'object',
  'customers.integration_settings': 'object',
  'contacts.role': 'string-array',
};

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
  const columns = Object.values(getTableColumns(table)).map((column): ColumnSpec => {
    let type: ColumnSpec['type'];
    if (column.columnType === 'SQLiteInteger') type = 'integer';
    else if (column.columnType === 'SQLiteText' || column.columnType === 'SQLiteTextJson') type = 'text';
    else throw new Error(`${name}.${column.name}: column type ${column.columnType} is not supported by scripts/lib/records.ts`);
    const enumValues = column.enumValues as readonly string[] | undefined;
    return {
      name: column.name,
      type,
      nullable: !column.notNull,
      enumValues: enumValues && enumValues.length > 0 ? enumValues : undefined,
      json: column.dataType === 'json' ? (JSON_SHAPES[`${name}.${column.name}`] ?? 'any') : undefined,
      uuid:
        (name !== COUNTERS_TABLE && column.name === 'id') ||
        REFERENCES.some((r) => r.table === name && r.column === column.name),
    };
  });
  for (const required of [key, 'workspace_id']) {
    if (!columns.some((c) => c.name === required)) throw new Error(`${name} has no ${required} column`);
  }
  return { name, key, columns };
}

export const TABLES: Record<TableName, TableSpec> = {
  segments: tableSpec(segments, 'id'),
  customers: tableSpec(customers, 'id'),
  contacts: tableSpec(contacts, 'id'),
  addresses: tableSpec(addresses, 'id'),
  workspace_counters: tableSpec(workspaceCounters, 'workspace_id'),
};

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

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

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
      return isObject(value) && Object.values(value).every((v) => typeof v === 'string')
        ? undefined
        : 'must be a JSON object of strings';
    case 'string-array':
      return Array.isArray(value) && value.every((v) => typeof v === 'string') ? undefined : 'must be a JSON array of strings';
    case 'tax-ids':
      return Array.isArray(value) &&
        value.every((t) => isObject(t) && typeof t.tax === 'string' && typeof t.tax_value === 'string')
        ? undefined
        : 'must be a JSON array of {"tax": string, "tax_value": string}';
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

interface PendingReference {
  line: number;
  table: RecordTable;
  column: string;
  target: RecordTable;
  value: string;
  /** For an address's contact: the address's customer, which must be the contact's too. */
  customerId?: string;
}

/**
 * Checks records one line at a time (add), then what only the whole file can
 * tell (finish): references resolve within the file, and the counters line is
 * there, last. Problems accumulate in `errors`, each prefixed with its line.
 */
export class RecordChecker {
  readonly errors: string[] = [];
  readonly counts: Record<TableName, number> = { segments: 0, customers: 0, contacts: 0, addresses: 0, workspace_counters: 0 };
  workspaceId: string | undefined;
  private readonly ids: Record<RecordTable, Set<string>> = {
    segments: new Set(),
    customers: new Set(),
    contacts: new Set(),
    addresses: new Set(),
  };
  private readonly contactCustomers = new Map<string, string>();
  private readonly numbers = new Map<number, number>();
  private readonly sources = new Map<string, number>();
  private readonly references: PendingReference[] = [];
  private maxNumber = 0;
  private counters: { line: number; customers: number } | undefined;

  /** workspaceId: the workspace every record must belong to; by default, the first record's. */
  constructor(workspaceId?: string) {
    this.workspaceId = workspaceId;
  }

  /** Checks one parsed line; returns the record, or undefined (and records why) if it is not valid. */
  add(line: number, value: unknown): WorkspaceRecord | undefined {
    const fail = (message: string) => {
      this.errors.push(`line ${line}: ${message}`);
      return undefined;
    };
    if (!isObject(value) || Object.keys(value).length !== 2 || !('table' in value) || !('row' in value)) {
      return fail('expected {"table": ..., "row": {...}}');
    }
    const table = value.table;
    if (typeof table !== 'string' || !Object.hasOwn(TABLES, table)) {
      return fail(`unknown table ${JSON.stringify(table)} (expected ${Object.keys(TABLES).join(', ')})`);
    }
    const spec = TABLES[table as TableName];
    if (this.counters) return fail(`a ${spec.name} record after the ${COUNTERS_TABLE} line (line ${this.counters.line}), which must be the last`);
    if (!isObject(value.row)) return fail(`${spec.name}: "row" must be an object`);

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
      else row[column.name] = v as SqlValue;
    }
    for (const name of Object.keys(input)) {
      if (!spec.columns.some((c) => c.name === name)) problems.push(`unknown column ${JSON.stringify(name)}`);
    }
    if (problems.length > 0) return fail(`${spec.name}: ${problems.join('; ')}`);

    const workspaceId = row.workspace_id as string;
    this.workspaceId ??= workspaceId;
    if (workspaceId !== this.workspaceId) {
      return fail(`${spec.name}: workspace_id ${JSON.stringify(workspaceId)} is not ${JSON.stringify(this.workspaceId)} (a file holds one workspace)`);
    }

    if (spec.name === COUNTERS_TABLE) {
      this.counters = { line, customers: row.customers as number };
      this.counts[spec.name]++;
      return { table: spec.name, row };
    }

    const name = spec.name;
    const id = row.id as string;
    if (this.ids[name].has(id)) return fail(`${name}: id ${id} appears twice`);

    if (name === 'customers') {
      const number = row.number as number;
      const other = this.numbers.get(number);
      if (other !== undefined) return fail(`customers: number ${number} is also the number of the customer on line ${other}`);
      if (row.bill_to_customer_id === id) return fail('customers: bill_to_customer_id is the customer itself');
      if (row.source_system !== null && row.source_system_id !== null) {
        const source = JSON.stringify([row.source_system, row.source_system_id]);
        const first = this.sources.get(source);
        if (first !== undefined) return fail(`customers: source_system and source_system_id are also those of the customer on line ${first}`);
        this.sources.set(source, line);
      }
      this.numbers.set(number, line);
      this.maxNumber = Math.max(this.maxNumber, number);
    }
    if (name === 'contacts') this.contactCustomers.set(id, row.customer_id as string);
    for (const reference of REFERENCES) {
      const target = row[reference.column];
      if (reference.table !== name || typeof target !== 'string') continue;
      this.references.push({
        line,
        ...reference,
        value: target,
        customerId: reference.column === 'contact_id' ? (row.customer_id as string) : undefined,
      });
    }
    this.ids[name].add(id);
    this.counts[name]++;
    return { table: name, row };
  }

  /** The checks that need the whole file; call once, after the last add(). */
  finish(): void {
    for (const ref of this.references) {
      if (!this.ids[ref.target].has(ref.value)) {
        this.errors.push(`line ${ref.line}: ${ref.table}.${ref.column} ${ref.value} is not one of the file's ${ref.target}`);
      } else if (ref.customerId !== undefined && this.contactCustomers.get(ref.value) !== ref.customerId) {
        this.errors.push(`line ${ref.line}: ${ref.table}.${ref.column} ${ref.value} is a contact of another customer`);
      }
    }
    if (!this.counters) {
      this.errors.push(`no ${COUNTERS_TABLE} line: an export ends with one, so the file is incomplete`);
    } else if (this.counters.customers < this.maxNumber) {
      this.errors.push(
        `line ${this.counters.line}: ${COUNTERS_TABLE}.customers is ${this.counters.customers}, below the highest customer number (${this.maxNumber})`,
      );
    }
  }
}
