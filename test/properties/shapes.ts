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
  | 'upwell.putSource';

/** Any UUID (ids sent by clients are matched case-insensitively). */
export const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const uuid = () => expect.stringMatching(UUID_RE);
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
      expect(res.status, at).toBe(200);
      expect(Object.keys(b).sort(), at).toEqual(['data', 'has_more', 'next_cursor', 'success']);
      expect(b.success, at).toBe(true);
      expect(Array.isArray(b.data), at).toBe(true);
      b.data.forEach(record);
      expect(typeof b.has_more, at).toBe('boolean');
      expect(b.next_cursor === null || UUID_RE.test(b.next_cursor), at).toBe(true);
      return;
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
