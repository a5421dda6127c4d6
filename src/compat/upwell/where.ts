/**
 * Hasura boolean expressions and order_by over the scalar customer fields,
 * translated into Drizzle SQL. Values are always bound parameters, never
 * spliced into the text; field names come from a fixed list. Size limits keep
 * the statement within D1's limits.
 *
 * Every condition that picks few rows is served by an index, so that a
 * search costs in proportion to its matches, not to the workspace: equality,
 * ranges and null tests by a B-tree on the field; substrings (`_like`,
 * `_ilike`, and equality on fields without a B-tree) through the search index
 * (3 characters or more), then checked exactly. What no index can serve is
 * refused with a 400 naming it. Conditions that match most rows (`_neq`,
 * `_nin`) are checked row by row, which costs about what their matches do.
 */
import { and, asc, desc, eq, gt, gte, inArray, isNotNull, isNull, lt, lte, ne, not, notInArray, or, sql, type SQL } from 'drizzle-orm';
import { getTableConfig, SQLiteAsyncDialect, type SQLiteColumn } from 'drizzle-orm/sqlite-core';
import * as v from 'valibot';
import { customer } from '../../customers/fields';
import { fold } from '../../lib/text';
import { timestamp } from '../../model/values';
import { customers } from '../../store/schema';
import { inSearch, MIN_SEARCH_CHARS, SEARCH_COLUMNS, searchable, searchQuery, type SearchColumn } from '../../store/search';
import type { FieldSpec } from '../../model/fields';
import { CUSTOMER_NAMES } from './mapping';
import { likeCondition, literalRuns, MAX_PATTERN_BYTES, prefixOf } from './like';

export const MAX_DEPTH = 5;
export const MAX_CONDITIONS = 30;
/** Boolean nodes ({}, _and/_or items, _not): bounds the SQL expression depth D1 accepts. */
export const MAX_NODES = 60;
export const MAX_PARAMS = 80;
/**
 * Bound parameters the condition may render to: D1 allows 100 per statement,
 * and the page statement binds 12 of its own (the workspace, the address
 * keys, limit and offset). Each B-tree condition binds its workspace too.
 */
export const MAX_BOUND = 88;
let dialect: SQLiteAsyncDialect | undefined;
const MAX_ORDER_KEYS = 5;

export interface Issue {
  path: string;
  message: string;
}

interface Field {
  column: SQLiteColumn;
  kind: 'text' | 'timestamp';
  nullable: boolean;
  /** A B-tree on the value as stored: equality, ranges, prefixes, null tests. */
  btree: boolean;
  /** A (workspace_id, field) B-tree: pages in this field's order walk it. */
  sortable: boolean;
  /** The folded copy `_ilike` matches, and its column in the search index. */
  folded: SQL;
  search?: SearchColumn;
  /** The folded copy has a B-tree too (the name): `_ilike` prefixes, equality candidates, order. */
  foldedIndex?: SQLiteColumn;
  /** Not searchable at all: no index holds it. */
  unindexed?: true;
}

/**
 * The Upwell fields a search may name (their Upwell names, from the customer
 * declaration) and what serves each; JSON-valued fields are left out. Derived
 * on the first search, not at startup (the Worker's startup CPU is budgeted).
 */
let derived: Record<string, Field> | undefined;
const fields = (): Record<string, Field> => (derived ??= deriveFields());

