/**
 * Request schemas for /api/customers; the TS types are inferred from them.
 * The compatibility APIs (src/compat) translate their shapes into these.
 */
import * as v from 'valibot';
import { listSchema } from '../http/pagination';
import {
  email,
  externalIds,
  httpUrl,
  jsonObject,
  metadata,
  nullable,
  object,
  oneOf,
  text,
  timestamp,
  uuid,
} from '../http/fields';

export const CUSTOMER_TYPES = ['company', 'individual'] as const;

const taxId = object({ tax: text(), tax_value: text() });
export const taxIds = v.pipe(
  v.array(taxId, 'Expected an array of {tax, tax_value}'),
  v.maxLength(25, 'At most 25 tax ids'),
);
export const ccEmailAddresses = v.pipe(v.array(email, 'Expected an array of e-mail addresses'), v.maxLength(50, 'At most 50 addresses'));
export const dueOption = v.pipe(v.number('Expected an integer'), v.integer('Expected an integer'), v.minValue(0), v.maxValue(100_000));

/** Fields that are optional and nullable both on create and on update. */
const optionalFields = {
  segment_id: nullable(uuid),
  logo: nullable(httpUrl),
  ...externalIds,
  legal_name: nullable(text()),
  email_address: nullable(email),
  bill_to_customer_id: nullable(uuid),
  collector_id: nullable(text()),
  source_system: nullable(text()),
  source_system_id: nullable(text()),
  due_option: nullable(dueOption),
  email_settings: nullable(jsonObject),
  integration_settings: nullable(jsonObject),
  addresses_last_updated_at: nullable(timestamp),
  contacts_last_updated_at: nullable(timestamp),
  deleted_at: nullable(timestamp),
};

export const CustomerCreate = object({
  name: text(),
  type: oneOf(CUSTOMER_TYPES),
  tax_ids: v.optional(taxIds, []),
  contact_origin: v.optional(text(64), 'WEB_FORM'),
  // null is taken as "none", as on update.
  cc_email_addresses: v.optional(v.pipe(v.nullable(ccEmailAddresses), v.transform((x) => x ?? [])), []),
  metadata: v.optional(v.pipe(v.nullable(metadata), v.transform((x) => x ?? {})), {}),
  ...optionalFields,
});

/**
 * Seed 001: omitted = unchanged, null = unset, `tax_ids: []` removes all; name,
 * type, contact_origin cannot be null; null clears the list and map fields.
 */
export const CustomerUpdate = object({
  name: v.optional(text()),
  type: v.optional(oneOf(CUSTOMER_TYPES)),
  tax_ids: v.optional(taxIds),
  contact_origin: v.optional(text(64)),
  cc_email_addresses: v.optional(v.pipe(v.nullable(ccEmailAddresses), v.transform((x) => x ?? []))),
  metadata: v.optional(v.pipe(v.nullable(metadata), v.transform((x) => x ?? {}))),
  ...optionalFields,
});

export type CustomerCreate = v.InferOutput<typeof CustomerCreate>;
export type CustomerUpdate = v.InferOutput<typeof CustomerUpdate>;

export const CustomerList = listSchema({
  type: v.optional(oneOf(CUSTOMER_TYPES)),
  segment_id: v.optional(uuid),
  id_crm: v.optional(text()),
  id_erp: v.optional(text()),
  id_accounting: v.optional(text()),
  tax_value: v.optional(text()),
  q: v.optional(text()),
});
export type CustomerList = v.InferOutput<typeof CustomerList>;
