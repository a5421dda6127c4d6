/**
 * A write plan with its events' context: the batch first sets the
 * `event_context` row the event triggers read (migrations/0010), runs the
 * write, then lists the events it recorded that an enabled webhook endpoint
 * of the workspace listens to (to hand them to the queue). Still one round trip; the
 * events commit or roll back with the write.
 *
 * The row is not cleared after the write: a DELETE there would be the last
 * statement before an Idempotency-Key's snapshot, whose `changes()` must see
 * the write's own. The next write sets it again; a write outside the API (the
 * import script, a console query) sets it first with the same row as SQL text
 * (src/store/event-context.ts; README, "Events").
 */
import { and, gt, isNull, sql } from 'drizzle-orm';
import type { Db } from './client';
import type { WritePlan } from './plan';
import { eventContext, events } from './schema';
import { param, type Statement, type Preparable } from './statements';

export interface WriteContext {
  workspaceId: string;
  requestId: string;
  tokenId: string | null;
  /** The API the write came through (canonical, ambiosys, upwell, import). */
  api: string;
  now: number;
}

function contextStatements(db: Db) {
  const set = db
    .insert(eventContext)
    .values({
      id: 1,
      workspace_id: param('evWorkspaceId'),
      request_id: param('evRequestId'),
      token_id: param('evTokenId'),
      api: param('evApi'),
      now: param('evNow'),
      from_seq: sql`(SELECT coalesce(max(${events.seq}), 0) FROM ${events})`,
    })
    .onConflictDoUpdate({
      target: eventContext.id,
      set: {
        workspace_id: sql`excluded.workspace_id`,
        request_id: sql`excluded.request_id`,
        token_id: sql`excluded.token_id`,
        api: sql`excluded.api`,
        now: sql`excluded.now`,
        from_seq: sql`excluded.from_seq`,
      },
    });
  // The batch's own events, by seq (the primary key) after the mark, that some endpoint listens to (the triggers record the others as dispatched).
  const recorded = db
    .select({ id: events.id })
    .from(events)
    .where(and(gt(events.seq, sql`(SELECT ${eventContext.from_seq} FROM ${eventContext} WHERE ${eventContext.id} = 1)`), isNull(events.dispatched_at)))
    .orderBy(events.seq);
  return { set, recorded };
}

/** The ids of the events a plan run with withEvents() recorded, for delivery (empty when no endpoint listens). */
export interface Recorded {
  eventIds: string[];
}

/** `plan` with its event context around it: one batch, the same result; `recorded` receives the events to deliver. */
export function withEvents<T>(plan: WritePlan<T>, context: WriteContext, recorded: Recorded): WritePlan<T> {
  return {
    key: plan.key === undefined ? undefined : `events:${plan.key}`,
    build(db) {
      const inner = plan.build(db);
      const { set, recorded: select } = contextStatements(db);
      return { statements: [set, ...inner.statements, select] as readonly (Preparable | Statement)[], snapshot: inner.snapshot };
    },
    values: {
      ...plan.values,
      evWorkspaceId: context.workspaceId,
      evRequestId: context.requestId,
      evTokenId: context.tokenId,
      evApi: context.api,
      evNow: context.now,
    },
    result(results) {
      recorded.eventIds = ((results.at(-1) ?? []) as { id: string }[]).map((row) => row.id);
      return plan.result(results.slice(1, -1));
    },
    read: plan.read,
  };
}
