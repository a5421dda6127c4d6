/** /api/events: the feed of what changed, one event, and redelivery to the webhook endpoints. */
import type { RouteDef } from '../http/api';
import { notFound } from '../http/errors';
import { ok, page, reply } from '../http/responses';
import { route } from '../http/route';
import { redeliver } from '../webhooks/dispatch';
import { EventList, getEvent, listEvents } from './queries';

export const eventRoutes: RouteDef[] = [
  {
    method: 'GET',
    path: '/api/events',
    handler: route('read', { query: EventList }, async (ctx, { query }) => page(await ctx.query((db) => listEvents(db, ctx.workspaceId, query)))),
  },
  {
    method: 'GET',
    path: '/api/events/:id',
    handler: route('read', { id: 'Event' }, async (ctx, { id }) => {
      const event = await ctx.query((db) => getEvent(db, ctx.workspaceId, id));
      if (!event) throw notFound('Event');
      return ok(event);
    }),
  },
  {
    method: 'POST',
    path: '/api/events/:id/redeliver',
    handler: route('write', { id: 'Event' }, async (ctx, { id }) => {
      const event = await ctx.query((db) => getEvent(db, ctx.workspaceId, id));
      if (!event) throw notFound('Event');
      await redeliver(ctx.env.WEBHOOKS, id);
      return reply({ success: true, data: { event_id: id, queued: true } }, 202);
    }),
  },
];
