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
    .values({ workspaceId: workspaceId as string, customers: 1 })
    .onConflictDoUpdate({ target: workspaceCounters.workspaceId, set: { customers: sql`${workspaceCounters.customers} + 1` } });

export const nextNumber = (workspaceId: unknown): SQL<number> =>
  sql<number>`(SELECT ${qualified(workspaceCounters.customers)} FROM ${workspaceCounters} WHERE ${qualified(workspaceCounters.workspaceId)} = ${workspaceId})`;

/** The workspace's customer with this unique (source_system, source_system_id): placeholders of those names. */
export const bySource = (t: typeof customers) =>
  and(eq(t.workspaceId, param('workspaceId')), eq(t.sourceSystem, param('sourceSystem')), eq(t.sourceSystemId, param('sourceSystemId')));

export const customerQueries = crud('customers', customer, {
  computed: () => ({ number: nextNumber(param('workspaceId')) }),
  before: (db) => [takeNumber(db, param('workspaceId'))],
  // Addresses and contacts go with the customer, under the same guard; tax ids follow by ON DELETE CASCADE.
  cascade: (db, guarded) => {
    const present = exists(db.select({ id: customers.id }).from(customers).where(guarded));
    return [
      db.delete(addresses).where(and(eq(addresses.workspaceId, param('workspaceId')), eq(addresses.customerId, param('id')), present)),
      db.delete(contacts).where(and(eq(contacts.workspaceId, param('workspaceId')), eq(contacts.customerId, param('id')), present)),
    ];
  },
  conditions: {
    tax_value: (db) =>
      inArray(
        customers.id,
        db
          .select({ id: customerTaxIds.customerId })
          .from(customerTaxIds)
          .where(and(eq(customerTaxIds.workspaceId, param('workspaceId')), eq(customerTaxIds.taxValue, param('tax_value')))),
      ),
    q: () => sql`instr(${customers.nameSearch}, ${param('q')}) > 0`,
  },
  bind: { q: (q) => fold(q as string) },
});

/** The list's query string: the declared filters, tax_value, q, and the page. */
export const CustomerList = listSchema({ ...customer.filters, tax_value: v.optional(text()), q: v.optional(text()) });

const getQuery = family('customers.get.related', (db) => [
  db
    .select({
      ...customer.selection,
      contactIds: relatedIds(contacts.id, contacts.customerId, customers.id),
      addressIds: relatedIds(addresses.id, addresses.customerId, customers.id),
    })
    .from(customers)
    .where(owned(customers)),
] as const);

/** One customer with the ids of its contacts and addresses (oldest first). */
export async function getCustomer(db: Db, workspaceId: string, id: string) {
  const [[row]] = await read(db, getQuery, null, { workspaceId, id });
  return row && { ...customer.toApi(row), contact_ids: row.contactIds, address_ids: row.addressIds };
}
