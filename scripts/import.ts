/**
 * npm run import -- [--file <file>] [--remote] [--persist-to <dir>]
 *
 * Loads an `npm run export` file (NDJSON, from --file or standard input) back
 * into the database: local by default (--persist-to <dir> picks another local
 * state directory), the deployed database with --remote.
 *
 * 1. The whole file is checked first (scripts/lib/records.ts): every line a
 *    valid record of one workspace, references resolving within the file, the
 *    workspace_counters line last. Then the database is read to make sure no id
 *    of the file belongs to another workspace, no contact or address would
 *    move to another customer, and no other customer of the workspace holds
 *    one of the file's customer numbers or source ids. Any problem: exit 1 and
 *    nothing is written.
 * 2. Records are upserted (INSERT ... ON CONFLICT(id) DO UPDATE, touching only
 *    rows of the same workspace that differ), in dependency order: segments;
 *    customers, inserted without bill_to_customer_id, then every
 *    bill_to_customer_id set (a customer may bill to a later one); contacts;
 *    addresses; and the customer counter, which only grows (max of the stored
 *    and the imported value). Triggers rebuild customer_tax_ids.
 *
 * Statements go to wrangler as SQL files of at most 1,000 statements / 1 MiB;
 * each file is applied as one transaction. Importing the same file again
 * changes nothing, so an import that stopped part way can simply be rerun.
 * Records of the workspace that are not in the file are left alone.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run, targetOf, UsageError, userPath, parseCommandLine } from './lib/cli.ts';
import { executeFile, query, type DbRow, type Target } from './lib/d1.ts';
import {
  COUNTERS_TABLE,
  RECORD_TABLES,
  RecordChecker,
  TABLES,
  type Row,
  type TableName,
  type TableSpec,
} from './lib/records.ts';
import { bytes, ident, literal, type SqlValue } from './lib/sql.ts';

const USAGE = `usage:
  npm run import -- [--file <file>] [--remote] [--persist-to <dir>]
  (without --file, the NDJSON is read from standard input)`;

const FILE_STATEMENTS = 1_000;
const FILE_BYTES = 1024 * 1024;
/** D1's limit on the length of one SQL statement. */
const MAX_STATEMENT_BYTES = 100_000;
/** Bounds on the IN (...) lists of the checks against the database. */
const LIST_ITEMS = 500;
const LIST_BYTES = 40_000;

const { values } = parseCommandLine(USAGE, {
  file: { type: 'string' },
  remote: { type: 'boolean', default: false },
  'persist-to': { type: 'string' },
  help: { type: 'boolean', short: 'h', default: false },
});

interface Line {
  line: number;
  row: Row;
}

type Records = Record<TableName, Line[]>;

const listErrors = (errors: string[]) =>
  errors.slice(0, 20).join('\n') + (errors.length > 20 ? `\n... and ${errors.length - 20} more` : '');

function readInput(): { source: string; text: string } {
  let source: string;
  let data: Buffer;
  if (values.file !== undefined) {
    source = userPath(values.file);
    try {
      data = readFileSync(source);
    } catch (error) {
      throw new Error(`Cannot read ${source}: ${(error as Error).message}`);
    }
  } else {
    if (process.stdin.isTTY) throw new UsageError('give --file <file>, or pipe the NDJSON into standard input');
    source = 'standard input';
    data = readFileSync(0);
  }
  try {
    return { source, text: new TextDecoder('utf-8', { fatal: true }).decode(data) };
  } catch {
    throw new Error(`Refusing to import ${source}: it is not UTF-8 text (nothing was written).`);
  }
}

/** Parses and checks every line; throws (before anything is written) unless the whole file is valid. */
function parse(source: string, text: string): { workspaceId: string; records: Records; checker: RecordChecker } {
  const checker = new RecordChecker();
  const records: Records = { segments: [], customers: [], contacts: [], addresses: [], workspace_counters: [] };
  for (const [index, raw] of text.split('\n').entries()) {
    const content = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (content.trim() === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(content);
    } catch {
      const hint = content.startsWith('>') ? " (npm's banner? Export with npm run -s export, or with --out)" : '';
      checker.errors.push(`line ${index + 1}: not a JSON value${hint}`);
      continue;
    }
    const record = checker.add(index + 1, value);
    if (record) records[record.table].push({ line: index + 1, row: record.row });
  }
  checker.finish();
  if (checker.errors.length > 0 || checker.workspaceId === undefined) {
    throw new Error(`Refusing to import ${source}: it is not a valid export (nothing was written).\n${listErrors(checker.errors)}`);
  }
  return { workspaceId: checker.workspaceId, records, checker };
}