function deriveFields(): Record<string, Field> {
  // Whether a B-tree on the customers leads with workspace_id and then this column (`perWorkspace`), or with the column alone.
  const { indexes } = getTableConfig(customers);
  const perWorkspace = (column: SQLiteColumn) =>
    indexes.some(({ config: { columns: [first, second] } }) => first === customers.workspace_id && second === column);
  const indexed = (column: SQLiteColumn) => column.primary || perWorkspace(column) || indexes.some(({ config: { columns: [first] } }) => first === column);
  const specs = customer.specs as Record<string, FieldSpec>;
  const out: Record<string, Field> = {};
  for (const [upwell, name] of Object.entries(CUSTOMER_NAMES)) {
    const spec = specs[name];
    const type = spec?.kind.type ?? (name === 'id' ? 'uuid' : 'timestamp');
    if (!['text', 'email', 'uuid', 'timestamp'].includes(type)) continue;
    const column = customer.column(name);
    const twin = spec?.fold?.column ? customer.column(spec.fold.column) : undefined;
    const search = (SEARCH_COLUMNS as readonly string[]).includes(name) ? (name as SearchColumn) : undefined;
    const btree = indexed(column);
    const foldedIndex = twin && perWorkspace(twin) ? twin : undefined;
    out[upwell] = {
      column,
      kind: type === 'timestamp' ? 'timestamp' : 'text',
      nullable: !column.notNull,
      btree,
      sortable: perWorkspace(column),
      folded: twin ? sql`${twin}` : spec?.fold ? sql`(${customers.folded} ->> ${`$.${spec.fold.key ?? name}`})` : sql`${column}`,
      search,
      foldedIndex,
      ...(btree || foldedIndex || search ? {} : { unindexed: true as const }),
    };
  }
  return out;
}

const RANGES = new Map([
  ['_gt', gt],
  ['_gte', gte],
  ['_lt', lt],
  ['_lte', lte],
]);

/** The highest code point: a prefix's range ends before prefix + it. */
const LAST_CHAR = '\u{10FFFF}';
const range = (column: SQLiteColumn, prefix: string) => and(gte(column, prefix), lt(column, prefix + LAST_CHAR))!;

/** `column IN` the values of a JSON array: one bound parameter, and an index on the column still drives. */
const inJson = (column: SQLiteColumn, values: unknown[]) => sql`${column} IN (SELECT value FROM json_each(${JSON.stringify(values)}))`;

const NO_INDEX = (field: string, what: string) => `${what} on ${field} has no index to use; this search is refused rather than walking every customer`;

/**
 * Builds the SQL and tracks which conditions an index serves ("led"): a field
 * condition on a B-tree carries its own `workspace_id = ?`, so that its
 * (workspace_id, field) index can drive the query even though the statement's
 * own workspace test is written unindexable (listCustomers); the search
 * index's rowids drive on their own. An AND is led when one part is, an OR
 * when every part is, a NOT never.
 */
class Translator {
  readonly issues: Issue[] = [];
  private conditions = 0;
  private nodes = 0;
  private params = 0;
  private readonly led = new WeakSet<SQL>();
  /** Conditions that are false whatever the row (an empty _in, _is_null on a required field): they lead nothing. */
  private readonly never = new WeakSet<SQL>();

  constructor(private readonly workspaceId: string) {}

  isLed(condition: SQL | undefined): boolean {
    return condition !== undefined && this.led.has(condition);
  }

  private lead(condition: SQL): SQL {
    this.led.add(condition);
    return condition;
  }

  /** A condition one of the (workspace_id, field) B-trees serves. */
  private scoped(condition: SQL | undefined): SQL | undefined {
    return condition && this.lead(and(eq(customers.workspace_id, this.workspaceId), condition)!);
  }

  /**
   * No row: an empty rowid range, which the planner searches (reading
   * nothing), where a constant 0 lets it pick any plan, a scan included.
   */
  private false(): SQL {
    const condition = sql`${customers}.rowid < 0`;
    this.never.add(condition);
    return condition;
  }

  private all(parts: (SQL | undefined)[]): SQL | undefined {
    if (parts.some((part) => part && this.never.has(part))) return this.false();
    const condition = and(...parts);
    return condition && parts.some((part) => this.isLed(part)) ? this.lead(condition) : condition;
  }

  private any(parts: (SQL | undefined)[]): SQL | undefined {
    const possible = parts.filter((part) => !(part && this.never.has(part)));
    if (possible.length === 0) return this.false();
    const condition = or(...possible);
    return condition && possible.every((part) => this.isLed(part)) ? this.lead(condition) : condition;
  }

  private fail(path: string, message: string): undefined {
    this.issues.push({ path, message });
    return undefined;
  }

