/**
 * The Upwell customer API (seed 003, Hasura-style REST under /api/rest) over
 * the canonical tables. Errors are rendered as {error:{code,message,details},
 * status:"error",timestamp} (src/http/dialects.ts).
 */
import * as v from 'valibot';
import { AddressCreate } from '../../addresses/schemas';
import { ContactCreate } from '../../contacts/schemas';
import { CustomerCreate, CustomerUpdate } from '../../customers/schemas';
import { route } from '../../http/context';
import { notFound } from '../../http/errors';
import { onlyMethods, type Router } from '../../http/resource';
import { reply } from '../../http/responses';
import { parse } from '../../http/validate';
import { uuidv7 } from '../../lib/ids';
import { versionOf } from '../../lib/versions';
import { fromUpwellAddress, fromUpwellContact, fromUpwellInsert, fromUpwellSet } from '../mapping';
import { bySource, createCustomers, getCustomer, listCustomers, updateCustomer, type NewCustomer } from './queries';
import {
  CreateCustomer,
  CreateCustomers,
  ListQuery,
  SearchBody,
  UpdateCustomer,
  UpdateCustomerBySource,
  type CustomersInsertInput,
} from './schemas';
import { translateSearch } from './where';

/** Upwell's insert input in canonical terms, validated (and defaulted) by the canonical schemas. */
function toNewCustomer(input: CustomersInsertInput): NewCustomer {
  const id = uuidv7();
  return {
    id,
    customer: parse(CustomerCreate, fromUpwellInsert(input)),
    contacts: input.contacts.map((c) => parse(ContactCreate, { ...fromUpwellContact(c), customer_id: id })),
    addresses: input.addresses.map((a) => ({ address: parse(AddressCreate, { ...fromUpwellAddress(a), customer_id: id }), upwellType: a.type })),
  };
}

const toUpdate = (body: v.InferOutput<typeof UpdateCustomer>): CustomerUpdate =>
  parse(CustomerUpdate, fromUpwellSet(body.input, body.customerRulesInput));

const aggregate = (page: { customers: unknown[]; count: number }) => ({
  customers: page.customers,
  customersAggregate: { aggregate: { count: page.count } },
});

export function upwellRoutes(router: Router) {
  router
    .post(
      '/api/rest/customers',
      route('write', { body: CreateCustomer }, async (ctx, { body }) => {
        const item = ctx.timing.time('validation', () => toNewCustomer(body.input));
        const [created] = await ctx.write((db) => createCustomers(db, ctx.workspaceId, [item]));
        return reply({ createCustomer: created }, 200, versionOf(created));
      }),
    )
    .post(
      '/api/rest/bulk-customers',
      route('write', { body: CreateCustomers }, async (ctx, { body }) => {
        const items = ctx.timing.time('validation', () => body.inputs.map(toNewCustomer));
        const created = await ctx.write((db) => createCustomers(db, ctx.workspaceId, items));
        return reply({ createCustomers: { returning: created } });
      }),
    )
    .post(
      '/api/rest/customers/search',
      route('read', { body: SearchBody }, async (ctx, { body }) => {
        const { where, orderBy } = ctx.timing.time('validation', () => translateSearch(body.where, body.orderBy));
        const page = await ctx.query((db) => listCustomers(db, ctx.workspaceId, { ...body, where, orderBy }));
        return reply(aggregate(page));
      }),
    );
  // Before /api/rest/customers/:id, which would otherwise take "search" for an id.
  onlyMethods(router, '/api/rest/customers/search', ['POST']);
  router
    .get(
      '/api/rest/customers',
      route('read', { query: ListQuery }, async (ctx, { query }) =>
        reply(aggregate(await ctx.query((db) => listCustomers(db, ctx.workspaceId, query)))),
      ),
    )
    .get(
      '/api/rest/customers/:id',
      route('read', { id: 'Customer' }, async (ctx, { id }) => {
        const customer = await ctx.query((db) => getCustomer(db, ctx.workspaceId, id));
        if (!customer) throw notFound('Customer');
        return reply({ customer }, 200, versionOf(customer));
      }),
    )
    .put(
      '/api/rest/customers/:id',
      route('write', { id: 'Customer', body: UpdateCustomer }, async (ctx, { id, body, ifMatch }) => {
        const update = ctx.timing.time('validation', () => toUpdate(body));
        const customer = await ctx.write((db) => updateCustomer(db, { values: { workspaceId: ctx.workspaceId, id } }, update, ifMatch));
        if (!customer) throw notFound('Customer');
        return reply(
          { updateCustomer: customer, updateCustomerRules: { affectedRows: body.customerRulesInput?.dueOption !== undefined ? 1 : 0 } },
          200,
          versionOf(customer),
        );
      }),
    )
    .put(
      '/api/rest/customers',
      route('write', { body: UpdateCustomerBySource }, async (ctx, { body, ifMatch }) => {
        const match = bySource(ctx.workspaceId, body.sourceSystem, body.sourceSystemId);
        const update = ctx.timing.time('validation', () => toUpdate(body));
        const customer = await ctx.write((db) => updateCustomer(db, match, update, ifMatch));
        const updated = customer ? [customer] : [];
        return reply(
          {
            updateCustomer: { affectedRows: updated.length, returning: updated },
            updateCustomerRules: { affectedRows: body.customerRulesInput?.dueOption !== undefined ? updated.length : 0 },
          },
          200,
          versionOf(customer),
        );
      }),
    );
}
