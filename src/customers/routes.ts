/** /api/customers: the canonical (Qwoty) customer API. */
import type { IRequest, IttyRouterType } from 'itty-router';
import { readJsonObject } from '../http/body';
import { pathId, route, type BaseContext } from '../http/context';
import { notFound } from '../http/errors';
import { listParams } from '../http/pagination';
import { deleted, ok, page } from '../http/responses';
import { parse } from '../http/validate';
import { createCustomer, deleteCustomer, getCustomer, listCustomers, updateCustomer } from './queries';
import { CustomerCreate, CustomerList, CustomerUpdate } from './schemas';

export function customerRoutes(router: IttyRouterType<IRequest, [BaseContext], Response>) {
  router
    .post(
      '/api/customers',
      route('write', async (request, ctx) => {
        const input = parse(CustomerCreate, await readJsonObject(request));
        return ok(await ctx.query((db) => createCustomer(db, ctx.workspaceId, input)), 201);
      }),
    )
    .get(
      '/api/customers',
      route('read', async (request, ctx) => {
        const params = listParams(request, CustomerList);
        return page(await ctx.query((db) => listCustomers(db, ctx.workspaceId, params)));
      }),
    )
    .get(
      '/api/customers/:id',
      route('read', async (request, ctx) => {
        const id = pathId(request, 'Customer');
        const customer = await ctx.query((db) => getCustomer(db, ctx.workspaceId, id));
        if (!customer) throw notFound('Customer');
        return ok(customer);
      }),
    )
    .patch(
      '/api/customers/:id',
      route('write', async (request, ctx) => {
        const id = pathId(request, 'Customer');
        const input = parse(CustomerUpdate, await readJsonObject(request));
        const customer = await ctx.query((db) => updateCustomer(db, ctx.workspaceId, id, input));
        if (!customer) throw notFound('Customer');
        return ok(customer);
      }),
    )
    .delete(
      '/api/customers/:id',
      route('write', async (request, ctx) => {
        const id = pathId(request, 'Customer');
        if (!(await ctx.query((db) => deleteCustomer(db, ctx.workspaceId, id)))) throw notFound('Customer');
        return deleted(id);
      }),
    );
}