  private value(path: string, kind: Field['kind'], raw: unknown): string | number | undefined {
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
        parts.push(key === '_and' ? this.all(inner) : inner.length === 0 ? this.false() : this.any(inner));
      } else if (key === '_not') {
        const inner = this.expression(arg, at, depth + 1);
        parts.push(inner && not(inner));
      } else if (Object.hasOwn(fields(), key)) {
        parts.push(this.comparison(key, arg, at));
      } else {
        this.fail(at, key.startsWith('_') ? `Unsupported operator ${key}` : `Unknown or unfilterable field ${key}`);
      }
    }
    return this.all(parts) ?? sql`1`;
  }

  private comparison(name: string, ops: unknown, path: string): SQL | undefined {
    const field = fields()[name]!;
    if (typeof ops !== 'object' || ops === null || Array.isArray(ops)) return this.fail(path, 'Expected an object of operators');
    if (field.unindexed) return this.fail(path, `${name} has no index to search by`);
    const parts: (SQL | undefined)[] = [];
    for (const [op, raw] of Object.entries(ops)) {
      const at = `${path}.${op}`;
      if (++this.conditions > MAX_CONDITIONS) return this.fail(at, `At most ${MAX_CONDITIONS} conditions`);
      parts.push(this.operator(name, field, op, raw, at));
    }
    return this.all(parts);
  }

  /** Equality with any of `values`, through the field's index. */
  private equals(name: string, field: Field, values: (string | number)[], at: string): SQL | undefined {
    if (values.length === 0) return this.false();
    const exact = inArray(field.column, values);
    if (field.btree) return this.scoped(exact);
    // Two JSON arrays, two bound parameters, however many names: the folded ones the index finds, the exact ones.
    if (field.foldedIndex) return this.scoped(and(inJson(field.foldedIndex, (values as string[]).map(fold)), inJson(field.column, values)));
    const terms = (values as string[]).map(fold);
    if (!terms.every(searchable)) return this.fail(at, `Values of ${name} must be at least ${MIN_SEARCH_CHARS} characters long to be searched`);
    return this.lead(and(inSearch(searchQuery([field.search!], terms)), exact)!);
  }

  private operator(name: string, field: Field, op: string, raw: unknown, at: string): SQL | undefined {
    const { column, kind } = field;
    if (op === '_eq' || op === '_neq') {
      const value = this.value(at, kind, raw);
      if (value === undefined) return undefined;
      return op === '_eq' ? this.equals(name, field, [value], at) : ne(column, value);
    }
    const compare = RANGES.get(op);
    if (compare) {
      if (!field.btree) return this.fail(at, NO_INDEX(name, 'A range'));
      const value = this.value(at, kind, raw);
      return value === undefined ? undefined : this.scoped(compare(column, value));
    }
    switch (op) {
      case '_in':
      case '_nin': {
        if (!Array.isArray(raw)) return this.fail(at, 'Expected an array');
        const values = raw.map((item, i) => this.value(`${at}.${i}`, kind, item));
        if (values.some((x) => x === undefined)) return undefined;
        if (op === '_nin') return values.length === 0 ? sql`1` : notInArray(column, values as (string | number)[]);
        return this.equals(name, field, values as (string | number)[], at);
      }
      case '_like':
      case '_ilike':
        return this.like(name, field, op, raw, at);
      case '_is_null':
        if (typeof raw !== 'boolean') return this.fail(at, 'Expected true or false');
        if (!field.nullable) return raw ? this.false() : sql`1`;
        if (!field.btree) return this.fail(at, NO_INDEX(name, 'A null test'));
        return this.scoped(raw ? isNull(column) : isNotNull(column));
      default:
        return this.fail(at, `Unsupported operator ${op}`);
    }
  }

  /**
   * A pattern is matched exactly (src/compat/upwell/like.ts) on the rows an
   * index finds: the search index by the pattern's longest run of 3+ literal
   * characters, else a B-tree by its literal prefix.
   */
  private like(name: string, field: Field, op: '_like' | '_ilike', raw: unknown, at: string): SQL | undefined {
    if (field.kind !== 'text') return this.fail(at, `${op} applies to text fields`);
    const pattern = this.value(at, 'text', raw) as string | undefined;
    if (pattern === undefined) return undefined;
    const insensitive = op === '_ilike';
    const exact = insensitive ? likeCondition(field.folded, pattern, fold, false) : likeCondition(sql`${field.column}`, pattern, (t) => t, true);
    if (exact.tooLong) return this.fail(at, `Patterns other than abc, abc%, %abc and %abc% are limited to ${MAX_PATTERN_BYTES} bytes (D1's LIKE limit)`);
    const runs = literalRuns(pattern).map(fold);
    if (runs.length === 0) return exact.sql; // only wildcards: every value, or every non-null one
    const longest = runs.reduce((a, b) => (b.length > a.length ? b : a));
    if (field.search && searchable(longest)) return this.lead(and(inSearch(searchQuery([field.search], [longest])), exact.sql)!);
    const prefix = prefixOf(pattern);
    if (prefix !== undefined && insensitive && field.foldedIndex) return this.scoped(and(range(field.foldedIndex, fold(prefix)), exact.sql));
    // Ids are lower-case already: their folded copy is the value, under its B-tree.
    if (prefix !== undefined && field.btree && (!insensitive || name === 'id' || name === 'billToCustomerId')) {
      return this.scoped(and(range(field.column, insensitive ? fold(prefix) : prefix), exact.sql));
    }
    return this.fail(at, `${op} on ${name} needs ${MIN_SEARCH_CHARS} characters in a row (or a literal prefix) to use an index`);
  }

  /** With `sortMatches`, the keys are written unindexable (+key): the matches are found by the condition's index, then sorted. */
  orderBy(raw: unknown, sortMatches: boolean): SQL[] {
    const items = raw === undefined ? [] : Array.isArray(raw) ? raw : [raw];
    const order: SQL[] = [];
    items.forEach((item, i) => {
      if (typeof item !== 'object' || item === null || Array.isArray(item)) return this.fail(`orderBy.${i}`, 'Expected {field: direction}');
      for (const [name, direction] of Object.entries(item)) {
        const at = `orderBy.${i}.${name}`;
        const field = Object.hasOwn(fields(), name) ? fields()[name] : undefined;
        const match = typeof direction === 'string' ? /^(asc|desc)(?:_nulls_(first|last))?$/.exec(direction) : null;
        if (!field) this.fail(at, `Unknown or unsortable field ${name}`);
        else if (!match) this.fail(at, 'Expected asc, desc, asc_nulls_first, asc_nulls_last, desc_nulls_first or desc_nulls_last');
        else if (!field.sortable && !field.foldedIndex) this.fail(at, `Sorting by ${name} has no index to use`);
        else {
          // The name sorts case- and accent-insensitively, by its folded copy's index.
          const column = field.foldedIndex ?? field.column;
          const key = sortMatches ? sql`+${column}` : column;
          const sorted = match[1] === 'asc' ? asc(key) : desc(key);
          // Hasura (Postgres) puts nulls last ascending and first descending; SQLite does the reverse.
          const nulls = match[2] ?? (match[1] === 'asc' ? 'last' : 'first');
          order.push(field.nullable ? sql`${sorted} NULLS ${sql.raw(nulls.toUpperCase())}` : sorted);
        }
      }
    });
    if (order.length > MAX_ORDER_KEYS) this.fail('orderBy', `At most ${MAX_ORDER_KEYS} sort keys`);
    return order;
  }

  check(condition: SQL | undefined): void {
    if (this.params > MAX_PARAMS) return void this.fail('where', `At most ${MAX_PARAMS} values in one search`);
    const bound = condition && this.issues.length === 0 ? (dialect ??= new SQLiteAsyncDialect()).sqlToQuery(condition).params.length : 0;
    if (bound > MAX_BOUND) this.fail('where', `This search binds ${bound} parameters, over the ${MAX_BOUND} it may (D1 allows 100 per statement): use fewer values or conditions`);
  }
}

export interface Search {
  where: SQL | undefined;
  /** An index serves the condition: it drives the query, and the matches are sorted (orderBy is written for that). */
  led: boolean;
  orderBy: SQL[];
}

/** The search in SQL, or the issues that make it invalid (each naming its path). */
export function translateSearch(workspaceId: string, where: unknown, orderBy: unknown): Search & { issues: Issue[] } {
  const t = new Translator(workspaceId);
  const condition = where === undefined ? undefined : t.expression(where, 'where', 1);
  const led = t.isLed(condition);
  const order = t.orderBy(orderBy, led);
  t.check(condition);
  return { where: condition, led, orderBy: order, issues: t.issues };
}
