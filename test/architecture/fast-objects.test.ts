/**
 * API objects are fast objects to V8, not dictionaries, whether toApi() or a
 * reader builds them (src/model/resource.ts, `shape`): as a dictionary, a
 * page of 25 customers cost about 1.6 times as much to serialize, and a list
 * request's JavaScript about a fifth more. Checked with V8's own
 * %HasFastProperties, which Node allows once the flag is set. The statements
 * are built and rendered by Drizzle's SQLite proxy driver; nothing runs them.
 */
import v8 from 'node:v8';
import { getTableColumns, is, SQL } from 'drizzle-orm';
import type { SQLiteColumn } from 'drizzle-orm/sqlite-core';
import { drizzle } from 'drizzle-orm/sqlite-proxy';
import { describe, expect, it } from 'vitest';
import { address } from '../../src/addresses/fields';
import { contact } from '../../src/contacts/fields';
import { customer } from '../../src/customers/fields';
import { CURSOR } from '../../src/model/page';
import type { Declared, Fields } from '../../src/model/resource';
import { segment } from '../../src/segments/fields';
import { render } from '../../src/store/drizzle';
import type { RecordTable } from '../../src/store/plan';
import { endpoint } from '../../src/webhooks/fields';

v8.setFlagsFromString('--allow-natives-syntax');
const isFast = new Function('o', 'return %HasFastProperties(o)') as (o: object) => boolean;

const db = drizzle(async () => ({ rows: [] }));

/** A stored value of each selected column, as D1 returns it: JSON as text, instants as numbers. */
function rawRow(selection: Record<string, unknown>, row: number): unknown[] {
  return Object.values(selection).map((field) => {
    if (is(field, SQL)) return '[]';
    const column = field as SQLiteColumn;
    if (column.dataType === 'json') return column.name === 'metadata' ? '{"tier":"gold"}' : '[]';
    if (column.columnType === 'SQLiteInteger' || column.columnType === 'SQLiteTimestamp') return row + 1;
    if (column.columnType === 'SQLiteBoolean') return 1;
    return column.notNull ? `text ${row}` : row % 2 ? null : `text ${row}`;
  });
}

const DECLARED = { customer, contact, address, segment, endpoint } as unknown as Record<string, Declared<RecordTable, Fields>>;

describe('API objects are fast objects to V8', () => {
  it.each(Object.entries(DECLARED))('%s: from toApi() and from a reader, with the version, a cursor and extra names', (_name, declared) => {
    const selection = declared.selection as unknown as Record<string, unknown>;
    expect(Object.keys(getTableColumns(declared.table)).length).toBeGreaterThan(4);
    const raws = [0, 1, 2, 3].map((row) => rawRow(selection, row));

    // A reader over the plain selection, and one with a cursor and an extra name (a list's, a GET's related ids).
    const plain = render(db.select(declared.selection as never).from(declared.table as never) as never, declared.reader());
    const extra = { ...selection, cursor: declared.column('id'), related_ids: declared.column('id') };
    const withExtras = render(db.select(extra as never).from(declared.table as never) as never, declared.reader('cursor'));
    const read = plain.mapRows(raws) as object[];
    const readWithExtras = withExtras.mapRows(raws.map((raw) => [...raw, raw[0], raw[0]])) as Record<PropertyKey, unknown>[];
    expect(readWithExtras[0]![CURSOR]).toBe(raws[0]![0]);

    // toApi() over rows decoded without a reader.
    const decoded = render(db.select(declared.selection as never).from(declared.table as never) as never).mapRows(raws) as Record<string, unknown>[];
    const mapped = decoded.map((row) => declared.toApi(row));

    for (const object of [...read, ...readWithExtras, ...mapped]) expect(isFast(object)).toBe(true);
  });

  it('(the check itself: an object of 40 keys grown one by one, then given a symbol, is a dictionary)', () => {
    const grown: Record<PropertyKey, unknown> = {};
    for (let i = 0; i < 40; i++) grown[`key_${i}`] = null;
    grown[Symbol('version')] = 1;
    expect(isFast(grown)).toBe(false);
    expect(isFast(JSON.parse(JSON.stringify(grown)))).toBe(true);
  });
});
