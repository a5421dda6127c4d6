/** Request schemas for /api/customers; the TS types are inferred from them. */
import * as v from 'valibot';
import { listSchema } from '../http/pagination';
import { externalIds, httpUrl, nullable, object, oneOf, text, uuid } from '../http/fields';

export const CUSTOMER_TYPES = ['company', 'individual'] as const;

const taxId = object({ tax: text(), tax_value: text() });
const taxIds = v.pipe(v.array(taxId, 'Expected an array of {tax, tax_value}'), v.maxLength(25, 'At most 25 tax ids'));

export const CustomerCreate = object({
  name: text(),
  type: oneOf(CUSTOMER_TYPES),
  segment_id: nullable(uuid),
  logo: nullable(httpUrl),
  tax_ids: v.optional(taxIds, []),
  ...externalIds,
});

/** Seed 001: omitted = unchanged, null = unset, `tax_ids: []` removes all; name and type cannot be null. */
export const CustomerUpdate = object({
  name: v.optional(text()),
  type: v.optional(oneOf(CUSTOMER_TYPES)),
  segment_id: nullable(uuid),
  logo: nullable(httpUrl),
  tax_ids: v.optional(taxIds),
  ...externalIds,
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
