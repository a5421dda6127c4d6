/**
 * Request bodies and record factories shared by the test files: a valid body
 * of every record kind (the canonical ones and Upwell's nested contact and
 * address), factories that create records through the real API and fail
 * loudly unless the create succeeded, and the values a new customer has.
 */
import { expect } from 'vitest';
import { CUSTOMER_DEFAULTS } from './customer-defaults';
import { api, ISO, UUID } from './helpers';

type Body = Record<string, unknown>;

/** Valid create bodies, with only the required fields; `extra` adds or overrides fields. */
export const segmentBody = (extra: Body = {}): Body => ({ name: 'Enterprise', ...extra });
export const customerBody = (extra: Body = {}): Body => ({ name: 'Acme', type: 'company', ...extra });
export const contactBody = (customerId: string, extra: Body = {}): Body => ({
  customer_id: customerId,
  first_name: 'Ada',
  last_name: 'Lovelace',
  email: 'ada@example.com',
  ...extra,
});
export const addressBody = (customerId: string, extra: Body = {}): Body => ({
  customer_id: customerId,
  type: 'billing',
  address_line1: '1 rue de Rivoli',
  city: 'Paris',
  postal_code: '75001',
  country: 'FR',
  ...extra,
});

/** Upwell's nested rows (`addresses.data[]`, `contacts.data[]` of a CustomersInsertInput). */
export const upwellAddress = (extra: Body = {}): Body => ({ streetLine1: '1 Main St', city: 'Paris', zipOrPostalCode: '75001', country: 'FR', ...extra });
export const upwellContact = (extra: Body = {}): Body => ({ firstName: 'Ada', lastName: 'Lovelace', emailAddress: 'ada@example.com', ...extra });

/** POSTs `body` and returns the created record (`data`), failing unless the answer is 201. */
export async function create(token: string, path: string, body: Body): Promise<any> {
  const res = await api('POST', path, { token, body });
  expect(res.status, `POST ${path}: ${JSON.stringify(res.body)}`).toBe(201);
  return res.body.data;
}

export const createSegment = (token: string, body: Body = {}) => create(token, '/api/segments', segmentBody(body));
export const createCustomer = (token: string, body: Body = {}) => create(token, '/api/customers', customerBody(body));
export const createContact = (token: string, customerId: string, body: Body = {}) => create(token, '/api/contacts', contactBody(customerId, body));
export const createAddress = (token: string, customerId: string, body: Body = {}) => create(token, '/api/addresses', addressBody(customerId, body));

/** A syntactically valid UUID that names no record. */
export const MISSING_ID = '0190a000-0000-7000-8000-000000000000';

export const ms = (iso: string) => new Date(iso).getTime();

export { CUSTOMER_DEFAULTS };

/** A whole canonical customer as the API returns it: `fields` over the values a new customer of `workspaceId` has. */
export const customerObject = (workspaceId: string, fields: Record<string, unknown> = {}) => ({
  ...CUSTOMER_DEFAULTS,
  id: expect.stringMatching(UUID),
  workspace_id: workspaceId,
  segment_id: null,
  logo: null,
  tax_ids: [],
  id_crm: null,
  id_erp: null,
  id_accounting: null,
  created_at: expect.stringMatching(ISO),
  updated_at: expect.stringMatching(ISO),
  ...fields,
});