/** Splits SQL literals into groups for IN lists, bounded in items and bytes. */
function groups(items: string[]): string[] {
  const result: string[] = [];
  let current: string[] = [];
  let size = 0;
  for (const item of items) {
    const length = bytes(item) + 2;
    if (current.length > 0 && (current.length >= LIST_ITEMS || size + length > LIST_BYTES)) {
      result.push(current.join(', '));
      current = [];
      size = 0;
    }
    current.push(item);
    size += length;
  }
  if (current.length > 0) result.push(current.join(', '));
  return result;
}

/**
 * Reads what could make a write fail half way, and returns the problems:
 * the database lacks a column, an id is another workspace's, a contact or
 * address would move to another customer, or another customer of the
 * workspace holds a number or source id of the file.
 */
function conflicts(target: Target, workspaceId: string, records: Records): string[] {
  const checks: { sql: string; problems: (rows: DbRow[]) => string[] }[] = [];
  const workspace = literal(workspaceId);

  for (const spec of Object.values(TABLES)) {
    checks.push({ sql: `SELECT ${spec.columns.map((c) => ident(c.name)).join(', ')} FROM ${ident(spec.name)} LIMIT 0`, problems: () => [] });
  }
  for (const table of RECORD_TABLES) {
    // Contacts and addresses stay with their customer (triggers refuse to move them).
    const owned = table === 'contacts' || table === 'addresses';
    const owners = new Map(records[table].map((r) => [r.row.id, r.row.customer_id]));
    for (const ids of groups(records[table].map((r) => literal(r.row.id as string)))) {
      checks.push({
        sql: `SELECT "id", "workspace_id"${owned ? ', "customer_id"' : ''} FROM ${ident(table)} WHERE "id" IN (${ids})`,
        problems: (rows) =>
          rows.flatMap((r) => {
            if (r.workspace_id !== workspaceId) return [`${table} ${String(r.id)} exists in another workspace`];
            if (owned && r.customer_id !== owners.get(r.id as string)) {
              return [`${table} ${String(r.id)} belongs to customer ${String(r.customer_id)}, not ${String(owners.get(r.id as string))}: it cannot move to another customer`];
            }
            return [];
          }),
      });
    }
  }

  const customers = records.customers.map((r) => r.row);
  const byNumber = new Map(customers.map((c) => [c.number, c.id]));
  for (const numbers of groups(customers.map((c) => literal(c.number as number)))) {
    checks.push({
      sql: `SELECT "id", "number" FROM "customers" WHERE "workspace_id" = ${workspace} AND "number" IN (${numbers})`,
      problems: (rows) =>
        rows
          .filter((r) => byNumber.get(r.number as number) !== r.id)
          .map((r) => `customer ${String(byNumber.get(r.number as number))} has number ${String(r.number)}, which customer ${String(r.id)} of the workspace already has`),
    });
  }
  const sourceKey = (system: unknown, id: unknown) => JSON.stringify([system, id]);
  const sourced = customers.filter((c) => c.source_system !== null && c.source_system_id !== null);
  const bySource = new Map(sourced.map((c) => [sourceKey(c.source_system, c.source_system_id), c.id]));
  for (const pairs of groups(sourced.map((c) => `(${literal(c.source_system as string)}, ${literal(c.source_system_id as string)})`))) {
    checks.push({
      sql: `SELECT "id", "source_system", "source_system_id" FROM "customers" WHERE "workspace_id" = ${workspace} AND ("source_system", "source_system_id") IN (VALUES ${pairs})`,
      problems: (rows) =>
        rows
          .filter((r) => bySource.get(sourceKey(r.source_system, r.source_system_id)) !== r.id)
          .map((r) => `customer ${String(bySource.get(sourceKey(r.source_system, r.source_system_id)))} has the source ids of customer ${String(r.id)} of the workspace`),
    });
  }

  const results = query(target, checks.map((c) => c.sql));
  return checks.flatMap((check, i) => check.problems(results[i] ?? []));
}

/**
 * An upsert that only ever updates a row of the same workspace, and only when
 * something differs. `keep` columns are left as they are on update.
 */
function upsert(spec: TableSpec, row: Row, keep: string[] = []): string {
  const t = ident(spec.name);
  const columns = spec.columns.map((c) => c.name);
  const updated = columns.filter((c) => c !== spec.key && c !== 'workspace_id' && !keep.includes(c));
  return (
    `INSERT INTO ${t} (${columns.map(ident).join(', ')}) VALUES (${columns.map((c) => literal(row[c] as SqlValue)).join(', ')})` +
    ` ON CONFLICT (${ident(spec.key)}) DO UPDATE SET ${updated.map((c) => `${ident(c)} = excluded.${ident(c)}`).join(', ')}` +
    ` WHERE ${t}."workspace_id" = excluded."workspace_id"` +
    ` AND (${updated.map((c) => `${t}.${ident(c)} IS NOT excluded.${ident(c)}`).join(' OR ')})`
  );
}

