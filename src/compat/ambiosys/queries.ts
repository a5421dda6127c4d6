/**
 * AmbioSys reads: page-numbered lists (its contract, so OFFSET over the
 * (workspace_id, number) index) with the exact total it demands, and lookups
 * by the integer customer_id. An unfiltered total is the workspace's counter;
 * a search's total counts its matches, found through the search index (3+
 * characters) or the folded-name prefix index (shorter).
 */
import { and, asc, count, eq, sql } from 'drizzle-orm';
import { customer } from '../../customers/fields';
import { fold } from '../../lib/text';
import type { Db } from '../../store/client';
import { customers, workspaceCounters } from '../../store/schema';
import { inSearch, searchable, searchQuery } from '../../store/search';
import { family, into, param, read } from '../../store/statements';
import type { AmbiosysList } from './schemas';

/** What AmbioSys `search` matches: the name, the legal name and the tax ids. */
const SEARCH_FIELDS = ['name', 'legal_name', 'tax_values'] as const;
const LAST_CHAR = '\u{10FFFF}';

type Search = 'none' | 'index' | 'prefix';

const reader = customer.reader();

const listQuery = family('ambiosys.list', (db, search: Search) => {
  const workspace = eq(customers.workspace_id, param('workspaceId'));
  // Under a search the matches lead (the search index's rowids, or the folded
  // name's range) and are then sorted: the unary + keeps SQLite from walking
  // the workspace by its (workspace_id, number) index instead, which without
  // statistics it would take for the more selective.
  const where =
    search === 'index'
      ? and(sql`+${customers.workspace_id} = ${param('workspaceId')}`, inSearch(param('needle')))
      : search === 'prefix'
        ? and(workspace, sql`${customers.name_search} >= ${param('needle')}`, sql`${customers.name_search} < ${param('needleEnd')}`)
        : workspace;
  const order = search === 'none' ? asc(customers.number) : sql`+${customers.number}`;
  const page = db.select(customer.selection).from(customers).where(where).orderBy(order).limit(param('limit')).offset(param('offset'));
  const total =
    search === 'none'
      ? db.select({ count: workspaceCounters.total }).from(workspaceCounters).where(eq(workspaceCounters.workspace_id, param('workspaceId')))
      : db.select({ count: count() }).from(customers).where(where);
  return [into(page, reader), total] as const;
});

export async function listByPage(db: Db, workspaceId: string, params: AmbiosysList) {
  const needle = params.search === undefined ? undefined : fold(params.search);
  const search: Search = needle === undefined ? 'none' : searchable(needle) ? 'index' : 'prefix';
  const [rows, [total]] = await read(db, listQuery, search, {
    workspaceId,
    needle: search === 'index' ? searchQuery(SEARCH_FIELDS, [needle!]) : needle,
    needleEnd: search === 'prefix' ? needle + LAST_CHAR : undefined,
    limit: params.limit,
    offset: params.page * params.limit,
  });
  return { customers: rows, total: total?.count ?? 0 };
}

const getQuery = family('ambiosys.get', (db) => [
  into(db.select(customer.selection).from(customers).where(and(eq(customers.workspace_id, param('workspaceId')), eq(customers.number, param('number')))), reader),
] as const);

export async function getByNumber(db: Db, workspaceId: string, number: number) {
  const [[found]] = await read(db, getQuery, null, { workspaceId, number });
  return found;
}
