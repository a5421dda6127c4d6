/**
 * /api/webhook_endpoints: create, list, get, update and delete endpoints,
 * rotate an endpoint's signing secret, list its deliveries. A write token
 * manages them; the secret is shown by the create and the rotation only.
 */
import type { RouteDef } from '../http/api';
import { ApiError, notFound } from '../http/errors';
import { resourceRoutes } from '../http/resource';
import { ok, page } from '../http/responses';
import { route } from '../http/route';
import { refusedTarget } from '../lib/targets';
import { listSchema } from '../model/page';
import { endpoint } from './fields';
import { createEndpoint, DeliveryList, endpointQueries, listDeliveries, rotateSecret } from './queries';

const PATH = '/api/webhook_endpoints';

/** An endpoint URL the service may not call: a 400 naming `url`. */
function checkTarget(url: unknown, env: Env) {
  if (typeof url !== 'string') return;
  const refused = refusedTarget(url, env.WEBHOOK_ALLOW_LOCAL_TARGETS === 'true');
  if (refused) throw new ApiError('validation_error', `Invalid url: ${refused}`, { issues: [{ path: 'url', message: refused }] });
}

const base = resourceRoutes({
  path: PATH,
  label: 'Webhook endpoint',
  schemas: { create: endpoint.create, update: endpoint.update, list: listSchema(endpoint.filters) },
  ...endpointQueries,
  readScope: 'write',
});

export const webhookRoutes: RouteDef[] = [
  ...base.filter((r) => !(r.method === 'POST' && r.path === PATH) && r.method !== 'PATCH'),
  {
    method: 'POST',
    path: PATH,
    handler: route('write', { body: endpoint.create }, async (ctx, { body }) => {
      checkTarget(body.url, ctx.env);
      const { secret, plan } = await createEndpoint(ctx.workspaceId, body, ctx.env.WEBHOOK_SECRETS_KEY, ctx.idempotencyKey);
      const created = await ctx.write(() => plan);
      return ok({ ...created, secret }, 201);
    }),
  },
  {
    method: 'PATCH',
    path: `${PATH}/:id`,
    handler: route('write', { id: 'Webhook endpoint', body: endpoint.update }, async (ctx, { id, body, ifMatch }) => {
      checkTarget(body.url, ctx.env);
      const updated = await ctx.write((db) => endpointQueries.update(db, ctx.workspaceId, id, body, ifMatch));
      if (!updated) throw notFound('Webhook endpoint');
      return ok(updated);
    }),
  },
  {
    method: 'POST',
    path: `${PATH}/:id/rotate_secret`,
    handler: route('write', { id: 'Webhook endpoint' }, async (ctx, { id }) => {
      const { secret, plan } = await rotateSecret(ctx.workspaceId, id, ctx.env.WEBHOOK_SECRETS_KEY);
      const rotated = await ctx.write(() => plan);
      if (!rotated) throw notFound('Webhook endpoint');
      return ok({ ...rotated, secret });
    }),
  },
  {
    method: 'GET',
    path: `${PATH}/:id/deliveries`,
    handler: route('write', { id: 'Webhook endpoint', query: DeliveryList }, async (ctx, { id, query }) => {
      const found = await ctx.query((db) => listDeliveries(db, ctx.workspaceId, id, query));
      if (!found) throw notFound('Webhook endpoint');
      return page(found);
    }),
  },
];
