/**
 * Hasura boolean expressions and order_by over the scalar customer fields,
 * translated into Drizzle SQL. Values are always bound parameters, never
 * spliced into the text; field names come from a fixed list. Size limits keep
 * the statement within D1's 100 bound parameters.
 */
import { and, asc, desc, eq, gt, gte, inArray, isNotNull, isNull, lt, lte, ne, not, notInArray, or, sql, type SQL } from 'drizzle-orm';
import type { SQLiteColumn } from 'drizzle-orm/sqlite-core';
import * as v from 'valibot';
import { customer } from '../../customers/fields';
import { fold } from '../../lib/text';
import type { FieldSpec } from '../../model/fields';
import { timestamp } from '../../model/values';
import { customers } from '../../store/schema';
import { likeCondition, MAX_PATTERN_BYTES } from './like';
import { CUSTOMER_NAMES } from './mapping';

export const MAX_DEPTH = 5;
export const MAX_CONDITIONS = 30;
/** Boolean nodes ({}, _and/_or items, _not): bounds the SQL expression depth D1 accepts. */
export const MAX_NODES = 60;
export const MAX_PARAMS = 80;
const MAX_ORDER_KEYS = 5;

type Kind = 'text' | 'timestamp';

export interface Issue {
  path: string;
  message: string;
}

interface Filterable {
  column: SQLiteColumn;
  kind: Kind;
  /** What `_ilike` matches: the folded copy (src/lib/text.ts), or the column where its values are folded already (ids). */
  folded: SQL;
}

const specs = customer.specs as Record<string, FieldSpec>;

/**
 * The Upwell fields that can be filtered and sorted on: the customer's
 * scalar fields with an Upwell name, and id/createdAt/updatedAt. JSON-valued
 * fields cannot.
 */
const FILTERABLE: Record<string, Filterable> = {};
for (const [upwell, name] of Object.entries(CUSTOMER_NAMES)) {
  const spec = specs[name];
  const type = spec?.kind.type ?? (name === 'id' ? 'uuid' : 'timestamp');
  if (!['text', 'email', 'uuid', 'timestamp'].includes(type)) continue;
  const column = customer.column(name);
  const fold = spec?.fold;
  FILTERABLE[upwell] = {
    column,
    kind: type === 'timestamp' ? 'timestamp' : 'text',
    folded: fold?.column
      ? sql`${customer.column(fold.column)}`
      : fold
        ? sql`(${customers.folded} ->> ${`$.${fold.key ?? name}`})`
        : sql`${column}`,
  };
}

const COMPARISONS = new Map([
  ['_eq', eq],
  ['_neq', ne],
  ['_gt', gt],
  ['_gte', gte],
  ['_lt', lt],
  ['_lte', lte],
]);

class Translator {
  readonly issues: Issue[] = [];
  private conditions = 0;
  private nodes = 0;
  private params = 0;

  private fail(path: string, message: string): undefined {
    this.issues.push({ path, message });
    return undefined;
  }

  private value(path: string, kind: Kind, raw: unknown): string | number | undefined {
    this.params++;
    if (kind === 'timestamp') {
      const parsed = v.safeParse(timestamp, raw);
      return parsed.success ? parsed.output : this.fail(path, 'Expected an ISO 8601 timestamp');
    }
    if (typeof raw !== 'string') return this.fail(path, 'Expected a string');
    return raw;
  }

  expression(exp: unknown, path: string, depth: number): SQL | undefined {
    if (depth > MAX_DEPTH) return this.fail(path, `Nested deeper than ${MAX_DEPTH} levels`);
    if (++this.nodes === MAX_NODES + 1) return this.fail(path, `At most ${MAX_NODES} boolean expressions`);
    if (this.nodes > MAX_NODES) return undefined;
    if (typeof exp !== 'object' || exp === null || Array.isArray(exp)) return this.fail(path, 'Expected a boolean expression object');
    const parts: (SQL | undefined)[] = [];
    for (const [key, arg] of Object.entries(exp)) {
      const at = path ? `${path}.${key}` : key;
      if (key === '_and' || key === '_or') {
        if (!Array.isArray(arg)) {
          this.fail(at, 'Expected an array of boolean expressions');
          continue;
        }
        const inner = arg.map((e, i) => this.expression(e, `${at}.${i}`, depth + 1));
        // As in Hasura: an empty _and is true, an empty _or is false.
        parts.push(key === '_and' ? and(...inner) : inner.length === 0 ? sql`0` : or(...inner));
      } else if (key === '_not') {
        const inner = this.expression(arg, at, depth + 1);
        parts.push(inner && not(inner));
      } else if (Object.hasOwn(FILTERABLE, key)) {
        parts.push(this.comparison(key, arg, at));
      } else {
        this.fail(at, key.startsWith('_') ? `Unsupported operator ${key}` : `Unknown or unfilterable field ${key}`);
      }
    }
    return and(...parts) ?? sql`1`;
  }

