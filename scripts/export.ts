/**
 * npm run export -- --workspace <id> [--out <file>] [--remote] [--persist-to <dir>]
 *
 * Writes a workspace's records as NDJSON (format: scripts/lib/records.ts) to
 * standard output, or to --out <file> (written whole or not at all). Local by
 * default (the state `npm run dev` serves; --persist-to <dir> picks another
 * local state directory); --remote reads the deployed database.
 *
 * Tables are read in keyset pages (WHERE workspace_id = ? AND id > ? ORDER BY
 * id LIMIT 500). Each wrangler call reads the next page of every table still
 * unread, as far as a read-ahead bound allows, so a small workspace is read in
 * one call, as one batch. A larger one takes several calls; if the workspace
 * changed between them so that the records no longer fit together (say, a
 * contact of a customer created after the customers were read), the export
 * fails and can be run again.
 */
import { closeSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { run, targetOf, UsageError, userPath, parseCommandLine } from './lib/cli.ts';
import { query, type DbRow } from './lib/d1.ts';
import {
  COUNTERS_TABLE,
  formatRecord,
  RECORD_TABLES,
  RecordChecker,
  TABLES,
  WORKSPACE_ID,
  type RecordTable,
  type TableName,
} from './lib/records.ts';
import { ident, literal } from './lib/sql.ts';

const USAGE = `usage:
  npm run export -- --workspace <id> [--out <file>] [--remote] [--persist-to <dir>]
  (NDJSON goes to standard output without --out; with npm, use npm run -s so npm's banner stays out of it)`;

/** Rows per keyset page. */
const PAGE = 500;
/** Rows of later tables read ahead, and held, while an earlier table is still being read. */
const READ_AHEAD = 5_000;

const { values } = parseCommandLine(USAGE, {
  workspace: { type: 'string' },
  out: { type: 'string' },
  remote: { type: 'boolean', default: false },
  'persist-to': { type: 'string' },
  help: { type: 'boolean', short: 'h', default: false },
});

const columnList = (table: TableName) => TABLES[table].columns.map((c) => ident(c.name)).join(', ');

const pageQuery = (table: RecordTable, workspaceId: string, after: string) =>
  `SELECT ${columnList(table)} FROM ${ident(table)} WHERE "workspace_id" = ${literal(workspaceId)} AND "id" > ${literal(after)} ORDER BY "id" LIMIT ${PAGE}`;

const countersQuery = (workspaceId: string) =>
  `SELECT ${columnList(COUNTERS_TABLE)} FROM ${ident(COUNTERS_TABLE)} WHERE "workspace_id" = ${literal(workspaceId)}`;

interface Cursor {
  table: RecordTable;
  /** The last id read: the next page starts after it. */
  after: string;
  done: boolean;
  /** Rows read but not yet written (an earlier table is still being read). */
  held: DbRow[];
}

/** Where the lines go: standard output, or a temporary file renamed to --out once complete. */
function openOutput(out: string | undefined) {
  if (out === undefined) {
    return { write: (text: string) => void process.stdout.write(text), commit: () => {}, abort: () => {} };
  }
  const partial = `${out}.${process.pid}.partial`;
  const fd = openSync(partial, 'w', 0o600);
  let open = true;
  const close = () => {
    if (open) closeSync(fd);
    open = false;
  };
  return {
    write: (text: string) => void writeSync(fd, text),
    commit: () => {
      close();
      renameSync(partial, out);
    },
    abort: () => {
      close();
      rmSync(partial, { force: true });
    },
  };
}

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

await run(USAGE, () => {
  if (values.help) {
    console.error(USAGE);
    return;
  }
  const workspaceId = values.workspace;
  if (workspaceId === undefined) throw new UsageError('--workspace is required');
  if (!WORKSPACE_ID.test(workspaceId)) throw new UsageError('--workspace must be 1-64 letters, digits, "-" or "_"');
  const target = targetOf(values);
  const outFile = values.out === undefined ? undefined : userPath(values.out);

  const checker = new RecordChecker(workspaceId);
  const output = openOutput(outFile);
  let line = 0;
  const emit = (table: TableName, rows: DbRow[]) => {
    let text = '';
    for (const row of rows) {
      const record = checker.add(++line, { table, row: Object.fromEntries(TABLES[table].columns.map((c) => [c.name, row[c.name]])) });
      if (record) text += `${formatRecord(record)}\n`;
    }
    output.write(text);
  };

  try {
    const cursors: Cursor[] = RECORD_TABLES.map((table) => ({ table, after: '', done: false, held: [] }));
    let counters: DbRow | undefined;
    let current = 0; // the table being written; earlier ones are complete
    while (current < cursors.length) {
      let held = cursors.reduce((n, c) => n + c.held.length, 0);
      const round: Cursor[] = [];
      for (const [i, cursor] of cursors.entries()) {
        if (i < current || cursor.done) continue;
        if (i === current || held + PAGE <= READ_AHEAD) {
          round.push(cursor);
          held += PAGE;
        }
      }
      // The counters come with every round, so the last value read is at least every customer number read.
      const results = query(target, [...round.map((c) => pageQuery(c.table, workspaceId, c.after)), countersQuery(workspaceId)]);
      for (const [i, cursor] of round.entries()) {
        const rows = results[i] ?? [];
        const last = rows.at(-1)?.id;
        if (last !== undefined && typeof last !== 'string') throw new Error(`${cursor.table}: an id is not a string`);
        cursor.held.push(...rows);
        cursor.after = last ?? cursor.after;
        cursor.done = rows.length < PAGE;
      }
      counters = results.at(-1)?.[0];
      for (; current < cursors.length; current++) {
        const cursor = cursors[current]!;
        emit(cursor.table, cursor.held);
        cursor.held = [];
        if (!cursor.done) break;
      }
    }
    // A workspace that never had a customer has no counters row yet: 0 is what it stands for.
    emit(COUNTERS_TABLE, [counters ?? { workspace_id: workspaceId, customers: 0 }]);
    const badRows = checker.errors.length;
    checker.finish();
    if (checker.errors.length > 0) {
      const shown = checker.errors.slice(0, 20).join('\n');
      const more = checker.errors.length > 20 ? `\n... and ${checker.errors.length - 20} more` : '';
      const why =
        badRows > 0
          ? 'stored records fail the checks `npm run import` makes'
          : 'the records read do not fit together: the workspace probably changed during the export, so run it again';
      throw new Error(`Export failed${outFile ? ` (${outFile} was not written)` : ''}: ${why}.\n${shown}${more}`);
    }
    output.commit();
  } catch (error) {
    output.abort();
    throw error;
  }

  const { segments, customers, contacts, addresses } = checker.counts;
  if (segments + customers + contacts + addresses === 0) {
    console.error(`warning: workspace ${workspaceId} has no records (is the workspace id right?)`);
  }
  console.error(
    `Exported workspace ${workspaceId}: ${plural(segments, 'segment', 'segments')}, ${plural(customers, 'customer', 'customers')}, ` +
      `${plural(contacts, 'contact', 'contacts')}, ${plural(addresses, 'address', 'addresses')}${outFile ? ` to ${outFile}` : ''}.`,
  );
});
