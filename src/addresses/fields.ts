/** The address, declared once (src/model/resource.ts): a billing or shipping address of a customer. */
import { f } from '../model/fields';
import { declare } from '../model/resource';
import { addresses } from '../store/schema';

export const ADDRESS_TYPES = ['billing', 'shipping'] as const;

export const address = declare(addresses, {
  customer_id: f.uuid().required().immutable().filter(),
  // A contact of the same customer (a trigger checks it).
  contact_id: f.uuid().nullable(),
  // Setting the type here replaces the label an Upwell client wrote.
  type: f.oneOf(ADDRESS_TYPES).required().clears('upwell_type'),
  name: f.text().nullable(),
  address_line1: f.text().required().upwell('streetLine1'),
  address_line2: f.text().nullable().upwell('streetLine2'),
  city: f.text().required().upwell('city'),
  postal_code: f.text(32).required().upwell('zipOrPostalCode'),
  state: f.text().nullable().upwell('stateOrProvince'),
  country: f.country().required().upwell('country'),
  comment: f.text(1000).nullable(),
  id_crm: f.text().nullable(),
  id_erp: f.text().nullable(),
  id_accounting: f.text().nullable(),
});

export type Address = ReturnType<typeof address.toApi>;
