/**
 * Statements rendered once per isolate (src/store/statements.ts): cached per
 * family and shape, bound per request, read back exactly as Drizzle reads
 * them; a cache key cannot name SQL other than what its builder writes.
 */
import { env } from 'cloudflare:workers';
import { eq, sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { customer } from '../../src/customers/fields';
import { database } from '../../src/store/client';
import { customers } from '../../src/store/schema';
import { cached, execute, family, keyOf, MAX_SHAPES, once, param, read } from '../../src/store/statements';
import { api, workspace } from '../helpers';
import { createCustomer } from '../fixtures';

const db = database(env.DB);
const unique = () => `test.${crypto.randomUUID()}`;

describe('families', () => {
  it('build a shape once; the key is the family and the shape, so each shape has its own statements', async () => {
    let builds = 0;
    const byName = family(unique(), (db, shape: { withName: boolean }) => {
      builds++;
      return [
        db
          .select({ id: customers.id })
          .from(customers)
          .where(shape.withName ? eq(customers.name, param('name')) : eq(customers.id, param('id'))),
      ] as const;
    });
    const { token } = await workspace();
    const a = await createCustomer(token, { name: 'Alpha' });
    expect(await read(db, byName, { withName: false }, { id: a.id })).toEqual([[{ id: a.id }]]);
    expect(await read(db, byName, { withName: false }, { id: a.id })).toEqual([[{ id: a.id }]]);
    expect(await read(db, byName, { withName: true }, { name: 'Alpha' })).toEqual([[{ id: a.id }]]);
    // The suite rebuilds every cache hit to compare it (test/setup.ts): 2 shapes, and 1 check.
    expect(builds).toBe(3);
    expect(keyOf(byName as never, { withName: true })).toBe(`${byName.name}:{"withName":true}`);
  });

  it('refuse a second family of the same name (when the module loads)', () => {
    const name = unique();
    family(name, () => []);
    expect(() => family(name, () => [])).toThrow(`Two statement families are named "${name}"`);
  });

  it('fail when a cache key names SQL that differs from what its builder writes now', () => {
    const key = unique();
    cached(key, () => [db.select({ id: customers.id }).from(customers).where(eq(customers.id, param('id')))]);
    expect(() => cached(key, () => [db.select({ id: customers.id }).from(customers).where(eq(customers.name, param('id')))])).toThrow(
      `Statement cache key "${key}" names SQL that differs from what its builder writes now`,
    );
  });

  it('keep at most MAX_SHAPES shapes, dropping the oldest first', () => {
    const oldest = unique();
    let builds = 0;
    const build = () => {
      builds++;
      return [db.select({ id: customers.id }).from(customers)];
    };
    cached(oldest, build);
    for (let i = 0; i < MAX_SHAPES; i++) cached(unique(), build);
    expect(builds).toBe(MAX_SHAPES + 1);
    cached(oldest, build);
    expect(builds).toBe(MAX_SHAPES + 2);
  });

  it('once() builds a client-composed statement for its request only', () => {
    let builds = 0;
    const build = () => {
      builds++;
      return [db.select({ id: customers.id }).from(customers)];
    };
    once(build);
    once(build);
    expect(builds).toBe(2);
    expect(once(build)[0]!.sql).toBe('select "id" from "customers"');
  });
});

describe('execute() and read()', () => {
  it('decodes rows exactly as Drizzle does, alone (.raw()) and in a batch', async () => {
    const { token } = await workspace();
    const { id } = await createCustomer(token, {
      tax_ids: [{ tax: 'VAT', tax_value: 'FR1' }],
      metadata: { tier: 'gold', seats: '3' },
      cc_email_addresses: ['a@example.com'],
      email_settings: { reminders: true },
    });
    const drizzle = await db.select(customer.selection).from(customers).where(eq(customers.id, id)).all();
    const one = family(unique(), (db) => [db.select(customer.selection).from(customers).where(eq(customers.id, param('id')))] as const);
    const two = family(unique(), (db) => [...one.build(db, null), ...one.build(db, null)] as const);
    const [alone] = await read(db, one, null, { id });
    const [first, second] = await read(db, two, null, { id });
    expect(alone).toEqual(drizzle);
    expect(first).toEqual(drizzle);
    expect(second).toEqual(drizzle);
    expect(alone[0]!.metadata).toEqual({ tier: 'gold', seats: '3' });
  });

  it('refuses a missing value before any round trip, naming the placeholder', async () => {
    let calls = 0;
    const counting = new Proxy(db, {
      get: (target, prop) =>
        prop === '$client'
          ? new Proxy(env.DB, {
              get: (d1, name) => {
                calls++;
                const value = Reflect.get(d1, name, d1);
                return typeof value === 'function' ? value.bind(d1) : value;
              },
            })
          : Reflect.get(target, prop, target),
    });
    const list = once(() => [db.select({ n: sql<number>`${param('a')} + ${param('b')}` }).from(customers).limit(1)]);
    await expect(execute(counting, list, { a: 1 })).rejects.toThrow('No value for placeholder "b"');
    expect(calls).toBe(1); // only `prepare`, which sends nothing
  });
});

describe('null through a placeholder', () => {
  it('is stored as NULL in a JSON column, not as the text "null"', async () => {
    const { token } = await workspace();
    const { id } = await createCustomer(token, { email_settings: { reminders: true } });
    const res = await api('PATCH', `/api/customers/${id}`, { token, body: { email_settings: null } });
    expect(res.status).toBe(200);
    expect(res.body.data.email_settings).toBeNull();
    const row = await env.DB.prepare('SELECT email_settings IS NULL AS unset FROM customers WHERE id = ?')
      .bind(id)
      .first<{ unset: number }>();
    expect(row).toEqual({ unset: 1 });
  });
});
