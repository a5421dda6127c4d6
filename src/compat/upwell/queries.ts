/**
 * Upwell reads and writes on the canonical tables. A customer is returned with
 * its addresses folded in by a subquery; creates insert the customer and its
 * nested contacts and addresses in one batch (one transaction); Hasura's
 * offset pagination is its contract, so lists use LIMIT/OFFSET.
 */
import { and, asc, count, eq, sql, type SQL } from 'drizzle-orm';
import type { Db } from '../../db/client';
import { addresses, contacts, customers } from '../../db/schema';
import { qualified } from '../../db/related';
import { addressValues, toAddress } from '../../addresses/queries';
import { contactValues } from '../../contacts/queries';
import { customerChanges, customerColumns, customerValues, ownedCustomer, toCustomer } from '../../customers/queries';
import type { AddressCreate } from '../../addresses/schemas';
import type { ContactCreate } from '../../contacts/schemas';
import type { CustomerCreate, CustomerUpdate } from '../../customers/schemas';
import { toUpwell, type CanonicalAddress } from '../mapping';

/** A customer's addresses as a JSON array of canonical address objects, oldest first. */
const addressList = sql<string>`(SELECT json_group_array(json_object(
    'id', ${sql.identifier('id')}, 'type', ${sql.identifier('type')},
    'address_line1', ${sql.identifier('address_line1')}, 'address_line2', ${sql.identifier('address_line2')},
    'city', ${sql.identifier('city')}, 'state', ${sql.identifier('state')},
    'postal_code', ${sql.identifier('postal_code')}, 'country', ${sql.identifier('country')}))
  FROM (SELECT * FROM ${addresses} WHERE ${qualified(addresses.customerId)} = ${qualified(customers.id)} ORDER BY ${qualified(addresses.id)}))`.mapWith(
  (value: string) => JSON.parse(value) as CanonicalAddress[],
);

const withAddresses = { ...customerColumns, addressList };
type Row = Parameters<typeof toCustomer>[0] & { addressList: CanonicalAddress[] };
const toUpwellCustomer = (row: Row) => toUpwell(toCustomer(row), row.addressList);

export interface NewCustomer {
  id: string;
  customer: CustomerCreate;
  contacts: ContactCreate[];
  addresses: AddressCreate[];
}

/** Every customer with its contacts and addresses, all in one batch: all or nothing. */
export async function createCustomers(db: Db, workspaceId: string, items: NewCustomer[]) {
  const now = Date.now();
  const statements = items.flatMap((item) => [
    db.insert(customers).values(customerValues(workspaceId, item.customer, now, item.id)).returning(customerColumns),
    ...item.contacts.map((c) => db.insert(contacts).values(contactValues(workspaceId, c, now))),
    ...item.addresses.map((a) => db.insert(addresses).values(addressValues(workspaceId, a, now)).returning()),
  ]);
  const results = (await db.batch(statements as [(typeof statements)[number]])) as unknown[][];
  // Results come back in statement order: walk them customer by customer.
  let at = 0;
  return items.map((item) => {
    const [customerRow] = results[at++] as Parameters<typeof toCustomer>[0][];
    at += item.contacts.length;
    const addressRows = results.slice(at, (at += item.addresses.length)).map((r) => toAddress((r as never[])[0]!));
    return toUpwell(toCustomer(customerRow!), addressRows);
  });
}

export async function getCustomer(db: Db, workspaceId: string, id: string) {
  const row = await db.select(withAddresses).from(customers).where(ownedCustomer(workspaceId, id)).get();
  return row && toUpwellCustomer(row);
}

export async function listCustomers(
  db: Db,
  workspaceId: string,
  page: { limit: number; offset: number; where?: SQL | undefined; orderBy?: SQL[] },
) {
  const where = and(eq(customers.workspaceId, workspaceId), page.where);
  const [rows, [total]] = await db.batch([
    db
      .select(withAddresses)
      .from(customers)
      .where(where)
      .orderBy(...(page.orderBy ?? []), asc(customers.id))
      .limit(page.limit)
      .offset(page.offset),
    db.select({ count: count() }).from(customers).where(where),
  ]);
  return { customers: rows.map(toUpwellCustomer), count: total?.count ?? 0 };
}

/**
 * Hasura's update: set the given columns on the customers `match` selects and
 * return them; with nothing to set it only reads.
 */
export async function updateCustomers(db: Db, match: SQL | undefined, input: CustomerUpdate) {
  const set = customerChanges(input);
  const rows = set
    ? await db.update(customers).set(set).where(match).returning(withAddresses).all()
    : await db.select(withAddresses).from(customers).where(match).all();
  return rows.map(toUpwellCustomer);
}

export const byId = (workspaceId: string, id: string) => ownedCustomer(workspaceId, id);

export const bySource = (workspaceId: string, sourceSystem: string, sourceSystemId: string) =>
  and(
    eq(customers.workspaceId, workspaceId),
    eq(customers.sourceSystem, sourceSystem),
    eq(customers.sourceSystemId, sourceSystemId),
  );
