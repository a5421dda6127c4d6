/**
 * The Drizzle internals src/store/drizzle.ts relies on, each checked on its
 * own: an upgrade of drizzle-orm that changes one fails here, by name.
 */
import { env } from 'cloudflare:workers';
import { eq, is, Param, Placeholder, SQL, sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { database } from '../../src/store/client';
import { decodeRow, render } from '../../src/store/drizzle';
import { customers, workspaceCounters } from '../../src/store/schema';
import { param } from '../../src/store/statements';

const db = database(env.DB);

describe('Drizzle internals used by src/store/drizzle.ts', () => {
  it("a prepared select has `fields` (its selection, in Drizzle's order) and mapAllResult / mapResult", () => {
    const prepared = db.select({ id: customers.id, n: sql<number>`1`.mapWith(Number) }).from(customers).prepare() as unknown as {
      fields: { path: string[]; field: unknown }[];
      mapAllResult: unknown;
      mapResult: unknown;
    };
    expect(prepared.fields.map((f) => f.path)).toEqual([['id'], ['n']]);
    expect(prepared.fields[0]!.field).toBe(customers.id);
    expect(is(prepared.fields[1]!.field, SQL)).toBe(true);
    expect(typeof prepared.mapAllResult).toBe('function');
    expect(typeof prepared.mapResult).toBe('function');
  });

  it('leaves a placeholder in the params as a Placeholder, or wrapped in a Param with its column as encoder', () => {
    const select = db.select().from(customers).where(eq(customers.id, param('id'))).prepare().getQuery();
    expect(is(select.params[0], Placeholder)).toBe(true);
    expect((select.params[0] as Placeholder).name).toBe('id');
    const insert = db.insert(workspaceCounters).values({ workspace_id: param('w'), customers: param('n') }).prepare().getQuery();
    const [w] = insert.params as Param[];
    expect(is(w, Param)).toBe(true);
    expect(is(w!.value, Placeholder)).toBe(true);
    expect(w!.encoder).toBe(workspaceCounters.workspace_id);
  });

  it("keeps an expression's .mapWith() as its `decoder`", () => {
    const expression = sql<number>`count(*)`.mapWith(Number) as unknown as { decoder: { mapFromDriverValue(v: unknown): unknown } };
    expect(expression.decoder.mapFromDriverValue('3')).toBe(3);
  });

  it('render() and decodeRow() read values as Drizzle does: JSON columns parsed, NULL kept', () => {
    const statement = render(db.select({ tax: customers.tax_ids, logo: customers.logo }).from(customers));
    expect(statement.sql).toBe('select "tax_ids", "logo" from "customers"');
    expect(statement.mapRows([['[{"tax":"VAT","tax_value":"1"}]', null]])).toEqual([{ tax: [{ tax: 'VAT', tax_value: '1' }], logo: null }]);
    expect(decodeRow({ tax: customers.tax_ids, logo: customers.logo }, { tax: '[]', logo: null })).toEqual({ tax: [], logo: null });
  });
});
