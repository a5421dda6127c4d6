/**
 * The success bodies of every route kind of the three APIs, as the property
 * tests check them whatever the input: the envelope, record ids and
 * timestamps, and the records being the caller's.
 */
import { expect } from 'vitest';
import { ISO, type ApiResponse } from '../helpers';

export type SuccessKind =
  | 'canonical.create'
  | 'canonical.list'
  | 'canonical.get'
  | 'canonical.update'
  | 'canonical.delete'
  | 'ambiosys.create'
  | 'ambiosys.list'
  | 'ambiosys.get'
  | 'upwell.create'
  | 'upwell.bulk'
  | 'upwell.list'
  | 'upwell.search'
  | 'upwell.get'
  | 'upwell.putId'
  | 'upwell.putSource'
  | 'events.list'
  | 'events.get'
  | 'events.redeliver'
  | 'webhooks.rotate'
  | 'webhooks.deliveries';

/** Any UUID (ids sent by clients are matched case-insensitively). */
export const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const uuid = () => expect.stringMatching(UUID_RE);
/** A canonical list's next_cursor: the last id, or the cursor of another walk (`u.` updated_at, `s.` search, `p.` prefix). */
const LIST_CURSOR = /^(?:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|u\.\d+\.[0-9a-f-]{36}|s\.\d+|p\.[A-Za-z0-9_-]+)$/;
/** An event as GET /api/events shows it: its object is a record of the caller's workspace. */
const event = (workspaceId: string) => ({
  id: uuid(),
  type: expect.stringMatching(/^(customer|contact|address|segment)\.(created|updated|deleted)$/),
  object_id: uuid(),
  created_at: expect.stringMatching(ISO),
  data: expect.objectContaining({ object: expect.objectContaining({ workspace_id: workspaceId }) }),
  request_id: expect.toSatisfy((x: unknown) => x === null || typeof x === 'string'),
  token_id: expect.toSatisfy((x: unknown) => x === null || typeof x === 'string'),
  api: expect.any(String),
});
/** A page of a canonical list: the envelope, each item checked by `item`, and the cursor. */
function listPage(res: ApiResponse, at: string, item: (x: unknown) => void, cursor: RegExp) {
  const b = res.body;
  expect(res.status, at).toBe(200);
  expect(Object.keys(b).sort(), at).toEqual(['data', 'has_more', 'next_cursor', 'success']);
  expect(b.success, at).toBe(true);
  expect(Array.isArray(b.data), at).toBe(true);
  b.data.forEach(item);
  expect(typeof b.has_more, at).toBe('boolean');
  expect(b.has_more ? cursor.test(b.next_cursor) : b.next_cursor === null, at).toBe(true);
}
const stringOrNull = () => expect.toSatisfy((x: unknown) => x === null || typeof x === 'string');
const ambiosysCustomer = () => ({
  customer_id: expect.any(Number),
  name: expect.any(String),
  legal_name: stringOrNull(),
  tax_id: stringOrNull(),
  contact_origin: expect.any(String),
  created_at: expect.stringMatching(ISO),
  updated_at: expect.stringMatching(ISO),
});
const upwellCustomer = (c: unknown, at: string) => {
  expect(c, at).toMatchObject({ id: uuid(), name: expect.any(String), balance: 0, overdueBalance: 0, createdAt: expect.stringMatching(ISO) });
  expect(Array.isArray((c as { addresses: unknown }).addresses), at).toBe(true);
};

/** Upwell's updateCustomerRules.affectedRows: one per updated customer when the request set customerRulesInput.dueOption (null included). */
const rulesSent = (sent: unknown) => (sent as { customerRulesInput?: { dueOption?: unknown } } | null)?.customerRulesInput?.dueOption !== undefined;

/**
 * Asserts the success envelope of one kind of route; records carrying
 * workspace_id are `workspaceId`'s. `sent` is the request body as sent (parsed).
 */
