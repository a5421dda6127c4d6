/**
 * The values a new customer has beyond the fields a test sets (no runtime imports: the workers suite and the
 * Node suites share it). The Qwoty fields (`segment_id`, `tax_ids`, the external ids) are set by each fixture.
 */
import { expect } from 'vitest';

export const CUSTOMER_DEFAULTS = {
  number: expect.any(Number),
  // The fields the AmbioSys and Upwell APIs added (migration 0002).
  legal_name: null,
  contact_origin: 'WEB_FORM',
  email_address: null,
  cc_email_addresses: [],
  bill_to_customer_id: null,
  collector_id: null,
  metadata: {},
  source_system: null,
  source_system_id: null,
  due_option: null,
  email_settings: null,
  integration_settings: null,
  addresses_last_updated_at: null,
  contacts_last_updated_at: null,
  deleted_at: null,
  // The billing profile (migration 0011).
  currency: null,
  locale: null,
  timezone: null,
  payment_terms_days: null,
  tax_exempt: null,
  phone: null,
  // Archive (migration 0012).
  status: 'active',
  archived_at: null,
};
