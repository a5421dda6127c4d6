/**
 * npm run import -- [--file <file>] [--persist-to <dir>] [--url <base> [--token <token>]]
 *
 * Loads an `npm run export` file (NDJSON, format: src/exchange/format.ts; from
 * --file or standard input) back into a workspace's database.
 *
 * 1. Every line is checked as it is read (a record of the one workspace, every
 *    column of its type) and staged in a temporary SQLite file; then what
 *    needs the whole file is checked there with SQL (ids appearing twice,
 *    references resolving within the file, the counters line). Memory stays
 *    bounded however large the file. Any problem: exit 1, nothing written.
 * 2. Records are upserted in dependency order (segments; customers, without
 *    their bill-to customer, then every bill-to set, since a customer may bill
 *    to a later one; contacts; addresses; the counter of numbers, which only
 *    grows), each only where it differs, so importing the same file again
 *    changes nothing. The database's rules hold as for any write: an id of
 *    another workspace, a contact or address moving to another customer, a
 *    number or source ids another customer of the workspace holds, each stop
 *    the import. Records of the workspace that are not in the file are kept.
 *
 * Local (default): straight into the local D1 database's SQLite file (the one
 * `npm run dev` serves, or --persist-to <dir>), in one transaction: all of it
 * or nothing. --url: through the API's POST /api/import (a write token of the
 * workspace, --token or CUSTOMERS_API_TOKEN), in parts of at most 900
 * records, each applied whole or not at all; if a part is refused, the parts
 * before it stay, and running the import again (after fixing the cause)
 * finishes it.
 */
import { existsSync } from 'node:fs';
import { checkRecord, RECORD_TABLES, upsertSql, upsertValues, type TableName, type WorkspaceRecord } from '../src/exchange/format.ts';
import { SET_EVENT_CONTEXT } from '../src/store/event-context.ts';
import { parseCommandLine, run, UsageError, userPath } from './lib/cli.ts';
import { inTransaction, openLocalDatabase } from './lib/local-d1.ts';
import { count, lines, progress, tally } from './lib/ndjson.ts';
import { apiOf } from './lib/remote.ts';
import { Staging } from './lib/staging.ts';

const USAGE = `usage:
  npm run import -- [--file <file>] [--persist-to <dir>] [--url <base> [--token <token>]]
  (without --file, the NDJSON is read from standard input; --url imports through the API, with a write token)`;

