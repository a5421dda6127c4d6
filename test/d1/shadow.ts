/**
 * A shadow of the test suite's D1 database in a SQLite whose run-time limits
 * are set to D1's (node:sqlite exposes sqlite3_limit). Every round trip the
 * Worker makes in a test is replayed here, in order and with the same bound
 * values, so that limits SQLite only checks while running a statement (a
 * LIKE pattern's length) are checked on the same data too. Runs in Node.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseSync, type SQLInputValue } from 'node:sqlite';
import { D1_LIMITS, LIMIT_ERROR, type RoundTrip, type Violation } from './limits.ts';

const MIGRATIONS = join(import.meta.dirname, '../../migrations');

/** The migrations in the order wrangler applies them, split where drizzle-kit marks statements. */
export function migrationStatements(dir = MIGRATIONS): { file: string; sql: string }[] {
  return readdirSync(dir)
    .filter((name) => name.endsWith('.sql'))
    .sort()
    .flatMap((file) =>
      readFileSync(join(dir, file), 'utf8')
        .split('--> statement-breakpoint')
        .filter((sql) => sql.replace(/--.*$/gm, '').trim() !== '')
        .map((sql) => ({ file, sql })),
    );
}

export const limitedDatabase = () => new DatabaseSync(':memory:', { limits: { ...D1_LIMITS } });

/** An empty database with every migration applied; a migration that breaks a limit throws, naming it. */
export function migratedImage(): Uint8Array {
  const db = limitedDatabase();
  for (const { file, sql } of migrationStatements()) {
    try {
      db.exec(sql);
    } catch (error) {
      throw new Error(`migrations/${file} breaks a D1 limit or fails: ${(error as Error).message}\n${sql.trim()}`);
    }
  }
  const image = db.serialize();
  db.close();
  return image;
}

/** D1 binds booleans as 1/0; JSON carries no other type that node:sqlite would refuse. */
const bindable = (value: unknown): SQLInputValue => (typeof value === 'boolean' ? Number(value) : (value as SQLInputValue));

export class Shadow {
  private readonly db = limitedDatabase();

  constructor(image: Uint8Array) {
    this.db.deserialize(image);
  }

  /**
   * Runs the round trips as D1 would (a batch is one transaction that stops at
   * its first error) and returns the statements that broke a D1 limit. Other
   * errors (a trigger's RAISE, a unique index) are the API's to handle, as
   * they were on the real binding.
   */
  replay(trips: RoundTrip[]): Violation[] {
    const violations: Violation[] = [];
    for (const trip of trips) {
      if (trip.batch) this.db.exec('BEGIN');
      let failed = false;
      for (const { sql, params } of trip.statements) {
        try {
          this.db.prepare(sql).all(...params.map(bindable));
        } catch (error) {
          const message = (error as Error).message;
          if (LIMIT_ERROR.test(message)) violations.push({ sql: sql.length > 2000 ? `${sql.slice(0, 2000)}…` : sql, error: message });
          failed = true;
          break;
        }
      }
      if (trip.batch) this.db.exec(failed ? 'ROLLBACK' : 'COMMIT');
    }
    return violations;
  }

  close() {
    this.db.close();
  }
}
