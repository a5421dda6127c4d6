/**
 * The D1 database (binding DB) through `wrangler d1 execute`: reads with
 * --command, writes with --file. Both run their statements as one batch,
 * which D1 applies as one transaction (a file that fails changes nothing).
 */
import { bytes } from './sql.ts';
import type { Target } from './tokens.ts';
import { wranglerJson } from './wrangler.ts';

export type { Target };
export type DbRow = Record<string, unknown>;

/**
 * Bytes of SQL per --command: well under Linux's 128 KiB limit on one
 * command-line argument and D1's 100 KB limit on one statement.
 */
export const MAX_COMMAND_BYTES = 90_000;

const where = (target: Target) =>
  target.remote ? ['--remote'] : ['--local', ...(target.persistTo ? ['--persist-to', target.persistTo] : [])];

interface StatementResult {
  results?: DbRow[];
  success?: boolean;
}

function execute(target: Target, input: ['--command' | '--file', string]): StatementResult[] {
  const output = wranglerJson(['d1', 'execute', 'DB', ...where(target), '--json', ...input]);
  if (!Array.isArray(output)) throw new Error('wrangler d1 execute: unexpected output (expected a JSON array)');
  const results = output as StatementResult[];
  for (const result of results) {
    if (result.success === false) throw new Error('wrangler d1 execute: a statement did not succeed');
  }
  return results;
}

/**
 * Runs read statements and returns each one's rows, in order. Statements are
 * sent together, in as few wrangler calls as MAX_COMMAND_BYTES allows; the
 * statements of one call run as one batch.
 */
export function query(target: Target, statements: string[]): DbRow[][] {
  const rows: DbRow[][] = [];
  let batch: string[] = [];
  let size = 0;
  const flush = () => {
    if (batch.length === 0) return;
    const results = execute(target, ['--command', batch.join(';\n')]);
    if (results.length !== batch.length) {
      throw new Error(`wrangler d1 execute: ${results.length} results for ${batch.length} statements`);
    }
    for (const result of results) rows.push(result.results ?? []);
    batch = [];
    size = 0;
  };
  for (const statement of statements) {
    const length = bytes(statement) + 2;
    if (length > MAX_COMMAND_BYTES) throw new Error(`a query of ${length} bytes is over the ${MAX_COMMAND_BYTES}-byte limit`);
    if (size + length > MAX_COMMAND_BYTES) flush();
    batch.push(statement);
    size += length;
  }
  flush();
  return rows;
}

/** Runs a SQL file as one batch (all of it or none of it). */
export function executeFile(target: Target, file: string): void {
  execute(target, ['--file', file]);
}
