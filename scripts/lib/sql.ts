/**
 * SQL text for wrangler's `d1 execute`, which takes no bound parameters: every
 * value from data goes through literal(), and every identifier through ident().
 *
 * Strings are quoted with '' doubling. A string that could trip wrangler's own
 * handling of SQL text (control characters such as NUL or newlines, or the
 * words "BEGIN TRANSACTION" / "COMMIT", which `wrangler d1 execute` looks for
 * anywhere in a file and strips) is written as CAST(X'<utf-8 hex>' AS TEXT)
 * instead: hex digits only, and the same TEXT value once stored.
 */
import { Buffer } from 'node:buffer';

export type SqlValue = string | number | null;

const IDENTIFIER = /^[a-z_][a-z0-9_]*$/;
const NEEDS_HEX = /[\u0000-\u001f\u007f]|begin\s+transaction|commit/i;

/** A table or column name, double-quoted. Only plain snake_case names are accepted. */
export function ident(name: string): string {
  if (!IDENTIFIER.test(name)) throw new Error(`not a plain SQL identifier: ${JSON.stringify(name)}`);
  return `"${name}"`;
}

/** A SQL literal: NULL, a safe integer, or a string (see above). */
export function literal(value: SqlValue): string {
  if (value === null) return 'NULL';
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value)) throw new Error(`not a safe integer: ${value}`);
    return String(value);
  }
  if (typeof value !== 'string') throw new Error(`cannot write a ${typeof value} as SQL`);
  if (!value.isWellFormed()) throw new Error('string with unpaired UTF-16 surrogates');
  if (NEEDS_HEX.test(value)) return `CAST(X'${Buffer.from(value, 'utf8').toString('hex')}' AS TEXT)`;
  return `'${value.replaceAll("'", "''")}'`;
}

/** `(a, b, c)` for IN lists; callers keep lists short (a few hundred items). */
export const list = (values: SqlValue[]) => `(${values.map(literal).join(', ')})`;

/** Size of SQL text in bytes, as wrangler and D1 count it. */
export const bytes = (sql: string) => Buffer.byteLength(sql, 'utf8');
