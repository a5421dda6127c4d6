/**
 * The bench's data, written straight into the local D1 database's SQLite file
 * (node:sqlite) in one transaction, with the schema's triggers filling what
 * they derive (tax-id lookup rows, the search index, the counters' totals)
 * as for any insert: a million customers in a few minutes.
 *
 * Workspace A: N customers, numbers 1..N, each with 2 tax ids, a contact and
 * an address, source ids ("erp", ERP-<i>), and one with a rare name
 * (RARE_NAME, customer #RARE). Workspace B beside it: N/10 customers with the
 * same external ids and tax values, so that every filter must scope by workspace.
 */
import { DatabaseSync } from 'node:sqlite';
import { inTransaction } from '../scripts/lib/local-d1.ts';

export const WORKSPACE_A = 'bench-a';
export const WORKSPACE_B = 'bench-b';
/** A name no other customer's name shares three letters in a row with. */
export const RARE_NAME = 'Zyxwvqj Holdings';
const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/** A UUIDv7 for time `ms` and sequence `seq`, so seeded ids sort in creation order like the API's. */
function uuidv7(ms: number, seq: number): string {
  const b = crypto.getRandomValues(new Uint8Array(16));
  let t = ms;
  for (let i = 5; i >= 0; i--) {
    b[i] = t % 256;
    t = Math.floor(t / 256);
  }
  b[6] = 0x70 | ((seq >> 8) & 0x0f);
  b[7] = seq & 0xff;
  b[8] = (b[8]! & 0x3f) | 0x80;
  let s = '';
  for (let i = 0; i < 16; i++) {
    s += HEX[b[i]!];
    if (i === 3 || i === 5 || i === 7 || i === 9) s += '-';
  }
  return s;
}

export const taxValue = (i: number) => `FR${String(i).padStart(11, '0')}`;
/** The customer number that gets RARE_NAME. */
export const rareNumber = (customers: number) => Math.ceil(customers / 2);

/** Seeds both workspaces; returns workspace A's customer ids in creation order. */
export function seed(path: string, customers: number, onProgress: (done: number) => void = () => {}): string[] {
  const db = new DatabaseSync(path, { timeout: 30_000 });
  db.exec('PRAGMA foreign_keys = ON');
  const customer = db.prepare(
    'INSERT INTO customers (id, workspace_id, number, name, name_search, legal_name, legal_name_search, type, tax_ids, id_crm, id_erp, ' +
      'email_address, metadata, source_system, source_system_id, created_at, updated_at, folded) ' +
      'VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
  );
  const contact = db.prepare(
    'INSERT INTO contacts (id, workspace_id, customer_id, first_name, last_name, email, phone, role, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
  );
  const address = db.prepare(
    'INSERT INTO addresses (id, workspace_id, customer_id, contact_id, type, name, address_line1, city, postal_code, country, created_at, updated_at) ' +
      'VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
  );
  const counter = db.prepare('UPDATE workspace_counters SET customers = ? WHERE workspace_id = ?');
  const idsA: string[] = [];
  const base = Date.now() - 2 * 86_400_000;
  const sizeB = Math.max(100, Math.floor(customers / 10));
  let done = 0;
  inTransaction(db, () => {
    for (const [workspace, count, start] of [
      [WORKSPACE_A, customers, base],
      [WORKSPACE_B, sizeB, base + customers + 1000],
    ] as const) {
      for (let i = 1; i <= count; i++) {
        const t = start + i;
        const id = uuidv7(t, 0);
        const contactId = uuidv7(t, 1);
        if (workspace === WORKSPACE_A) idsA.push(id);
        const name = workspace === WORKSPACE_A && i === rareNumber(customers) ? RARE_NAME : `Customer ${i}`;
        const tax = taxValue(i);
        const siren = String(i).padStart(9, '0');
        const folded = JSON.stringify({
          email_address: `billing${i}@example.com`,
          id_crm: `crm-${i}`,
          id_erp: `erp-${i}`,
          source_system: 'erp',
          source_system_id: `erp-${i}`,
          tax_values: [tax.toLowerCase(), siren],
        });
        customer.run(
          id, workspace, i, name, name.toLowerCase(), `${name} SAS`, `${name.toLowerCase()} sas`, i % 3 ? 'company' : 'individual',
          `[{"tax":"VAT","tax_value":"${tax}"},{"tax":"SIREN","tax_value":"${siren}"}]`, `crm-${i}`, `erp-${i}`,
          `billing${i}@example.com`, `{"tier":"${i % 2 ? 'gold' : 'silver'}"}`, 'erp', `ERP-${i}`, t, t, folded,
        );
        contact.run(contactId, workspace, id, 'Ada', `Lovelace ${i}`, `ada${i}@example.com`, '+33 1 23 45 67 89', '["billing"]', t, t);
        address.run(uuidv7(t, 2), workspace, id, contactId, 'billing', `Customer ${i}`, `${i} rue de Rivoli`, 'Paris', '75001', 'FR', t, t);
        if (++done % 10_000 === 0) onProgress(done);
      }
      // Numbers 1..count are taken: new customers continue from the workspace's counter (its total the triggers kept).
      counter.run(count, workspace);
    }
  });
  return idsA;
}