export function expectSuccess(kind: SuccessKind, res: ApiResponse, workspaceId: string, where: string, sent: unknown): void {
  const b = res.body;
  const at = `${where} -> ${res.status} ${JSON.stringify(b)?.slice(0, 600)}`;
  const record = (data: unknown) => expect(data, at).toMatchObject({ id: uuid(), workspace_id: workspaceId });
  switch (kind) {
    case 'canonical.create':
    case 'canonical.get':
    case 'canonical.update':
      expect(res.status, at).toBe(kind === 'canonical.create' ? 201 : 200);
      expect(Object.keys(b).sort(), at).toEqual(['data', 'success']);
      expect(b.success, at).toBe(true);
      record(b.data);
      return;
    case 'canonical.delete':
      expect(res.status, at).toBe(200);
      expect(b, at).toEqual({ success: true, data: { id: uuid(), deleted: true } });
      return;
    case 'canonical.list':
      return listPage(res, at, record, LIST_CURSOR);
    case 'events.list':
      // The cursor is the last event's sequence number.
      return listPage(res, at, (e) => expect(e, at).toEqual(event(workspaceId)), /^\d+$/);
    case 'events.get':
      expect(res.status, at).toBe(200);
      expect(b, at).toEqual({ success: true, data: event(workspaceId) });
      return;
    case 'events.redeliver':
      expect(res.status, at).toBe(202);
      expect(b, at).toEqual({ success: true, data: { event_id: uuid(), queued: true } });
      return;
    case 'webhooks.rotate':
      expect(res.status, at).toBe(200);
      expect(Object.keys(b).sort(), at).toEqual(['data', 'success']);
      record(b.data);
      expect(b.data.secret, at).toMatch(/^whsec_[A-Za-z0-9+/=]+$/);
      return;
    case 'webhooks.deliveries':
      return listPage(res, at, (d) => expect(d, at).toMatchObject({ id: uuid(), endpoint_id: uuid(), event_id: expect.any(String), status: expect.any(String) }), UUID_RE);
    case 'ambiosys.create':
      expect(res.status, at).toBe(201);
      expect(b, at).toEqual({ success: true, customer: ambiosysCustomer() });
      return;
    case 'ambiosys.get':
      expect(res.status, at).toBe(200);
      expect(b, at).toEqual({ success: true, cliente: ambiosysCustomer() });
      return;
    case 'ambiosys.list':
      expect(res.status, at).toBe(200);
      expect(b, at).toEqual({
        success: true,
        clientes: expect.any(Array),
        totalCount: expect.any(Number),
        page: expect.any(Number),
        pageSize: expect.any(Number),
      });
      for (const c of b.clientes) expect(c, at).toEqual({ ...ambiosysCustomer(), total_count: b.totalCount });
      expect(b.clientes.length, at).toBeLessThanOrEqual(b.pageSize);
      return;
    case 'upwell.create':
    case 'upwell.get': {
      const key = kind === 'upwell.create' ? 'createCustomer' : 'customer';
      expect(res.status, at).toBe(200);
      expect(Object.keys(b), at).toEqual([key]);
      upwellCustomer(b[key], at);
      return;
    }
    case 'upwell.bulk':
      expect(res.status, at).toBe(200);
      expect(b, at).toEqual({ createCustomers: { returning: expect.any(Array) } });
      expect(b.createCustomers.returning.length, at).toBeGreaterThan(0);
      for (const c of b.createCustomers.returning) upwellCustomer(c, at);
      return;
    case 'upwell.list':
    case 'upwell.search':
      expect(res.status, at).toBe(200);
      expect(b, at).toEqual({ customers: expect.any(Array), customersAggregate: { aggregate: { count: expect.any(Number) } } });
      for (const c of b.customers) upwellCustomer(c, at);
      return;
    case 'upwell.putId':
      expect(res.status, at).toBe(200);
      expect(Object.keys(b).sort(), at).toEqual(['updateCustomer', 'updateCustomerRules']);
      upwellCustomer(b.updateCustomer, at);
      expect(b.updateCustomerRules, at).toEqual({ affectedRows: rulesSent(sent) ? 1 : 0 });
      return;
    case 'upwell.putSource':
      expect(res.status, at).toBe(200);
      expect(b, at).toEqual({
        updateCustomer: { affectedRows: expect.any(Number), returning: expect.any(Array) },
        updateCustomerRules: { affectedRows: expect.any(Number) },
      });
      expect(b.updateCustomer.returning.length, at).toBe(b.updateCustomer.affectedRows);
      expect(b.updateCustomer.affectedRows, `${at}: one customer has a source pair`).toBeLessThanOrEqual(1);
      expect(b.updateCustomerRules.affectedRows, at).toBe(rulesSent(sent) ? b.updateCustomer.affectedRows : 0);
      for (const c of b.updateCustomer.returning) upwellCustomer(c, at);
      return;
  }
}
