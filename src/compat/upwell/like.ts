/**
 * Hasura's `_like` / `_ilike` patterns (Postgres LIKE: `%` any run, `_` one
 * character, `\` escapes the next) in SQL that D1 accepts. D1 refuses LIKE
 * and GLOB patterns over 50 bytes, so the common shapes (exact, prefix,
 * suffix, substring) are matched with `=`, substr() and instr(), which take
 * text of any length; only patterns with `_` or several `%` runs go through
 * GLOB/LIKE, and those are refused with a 400 past D1's limit.
 */
import { sql, type SQL } from 'drizzle-orm';
import { codePoints, utf8Bytes } from '../../lib/text';

/** D1's limit on a LIKE or GLOB pattern, in bytes. */
export const MAX_PATTERN_BYTES = 50;

/** Wildcards are marked by a symbol so that a literal "%" stays text. */
const ANY = Symbol('%');
const ONE = Symbol('_');
type Token = string | typeof ANY | typeof ONE;

function tokens(pattern: string): Token[] {
  const out: Token[] = [];
  let text = '';
  const flush = () => {
    if (text) out.push(text);
    text = '';
  };
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '\\' && i + 1 < pattern.length) text += pattern[++i];
    else if (c === '%' || c === '_') {
      flush();
      // Consecutive % are one.
      if (c === '_' || out.at(-1) !== ANY) out.push(c === '%' ? ANY : ONE);
    } else text += c;
  }
  flush();
  return out;
}

export type Transform = (text: string) => string;

/** The runs of literal characters of a pattern, in order. */
export const literalRuns = (pattern: string): string[] => tokens(pattern).filter((t): t is string => typeof t === 'string');

/** The literal a pattern starts with (`abc` of `abc%`, `abc_d`, `abc`): every match starts with it, so a range on an index finds the candidates. */
export function prefixOf(pattern: string): string | undefined {
  const [first] = tokens(pattern);
  return typeof first === 'string' && first !== '' ? first : undefined;
}

export interface Compiled {
  sql?: SQL;
  /** Set when the pattern needs LIKE/GLOB and is over D1's limit. */
  tooLong?: true;
}

/**
 * `value` matched against the pattern, literals passed through `transform`
 * (identity for _like, fold() for _ilike on folded text). `caseSensitive`
 * picks GLOB (case-sensitive) over LIKE for the general shapes.
 */
export function likeCondition(value: SQL, pattern: string, transform: Transform, caseSensitive: boolean): Compiled {
  const parts = tokens(pattern);
  const literals = parts.filter((p): p is string => typeof p === 'string').map(transform);
  const hasOne = parts.includes(ONE);
  const anyAt = parts.flatMap((p, i) => (p === ANY ? [i] : []));
  if (!hasOne) {
    const [text = ''] = literals;
    if (anyAt.length === 0) return { sql: sql`${value} = ${text}` };
    if (parts.length === 1) return { sql: sql`${value} IS NOT NULL` };
    if (literals.length === 1) {
      const leading = parts[0] === ANY;
      const trailing = parts.at(-1) === ANY;
      if (leading && trailing) return { sql: sql`instr(${value}, ${text}) > 0` };
      // substr() counts characters, as the pattern's text does in codePoints().
      if (trailing) return { sql: sql`substr(${value}, 1, ${codePoints(text)}) = ${text}` };
      return { sql: sql`substr(${value}, ${-codePoints(text)}) = ${text}` };
    }
  }
  let i = 0;
  const rendered = parts.map((p) => (p === ANY ? ANY : p === ONE ? ONE : literals[i++]!));
  const compiled = caseSensitive ? glob(rendered) : like(rendered);
  if (utf8Bytes(compiled) > MAX_PATTERN_BYTES) return { tooLong: true };
  return { sql: caseSensitive ? sql`${value} GLOB ${compiled}` : sql`${value} LIKE ${compiled} ESCAPE '\\'` };
}

const globLiteral = (text: string) => text.replace(/[*?[]/g, (c) => `[${c}]`);
const likeLiteral = (text: string) => text.replace(/[%_\\]/g, (c) => `\\${c}`);

function glob(parts: Token[]): string {
  return parts.map((p) => (p === ANY ? '*' : p === ONE ? '?' : globLiteral(p))).join('');
}

function like(parts: Token[]): string {
  return parts.map((p) => (p === ANY ? '%' : p === ONE ? '_' : likeLiteral(p))).join('');
}

