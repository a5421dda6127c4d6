/**
 * How Upwell's shapes (seed 003) map onto the canonical records. The field
 * names come from the declarations (`upwell()` in src/customers/fields.ts,
 * src/contacts/fields.ts, src/addresses/fields.ts); what is Upwell's own is
 * here: which fields each input takes, its address types, customerRule, and
 * the money fields it shows. The README's mapping table mirrors this.
 */
import * as v from 'valibot';
import { address, type Address } from '../../addresses/fields';
import { contact } from '../../contacts/fields';
import { customer, type Customer } from '../../customers/fields';
import type { FieldSpec } from '../../model/fields';
import { createEntry, type Declared, type Fields, type Input } from '../../model/resource';
import type { RecordTable } from '../../store/plan';

/** Upwell has no customer type; its customers are created as companies. */
export const UPWELL_CUSTOMER_TYPE = 'company';

/** Upwell address type -> canonical type; each reads back as written (addresses.upwell_type). */
export const UPWELL_ADDRESS_TYPES = { ADDRESS_BOOK: 'billing', BILLING: 'billing', SHIPPING: 'shipping' } as const;
export type UpwellAddressType = keyof typeof UPWELL_ADDRESS_TYPES;
/** The Upwell type of an address written through the canonical API. */
const TO_UPWELL_ADDRESS_TYPE = { billing: 'ADDRESS_BOOK', shipping: 'SHIPPING' } as const;

/** Upwell name -> canonical name, for a declaration's fields that have one. */
export function upwellNames(declared: Declared<RecordTable, Fields>): Record<string, string> {
  const names: Record<string, string> = {};
  for (const [name, spec] of Object.entries(declared.specs) as [string, FieldSpec][]) if (spec.upwell) names[spec.upwell] = name;
  return names;
}

export const CUSTOMER_NAMES: Record<string, string> = { id: 'id', ...upwellNames(customer), createdAt: 'created_at', updatedAt: 'updated_at' };
export const CONTACT_NAMES = upwellNames(contact);
export const ADDRESS_NAMES = upwellNames(address);
const CUSTOMER_PAIRS = Object.entries(CUSTOMER_NAMES);
const ADDRESS_PAIRS = Object.entries(ADDRESS_NAMES);

/** The Valibot entries of these Upwell fields, validated as the canonical fields are (`optional`: none required). */
function entries(declared: Declared<RecordTable, Fields>, names: Record<string, string>, optional = false): v.ObjectEntries {
  const out: v.ObjectEntries = {};
  for (const [upwell, name] of Object.entries(names)) {
    const spec = (declared.specs as Record<string, FieldSpec>)[name]!;
    // Upwell takes no defaults: values() applies the canonical ones to what is not sent.
    out[upwell] = createEntry({ ...spec, default: undefined }, optional || !spec.required);
  }
  return out;
}

const except = (names: Record<string, string>, ...omitted: string[]) =>
  Object.fromEntries(Object.entries(names).filter(([upwell]) => !omitted.includes(upwell)));

/** CustomersInsertInput's customer fields; the settings too. */
const CUSTOMER_FIELDS = upwellNames(customer);
export const customerInsertEntries = entries(customer, CUSTOMER_FIELDS);
/** CustomersSetInput: the scalar fields, none required (PUT changes only what is sent). */
export const customerSetEntries = entries(customer, except(CUSTOMER_FIELDS, 'customerEmailSettings', 'customerIntegrationSettings'), true);
export { CUSTOMER_FIELDS };
export const contactEntries = entries(contact, CONTACT_NAMES);
export const addressEntries = entries(address, ADDRESS_NAMES);

/** Upwell -> canonical names, for the fields present in `input` (`undefined` is absent). */
export function toCanonical(input: Record<string, unknown>, names: Record<string, string>): Input {
  const out: Input = {};
  for (const [upwell, name] of Object.entries(names)) if (input[upwell] !== undefined) out[name] = input[upwell];
  return out;
}

const CANONICAL_TO_UPWELL: Record<string, string> = {
  ...Object.fromEntries(Object.entries(CUSTOMER_NAMES).map(([upwell, canonical]) => [canonical, upwell])),
  due_option: 'customerRule.dueOption',
};

/** Error paths raised in canonical terms (database rules) renamed for Upwell clients. */
export const upwellPath = (path: string) => (Object.hasOwn(CANONICAL_TO_UPWELL, path) ? CANONICAL_TO_UPWELL[path]! : path);

/** The address fields Upwell shows, as read for it (src/compat/upwell/queries.ts). */
export type AddressForUpwell = Pick<Address, 'id' | 'type'> & Record<string, unknown> & { upwell_type: UpwellAddressType | null };

/** A canonical address as Upwell shows it: its fields under their Upwell names, and the type its client wrote. */
export function toUpwellAddress(a: AddressForUpwell) {
  const out: Record<string, unknown> = { id: a.id };
  for (const [upwell, name] of ADDRESS_PAIRS) out[upwell] = a[name];
  out.type = a.upwell_type ?? TO_UPWELL_ADDRESS_TYPE[a.type];
  return out;
}

/**
 * The Upwell customer object. This service keeps no invoices, so the money
 * fields are always 0 (integer cents). `customerRule` exists once a due option
 * is set; it has the customer's id.
 */
export function toUpwell(c: Customer, addresses: AddressForUpwell[]) {
  const out: Record<string, unknown> = {};
  for (const [upwell, name] of CUSTOMER_PAIRS) out[upwell] = c[name as keyof Customer];
  return {
    ...out,
    addresses: addresses.map(toUpwellAddress),
    balance: 0,
    overdueBalance: 0,
    overdueInvoiceCount: 0,
    customerRule: c.due_option === null ? null : { dueOption: c.due_option, id: c.id },
  };
}
