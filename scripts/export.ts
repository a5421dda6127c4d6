/**
 * npm run export -- --workspace <id> [--out <file>] [--persist-to <dir>]
 * npm run export -- --url <base> [--token <token>] [--out <file> [--resume]]
 *
 * Writes a workspace's records as NDJSON (format: src/exchange/format.ts) to
 * standard output, or to --out <file> (written to <file>.partial, renamed
 * once complete).
 *
 * Local (default): straight from the local D1 database's SQLite file (the one
 * `npm run dev` serves, or --persist-to <dir>), in one read transaction, so
 * the file is a snapshot of the workspace.
 * --url: through the API's GET /api/export (a read token of the workspace,
 * --token or CUSTOMERS_API_TOKEN), page after page; --resume continues an
 * interrupted export from the end of <file>.partial. Pages are read at
 * different moments, so the records are checked to fit together at the end
 * (a contact whose customer was created after the customers were read would
 * not): if they do not, run the export again.
 *
 * Tables are read in keyset pages of 5,000 rows (memory stays bounded); a
 * progress line shows on long runs.
 */
import { closeSync, existsSync, openSync, readSync, renameSync, rmSync, statSync, truncateSync, writeSync } from 'node:fs';
import { COUNTERS_TABLE, formatRecord, RECORD_TABLES, TABLES, WORKSPACE_ID, type Row, type TableName } from '../src/exchange/format.ts';
import { parseCommandLine, run, UsageError, userPath } from './lib/cli.ts';
import { openLocalDatabase } from './lib/local-d1.ts';
import { count, lines, progress, tally } from './lib/ndjson.ts';
import { apiOf } from './lib/remote.ts';
import { Staging } from './lib/staging.ts';

const USAGE = `usage:
  npm run export -- --workspace <id> [--out <file>] [--persist-to <dir>]
  npm run export -- --url <base> [--token <token>] [--out <file> [--resume]] [--page-size <n>]
  (NDJSON goes to standard output without --out; with npm, use npm run -s so npm's banner stays out of it)`;

const PAGE = 5_000;

const { values } = parseCommandLine(USAGE, {
  workspace: { type: 'string' },
  out: { type: 'string' },
  'persist-to': { type: 'string' },
  url: { type: 'string' },
  token: { type: 'string' },
  resume: { type: 'boolean', default: false },
  'page-size': { type: 'string' },
  remote: { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
});

/** Where the lines go: standard output, or <out>.partial renamed to <out> once complete. */
function openOutput(out: string | undefined, resume: boolean) {
  if (out === undefined) return { write: (text: string) => void process.stdout.write(text), commit: () => {}, keep: () => {} };
  const partial = `${out}.partial`;
  const fd = openSync(partial, resume ? 'a' : 'w', 0o600);
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
    /** Leaves <out>.partial for --resume. */
    keep: close,
  };
}

/** Where an interrupted export stopped: the table and id of the last whole line of <out>.partial. */
function resumePoint(partial: string): string | undefined {
  const size = statSync(partial).size;
  const tail = Buffer.alloc(Math.min(size, 1 << 20));
  const fd = openSync(partial, 'r');
  try {
    readSync(fd, tail, 0, tail.length, size - tail.length);
  } finally {
    closeSync(fd);
  }
  const text = tail.toString('latin1');
  const end = text.lastIndexOf('\n');
  if (end < 0) return undefined;
  // A line cut short by the interruption goes; the export continues after the last whole one.
  truncateSync(partial, size - tail.length + end + 1);
  const last = JSON.parse(Buffer.from(text.slice(text.lastIndexOf('\n', end - 1) + 1, end), 'latin1').toString('utf8')) as { table: TableName; row: Row };
  return last.table === COUNTERS_TABLE ? 'done' : `${last.table}:${last.row.id}`;
}

