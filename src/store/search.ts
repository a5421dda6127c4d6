/**
 * The substring search index (migrations/0009): an FTS5 table with the
 * trigram tokenizer over the customers' folded copies, keyed by the
 * customers' rowid and kept in step by triggers. Declared here rather than in
 * schema.ts, which drizzle-kit turns into tables: this one is a virtual table
 * its migration creates by hand. Queries reach it through Drizzle as a table
 * of these columns and its hidden `rowid`.
 */
import { sql, type SQL } from 'drizzle-orm';
import { integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';
import { codePoints } from '../lib/text';
import { customers } from './schema';

export const SEARCH_COLUMNS = [
  'name',
  'legal_name',
  'email_address',
  'collector_id',
  'source_system',
  'source_system_id',
  'id_crm',
  'id_erp',
  'id_accounting',
  'tax_values',
] as const;
export type SearchColumn = (typeof SEARCH_COLUMNS)[number];

export const customerSearch = sqliteTable('customer_search', {
  rowid: integer(),
  ...(Object.fromEntries(SEARCH_COLUMNS.map((name) => [name, text()])) as Record<SearchColumn, ReturnType<typeof text>>),
});

/** Trigrams: a term shorter than this matches nothing through the index. */
export const MIN_SEARCH_CHARS = 3;

export const searchable = (term: string) => codePoints(term) >= MIN_SEARCH_CHARS;

/**
 * An FTS5 query for rows whose `columns` contain one of `terms` (folded), each
 * quoted as a phrase: its text is matched literally, quotes doubled.
 */
export function searchQuery(columns: readonly SearchColumn[], terms: readonly string[]): string {
  const phrases = terms.map((term) => `"${term.replaceAll('"', '""')}"`).join(' OR ');
  return `{${columns.join(' ')}} : (${phrases})`;
}

/** The customers whose rowid the search index returns for the query placeholder or value `query`. */
export const inSearch = (query: unknown): SQL =>
  sql`${customers}.rowid IN (SELECT rowid FROM ${customerSearch} WHERE ${customerSearch} MATCH ${query})`;

/** A customer's rowid, for joins with the search index. */
export const customerRowid = sql<number>`${customers}.rowid`;
