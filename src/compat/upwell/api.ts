/**
 * The Upwell customer API (seed 003, Hasura-style REST), mounted at
 * /api/rest, over the canonical tables. Errors are
 * `{error: {code, message, details, requestId}, status: "error", timestamp}`.
 */
import * as v from 'valibot';
import { defineApi, type RouteDef } from '../../http/api';
import { invalid, notFound, type ErrorCode } from '../../http/errors';
import { reply } from '../../http/responses';
import { route } from '../../http/route';
import { uuidv7 } from '../../lib/ids';
import { versionOf } from '../../lib/versions';
import { ADDRESS_NAMES, CONTACT_NAMES, CUSTOMER_FIELDS, toCanonical, UPWELL_ADDRESS_TYPES, UPWELL_CUSTOMER_TYPE, upwellPath } from './mapping';
import { createCustomers, getCustomer, listCustomers, updateCustomer, type NewCustomer } from './queries';
import { CreateCustomer, CreateCustomers, ListQuery, SearchBody, UpdateCustomer, UpdateCustomerBySource, type CustomersInsertInput } from './schemas';
import { translateSearch } from './where';

interface DueOption {
  dueOption?: number | null | undefined;
}

/** Upwell's insert input in canonical terms (already validated by the Upwell schema, which uses the canonical fields' rules). */
function toNewCustomer(input: CustomersInsertInput): NewCustomer {
  const id = uuidv7();
  const rule = input.customerRule as (DueOption & { data?: DueOption }) | null | undefined;
  return {
    id,
    customer: { ...toCanonical(input, CUSTOMER_FIELDS), type: UPWELL_CUSTOMER_TYPE, due_option: rule?.data?.dueOption ?? rule?.dueOption ?? undefined },
    contacts: (input.contacts as Record<string, unknown>[]).map((c) => ({ ...toCanonical(c, CONTACT_NAMES), customer_id: id })),
    addresses: (input.addresses as (Record<string, unknown> & { type: keyof typeof UPWELL_ADDRESS_TYPES })[]).map((a) => ({
      address: { ...toCanonical(a, ADDRESS_NAMES), customer_id: id, type: UPWELL_ADDRESS_TYPES[a.type] },
      upwellType: a.type,
    })),
  };
}

/** A set input and its rules input: only what was sent changes (`{}` leaves due_option as it is). */
function toChanges(body: v.InferOutput<typeof UpdateCustomer>) {
  const rules = body.customerRulesInput;
  return { ...toCanonical(body.input, CUSTOMER_FIELDS), ...(rules && rules.dueOption !== undefined ? { due_option: rules.dueOption } : {}) };
}

const aggregate = (page: { customers: unknown[]; count: number }) => ({
  customers: page.customers,
  customersAggregate: { aggregate: { count: page.count } },
});

const routes: RouteDef[] = [
  {
    method: 'POST',
    path: '/api/rest/customers',
    handler: route('write', { body: CreateCustomer }, async (ctx, { body }) => {
      const item = ctx.timing.time('validation', () => toNewCustomer(body.input));
      const [created] = await ctx.write(() => createCustomers(ctx.workspaceId, [item]));
      return reply({ createCustomer: created }, 200, versionOf(created));
    }),
  },
  {
    method: 'POST',
    path: '/api/rest/bulk-customers',
    handler: route('write', { body: CreateCustomers }, async (ctx, { body }) => {
      const items = ctx.timing.time('validation', () => body.inputs.map(toNewCustomer));
      const created = await ctx.write(() => createCustomers(ctx.workspaceId, items));
      return reply({ createCustomers: { returning: created } });
    }),
  },
  {
    method: 'POST',
    path: '/api/rest/customers/search',
    handler: route('read', { body: SearchBody }, async (ctx, { body }) => {
      const { issues, ...search } = ctx.timing.time('validation', () => translateSearch(ctx.workspaceId, body.where, body.orderBy));
      if (issues.length > 0) throw invalid('Invalid search', issues);
      return reply(aggregate(await ctx.query((db) => listCustomers(db, ctx.workspaceId, { ...body, ...search }))));
    }),
  },
  {
    method: 'GET',
    path: '/api/rest/customers',
    handler: route('read', { query: ListQuery }, async (ctx, { query }) => reply(aggregate(await ctx.query((db) => listCustomers(db, ctx.workspaceId, query))))),
  },
  {
    method: 'GET',
    path: '/api/rest/customers/:id',
    handler: route('read', { id: 'Customer' }, async (ctx, { id }) => {
      const found = await ctx.query((db) => getCustomer(db, ctx.workspaceId, id));
      if (!found) throw notFound('Customer');
      return reply({ customer: found }, 200, versionOf(found));
    }),
  },
  {
    method: 'PUT',
    path: '/api/rest/customers/:id',
    handler: route('write', { id: 'Customer', body: UpdateCustomer }, async (ctx, { id, body, ifMatch }) => {
      const changes = toChanges(body);
      const updated = await ctx.write(() => updateCustomer({ id }, ctx.workspaceId, changes, ifMatch));
      if (!updated) throw notFound('Customer');
      return reply(
        { updateCustomer: updated, updateCustomerRules: { affectedRows: body.customerRulesInput?.dueOption !== undefined ? 1 : 0 } },
        200,
        versionOf(updated),
      );
    }),
  },
  {
    method: 'PUT',
    path: '/api/rest/customers',
    handler: route('write', { body: UpdateCustomerBySource }, async (ctx, { body, ifMatch }) => {
      const changes = toChanges(body);
      const source = { sourceSystem: body.sourceSystem, sourceSystemId: body.sourceSystemId };
      const updated = await ctx.write(() => updateCustomer(source, ctx.workspaceId, changes, ifMatch));
      const returning = updated ? [updated] : [];
      return reply(
        {
          updateCustomer: { affectedRows: returning.length, returning },
          updateCustomerRules: { affectedRows: body.customerRulesInput?.dueOption !== undefined ? returning.length : 0 },
        },
        200,
        versionOf(updated),
      );
    }),
  },
];

/** Upwell's codes: the API's own, upper-cased, but for these. */
export const UPWELL_CODES: Partial<Record<ErrorCode, string>> = {
  invalid_json: 'VALIDATION_ERROR',
  request_aborted: 'VALIDATION_ERROR',
  invalid_reference: 'VALIDATION_ERROR',
  unauthorized: 'INVALID_API_KEY',
  not_found: 'RESOURCE_NOT_FOUND',
  already_exists: 'RESOURCE_ALREADY_EXISTS',
  segment_in_use: 'CONFLICT',
  idempotency_in_progress: 'CONFLICT',
  internal_error: 'INTERNAL_SERVER_ERROR',
};

export const upwellApi = defineApi({
  name: 'upwell',
  mounts: ['/api/rest'],
  routes,
  render: (error, requestId) => ({
    error: {
      code: error.reason === 'missing_token' ? 'MISSING_AUTHORIZATION' : (UPWELL_CODES[error.code] ?? error.code.toUpperCase()),
      message: error.reason === 'missing_token' ? 'Missing Authorization header' : error.message,
      details: (error.issues ?? []).map((i) => ({ ...i, path: upwellPath(i.path) })),
      requestId,
    },
    status: 'error',
    timestamp: new Date().toISOString(),
  }),
});
