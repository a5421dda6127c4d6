/**
 * The customer, declared once (src/model/resource.ts derives the rest): the
 * fields of Qwoty's customer (seeds 000, 001) and those the compatible APIs
 * carry (README, "Field mapping"), in the order the API shows them.
 */
import { fold } from '../lib/text';
import { f } from '../model/fields';
import { declare } from '../model/resource';
import { KeepVerifications } from '../store/plan';
import { customers, type TaxId } from '../store/schema';
import { TAX_ID_TYPES } from '../tax-ids/types';

export const CUSTOMER_TYPES = ['company', 'individual'] as const;
/** Archived customers keep everything but leave the canonical lists (POST /api/customers/{id}/archive, /restore). */
export const CUSTOMER_STATUSES = ['active', 'archived'] as const;
/** How the customer's invoices treat tax: Stripe's tax_exempt values. */
export const TAX_EXEMPT = ['none', 'exempt', 'reverse_charge'] as const;

const externalId = () => f.text().nullable().filter().fold();

export const customer = declare(customers, {
  number: f.integer(1, Number.MAX_SAFE_INTEGER).readOnly(),
  name: f.text().required().fold({ column: 'name_search' }).upwell('name'),
  legal_name: f.text().nullable().fold({ column: 'legal_name_search' }),
  type: f.oneOf(CUSTOMER_TYPES).required().filter(),
  segment_id: f.uuid().nullable().filter(),
  logo: f.url().nullable(),
  // `type` (optional) makes the number checked and normalised by the jobs Worker (checkTaxIds in src/customers/routes.ts).
  tax_ids: f
    .list<TaxId>(
      { type: 'object', fields: { tax: { type: 'text', max: 255 }, tax_value: { type: 'text', max: 255 }, type: { type: 'enum', values: TAX_ID_TYPES } }, optional: ['type'] },
      '{tax, tax_value, type?}',
      25,
    )
    .default([])
    .onUpdate((taxIds: TaxId[]) => new KeepVerifications(taxIds))
    .fold({ key: 'tax_values', of: (taxIds: TaxId[]) => taxIds.map((t) => fold(t.tax_value)) }),
  id_crm: externalId(),
  id_erp: externalId(),
  id_accounting: externalId(),
  contact_origin: f.text(64).default('WEB_FORM'),
  email_address: f.email().nullable().fold().upwell('emailAddress'),
  cc_email_addresses: f.list<string>({ type: 'email' }, 'e-mail addresses', 50).nullAs([]).default([]).upwell('ccEmailAddresses'),
  bill_to_customer_id: f.uuid().nullable().upwell('billToCustomerId'),
  collector_id: f.text().nullable().fold().upwell('collectorId'),
  metadata: f.metadata().nullAs({}).default({}).upwell('metadata'),
  source_system: f.text().nullable().fold().upwell('sourceSystem'),
  source_system_id: f.text().nullable().fold().upwell('sourceSystemId'),
  // Upwell: customerRule.dueOption (src/compat/upwell/mapping.ts).
  due_option: f.integer(0, 100_000).nullable(),
  email_settings: f.json().nullable().upwell('customerEmailSettings'),
  integration_settings: f.json().nullable().upwell('customerIntegrationSettings'),
  addresses_last_updated_at: f.timestamp().nullable().upwell('addressesLastUpdatedAt'),
  contacts_last_updated_at: f.timestamp().nullable().upwell('contactsLastUpdatedAt'),
  deleted_at: f.timestamp().nullable().upwell('deletedAt'),
  // The billing profile (canonical API only): what quoting and invoicing need to bill the customer.
  currency: f.currency().nullable().filter(),
  locale: f.locale().nullable(),
  timezone: f.timezone().nullable(),
  payment_terms_days: f.integer(0, 365).nullable(),
  tax_exempt: f.oneOf(TAX_EXEMPT).nullable(),
  phone: f.text(64).nullable(),
  // Set by archive and restore only.
  status: f.oneOf(CUSTOMER_STATUSES).readOnly(),
  archived_at: f.timestamp().nullable().readOnly(),
});

export type Customer = ReturnType<typeof customer.toApi>;
