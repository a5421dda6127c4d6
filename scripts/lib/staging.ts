/**
 * An import file's records, staged in a temporary SQLite database so that
 * what needs the whole file (ids appearing twice, references resolving within
 * it, the counters line) is checked with SQL on disk rather than in memory:
 * a file of millions of records is checked in bounded memory. The staged
 * records are then read back in dependency order to be applied.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync, type StatementSync } from 'node:sqlite';
import { COUNTERS_TABLE, REFERENCES, TABLE_NAMES, TABLES, type Row, type TableName, type WorkspaceRecord } from '../../src/exchange/format.ts';

const q = (name: string) => `"${name}"`;
const MAX_PROBLEMS = 20;

export class Staging {
  readonly dir = mkdtempSync(join(tmpdir(), 'customers-import-'));
  readonly db = new DatabaseSync(join(this.dir, 'staging.sqlite'));
  readonly counts = Object.fromEntries(TABLE_NAMES.map((t) => [t, 0])) as Record<TableName, number>;
  private readonly inserts: Record<string, StatementSync> = {};

  constructor() {
    this.db.exec('PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF; BEGIN');
    for (const table of TABLE_NAMES) {
      const columns = TABLES[table].columns.map((c) => q(c.name));
      this.db.exec(`CREATE TABLE ${q(table)} ("line" INTEGER PRIMARY KEY, ${columns.join(', ')})`);
      this.inserts[table] = this.db.prepare(`INSERT INTO ${q(table)} ("line", ${columns.join(', ')}) VALUES (?, ${columns.map(() => '?').join(', ')})`);
    }
  }

  add(line: number, { table, row }: WorkspaceRecord): void {
    this.inserts[table]!.run(line, ...TABLES[table].columns.map((c) => row[c.name] ?? null));
    this.counts[table]++;
  }

  /** What only the whole file can tell, as problems prefixed with a line (at most 20). */
  check(): string[] {
    this.db.exec('COMMIT');
    for (const table of TABLE_NAMES) if (table !== COUNTERS_TABLE) this.db.exec(`CREATE INDEX ${q(`${table}_id`)} ON ${q(table)} ("id")`);
    const problems: string[] = [];
    const add = (sql: string, message: (row: Row) => string) => {
      if (problems.length >= MAX_PROBLEMS) return;
      for (const row of this.db.prepare(`${sql} LIMIT ${MAX_PROBLEMS}`).all() as Row[]) problems.push(message(row));
    };
    for (const table of TABLE_NAMES) {
      if (table === COUNTERS_TABLE) continue;
      add(
        `SELECT b."line", b."id", min(a."line") AS first FROM ${q(table)} a JOIN ${q(table)} b ON a."id" = b."id" AND a."line" < b."line" GROUP BY b."line" ORDER BY b."line"`,
        (r) => `line ${r.line}: ${table}: id ${r.id} appears twice (first on line ${r.first})`,
      );
    }
    add(
      'SELECT b."line", b."number", a."line" AS first FROM "customers" a JOIN "customers" b ON a."number" = b."number" AND a."line" < b."line" ORDER BY b."line"',
      (r) => `line ${r.line}: customers: number ${r.number} is also the number of the customer on line ${r.first}`,
    );
    add(
      `SELECT b."line", a."line" AS first FROM "customers" a JOIN "customers" b ON a."source_system" = b."source_system" AND a."source_system_id" = b."source_system_id" AND a."line" < b."line" ORDER BY b."line"`,
      (r) => `line ${r.line}: customers: source_system and source_system_id are also those of the customer on line ${r.first}`,
    );
    add('SELECT "line" FROM "customers" WHERE "bill_to_customer_id" = "id"', (r) => `line ${r.line}: customers: bill_to_customer_id is the customer itself`);
    for (const ref of REFERENCES) {
      add(
        `SELECT s."line", s.${q(ref.column)} AS value FROM ${q(ref.table)} s WHERE s.${q(ref.column)} IS NOT NULL AND NOT EXISTS (SELECT 1 FROM ${q(ref.target)} t WHERE t."id" = s.${q(ref.column)}) ORDER BY s."line"`,
        (r) => `line ${r.line}: ${ref.table}.${ref.column} ${r.value} is not one of the file's ${ref.target}`,
      );
    }
    add(
      'SELECT a."line", a."contact_id" AS value FROM "addresses" a JOIN "contacts" c ON c."id" = a."contact_id" WHERE c."customer_id" IS NOT a."customer_id" ORDER BY a."line"',
      (r) => `line ${r.line}: addresses.contact_id ${r.value} is a contact of another customer`,
    );
    const counters = this.db.prepare('SELECT "line", "customers" FROM "workspace_counters"').get() as Row | undefined;
    const highest = (this.db.prepare('SELECT max("number") AS n FROM "customers"').get() as Row).n as number | null;
    if (!counters) problems.push(`no ${COUNTERS_TABLE} line: an export ends with one, so the file is incomplete`);
    else if (highest !== null && (counters.customers as number) < highest) {
      problems.push(`line ${counters.line}: ${COUNTERS_TABLE}.customers is ${counters.customers}, below the highest customer number (${highest})`);
    }
    return problems.slice(0, MAX_PROBLEMS);
  }

  /** A table's staged records with their lines, in file order, `size` at a time (bounded memory). */
  *records(table: TableName, size = 1_000): Generator<{ line: number; record: WorkspaceRecord }[]> {
    const columns = TABLES[table].columns.map((c) => q(c.name)).join(', ');
    const page = this.db.prepare(`SELECT "line", ${columns} FROM ${q(table)} WHERE "line" > ? ORDER BY "line" LIMIT ${size}`);
    for (let after = 0; ; ) {
      const rows = page.all(after) as Row[];
      if (rows.length === 0) return;
      after = rows.at(-1)!.line as number;
      yield rows.map(({ line, ...row }) => ({ line: line as number, record: { table, row } }));
    }
  }

  close(): void {
    this.db.close();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
