/**
 * The bench's extra local D1 databases: copies of a seeded (or migrated)
 * one, side by side in one state, for the side-by-side scale sizes and the
 * --sql schema variant.
 */
import { readdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { convertV4MiniflareOptions, Log, LogLevel, Miniflare } from 'miniflare';
import { localDatabasePath } from '../scripts/lib/local-d1.ts';

/** The local D1 database --sql measures: ours takes the baseline's place on it. */
export const VARIANT_D1_ID = 'bench-variant';

/**
 * A local D1 database with id `id` holding a copy of the SQLite file
 * `source`: Miniflare names a local D1 file after its id, so a throwaway
 * Worker bound to `id` creates it, and the copy then replaces it. Returns its path.
 */
export async function databaseCopy(state: string, id: string, source: string, compatibilityDate: string): Promise<string> {
  const dir = dirname(source);
  const before = new Set(readdirSync(dir));
  const mf = new Miniflare(
    convertV4MiniflareOptions({
      cf: false,
      log: new Log(LogLevel.WARN),
      resourcePersistencePath: join(state, 'v3'),
      workers: [
        {
          name: 'create-database',
          modules: true,
          script: 'export default { fetch() { return new Response(null); } }',
          compatibilityDate,
          d1Databases: { DB: id },
        },
      ],
    }),
  );
  try {
    await (await mf.getD1Database('DB')).prepare('SELECT 1').run();
  } finally {
    await mf.dispose();
  }
  const created = readdirSync(dir).filter((f) => f.endsWith('.sqlite') && !before.has(f));
  if (created.length !== 1) throw new Error(`expected one new database file for ${id} in ${dir}, found ${created.join(', ') || 'none'}`);
  const target = join(dir, created[0]!);
  for (const suffix of ['', '-wal', '-shm']) rmSync(target + suffix, { force: true });
  const db = new DatabaseSync(source);
  try {
    db.exec(`VACUUM INTO '${target.replaceAll("'", "''")}'`);
  } finally {
    db.close();
  }
  return target;
}

/** The variant database: a copy of the seeded one with `sql` applied. */
export async function variantDatabase(state: string, sql: string, compatibilityDate: string): Promise<void> {
  const variant = new DatabaseSync(await databaseCopy(state, VARIANT_D1_ID, localDatabasePath(state), compatibilityDate));
  try {
    variant.exec(sql);
  } finally {
    variant.close();
  }
}
