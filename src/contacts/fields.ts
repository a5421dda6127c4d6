/** The contact, declared once (src/model/resource.ts): a person at a customer. */
import { f } from '../model/fields';
import { declare } from '../model/resource';
import { relatedIds } from '../store/related';
import { addresses, contacts } from '../store/schema';

export const CONTACT_ROLES = ['buyer', 'signer', 'billing', 'shipping', 'legal', 'admin'] as const;

export const contact = declare(contacts, {
  customer_id: f.uuid().required().immutable().filter(),
  first_name: f.text().required().upwell('firstName'),
  last_name: f.text().required().upwell('lastName'),
  email: f.email().required().upwell('emailAddress'),
  phone: f.text(64).nullable().upwell('phoneNumber'),
  // Duplicates are dropped.
  role: f.list<(typeof CONTACT_ROLES)[number]>({ type: 'enum', values: CONTACT_ROLES }, 'roles', undefined, true).default([]),
  id_crm: f.text().nullable(),
  id_erp: f.text().nullable(),
  id_accounting: f.text().nullable(),
  /** The addresses linked to this contact, oldest first. */
  address_ids: f.computed(relatedIds(addresses.id, addresses.contact_id, contacts.id)),
});

export type Contact = ReturnType<typeof contact.toApi>;
