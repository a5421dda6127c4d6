/**
 * The local D1 database (binding DB) as the SQLite file Miniflare keeps it
 * in, opened directly: `npm run export` / `import` and the bench read and
 * write it without a wrangler process per query. The state directory is the
 * one `npm run dev` serves (.wrangler/state), or --persist-to <dir>.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { ROOT } from './wrangler.ts';

const D1_DIR = join('v3', 'd1', 'miniflare-D1DatabaseObject');

/** The SQLite file of the local D1 database under a state directory. */
export function localDatabasePath(persistTo?: string): string {
  const dir = join(persistTo ?? join(ROOT, '.wrangler', 'state'), D1_DIR);
  const files = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.sqlite') && f !== 'metadata.sqlite') : [];
  const candidates = files.filter((file) => {
    const db = new DatabaseSync(join(dir, file), { readOnly: true });
    try {
      return db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'customers'").get() !== undefined;
    } finally {
      db.close();
    }
  });
  if (candidates.length !== 1) {
    throw new Error(
      candidates.length === 0
        ? `No local database with the customers tables under ${dir}: run npm run dev (it applies the migrations) first.`
        : `Several local databases under ${dir}; expected one.`,
    );
  }
  return join(dir, candidates[0]!);
}

/** Opens the local database; writers wait up to 30 s for a lock (wrangler dev may be writing). */
export function openLocalDatabase(persistTo: string | undefined, readOnly: boolean): DatabaseSync {
  const db = new DatabaseSync(localDatabasePath(persistTo), { readOnly, timeout: 30_000 });
  db.exec('PRAGMA foreign_keys = ON');
  return db;
}

/**
 * Runs `work` as one transaction on `db` (BEGIN IMMEDIATE: the write lock up
 * front, so a running `wrangler dev` waits rather than interleaves), commits,
 * or rolls back and rethrows; closes the database either way.
 */
export function inTransaction<T>(db: DatabaseSync, work: () => T): T {
  db.exec('BEGIN IMMEDIATE');
  try {
    const result = work();
    db.exec('COMMIT');
    return result;
  } catch (error) {
    db.exec('ROLLBACK');
    throw error;
  } finally {
    db.close();
  }
}
