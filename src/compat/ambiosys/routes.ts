/**
 * The AmbioSys customer API (seed 002) over the canonical customers:
 * POST /api/customers/create, GET /api/customers/getCustomers[/{customer_id}].
 * Errors are rendered as {success:false, error, details} (src/http/dialects.ts).
 */
import { route } from '../../http/context';
import { notFound } from '../../http/errors';
import { onlyMethods, type Router } from '../../http/resource';
import { reply } from '../../http/responses';
import { parse } from '../../http/validate';
import { createCustomer } from '../../customers/queries';
import { CustomerCreate } from '../../customers/schemas';
import { versionOf } from '../../lib/versions';
import { fromAmbiosys, toAmbiosys } from '../mapping';
import { getByNumber, listByPage } from './queries';
import { AmbiosysCreate, AmbiosysList } from './schemas';

export function ambiosysRoutes(router: Router) {
  router
    .post(
      '/api/customers/create',
      route('write', { body: AmbiosysCreate }, async (ctx, { body }) => {
        const input = ctx.timing.time('validation', () => parse(CustomerCreate, fromAmbiosys(body)));
        const customer = await ctx.write((db) => createCustomer(db, ctx.workspaceId, input));
        return reply({ success: true, customer: toAmbiosys(customer) }, 201, versionOf(customer));
      }),
    )
    .get(
      '/api/customers/getCustomers',
      route('read', { query: AmbiosysList }, async (ctx, { query }) => {
        const { customers, total } = await ctx.query((db) => listByPage(db, ctx.workspaceId, query));
        return reply({
          success: true,
          clientes: customers.map((c) => ({ ...toAmbiosys(c), total_count: total })),
          totalCount: total,
          page: query.page,
          pageSize: query.limit,
        });
      }),
    )
    .get(
      '/api/customers/getCustomers/:id',
      route('read', {}, async (ctx, { id }) => {
        const number = /^[1-9]\d{0,14}$/.test(id) ? Number(id) : undefined;
        const customer = number === undefined ? undefined : await ctx.query((db) => getByNumber(db, ctx.workspaceId, number));
        if (!customer) throw notFound('Customer');
        return reply({ success: true, cliente: toAmbiosys(customer) }, 200, versionOf(customer));
      }),
    );
  onlyMethods(router, '/api/customers/create', ['POST']);
  onlyMethods(router, '/api/customers/getCustomers', ['GET']);
}
