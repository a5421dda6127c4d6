/**
 * The one place where the three API shapes meet: how AmbioSys and Upwell field
 * names and values map onto the canonical (Qwoty) customer, contact and
 * address. The README's mapping table mirrors this module.
 */
import type { Customer } from '../customers/queries';

// ---- AmbioSys (seed 002) ---------------------------------------------------

/** AmbioSys's single `tax_id` is the customer's first tax id, stored under this label. */
export const AMBIOSYS_TAX_LABEL = 'TAX_ID';
/** AmbioSys has no customer type; its customers are created as companies. */
export const AMBIOSYS_CUSTOMER_TYPE = 'company';

export interface AmbiosysCreate {
  name: string;
  legal_name?: string | undefined;
  tax_id?: string | undefined;
  contact_origin?: string | undefined;
}

export const fromAmbiosys = (input: AmbiosysCreate) => ({
  name: input.name,
  type: AMBIOSYS_CUSTOMER_TYPE,
  legal_name: input.legal_name ?? null,
  tax_ids: input.tax_id ? [{ tax: AMBIOSYS_TAX_LABEL, tax_value: input.tax_id }] : [],
  ...(input.contact_origin === undefined ? {} : { contact_origin: input.contact_origin }),
});

export const toAmbiosys = (c: Customer) => ({
  customer_id: c.number,
  name: c.name,
  legal_name: c.legal_name,
  tax_id: c.tax_ids[0]?.tax_value ?? null,
  contact_origin: c.contact_origin,
  created_at: c.created_at,
  updated_at: c.updated_at,
});

// ---- Upwell (seed 003) -----------------------------------------------------

/** Upwell customer field -> canonical field, for the scalar fields both have. */
export const UPWELL_CUSTOMER_FIELDS = {
  id: 'id',
  name: 'name',
  emailAddress: 'email_address',
  ccEmailAddresses: 'cc_email_addresses',
  billToCustomerId: 'bill_to_customer_id',
  collectorId: 'collector_id',
  metadata: 'metadata',
  sourceSystem: 'source_system',
  sourceSystemId: 'source_system_id',
  customerEmailSettings: 'email_settings',
  customerIntegrationSettings: 'integration_settings',
  addressesLastUpdatedAt: 'addresses_last_updated_at',
  contactsLastUpdatedAt: 'contacts_last_updated_at',
  deletedAt: 'deleted_at',
  createdAt: 'created_at',
  updatedAt: 'updated_at',
} as const;
export type UpwellCustomerField = keyof typeof UPWELL_CUSTOMER_FIELDS;

const CANONICAL_TO_UPWELL: Record<string, string> = {
  ...Object.fromEntries(Object.entries(UPWELL_CUSTOMER_FIELDS).map(([upwell, canonical]) => [canonical, upwell])),
  due_option: 'customerRule.dueOption',
};

/** Error paths raised in canonical terms (database rules) renamed for Upwell clients. */
export const upwellPath = (path: string) => (Object.hasOwn(CANONICAL_TO_UPWELL, path) ? CANONICAL_TO_UPWELL[path]! : path);

/**
 * Upwell address type -> canonical type. An address reads back with the type
 * its Upwell client wrote; one written through the canonical API reads as
 * ADDRESS_BOOK (billing) or SHIPPING.
 */
export const UPWELL_ADDRESS_TYPES = { ADDRESS_BOOK: 'billing', BILLING: 'billing', SHIPPING: 'shipping' } as const;
const TO_UPWELL_ADDRESS_TYPE = { billing: 'ADDRESS_BOOK', shipping: 'SHIPPING' } as const;

export interface UpwellAddressInput {
  streetLine1: string;
  streetLine2?: string | null | undefined;
  city: string;
  stateOrProvince?: string | null | undefined;
  zipOrPostalCode: string;
  country: string;
  type: keyof typeof UPWELL_ADDRESS_TYPES;
}