const { values } = parseCommandLine(USAGE, {
  file: { type: 'string' },
  'persist-to': { type: 'string' },
  url: { type: 'string' },
  token: { type: 'string' },
  remote: { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
});

/** Messages for the database's refusals, by what it reports. */
function refusal(message: string): string {
  if (/foreign_record/.test(message)) return 'its id belongs to another workspace';
  if (/invalid_reference:customer_id/.test(message)) return 'it would move a contact or address to another customer, or refer to a customer of another workspace';
  if (/invalid_reference:(\w+)/.test(message)) return `its ${/invalid_reference:(\w+)/.exec(message)![1]} does not name a record of the workspace`;
  if (/UNIQUE constraint failed: customers\.workspace_id, customers\.number/.test(message)) return 'another customer of the workspace has its number';
  if (/UNIQUE constraint failed: customers\.workspace_id, customers\.source_system/.test(message)) return 'another customer of the workspace has its source_system and source_system_id';
  return message;
}

/** The order records are applied in: a customer's bill-to goes in a second pass. */
function* applied(staging: Staging): Generator<{ line: number; record: WorkspaceRecord }[]> {
  for (const table of RECORD_TABLES) {
    for (const batch of staging.records(table)) {
      yield table === 'customers'
        ? batch.map(({ line, record }) => ({ line, record: { table, row: { ...record.row, bill_to_customer_id: null } } }))
        : batch;
    }
    if (table === 'customers') {
      for (const batch of staging.records('customers')) yield batch.filter(({ record }) => record.row.bill_to_customer_id !== null);
    }
  }
  yield* staging.records('workspace_counters');
}

await run(USAGE, async () => {
  if (values.help) {
    console.error(USAGE);
    return;
  }
  if (values.remote) throw new UsageError('--remote is gone: import through the deployed API with --url https://<your worker> and a write token');
  if (values.url !== undefined && values['persist-to'] !== undefined) throw new UsageError('--persist-to selects local state: it cannot go with --url');
  const api = values.url === undefined ? undefined : apiOf(values.url, values.token);
  const file = values.file === undefined ? undefined : userPath(values.file);
  if (file !== undefined && !existsSync(file)) throw new Error(`Cannot read ${file}: no such file.`);
  if (file === undefined && process.stdin.isTTY) throw new UsageError('give --file <file>, or pipe the NDJSON into standard input');
  const source = file ?? 'standard input';
  const shown = progress();

  const staging = new Staging();
  try {
    const errors: string[] = [];
    let workspaceId: string | undefined;
    let counters = 0;
    try {
      for await (const [line, text] of lines(file)) {
        if (text.trim() === '') continue;
        let value: unknown;
        try {
          value = JSON.parse(text);
        } catch {
          const hint = text.startsWith('>') ? " (npm's banner? Export with npm run -s export, or with --out)" : '';
          errors.push(`line ${line}: not a JSON value${hint}`);
          continue;
        }
        const checked = checkRecord(value, workspaceId);
        if ('problem' in checked) {
          errors.push(`line ${line}: ${checked.problem}${workspaceId !== undefined && /workspace_id/.test(checked.problem) ? ' (a file holds one workspace)' : ''}`);
        } else if (counters > 0) {
          errors.push(`line ${line}: a ${checked.record.table} record after the workspace_counters line (line ${counters}), which must be the last`);
        } else {
          workspaceId ??= checked.record.row.workspace_id as string;
          if (checked.record.table === 'workspace_counters') counters = line;
          staging.add(line, checked.record);
        }
        if (errors.length >= 20) break;
        shown.update(`checking ${source}: line ${count(line)}`);
      }
    } catch (error) {
      if (error instanceof TypeError) throw new Error(`Refusing to import ${source}: it is not UTF-8 text (nothing was written).`);
      throw error;
    }
    // The whole-file checks run on the lines that were valid; every problem is reported, in line order.
    if (errors.length < 20) errors.push(...staging.check());
    const lineOf = (message: string) => Number(/^line (\d+)/.exec(message)?.[1] ?? Infinity);
    errors.sort((x, y) => lineOf(x) - lineOf(y));
    shown.done();
    if (errors.length > 0 || workspaceId === undefined) {
      throw new Error(`Refusing to import ${source}: it is not a valid export (nothing was written).\n${errors.join('\n') || 'no records'}`);
    }

    const total = Object.values(staging.counts).reduce((a, b) => a + b, 0);
    let done = 0;
    let parts = 0;
    if (api) {
      // Parts of at most 900 records (a batch of D1 runs at most 1,000 statements) and about 1 MiB.
      let part: { line: number; record: WorkspaceRecord }[] = [];
      let bytes = 0;
      const send = async () => {
        if (part.length === 0) return;
        const body = part.map(({ record }) => `${JSON.stringify(record)}\n`).join('');
        const res = await api.fetch('/api/import', { method: 'POST', headers: { 'Content-Type': 'application/x-ndjson' }, body });
        if (!res.ok) {
          const answer = (await res.json().catch(() => ({}))) as { error?: string; issues?: { message: string }[] };
          throw new Error(
            `The API refused the part of lines ${part[0]!.line}-${part.at(-1)!.line} (${res.status}): ${refusal(`${answer.error ?? ''} ${(answer.issues ?? []).map((i) => i.message).join('; ')}`)}.\n` +
              `The parts before it were imported; fix the cause and run the import again to finish it.`,
          );
        }
        done += part.length;
        parts++;
        shown.update(`importing ${source}: ${count(done)} of about ${count(total)} records`);
        part = [];
        bytes = 0;
      };
      for (const batch of applied(staging)) {
        for (const item of batch) {
          const size = JSON.stringify(item.record).length + 1;
          if (part.length >= 900 || bytes + size > 1024 * 1024) await send();
          part.push(item);
          bytes += size;
        }
      }
      await send();
    } else {
      const db = openLocalDatabase(values['persist-to'], false);
      const upserts = new Map<TableName, ReturnType<typeof db.prepare>>();
      inTransaction(db, () => {
        // The event triggers read who wrote from this row (migrations/0010): the import's events name it, not the last request.
        db.prepare(SET_EVENT_CONTEXT).run(workspaceId, `import-${crypto.randomUUID()}`, null, 'import', Date.now());
        for (const batch of applied(staging)) {
          for (const { line, record } of batch) {
            let upsert = upserts.get(record.table);
            if (!upsert) upserts.set(record.table, (upsert = db.prepare(upsertSql(record.table))));
            try {
              upsert.run(...upsertValues(record));
            } catch (error) {
              throw new Error(`Refusing to import ${source}: line ${line} (${record.table} ${record.row.id ?? ''}): ${refusal((error as Error).message)} (nothing was written).`);
            }
            if (++done % 1000 === 0) shown.update(`importing ${source}: ${count(done)} of about ${count(total)} records`);
          }
        }
      });
    }
    shown.done();
    console.error(`Imported workspace ${workspaceId}: ${tally(staging.counts)} from ${source}${api ? ` in ${count(parts)} parts` : ''}.`);
  } finally {
    shown.done();
    staging.close();
  }
});
