/**
 * A declaration's reader (src/model/resource.ts) makes of a stored row what
 * its toApi makes of the same row decoded: the same keys in the same order,
 * the same values, the same version; a list's cursor value under CURSOR and
 * any other selected name after the declared fields. Read from D1 both ways,
 * alone and in a batch.
 */
import { env } from 'cloudflare:workers';
import { asc, eq, sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { address } from '../../src/addresses/fields';
import { contact } from '../../src/contacts/fields';
import { customer } from '../../src/customers/fields';
import { versionOf } from '../../src/lib/versions';
import type { FieldSpec } from '../../src/model/fields';
import { CURSOR } from '../../src/model/page';
import type { Declared, Fields } from '../../src/model/resource';
import { segment } from '../../src/segments/fields';
import { database } from '../../src/store/client';
import { render } from '../../src/store/drizzle';
import type { RecordTable } from '../../src/store/plan';
import { customers } from '../../src/store/schema';
import { into, readOnce } from '../../src/store/statements';
import { createAddress, createContact, createCustomer, createSegment } from '../fixtures';
import { ok, workspace } from '../helpers';
import { sample } from '../properties/fields';

const db = database(env.DB);

/** A value for every written field a sample can give (ids of other records are the route's to give). */
function everyField(specs: Record<string, FieldSpec>): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  for (const [name, spec] of Object.entries(specs)) {
    if (spec.readOnly || spec.kind.type === 'uuid' || spec.kind.type === 'computed') continue;
    body[name] = sample(spec.kind);
  }
  return body;
}

/** The workspace's rows of `declared`, oldest first: decoded then toApi, and through the reader (alone and in a batch). */
async function bothWays<T extends RecordTable, F extends Fields>(declared: Declared<T, F>, workspaceId: string) {
  const { table } = declared;
  const query = () =>
    db
      .select(declared.selection as Record<string, never>)
      .from(table as RecordTable)
      .where(eq((table as RecordTable).workspace_id, workspaceId))
      .orderBy(asc((table as RecordTable).id));
  const [decoded] = (await readOnce(db, () => [query()])) as [Record<string, unknown>[]];
  const [alone] = await readOnce(db, () => [into(query(), declared.reader())]);
  const [batched] = await readOnce(db, () => [into(query(), declared.reader()), into(query(), declared.reader())]);
  return { expected: decoded.map((row) => declared.toApi(row)), alone, batched };
}

describe("a declaration's reader", () => {
  it('reads every resource as toApi shows it: keys in order, values, version; with every field set and with none', async () => {
    const { workspaceId, token } = await workspace();
    const segmentId = (await createSegment(token, everyField(segment.specs))).id;
    await createSegment(token, { name: 'Bare' });
    const full = await createCustomer(token, { ...everyField(customer.specs), name: 'Full', segment_id: segmentId });
    const bare = await createCustomer(token, { name: 'Bare' });
    // A second version, and the read-only fields an archive sets.
    await ok('PATCH', `/api/customers/${full.id}`, token, { phone: '+33 1 00 00 00 00' });
    await ok('POST', `/api/customers/${bare.id}/archive`, token);
    await createContact(token, full.id, everyField(contact.specs));
    await createContact(token, bare.id);
    await createAddress(token, full.id, everyField(address.specs));
    await createAddress(token, bare.id);

    for (const declared of [customer, segment, contact, address] as Declared<RecordTable, Fields>[]) {
      const { expected, alone, batched } = await bothWays(declared, workspaceId);
      expect(expected).toHaveLength(2);
      // JSON text: the same keys, in the same order, with the same values.
      expect(alone.map((o) => JSON.stringify(o))).toEqual(expected.map((o) => JSON.stringify(o)));
      expect(batched.map((o) => JSON.stringify(o))).toEqual(expected.map((o) => JSON.stringify(o)));
      expect(alone.map(versionOf)).toEqual(expected.map(versionOf));
      expect(batched.map(versionOf)).toEqual(expected.map(versionOf));
    }
    // And as the API shows it (GET adds the related ids after the fields).
    const [[shown]] = await readOnce(db, () => [into(db.select(customer.selection).from(customers).where(eq(customers.id, full.id)), customer.reader())]);
    expect(versionOf(shown)).toBe(2);
    const { contact_ids, address_ids, ...fields } = (await ok('GET', `/api/customers/${full.id}`, token)).data;
    expect([contact_ids.length, address_ids.length]).toEqual([1, 1]);
    expect(JSON.stringify(shown)).toBe(JSON.stringify(fields));
  });

  it('keeps the cursor value out of the object (under CURSOR), and shows other selected names after the fields', async () => {
    const { workspaceId, token } = await workspace();
    const made = await createCustomer(token, { name: 'Ölwind' });
    const selection = { ...customer.selection, cursor: customers.name_search, extra: sql<number>`41 + 1`.mapWith(Number) };
    const [[row]] = await readOnce(db, () => [
      into(db.select(selection).from(customers).where(eq(customers.workspace_id, workspaceId)), customer.reader<{ extra: number }>('cursor')),
    ]);
    expect(row![CURSOR]).toBe('olwind');
    expect(Object.keys(row!)).toEqual([...Object.keys(made), 'extra']);
    expect(JSON.parse(JSON.stringify(row))).toEqual({ ...made, extra: 42 });
  });

  it('refuses, when the statement is rendered, a selection it cannot read in one pass (a nested object)', () => {
    const nested = db.select({ id: customers.id, inner: { name: customers.name } }).from(customers);
    expect(() => render(nested, customer.reader())).toThrow(/^A reader needs a selection of flat fields: select /);
  });
});
