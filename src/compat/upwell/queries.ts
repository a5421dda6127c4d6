/**
 * Upwell reads and writes on the canonical tables. A customer is returned with
 * its addresses folded in by a subquery; creates insert the customer and its
 * nested contacts and addresses in one batch (one transaction); Hasura's
 * offset pagination is its contract, so lists use LIMIT/OFFSET.
 */
import { and, asc, count, eq, inArray, sql, type SQL } from 'drizzle-orm';
import type { Db } from '../../db/client';
import { addresses, contacts, customers } from '../../db/schema';
import { owned, readRows, rowsJson, updatePlan, type Target, type WritePlan } from '../../db/plan';
import { param, read } from '../../db/prepared';
import { qualified } from '../../db/related';
import { addressValues, type UpwellAddressType } from '../../addresses/queries';
import { contactValues } from '../../contacts/queries';
import { customerChanges, customerColumns, customerValues, nextNumber, takeNumber, toCustomer } from '../../customers/queries';
import type { AddressCreate } from '../../addresses/schemas';
import type { ContactCreate } from '../../contacts/schemas';
import type { CustomerCreate, CustomerUpdate } from '../../customers/schemas';
import { versioned } from '../../lib/versions';
import { toUpwell, type CanonicalAddress } from '../mapping';

/** A customer's addresses as a JSON array of canonical address objects, oldest first. */
const addressList = sql<string>`(SELECT json_group_array(json_object(
    'id', ${sql.identifier('id')}, 'type', ${sql.identifier('type')}, 'upwell_type', ${sql.identifier('upwell_type')},
    'address_line1', ${sql.identifier('address_line1')}, 'address_line2', ${sql.identifier('address_line2')},
    'city', ${sql.identifier('city')}, 'state', ${sql.identifier('state')},
    'postal_code', ${sql.identifier('postal_code')}, 'country', ${sql.identifier('country')}))
  FROM (SELECT * FROM ${addresses} WHERE ${qualified(addresses.customerId)} = ${qualified(customers.id)} ORDER BY ${qualified(addresses.id)}))`.mapWith(
  (value: string) => JSON.parse(value) as CanonicalAddress[],
);

const withAddresses = { ...customerColumns, addressList };
type Row = Parameters<typeof toCustomer>[0] & { addressList: CanonicalAddress[] };
const toUpwellCustomer = (row: Row) => versioned(toUpwell(toCustomer(row), row.addressList), row.version);

export interface NewCustomer {
  id: string;
  customer: CustomerCreate;
  contacts: ContactCreate[];
  addresses: { address: AddressCreate; upwellType: UpwellAddressType }[];
}

/**
 * Every customer with its number, contacts and addresses, in one batch (all
 * or nothing); the last statement reads them back in the same transaction.
 * Its shape is the request's (how many customers, contacts, addresses), so it
 * is rendered per request with the values inline.
 */
export function createCustomers(db: Db, workspaceId: string, items: NewCustomer[]): WritePlan<UpwellCustomer[]> {
  const now = Date.now();
  return {
    key: undefined,
    build: () => {
      const created = inArray(
        customers.id,
        items.map((item) => item.id),
      );
      const writes = items.flatMap((item) => [
        takeNumber(db, workspaceId),
        db.insert(customers).values({ ...customerValues(workspaceId, item.customer, now, item.id), number: nextNumber(workspaceId) }),
        ...item.contacts.map((c) => db.insert(contacts).values(contactValues(workspaceId, c, now))),
        ...item.addresses.map((a) => db.insert(addresses).values(addressValues(workspaceId, a.address, now, a.upwellType))),
      ]);
      const readBack = db.select(withAddresses).from(customers).where(created).orderBy(customers.id);
      return {
        statements: [...writes, readBack] as unknown as ReturnType<WritePlan<unknown>['build']>['statements'],
        snapshot: rowsJson(customers, withAddresses, created, customers.id),
      };
    },
    values: {},
    result: (results) => (results[results.length - 1] as Row[]).map(toUpwellCustomer),
    read: readRows(withAddresses, (rows) => rows.map(toUpwellCustomer)),
  };
}
export type UpwellCustomer = ReturnType<typeof toUpwellCustomer>;

export async function getCustomer(db: Db, workspaceId: string, id: string) {
  const [[row]] = await read(db, 'upwell.customers.get', () => [db.select(withAddresses).from(customers).where(owned(customers))], {
    workspaceId,
    id,
  });
  return row && toUpwellCustomer(row);
}

export async function listCustomers(
  db: Db,
  workspaceId: string,
  page: { limit: number; offset: number; where?: SQL | undefined; orderBy?: SQL[] },
) {
  // A `where` tree is the client's own shape: rendered per request, its values inline.
  const where = and(eq(customers.workspaceId, workspaceId), page.where);
  const [rows, [total]] = await read(
    db,
    undefined,
    () => [
      db
        .select(withAddresses)
        .from(customers)
        .where(where)
        .orderBy(...(page.orderBy ?? []), asc(customers.id))
        .limit(page.limit)
        .offset(page.offset),
      db.select({ count: count() }).from(customers).where(where),
    ],
    {},
  );
  return { customers: rows.map(toUpwellCustomer), count: total?.count ?? 0 };
}

/**
 * Hasura's update: set the given columns on the customer `match` selects (one
 * at most: by id, or by the unique source pair) and return it; with nothing
 * to set it only reads.
 */
export function updateCustomer(db: Db, target: Target, input: CustomerUpdate, ifMatch?: number[]) {
  return updatePlan('upwell.customers', db, customers, withAddresses, target, customerChanges(input), ifMatch, toUpwellCustomer);
}

/** The workspace's customer with this unique source pair. */
export const bySource = (workspaceId: string, sourceSystem: string, sourceSystemId: string): Target => ({
  key: 'source',
  where: () =>
    and(
      eq(customers.workspaceId, param('workspaceId')),
      eq(customers.sourceSystem, param('sourceSystem')),
      eq(customers.sourceSystemId, param('sourceSystemId')),
    ),
  values: { workspaceId, sourceSystem, sourceSystemId },
});
