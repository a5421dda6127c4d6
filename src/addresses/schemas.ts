/** Request schemas for /api/addresses. */
import * as v from 'valibot';
import { country, externalIds, immutable, nullable, object, oneOf, text, uuid } from '../http/fields';
import { listSchema } from '../http/pagination';

export const ADDRESS_TYPES = ['billing', 'shipping'] as const;

const fields = {
  name: nullable(text()),
  address_line2: nullable(text()),
  state: nullable(text()),
  contact_id: nullable(uuid),
  comment: nullable(text(1000)),
  ...externalIds,
};

export const AddressCreate = object({
  customer_id: uuid,
  type: oneOf(ADDRESS_TYPES),
  address_line1: text(),
  city: text(),
  postal_code: text(32),
  country,
  ...fields,
});

export const AddressUpdate = object({
  customer_id: immutable('customer_id'),
  type: v.optional(oneOf(ADDRESS_TYPES)),
  address_line1: v.optional(text()),
  city: v.optional(text()),
  postal_code: v.optional(text(32)),
  country: v.optional(country),
  ...fields,
});

export const AddressList = listSchema({ customer_id: v.optional(uuid) });

export type AddressCreate = v.InferOutput<typeof AddressCreate>;
export type AddressUpdate = v.InferOutput<typeof AddressUpdate>;
export type AddressList = v.InferOutput<typeof AddressList>;