await run(USAGE, async () => {
  if (values.help) {
    console.error(USAGE);
    return;
  }
  if (values.remote) throw new UsageError('--remote is gone: export through the deployed API with --url https://<your worker> and a read token');
  const outFile = values.out === undefined ? undefined : userPath(values.out);
  if (values.resume && (outFile === undefined || values.url === undefined)) throw new UsageError('--resume continues an --url export to --out <file>');
  const shown = progress();
  const counts = Object.fromEntries(RECORD_TABLES.map((t) => [t, 0])) as Record<string, number>;
  let written = 0;
  const report = () => shown.update(`exporting: ${count(written)} records written`);

  if (values.url === undefined) {
    const workspaceId = values.workspace;
    if (workspaceId === undefined) throw new UsageError('--workspace is required (or --url with a token of the workspace)');
    if (!WORKSPACE_ID.test(workspaceId)) throw new UsageError('--workspace must be 1-64 letters, digits, "-" or "_"');
    const db = openLocalDatabase(values['persist-to'], true);
    const output = openOutput(outFile, false);
    try {
      db.exec('BEGIN'); // one snapshot of the workspace, however long the export takes
      const columns = (table: TableName) => TABLES[table].columns.map((c) => `"${c.name}"`).join(', ');
      for (const table of RECORD_TABLES) {
        const page = db.prepare(`SELECT ${columns(table)} FROM "${table}" WHERE "workspace_id" = ? AND "id" > ? ORDER BY "id" LIMIT ${PAGE}`);
        for (let after = ''; ; ) {
          const rows = page.all(workspaceId, after) as Row[];
          output.write(rows.map((row) => `${formatRecord({ table, row })}\n`).join(''));
          counts[table]! += rows.length;
          written += rows.length;
          report();
          if (rows.length < PAGE) break;
          after = rows.at(-1)!.id as string;
        }
      }
      const counters = db.prepare(`SELECT ${columns(COUNTERS_TABLE)} FROM "${COUNTERS_TABLE}" WHERE "workspace_id" = ?`).get(workspaceId) as Row | undefined;
      // A workspace that never had a customer has no counters row yet: 0 is what it stands for.
      output.write(`${formatRecord({ table: COUNTERS_TABLE, row: counters ?? { workspace_id: workspaceId, customers: 0 } })}\n`);
      db.exec('COMMIT');
      output.commit();
    } catch (error) {
      output.keep();
      if (outFile) rmSync(`${outFile}.partial`, { force: true });
      throw error;
    } finally {
      db.close();
    }
    shown.done();
    if (written === 0) console.error(`warning: workspace ${workspaceId} has no records (is the workspace id right?)`);
  } else {
    const api = apiOf(values.url, values.token);
    const size = values['page-size'] === undefined ? PAGE : Number(values['page-size']);
    if (!Number.isInteger(size) || size < 1 || size > PAGE) throw new UsageError(`--page-size must be an integer from 1 to ${PAGE}`);
    let cursor: string | undefined = values.resume && outFile && existsSync(`${outFile}.partial`) ? resumePoint(`${outFile}.partial`) : undefined;
    const output = openOutput(outFile, cursor !== undefined);
    try {
      while (cursor !== 'done') {
        const res = await api.fetch(`/api/export?limit=${size}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
        if (!res.ok) throw new Error(`The API refused the export (${res.status}): ${await res.text()}`);
        const text = await res.text();
        output.write(text);
        const lines = text === '' ? 0 : text.split('\n').length - 1;
        written += lines;
        report();
        cursor = res.headers.get('Export-Cursor') ?? 'done';
      }
    } catch (error) {
      output.keep();
      throw new Error(`${(error as Error).message}${outFile ? `\nThe records exported so far are in ${outFile}.partial: run again with --resume to continue.` : ''}`);
    }
    // Pages were read at different moments: check that the records fit together before the file counts as an export.
    if (outFile) {
      const staging = new Staging();
      try {
        for await (const [line, text] of lines(`${outFile}.partial`)) {
          if (text === '') continue;
          const record = JSON.parse(text) as { table: TableName; row: Row };
          staging.add(line, record);
          if (record.table !== COUNTERS_TABLE) counts[record.table]!++;
        }
        const problems = staging.check();
        if (problems.length > 0) {
          rmSync(`${outFile}.partial`, { force: true });
          throw new Error(`Export failed (${outFile} was not written): the records read do not fit together; the workspace probably changed during the export, so run it again.\n${problems.join('\n')}`);
        }
      } finally {
        staging.close();
      }
    }
    output.commit();
    shown.done();
  }
  console.error(`Exported ${tally(counts)}${outFile ? ` to ${outFile}` : ''}.`);
});