  private comparison(field: string, ops: unknown, path: string): SQL | undefined {
    const { column, kind } = FILTERABLE[field]!;
    if (typeof ops !== 'object' || ops === null || Array.isArray(ops)) return this.fail(path, 'Expected an object of operators');
    const parts: (SQL | undefined)[] = [];
    for (const [op, raw] of Object.entries(ops)) {
      const at = `${path}.${op}`;
      if (++this.conditions > MAX_CONDITIONS) return this.fail(at, `At most ${MAX_CONDITIONS} conditions`);
      parts.push(this.operator(field, column, kind, op, raw, at));
    }
    return and(...parts);
  }

  private operator(field: string, column: SQLiteColumn, kind: Kind, op: string, raw: unknown, at: string): SQL | undefined {
    const one = () => this.value(at, kind, raw);
    const compare = COMPARISONS.get(op);
    if (compare) {
      const value = one();
      return value === undefined ? undefined : compare(column, value);
    }
    switch (op) {
      case '_in':
      case '_nin': {
        if (!Array.isArray(raw)) return this.fail(at, 'Expected an array');
        const values = raw.map((item, i) => this.value(`${at}.${i}`, kind, item));
        if (values.some((x) => x === undefined)) return undefined;
        if (values.length === 0) return op === '_in' ? sql`0` : sql`1`;
        return op === '_in' ? inArray(column, values as (string | number)[]) : notInArray(column, values as (string | number)[]);
      }
      case '_like':
      case '_ilike': {
        if (kind !== 'text') return this.fail(at, `${op} applies to text fields`);
        const pattern = one();
        if (pattern === undefined) return undefined;
        const compiled =
          op === '_like'
            ? likeCondition(sql`${column}`, String(pattern), (text) => text, true)
            : likeCondition(FILTERABLE[field]!.folded, String(pattern), fold, false);
        if (compiled.tooLong) {
          return this.fail(at, `Patterns other than abc, abc%, %abc and %abc% are limited to ${MAX_PATTERN_BYTES} bytes (D1's LIKE limit)`);
        }
        return compiled.sql;
      }
      case '_is_null':
        if (typeof raw !== 'boolean') return this.fail(at, 'Expected true or false');
        return raw ? isNull(column) : isNotNull(column);
      default:
        return this.fail(at, `Unsupported operator ${op}`);
    }
  }

  orderBy(raw: unknown): SQL[] {
    const items = raw === undefined ? [] : Array.isArray(raw) ? raw : [raw];
    const order: SQL[] = [];
    items.forEach((item, i) => {
      if (typeof item !== 'object' || item === null || Array.isArray(item)) return this.fail(`orderBy.${i}`, 'Expected {field: direction}');
      for (const [field, direction] of Object.entries(item)) {
        const at = `orderBy.${i}.${field}`;
        const entry = Object.hasOwn(FILTERABLE, field) ? FILTERABLE[field] : undefined;
        const match = typeof direction === 'string' ? /^(asc|desc)(?:_nulls_(first|last))?$/.exec(direction) : null;
        if (!entry) this.fail(at, `Unknown or unsortable field ${field}`);
        else if (!match) this.fail(at, 'Expected asc, desc, asc_nulls_first, asc_nulls_last, desc_nulls_first or desc_nulls_last');
        else {
          // Hasura (Postgres) puts nulls last ascending and first descending; SQLite does the reverse.
          const nulls = match[2] ?? (match[1] === 'asc' ? 'last' : 'first');
          order.push(sql`${match[1] === 'asc' ? asc(entry.column) : desc(entry.column)} NULLS ${sql.raw(nulls.toUpperCase())}`);
        }
      }
    });
    if (order.length > MAX_ORDER_KEYS) this.fail('orderBy', `At most ${MAX_ORDER_KEYS} sort keys`);
    return order;
  }

  check(): void {
    if (this.params > MAX_PARAMS) this.fail('where', `At most ${MAX_PARAMS} values in one search`);
  }
}

/** The search in SQL, or the issues that make it invalid (each naming its path). */
export function translateSearch(where: unknown, orderBy: unknown): { where: SQL | undefined; orderBy: SQL[]; issues: Issue[] } {
  const t = new Translator();
  const condition = where === undefined ? undefined : t.expression(where, 'where', 1);
  const order = t.orderBy(orderBy);
  t.check();
  return { where: condition, orderBy: order, issues: t.issues };
}
