/**
 * Statements rendered once per isolate (src/db/prepared.ts): built once per
 * key, bound per request, and read back exactly as Drizzle reads them.
 */
import { env } from 'cloudflare:workers';
import { eq, sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { database } from '../../src/db/client';
import { execute, MAX_SHAPES, param, read, statements } from '../../src/db/prepared';
import { customerColumns } from '../../src/customers/queries';
import { customers } from '../../src/db/schema';
import { api, workspace } from '../helpers';
import { createCustomer } from '../fixtures';

const db = database(env.DB);

describe('statements()', () => {
  it('builds a keyed statement once, and one without a key every time', () => {
    const key = `test:${crypto.randomUUID()}`;
    let builds = 0;
    const build = () => {
      builds++;
      return [db.select({ id: customers.id }).from(customers).where(eq(customers.id, param('id')))];
    };
    const first = statements(key, build);
    expect(statements(key, build)).toBe(first);
    expect(builds).toBe(1);
    statements(undefined, build);
    statements(undefined, build);
    expect(builds).toBe(3);
    expect(first[0]!.sql).toBe('select "id" from "customers" where "customers"."id" = ?');
  });

  it('keeps at most MAX_SHAPES shapes, dropping the oldest first', () => {
    const oldest = `test:${crypto.randomUUID()}`;
    let builds = 0;
    const build = () => {
      builds++;
      return [db.select({ id: customers.id }).from(customers)];
    };
    statements(oldest, build);
    for (let i = 0; i < MAX_SHAPES; i++) statements(`test:${crypto.randomUUID()}`, build);
    expect(builds).toBe(MAX_SHAPES + 1);
    statements(oldest, build);
    expect(builds).toBe(MAX_SHAPES + 2);
  });
});

describe('execute() and read()', () => {
  it('binds each request its own values to the same statement', async () => {
    const { token, workspaceId } = await workspace();
    const a = await createCustomer(token, { name: 'Alpha' });
    const b = await createCustomer(token, { name: 'Beta' });
    const key = `test:${crypto.randomUUID()}`;
    const build = () =>
      [db.select({ name: customers.name }).from(customers).where(eq(customers.id, param('id')))] as const;
    expect(await read(db, key, build, { id: a.id })).toEqual([[{ name: 'Alpha' }]]);
    expect(await read(db, key, build, { id: b.id })).toEqual([[{ name: 'Beta' }]]);
    expect(workspaceId).toBe(a.workspace_id);
  });

  it('decodes rows exactly as Drizzle does, alone (.raw()) and in a batch', async () => {
    const { token } = await workspace();
    const { id } = await createCustomer(token, {
      tax_ids: [{ tax: 'VAT', tax_value: 'FR1' }],
      metadata: { tier: 'gold', seats: '3' },
      cc_email_addresses: ['a@example.com'],
      email_settings: { reminders: true },
    });
    const drizzle = await db.select(customerColumns).from(customers).where(eq(customers.id, id)).all();
    const build = () => [db.select(customerColumns).from(customers).where(eq(customers.id, param('id')))] as const;
    const [alone] = await read(db, `test:${crypto.randomUUID()}`, build, { id });
    const [first, second] = await read(
      db,
      `test:${crypto.randomUUID()}`,
      () => [...build(), ...build()] as const,
      { id },
    );
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
    const list = statements(`test:${crypto.randomUUID()}`, () => [
      db.select({ n: sql<number>`${param('a')} + ${param('b')}` }).from(customers).limit(1),
    ]);
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
