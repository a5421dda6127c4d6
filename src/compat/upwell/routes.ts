/**
 * The Upwell customer API (seed 003, Hasura-style REST under /api/rest) over
 * the canonical tables. Errors are rendered as {error:{code,message,details},
 * status:"error",timestamp} (src/http/dialects.ts).
 */
import * as v from 'valibot';
import { AddressCreate } from '../../addresses/schemas';
import { ContactCreate } from '../../contacts/schemas';
import { CustomerCreate, CustomerUpdate } from '../../customers/schemas';
import { readJsonObject } from '../../http/body';
import { pathId, route } from '../../http/context';
import { notFound } from '../../http/errors';
import { listParams } from '../../http/pagination';
import type { Router } from '../../http/resource';
import { json } from '../../http/responses';
import { parse } from '../../http/validate';
import { uuidv7 } from '../../lib/ids';
import { fromUpwellAddress, fromUpwellContact, fromUpwellCustomer } from '../mapping';
import { byId, bySource, createCustomers, getCustomer, listCustomers, updateCustomers, type NewCustomer } from './queries';
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
  const rule = input.customerRule;
  const id = uuidv7();
  return {
    id,
    customer: parse(CustomerCreate, {
      ...fromUpwellCustomer(input),
      type: 'company',
      due_option: rule?.data?.dueOption ?? rule?.dueOption ?? undefined,
    }),
    contacts: input.contacts.map((c) => parse(ContactCreate, { ...fromUpwellContact(c), customer_id: id })),
    addresses: input.addresses.map((a) => parse(AddressCreate, { ...fromUpwellAddress(a), customer_id: id })),
  };
}

function toUpdate(body: v.InferOutput<typeof UpdateCustomer>): CustomerUpdate {
  return parse(CustomerUpdate, {
    ...fromUpwellCustomer(body.input),
    ...(body.customerRulesInput ? { due_option: body.customerRulesInput.dueOption ?? null } : {}),
  });
}

const aggregate = (page: { customers: unknown[]; count: number }) => ({
  customers: page.customers,
  customersAggregate: { aggregate: { count: page.count } },
});

export function upwellRoutes(router: Router) {
  router
    .post(
      '/api/rest/customers',
      route('write', async (request, ctx) => {
        const { input } = parse(CreateCustomer, await readJsonObject(request));
        const [created] = await ctx.query((db) => createCustomers(db, ctx.workspaceId, [toNewCustomer(input)]));
        return json({ createCustomer: created });
      }),
    )
    .post(
      '/api/rest/bulk-customers',
      route('write', async (request, ctx) => {
        const { inputs } = parse(CreateCustomers, await readJsonObject(request));
        const created = await ctx.query((db) => createCustomers(db, ctx.workspaceId, inputs.map(toNewCustomer)));
        return json({ createCustomers: { returning: created } });
      }),
    )
    .post(
      '/api/rest/customers/search',
      route('read', async (request, ctx) => {
        const body = parse(SearchBody, await readJsonObject(request));
        const { where, orderBy } = translateSearch(body.where, body.orderBy);
        const page = await ctx.query((db) => listCustomers(db, ctx.workspaceId, { ...body, where, orderBy }));
        return json(aggregate(page));
      }),
    )
    .get(
      '/api/rest/customers',
      route('read', async (request, ctx) => {
        const params = listParams(request, ListQuery);
        return json(aggregate(await ctx.query((db) => listCustomers(db, ctx.workspaceId, params))));
      }),
    )
    .get(
      '/api/rest/customers/:id',
      route('read', async (request, ctx) => {
        const id = pathId(request, 'Customer');
        const customer = await ctx.query((db) => getCustomer(db, ctx.workspaceId, id));
        if (!customer) throw notFound('Customer');
        return json({ customer });
      }),
    )
    .put(
      '/api/rest/customers/:id',
      route('write', async (request, ctx) => {
        const id = pathId(request, 'Customer');
        const body = parse(UpdateCustomer, await readJsonObject(request));
        const [customer] = await ctx.query((db) => updateCustomers(db, byId(ctx.workspaceId, id), toUpdate(body)));
        if (!customer) throw notFound('Customer');
        return json({
          updateCustomer: customer,
          updateCustomerRules: { affectedRows: body.customerRulesInput ? 1 : 0 },
        });
      }),
    )
    .put(
      '/api/rest/customers',
      route('write', async (request, ctx) => {
        const body = parse(UpdateCustomerBySource, await readJsonObject(request));
        const match = bySource(ctx.workspaceId, body.sourceSystem, body.sourceSystemId);
        const updated = await ctx.query((db) => updateCustomers(db, match, toUpdate(body)));
        return json({
          updateCustomer: { affectedRows: updated.length, returning: updated },
          updateCustomerRules: { affectedRows: body.customerRulesInput ? updated.length : 0 },
        });
      }),
    );
}