export const fromUpwellAddress = (a: UpwellAddressInput) => ({
  type: UPWELL_ADDRESS_TYPES[a.type],
  address_line1: a.streetLine1,
  address_line2: a.streetLine2 ?? null,
  city: a.city,
  state: a.stateOrProvince ?? null,
  postal_code: a.zipOrPostalCode,
  country: a.country,
});

export interface CanonicalAddress {
  id: string;
  type: 'billing' | 'shipping';
  /** The type as an Upwell client wrote it, if one did and the type has not changed since. */
  upwell_type: keyof typeof UPWELL_ADDRESS_TYPES | null;
  address_line1: string;
  address_line2: string | null;
  city: string;
  state: string | null;
  postal_code: string;
  country: string;
}

export const toUpwellAddress = (a: CanonicalAddress) => ({
  city: a.city,
  country: a.country,
  id: a.id,
  stateOrProvince: a.state,
  streetLine1: a.address_line1,
  streetLine2: a.address_line2,
  type: a.upwell_type ?? TO_UPWELL_ADDRESS_TYPE[a.type],
  zipOrPostalCode: a.postal_code,
});

export interface UpwellContactInput {
  firstName: string;
  lastName: string;
  emailAddress: string;
  phoneNumber?: string | null | undefined;
}

export const fromUpwellContact = (c: UpwellContactInput) => ({
  first_name: c.firstName,
  last_name: c.lastName,
  email: c.emailAddress,
  phone: c.phoneNumber ?? null,
});

/** Upwell has no customer type; its customers are created as companies. */
export const UPWELL_CUSTOMER_TYPE = 'company';

/** Renames the Upwell scalar fields present in `input` to canonical ones; the rest is left out. */
function fromUpwellFields(input: object): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [upwell, canonical] of Object.entries(UPWELL_CUSTOMER_FIELDS)) {
    const value = (input as Record<string, unknown>)[upwell];
    if (value !== undefined) out[canonical] = value;
  }
  return out;
}

interface DueOption {
  dueOption?: number | null | undefined;
}

/** An insert input: its scalar fields, and `customerRule` (`{"data": {...}}` or flat) as due_option. */
export function fromUpwellInsert(input: object & { customerRule?: (DueOption & { data?: DueOption | undefined }) | null | undefined }) {
  const rule = input.customerRule;
  return {
    ...fromUpwellFields(input),
    type: UPWELL_CUSTOMER_TYPE,
    due_option: rule?.data?.dueOption ?? rule?.dueOption ?? undefined,
  };
}

/** A set input and its rules input: only what was sent changes (`{}` leaves due_option as it is). */
export function fromUpwellSet(input: object, rules: DueOption | undefined) {
  return {
    ...fromUpwellFields(input),
    ...(rules && rules.dueOption !== undefined ? { due_option: rules.dueOption } : {}),
  };
}

/**
 * The Upwell customer object. This service keeps no invoices, so the money
 * fields are always 0 (integer cents). `customerRule` exists once a due option
 * is set; it has the customer's id.
 */
export const toUpwell = (c: Customer, addresses: CanonicalAddress[]) => ({
  addresses: addresses.map(toUpwellAddress),
  addressesLastUpdatedAt: c.addresses_last_updated_at,
  balance: 0,
  billToCustomerId: c.bill_to_customer_id,
  ccEmailAddresses: c.cc_email_addresses,
  collectorId: c.collector_id,
  contactsLastUpdatedAt: c.contacts_last_updated_at,
  createdAt: c.created_at,
  customerEmailSettings: c.email_settings,
  customerIntegrationSettings: c.integration_settings,
  customerRule: c.due_option === null ? null : { dueOption: c.due_option, id: c.id },
  deletedAt: c.deleted_at,
  emailAddress: c.email_address,
  id: c.id,
  metadata: c.metadata,
  name: c.name,
  overdueBalance: 0,
  overdueInvoiceCount: 0,
  sourceSystem: c.source_system,
  sourceSystemId: c.source_system_id,
  updatedAt: c.updated_at,
});
