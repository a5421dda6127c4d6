/**
 * Upwell reads and writes on the canonical tables. A customer is returned with
 * its addresses folded in by a subquery; creates insert the customer and its
 * nested contacts and addresses in one batch (one transaction); Hasura's
 * offset pagination is its contract, so lists use LIMIT/OFFSET.
 */
import { and, asc, count, eq, inArray, sql } from 'drizzle-orm';
import type { Search } from './where';
import { address } from '../../addresses/fields';
import { contact } from '../../contacts/fields';
import { customer } from '../../customers/fields';
import { bySource, nextNumber, takeNumber } from '../../customers/queries';
import { versioned } from '../../lib/versions';
import type { Input } from '../../model/resource';
import type { Db } from '../../store/client';
import { composedPlan, owned, readRows, rowsJson, writes, type Row, type WritePlan } from '../../store/plan';
import { qualified } from '../../store/related';
import { addresses, contacts, customers, workspaceCounters } from '../../store/schema';
import { family, param, read, readOnce } from '../../store/statements';
import { ADDRESS_NAMES, toUpwell, type AddressForUpwell, type UpwellAddressType } from './mapping';

/** A customer's addresses as a JSON array of the canonical fields Upwell shows, oldest first. */
const addressFields = ['id', 'type', 'upwell_type', ...Object.values(ADDRESS_NAMES)];
const addressList = sql<string>`(SELECT json_group_array(json_object(${sql.join(
  addressFields.map((name) => sql`${name}, ${sql.identifier(name)}`),
  sql`, `,
)}))
  FROM (SELECT * FROM ${addresses} WHERE ${qualified(addresses.customer_id)} = ${qualified(customers.id)} ORDER BY ${qualified(addresses.id)}))`.mapWith(
  (value: string) => JSON.parse(value) as AddressForUpwell[],
);

const withAddresses = { ...customer.selection, addressList };
const toUpwellCustomer = (row: Row<typeof withAddresses>) =>
  versioned(toUpwell(customer.toApi(row), row.addressList), row.version);
export type UpwellCustomer = ReturnType<typeof toUpwellCustomer>;

export interface NewCustomer {
  id: string;
  customer: Input;
  contacts: Input[];
  addresses: { address: Input; upwellType: UpwellAddressType }[];
}

/**
 * Every customer with its number, contacts and addresses, in one batch (all
 * or nothing); the last statement reads them back in the same transaction.
 * Its shape is the request's (how many customers, contacts, addresses), so it
 * is built per request with the values inline.
 */
export function createCustomers(workspaceId: string, items: NewCustomer[]): WritePlan<UpwellCustomer[]> {
  const now = Date.now();
  const created = inArray(
    customers.id,
    items.map((item) => item.id),
  );
  return composedPlan(
    (db) => ({
      statements: [
        ...items.flatMap((item) => [
          takeNumber(db, workspaceId),
          db.insert(customers).values({ ...(customer.values(workspaceId, item.customer, now, item.id) as typeof customers.$inferInsert), number: nextNumber(workspaceId) }),
          ...item.contacts.map((c) => db.insert(contacts).values(contact.values(workspaceId, c, now) as typeof contacts.$inferInsert)),
          ...item.addresses.map((a) =>
            db.insert(addresses).values({ ...(address.values(workspaceId, a.address, now) as typeof addresses.$inferInsert), upwell_type: a.upwellType }),
          ),
        ]),
        db.select(withAddresses).from(customers).where(created).orderBy(customers.id),
      ],
      snapshot: rowsJson(customers, withAddresses, created, customers.id),
    }),
    (results) => (results.at(-1) as Row<typeof withAddresses>[]).map(toUpwellCustomer),
    readRows(withAddresses, (rows) => rows.map(toUpwellCustomer)),
  );
}

const getQuery = family('upwell.customers.get', (db) => [db.select(withAddresses).from(customers).where(owned(customers))] as const);

export async function getCustomer(db: Db, workspaceId: string, id: string) {
  const [[row]] = await read(db, getQuery, null, { workspaceId, id });
  return row && toUpwellCustomer(row);
}

const pageQuery = family('upwell.customers.list', (db) => [
  db
    .select(withAddresses)
    .from(customers)
    .where(eq(customers.workspace_id, param('workspaceId')))
    .orderBy(asc(customers.id))
    .limit(param('limit'))
    .offset(param('offset')),
  db.select({ count: workspaceCounters.total }).from(workspaceCounters).where(eq(workspaceCounters.workspace_id, param('workspaceId'))),
] as const);

/**
 * A page of the workspace's customers matching `where`, in `orderBy` order
 * (ties by creation), with the number that match. Without a condition the
 * count is the workspace's counter and the page walks the sort key's index;
 * a condition an index serves (`led`, src/compat/upwell/where.ts) drives the
 * query instead, its matches counted and sorted: the workspace test is then
 * written unindexable (+workspace_id), or SQLite, without statistics, would
 * walk the workspace by its (workspace_id, ...) index. A `where` tree and its
 * order are the client's own shape: built per request, values inline.
 */
export async function listCustomers(db: Db, workspaceId: string, page: { limit: number; offset: number } & Partial<Search>) {
  const filtered = page.where !== undefined;
  const [rows, [total]] =
    !filtered && !page.orderBy?.length
      ? await read(db, pageQuery, null, { workspaceId, limit: page.limit, offset: page.offset })
      : await readOnce(db, () => {
          const workspace = page.led ? sql`+${customers.workspace_id} = ${workspaceId}` : eq(customers.workspace_id, workspaceId);
          const where = and(workspace, page.where);
          return [
            db
              .select(withAddresses)
              .from(customers)
              .where(where)
              .orderBy(...(page.orderBy ?? []), page.led ? asc(sql`+${customers.id}`) : asc(customers.id))
              .limit(page.limit)
              .offset(page.offset),
            filtered
              ? db.select({ count: count() }).from(customers).where(where)
              : db.select({ count: workspaceCounters.total }).from(workspaceCounters).where(eq(workspaceCounters.workspace_id, workspaceId)),
          ] as const;
        });
  return { customers: rows.map(toUpwellCustomer), count: total?.count ?? 0 };
}

const upwellWrites = writes('upwell.customers', customers, withAddresses, { targets: { source: bySource } });

/**
 * Hasura's update: set the given fields on the customer the target selects
 * (one at most: by id, or by the unique source pair) and return it; with
 * nothing to set it only reads. undefined: no such customer.
 */
export function updateCustomer(target: { id: string } | { sourceSystem: string; sourceSystemId: string }, workspaceId: string, input: Input, ifMatch?: number[]) {
  return upwellWrites.update('id' in target ? 'id' : 'source', { workspaceId, ...target }, customer.changes(input), ifMatch, toUpwellCustomer);
}
