/** Request schemas for /api/contacts. */
import * as v from 'valibot';
import { email, externalIds, immutable, nullable, object, oneOf, text, uuid } from '../http/fields';
import { listSchema } from '../http/pagination';

export const CONTACT_ROLES = ['buyer', 'signer', 'billing', 'shipping', 'legal', 'admin'] as const;

const role = v.pipe(
  v.array(oneOf(CONTACT_ROLES), 'Expected an array of roles'),
  v.transform((roles) => [...new Set(roles)]),
);

const fields = {
  phone: nullable(text(64)),
  ...externalIds,
};

export const ContactCreate = object({
  customer_id: uuid,
  first_name: text(),
  last_name: text(),
  email,
  role: v.optional(role, []),
  ...fields,
});

export const ContactUpdate = object({
  customer_id: immutable('customer_id'),
  first_name: v.optional(text()),
  last_name: v.optional(text()),
  email: v.optional(email),
  role: v.optional(role),
  ...fields,
});

export const ContactList = listSchema({ customer_id: v.optional(uuid) });

export type ContactCreate = v.InferOutput<typeof ContactCreate>;
export type ContactUpdate = v.InferOutput<typeof ContactUpdate>;
export type ContactList = v.InferOutput<typeof ContactList>;