/** Counters only grow: each becomes the larger of the stored and the imported value. */
function upsertCounters(spec: TableSpec, row: Row): string {
  const t = ident(spec.name);
  const columns = spec.columns.map((c) => c.name);
  const counters = columns.filter((c) => c !== spec.key);
  return (
    `INSERT INTO ${t} (${columns.map(ident).join(', ')}) VALUES (${columns.map((c) => literal(row[c] as SqlValue)).join(', ')})` +
    ` ON CONFLICT (${ident(spec.key)}) DO UPDATE SET ${counters.map((c) => `${ident(c)} = max(${t}.${ident(c)}, excluded.${ident(c)})`).join(', ')}` +
    ` WHERE ${counters.map((c) => `excluded.${ident(c)} > ${t}.${ident(c)}`).join(' OR ')}`
  );
}

/** The second customer pass: sets bill_to_customer_id once every customer exists. */
function setBillTo(row: Row): string {
  const billTo = literal(row.bill_to_customer_id as SqlValue);
  return (
    `UPDATE "customers" SET "bill_to_customer_id" = ${billTo}` +
    ` WHERE "id" = ${literal(row.id as string)} AND "workspace_id" = ${literal(row.workspace_id as string)} AND "bill_to_customer_id" IS NOT ${billTo}`
  );
}

function statements(records: Records): { line: number; sql: string }[] {
  const out: { line: number; sql: string }[] = [];
  const add = (table: TableName, make: (row: Row) => string) => {
    for (const { line, row } of records[table]) out.push({ line, sql: make(row) });
  };
  add('segments', (row) => upsert(TABLES.segments, row));
  add('customers', (row) => upsert(TABLES.customers, { ...row, bill_to_customer_id: null }, ['bill_to_customer_id']));
  add('customers', setBillTo);
  add('contacts', (row) => upsert(TABLES.contacts, row));
  add('addresses', (row) => upsert(TABLES.addresses, row));
  add(COUNTERS_TABLE, (row) => upsertCounters(TABLES[COUNTERS_TABLE], row));
  return out;
}

/** Groups statements into SQL file contents of bounded size. */
function files(sqls: string[]): string[] {
  const result: string[] = [];
  let current: string[] = [];
  let size = 0;
  for (const sql of sqls) {
    const length = bytes(sql) + 2;
    if (current.length > 0 && (current.length >= FILE_STATEMENTS || size + length > FILE_BYTES)) {
      result.push(`${current.join(';\n')};\n`);
      current = [];
      size = 0;
    }
    current.push(sql);
    size += length;
  }
  if (current.length > 0) result.push(`${current.join(';\n')};\n`);
  return result;
}

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

await run(USAGE, () => {
  if (values.help) {
    console.error(USAGE);
    return;
  }
  const target = targetOf(values);
  const { source, text } = readInput();
  const { workspaceId, records, checker } = parse(source, text);

  const planned = statements(records);
  const oversized = planned.filter((s) => bytes(s.sql) > MAX_STATEMENT_BYTES);
  if (oversized.length > 0) {
    throw new Error(
      `Refusing to import ${source} (nothing was written): these records are over D1's ${MAX_STATEMENT_BYTES}-byte statement limit:\n` +
        listErrors(oversized.map((s) => `line ${s.line}`)),
    );
  }

  const problems = conflicts(target, workspaceId, records);
  if (problems.length > 0) {
    throw new Error(`Refusing to import ${source} into the database (nothing was written):\n${listErrors(problems)}`);
  }

  const contents = files(planned.map((s) => s.sql));
  const dir = mkdtempSync(join(tmpdir(), 'customers-import-'));
  try {
    for (const [i, content] of contents.entries()) {
      const file = join(dir, `${String(i + 1).padStart(5, '0')}.sql`);
      writeFileSync(file, content, { mode: 0o600 });
      if (contents.length > 1) console.error(`Applying part ${i + 1} of ${contents.length}...`);
      try {
        executeFile(target, file);
      } catch (error) {
        throw new Error(
          `Import stopped at part ${i + 1} of ${contents.length}: ${(error as Error).message}\n` +
            `${i === 0 ? 'Nothing was written.' : `Parts 1-${i} were applied; part ${i + 1} was not.`} ` +
            'The import is idempotent: fix the cause and run it again.',
        );
      }
      rmSync(file, { force: true });
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }

  const { segments, customers, contacts, addresses } = checker.counts;
  console.log(
    `Imported workspace ${workspaceId}: ${plural(segments, 'segment', 'segments')}, ${plural(customers, 'customer', 'customers')}, ` +
      `${plural(contacts, 'contact', 'contacts')}, ${plural(addresses, 'address', 'addresses')} ` +
      `(${plural(planned.length, 'statement', 'statements')} in ${plural(contents.length, 'part', 'parts')}).`,
  );
});
