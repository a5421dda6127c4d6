/**
 * Customer storage: every function is one D1 round trip (one statement or one
 * batch). The compatible APIs reuse the number counter and the source target.
 */
import { and, eq, exists, inArray, sql, type SQL } from 'drizzle-orm';
import * as v from 'valibot';
import { fold } from '../lib/text';
import { crud } from '../model/crud';
import { listSchema } from '../model/page';
import { text } from '../model/values';
import type { Db } from '../store/client';
import { owned } from '../store/plan';
import { qualified, relatedIds } from '../store/related';
import { addresses, contacts, customers, customerTaxIds, workspaceCounters } from '../store/schema';
import { family, param, read } from '../store/statements';
import { customer } from './fields';

/**
 * Takes the workspace's next customer number: runs in the same batch just
 * before the INSERT, which reads it back with nextNumber(). The counter only
 * grows, so a deleted customer's number is never handed out again.
 */
export const takeNumber = (db: Db, workspaceId: unknown) =>
  db
    .insert(workspaceCounters)
    .values({ workspace_id: workspaceId as string, customers: 1 })
    .onConflictDoUpdate({ target: workspaceCounters.workspace_id, set: { customers: sql`${workspaceCounters.customers} + 1` } });

export const nextNumber = (workspaceId: unknown): SQL<number> =>
  sql<number>`(SELECT ${qualified(workspaceCounters.customers)} FROM ${workspaceCounters} WHERE ${qualified(workspaceCounters.workspace_id)} = ${workspaceId})`;

/** The workspace's customer with this unique (source_system, source_system_id): placeholders of those names. */
export const bySource = (t: typeof customers) =>
  and(eq(t.workspace_id, param('workspaceId')), eq(t.source_system, param('sourceSystem')), eq(t.source_system_id, param('sourceSystemId')));

export const customerQueries = crud('customers', customer, {
  // Insert placeholders are named after their columns.
  computed: () => ({ number: nextNumber(param('workspace_id')) }),
  before: (db) => [takeNumber(db, param('workspace_id'))],
  // Addresses and contacts go with the customer, under the same guard; tax ids follow by ON DELETE CASCADE.
  cascade: (db, guarded) => {
    const present = exists(db.select({ id: customers.id }).from(customers).where(guarded));
    return [
      db.delete(addresses).where(and(eq(addresses.workspace_id, param('workspaceId')), eq(addresses.customer_id, param('id')), present)),
      db.delete(contacts).where(and(eq(contacts.workspace_id, param('workspaceId')), eq(contacts.customer_id, param('id')), present)),
    ];
  },
  conditions: {
    tax_value: (db) =>
      inArray(
        customers.id,
        db
          .select({ id: customerTaxIds.customer_id })
          .from(customerTaxIds)
          .where(and(eq(customerTaxIds.workspace_id, param('workspaceId')), eq(customerTaxIds.tax_value, param('tax_value')))),
      ),
    q: () => sql`instr(${customers.name_search}, ${param('q')}) > 0`,
  },
  bind: { q: (q) => fold(q as string) },
});

/** The list's query string: the declared filters, tax_value, q, and the page. */
export const CustomerList = listSchema({ ...customer.filters, tax_value: v.optional(text()), q: v.optional(text()) });

const getQuery = family('customers.get.related', (db) => [
  db
    .select({
      ...customer.selection,
      contactIds: relatedIds(contacts.id, contacts.customer_id, customers.id),
      addressIds: relatedIds(addresses.id, addresses.customer_id, customers.id),
    })
    .from(customers)
    .where(owned(customers)),
] as const);

/** One customer with the ids of its contacts and addresses (oldest first). */
export async function getCustomer(db: Db, workspaceId: string, id: string) {
  const [[row]] = await read(db, getQuery, null, { workspaceId, id });
  return row && { ...customer.toApi(row), contact_ids: row.contactIds, address_ids: row.addressIds };
}
