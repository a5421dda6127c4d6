/**
 * The AmbioSys customer API (seed 002) over the canonical customers:
 * POST /api/customers/create, GET /api/customers/getCustomers[/{customer_id}].
 * Errors are rendered as {success:false, error, details} (src/http/dialects.ts).
 */
import { readJsonObject } from '../../http/body';
import { route } from '../../http/context';
import { notFound } from '../../http/errors';
import { listParams } from '../../http/pagination';
import type { Router } from '../../http/resource';
import { json } from '../../http/responses';
import { parse } from '../../http/validate';
import { createCustomer } from '../../customers/queries';
import { CustomerCreate } from '../../customers/schemas';
import { fromAmbiosys, toAmbiosys } from '../mapping';
import { getByNumber, listByPage } from './queries';
import { AmbiosysCreate, AmbiosysList } from './schemas';

export function ambiosysRoutes(router: Router) {
  router
    .post(
      '/api/customers/create',
      route('write', async (request, ctx) => {
        const input = parse(CustomerCreate, fromAmbiosys(parse(AmbiosysCreate, await readJsonObject(request))));
        const customer = await ctx.query((db) => createCustomer(db, ctx.workspaceId, input));
        return json({ success: true, customer: toAmbiosys(customer) }, 201);
      }),
    )
    .get(
      '/api/customers/getCustomers',
      route('read', async (request, ctx) => {
        const params = listParams(request, AmbiosysList);
        const { customers, total } = await ctx.query((db) => listByPage(db, ctx.workspaceId, params));
        return json({
          success: true,
          clientes: customers.map((c) => ({ ...toAmbiosys(c), total_count: total })),
          totalCount: total,
          page: params.page,
          pageSize: params.limit,
        });
      }),
    )
    .get(
      '/api/customers/getCustomers/:id',
      route('read', async (request, ctx) => {
        const id = request.params.id ?? '';
        const number = /^[1-9]\d{0,14}$/.test(id) ? Number(id) : undefined;
        const customer = number === undefined ? undefined : await ctx.query((db) => getByNumber(db, ctx.workspaceId, number));
        if (!customer) throw notFound('Customer');
        return json({ success: true, cliente: toAmbiosys(customer) });
      }),
    );
}
