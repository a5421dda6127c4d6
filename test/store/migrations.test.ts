/**
 * Migrations are forward-only and keep existing rows valid: applied to an
 * empty database, and applied one by one to a database holding data written
 * under the previous migration, nothing is lost.
 */
import { applyD1Migrations } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';

const migrations = env.TEST_MIGRATIONS;
const db = env.MIGRATIONS_DB;

/** The folded copies migration 0007 backfills for a customer with no other text fields set. */
const folded = (taxValues: string[]) =>
  JSON.stringify({
    email_address: null,
    collector_id: null,
    source_system: null,
    source_system_id: null,
    id_crm: null,
    id_erp: null,
    id_accounting: null,
    tax_values: taxValues,
  });

const rows = async (sql: string) => (await db.prepare(sql).all()).results;

describe('migrations', () => {
  it('are numbered NNNN_verb_noun.sql, in order', () => {
    expect(migrations.map((m) => m.name)).toEqual([...migrations.map((m) => m.name)].sort());
    for (const m of migrations) expect(m.name).toMatch(/^\d{4}_[a-z]+_[a-z_]+\.sql$/);
  });

  it('upgrade a database holding data from each previous migration without losing it', async () => {
    await applyD1Migrations(db, migrations.slice(0, 2));
    // Data as the first schema knew it: two workspaces, customers with tax ids, a contact, an address, a segment.
    await db.batch([
      db.prepare(`INSERT INTO segments VALUES ('s1', 'w1', 'SMB', NULL, NULL, 1, 1)`),
      db.prepare(`INSERT INTO customers (id, workspace_id, name, name_search, type, segment_id, tax_ids, created_at, updated_at)
        VALUES ('c1', 'w1', 'Acme', 'acme', 'company', 's1', '[{"tax":"VAT","tax_value":"FR1"}]', 1, 1),
               ('c2', 'w1', 'Beta', 'beta', 'individual', NULL, '[]', 2, 2),
               ('c3', 'w2', 'Gamma', 'gamma', 'company', NULL, '[]', 3, 3)`),
      db.prepare(`INSERT INTO contacts (id, workspace_id, customer_id, first_name, last_name, email, created_at, updated_at)
        VALUES ('k1', 'w1', 'c1', 'Ada', 'Lovelace', 'ada@example.com', 1, 1)`),
      db.prepare(`INSERT INTO addresses (id, workspace_id, customer_id, contact_id, type, address_line1, city, postal_code, country, created_at, updated_at)
        VALUES ('a1', 'w1', 'c1', 'k1', 'billing', '1 rue', 'Paris', '75001', 'FR', 1, 1)`),
    ]);
    const before = {
      segments: await rows('SELECT * FROM segments'),
      contacts: await rows('SELECT * FROM contacts'),
      addresses: await rows('SELECT * FROM addresses'),
      taxIds: await rows('SELECT * FROM customer_tax_ids'),
    };

    await applyD1Migrations(db, migrations);

    // Every row is still there with its data, at version 1 (migration 0004).
    const versioned = (list: Record<string, unknown>[]) => list.map((row) => ({ ...row, version: 1 }));
    expect(await rows('SELECT * FROM segments')).toEqual(versioned(before.segments));
    expect(await rows('SELECT * FROM contacts')).toEqual(versioned(before.contacts));
    // Addresses gain upwell_type (migration 0008), unset for existing rows.
    expect(await rows('SELECT * FROM addresses')).toEqual(versioned(before.addresses).map((row) => ({ ...row, upwell_type: null })));
    // Tax values gain their folded copy (migration 0007; the backfill folds ASCII, the Worker folds fully).
    expect(await rows('SELECT * FROM customer_tax_ids')).toEqual(
      before.taxIds.map((row) => ({ ...row, tax_value_search: String(row.tax_value).toLowerCase() })),
    );
    // Customer numbers continue after the backfilled ones: the counters start at each workspace's highest.
    // Migration 0009 backfills the totals the triggers keep from then on.
    expect(await rows('SELECT * FROM workspace_counters ORDER BY workspace_id')).toEqual([
      { workspace_id: 'w1', customers: 2, total: 2 },
      { workspace_id: 'w2', customers: 1, total: 1 },
    ]);
    // ... and the search index, keyed by the customers' rowids, over their folded copies.
    const search = (term: string) =>
      rows(`SELECT c.id FROM customer_search s JOIN customers c ON c.rowid = s.rowid WHERE customer_search MATCH '"${term}"' ORDER BY c.id`);
    expect(await search('acm')).toEqual([{ id: 'c1' }]);
    expect(await search('fr1')).toEqual([{ id: 'c1' }]);
    expect(await search('amm')).toEqual([{ id: 'c3' }]);
    // Existing customers keep their data and get the new fields' defaults, numbered per workspace in creation order.
    expect(
      await rows(
        'SELECT id, workspace_id, name, segment_id, tax_ids, number, contact_origin, cc_email_addresses, metadata, source_system, folded FROM customers ORDER BY id',
      ),
    ).toEqual([
      { id: 'c1', workspace_id: 'w1', name: 'Acme', segment_id: 's1', tax_ids: '[{"tax":"VAT","tax_value":"FR1"}]', number: 1, contact_origin: 'WEB_FORM', cc_email_addresses: '[]', metadata: '{}', source_system: null, folded: folded(['fr1']) },
      { id: 'c2', workspace_id: 'w1', name: 'Beta', segment_id: null, tax_ids: '[]', number: 2, contact_origin: 'WEB_FORM', cc_email_addresses: '[]', metadata: '{}', source_system: null, folded: folded([]) },
      { id: 'c3', workspace_id: 'w2', name: 'Gamma', segment_id: null, tax_ids: '[]', number: 1, contact_origin: 'WEB_FORM', cc_email_addresses: '[]', metadata: '{}', source_system: null, folded: folded([]) },
    ]);
    // The rules of the later migrations hold for the old rows too.
    await expect(db.prepare(`UPDATE customers SET bill_to_customer_id = 'c3' WHERE id = 'c1'`).run()).rejects.toThrow(
      /invalid_reference:bill_to_customer_id/,
    );
    await expect(db.prepare(`UPDATE customers SET number = 2 WHERE id = 'c1'`).run()).rejects.toThrow(/UNIQUE/);
    // The search index and the totals follow later writes (triggers).
    await db.prepare(`DELETE FROM customers WHERE id = 'c2'`).run();
    await db.prepare(`UPDATE customers SET name_search = 'delta' WHERE id = 'c3'`).run();
    expect(await search('amm')).toEqual([]);
    expect(await search('elt')).toEqual([{ id: 'c3' }]);
    expect(await rows('SELECT workspace_id, total FROM workspace_counters ORDER BY workspace_id')).toEqual([
      { workspace_id: 'w1', total: 1 },
      { workspace_id: 'w2', total: 1 },
    ]);
  });

  // test/setup.ts applied every migration to the test database, which starts empty.
  it('apply to an empty database, recording each one once', async () => {
    const tables = await env.DB.prepare(`SELECT name FROM sqlite_master WHERE type IN ('table', 'trigger') ORDER BY name`).all<{
      name: string;
    }>();
    expect(tables.results.map((t) => t.name)).toEqual(
      expect.arrayContaining(['addresses', 'contacts', 'customer_tax_ids', 'customers', 'segments', 'customers_tax_ids_insert', 'customers_bill_to_clear']),
    );
    await applyD1Migrations(env.DB, migrations);
    const applied = await env.DB.prepare('SELECT name FROM d1_migrations ORDER BY id').all<{ name: string }>();
    expect(applied.results.map((r) => r.name)).toEqual(migrations.map((m) => m.name));
  });
});
