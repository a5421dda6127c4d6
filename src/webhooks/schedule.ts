/**
 * The scheduled jobs of events and webhooks (every minute, src/index.ts):
 * queue the events no request handed to the queue (a Worker stopped between
 * its write and the hand-off, a queue unavailable), mark those of workspaces
 * with nothing to deliver to, and purge events and deliveries past their
 * retention. Each step is bounded, so a backlog drains over several runs.
 */
import { and, asc, inArray, isNull, lt, sql } from 'drizzle-orm';
import type { Db } from '../store/client';
import { qualified } from '../store/related';
import { events, webhookDeliveries, webhookEndpoints } from '../store/schema';
import type { EventMessage } from './dispatch';

/** Events younger than this are left to the request that recorded them. */
const GRACE_MS = 30_000;
const SWEEP_LIMIT = 500;
const PURGE_LIMIT = 5000;
const DAY_MS = 86_400_000;

export async function sweepEvents(db: Db, queue: Queue<EventMessage>, now: number): Promise<number> {
  const pending = await db
    .select({
      id: events.id,
      seq: events.seq,
      // Qualified: in a single-table select Drizzle renders columns bare, and both tables have a workspace_id.
      listened: sql<number>`EXISTS (SELECT 1 FROM ${webhookEndpoints} WHERE ${qualified(webhookEndpoints.workspace_id)} = ${qualified(events.workspace_id)} AND ${qualified(webhookEndpoints.enabled)} = 1)`,
    })
    .from(events)
    .where(and(isNull(events.dispatched_at), lt(events.created_at, now - GRACE_MS)))
    .orderBy(asc(events.seq))
    .limit(SWEEP_LIMIT);
  const listened = pending.filter((e) => e.listened);
  // Queued first, marked after: a failure between the two queues them again, which fan-out absorbs.
  for (let i = 0; i < listened.length; i += 100) {
    await queue.sendBatch(listened.slice(i, i + 100).map((e) => ({ body: { event: e.id }, contentType: 'json' as const })));
  }
  const unlistened = pending.filter((e) => !e.listened).map((e) => e.seq);
  if (unlistened.length > 0) await db.update(events).set({ dispatched_at: now }).where(inArray(events.seq, unlistened));
  return listened.length;
}

export async function purgeEvents(db: Db, env: Env, now: number): Promise<void> {
  const days = Number(env.EVENT_RETENTION_DAYS ?? 30);
  const before = now - (Number.isFinite(days) && days > 0 ? days : 30) * DAY_MS;
  await db.batch([
    db.delete(events).where(sql`${events.seq} IN (SELECT ${events.seq} FROM ${events} WHERE ${events.created_at} < ${before} LIMIT ${PURGE_LIMIT})`),
    db
      .delete(webhookDeliveries)
      .where(sql`${webhookDeliveries.id} IN (SELECT ${webhookDeliveries.id} FROM ${webhookDeliveries} WHERE ${webhookDeliveries.created_at} < ${before} LIMIT ${PURGE_LIMIT})`),
  ]);
}
