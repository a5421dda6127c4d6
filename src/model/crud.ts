/**
 * The five queries every resource has (create, get, update, delete, list),
 * derived from its declaration; each is one D1 round trip. Lists filter on
 * the declared filters (exact match, by index) and page by id; a resource may
 * add conditions of its own (customers: tax_value, q).
 */
import { and, eq, gt, gte, sql, type SQL } from 'drizzle-orm';
import type { Db } from '../store/client';
import { owned, writes, type RecordTable, type Selection, type WriteOptions } from '../store/plan';
import { unindexed } from '../store/related';
import { family, into, param, read, type Values } from '../store/statements';
import { toPage, updatedCursor, updatedCursorOf, walkOf } from './page';
import type { Declared, Fields, Input } from './resource';

export interface CrudOptions<T extends RecordTable> extends WriteOptions<T> {
  /** List conditions beyond the declared filters, by query parameter (its value is the placeholder of that name). */
  conditions?: Record<string, (db: Db) => SQL | undefined>;
  /** A list parameter's value as bound (e.g. folded), when it differs from the one sent. */
  bind?: Record<string, (value: unknown) => unknown>;
}

export function crud<T extends RecordTable, F extends Fields>(name: string, declared: Declared<T, F>, options: CrudOptions<T> = {}) {
  const { table, toApi } = declared;
  // The builders below serve any table: typed as the base table and selection.
  const base: RecordTable = table;
  const selection: Selection = declared.selection;
  const write = writes(name, table, declared.selection, options);
  const conditions = options.conditions ?? {};
  const filters = [...Object.keys(declared.filters), ...Object.keys(conditions)];

  // One reader for every read: only the updated_at walk selects a `cursor` (its rows' updated_at).
  const reader = declared.reader('cursor');
  const getQuery = family(`${name}.get`, (db) => [into(db.select(selection).from(base).where(owned(base)), reader)] as const);
  const listQuery = family(`${name}.list`, (db, shape: { walk: 'id' | 'updated'; present: readonly string[] }) => {
    const updated = shape.walk === 'updated';
    const where = shape.present.map((filter) =>
      filter === 'cursor'
        ? updated
          ? sql`(${base.updated_at}, ${base.id}) > (${param('cursorAt')}, ${param('cursor')})`
          : gt(base.id, param('cursor'))
        : filter === 'updated_since'
          ? gte(base.updated_at, param('updated_since'))
          : conditions[filter]
            ? conditions[filter](db)
            : eq(declared.column(filter), param(filter)),
    );
    return [
      into(
        db
          .select(updated ? { ...selection, cursor: base.updated_at } : selection)
          .from(base)
          // An updated_at walk under a filter (a customer's contacts) walks the filter's index and sorts its few rows;
          // left to itself, SQLite would walk the whole workspace's updated_at index (src/store/related.ts, unindexed).
          .where(and(updated && shape.present.some((f) => filters.includes(f)) ? unindexed(base.workspace_id, param('workspaceId')) : eq(base.workspace_id, param('workspaceId')), ...where))
          .orderBy(...(updated ? [base.updated_at, base.id] : [base.id]))
          .limit(param('limit')),
        reader,
      ),
    ] as const;
  });

  return {
    write,
    create: (_db: Db, workspaceId: string, input: Input) => write.insert(declared.values(workspaceId, input), toApi),
    async get(db: Db, workspaceId: string, id: string) {
      const [[found]] = await read(db, getQuery, null, { workspaceId, id });
      return found;
    },
    update: (_db: Db, workspaceId: string, id: string, input: Input, ifMatch?: number[]) =>
      write.update('id', { workspaceId, id }, declared.changes(input), ifMatch, toApi),
    remove: (_db: Db, workspaceId: string, id: string, ifMatch?: number[]) => write.remove('id', { workspaceId, id }, ifMatch),
    async list(db: Db, workspaceId: string, params: Values & { limit: number }) {
      // The shape: the walk, and the filters present in a fixed order.
      const walk = walkOf(params as never);
      const present = [...filters, 'updated_since', 'cursor'].filter((filter) => params[filter] !== undefined);
      const values: Values = { workspaceId, limit: params.limit + 1 };
      for (const filter of present) values[filter] = options.bind?.[filter] ? options.bind[filter](params[filter]) : params[filter];
      if (walk === 'updated' && params.cursor !== undefined) ({ at: values.cursorAt, id: values.cursor } = updatedCursor(params.cursor as string));
      const [rows] = await read(db, listQuery, { walk, present }, values);
      return toPage(rows, params.limit, undefined, walk === 'updated' ? updatedCursorOf : undefined);
    },
  };
}
