/**
 * The AmbioSys customer API (seed 002) over the canonical customers, mounted
 * at its two paths: POST /api/customers/create, GET
 * /api/customers/getCustomers[/{customer_id}]. Errors are
 * `{success: false, error, details, request_id}`.
 */
import { customerQueries } from '../../customers/queries';
import { defineApi, type RouteDef } from '../../http/api';
import { notFound } from '../../http/errors';
import { reply } from '../../http/responses';
import { route } from '../../http/route';
import { versionOf } from '../../lib/versions';
import { getByNumber, listByPage } from './queries';
import { ambiosysCreate, AmbiosysList, fromAmbiosys, toAmbiosys } from './schemas';

const routes: RouteDef[] = [
  {
    method: 'POST',
    path: '/api/customers/create',
    handler: route('write', { body: ambiosysCreate.create }, async (ctx, { body }) => {
      const created = await ctx.write((db) => customerQueries.create(db, ctx.workspaceId, fromAmbiosys(body)));
      return reply({ success: true, customer: toAmbiosys(created) }, 201, versionOf(created));
    }),
  },
  {
    method: 'GET',
    path: '/api/customers/getCustomers',
    handler: route('read', { query: AmbiosysList }, async (ctx, { query }) => {
      const { customers, total } = await ctx.query((db) => listByPage(db, ctx.workspaceId, query));
      return reply({
        success: true,
        clientes: customers.map((c) => ({ ...toAmbiosys(c), total_count: total })),
        totalCount: total,
        page: query.page,
        pageSize: query.limit,
      });
    }),
  },
  {
    method: 'GET',
    path: '/api/customers/getCustomers/:id',
    handler: route('read', {}, async (ctx, { id }) => {
      const number = /^[1-9]\d{0,14}$/.test(id) ? Number(id) : undefined;
      const found = number === undefined ? undefined : await ctx.query((db) => getByNumber(db, ctx.workspaceId, number));
      if (!found) throw notFound('Customer');
      return reply({ success: true, cliente: toAmbiosys(found) }, 200, versionOf(found));
    }),
  },
];

export const ambiosysApi = defineApi({
  name: 'ambiosys',
  mounts: ['/api/customers/create', '/api/customers/getCustomers'],
  routes,
  render: (error, requestId) => ({ success: false, error: error.message, details: error.issues ?? [], request_id: requestId }),
});
