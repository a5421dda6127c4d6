/**
 * Record factories and a "nothing changed" guard shared by the contacts,
 * addresses and segments route tests. Every factory goes through the real API
 * and fails loudly if the create did not succeed.
 */
import { expect } from 'vitest';
import { api, errorBody, snapshot } from './helpers';

type Body = Record<string, unknown>;

async function create(path: string, token: string, body: Body): Promise<any> {
  const res = await api('POST', path, { token, body });
  expect(res.status, `POST ${path}: ${JSON.stringify(res.body)}`).toBe(201);
  return res.body.data;
}

export const createSegment = (token: string, body: Body = {}) => create('/api/segments', token, { name: 'Enterprise', ...body });

export const createCustomer = (token: string, body: Body = {}) =>
  create('/api/customers', token, { name: 'Acme', type: 'company', ...body });

export const createContact = (token: string, customerId: string, body: Body = {}) =>
  create('/api/contacts', token, {
    customer_id: customerId,
    first_name: 'Ada',
    last_name: 'Lovelace',
    email: 'ada@example.com',
    ...body,
  });

export const createAddress = (token: string, customerId: string, body: Body = {}) =>
  create('/api/addresses', token, {
    customer_id: customerId,
    type: 'billing',
    address_line1: '1 rue de Rivoli',
    city: 'Paris',
    postal_code: '75001',
    country: 'FR',
    ...body,
  });

/**
 * Snapshots the given workspaces now; the returned function asserts that
 * every row of each is still exactly the same (to prove a 4xx wrote nothing).
 */
export async function freeze(...workspaceIds: string[]): Promise<() => Promise<void>> {
  const before = await Promise.all(workspaceIds.map((id) => snapshot(id)));
  return async () => {
    const after = await Promise.all(workspaceIds.map((id) => snapshot(id)));
    expect(after).toEqual(before);
  };
}

/** A syntactically valid UUID that names no record. */
export const MISSING_ID = '0190a000-0000-7000-8000-000000000000';

export const ms = (iso: string) => new Date(iso).getTime();

/** The customer fields the AmbioSys and Upwell APIs added (migration 0002), at their defaults. */
export const CUSTOMER_DEFAULTS = {
  number: expect.any(Number),
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
};

/**
 * A write route refuses a request without a token (401) and one whose token
 * lacks the write scope (403), and neither changes anything in the workspace.
 */
export async function expectWriteAuth(
  workspace: { workspaceId: string; readOnly: string },
  method: string,
  path: string,
  body?: Body,
): Promise<void> {
  const unchanged = await freeze(workspace.workspaceId);
  const anon = await api(method, path, { body });
  expect(anon.status).toBe(401);
  expect(anon.body).toEqual(errorBody('unauthorized'));
  const ro = await api(method, path, { token: workspace.readOnly, body });
  expect(ro.status).toBe(403);
  expect(ro.body).toEqual(errorBody('forbidden'));
  await unchanged();
}
