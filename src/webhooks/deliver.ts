/**
 * Webhook delivery, from the queue (the jobs Worker, src/jobs.ts, consumes it).
 *
 * An event message fans out: one delivery row per enabled endpoint that takes
 * the event's type (at most one per endpoint and event, however often the
 * event is queued), then one delivery message each. A delivery message is one
 * attempt: POST the event, signed per the Standard Webhooks specification,
 * with a timeout; record the outcome on the delivery row. A failure is
 * retried after WEBHOOK_RETRY_DELAYS[attempt - 1] seconds (the queue holds
 * the message); past the list, the delivery is dead: it goes to the
 * dead-letter queue and is marked so. An endpoint whose deliveries have all
 * failed for WEBHOOK_DISABLE_AFTER_SECONDS is disabled, with the reason.
 * At least once: a consumer that crashes after the POST sends it again.
 */
import { and, eq, inArray, sql } from 'drizzle-orm';
import { toApiEvent, type StoredEvent } from '../events/model';
import { uuidv7 } from '../lib/ids';
import { decryptSecret, sign } from '../lib/secrets';
import { refusedTarget } from '../lib/targets';
import { database, type Db } from '../store/client';
import { events, webhookDeliveries, webhookEndpoints } from '../store/schema';
import type { EventMessage } from './dispatch';
import { takes } from './fields';

/** What delivery reads from the jobs Worker's env (wrangler.jobs.toml). */
export type DeliveryEnv = Pick<Env, 'DB' | 'WEBHOOKS' | 'WEBHOOK_ALLOW_LOCAL_TARGETS' | 'WEBHOOK_SECRETS_KEY'> & {
  WEBHOOKS_DEAD: Queue;
  WEBHOOK_RETRY_DELAYS: string;
  WEBHOOK_DISABLE_AFTER_SECONDS: string;
};

export const ATTEMPT_TIMEOUT_MS = 10_000;
const EXCERPT_CHARS = 200;

export const retryDelays = (env: DeliveryEnv) =>
  (env.WEBHOOK_RETRY_DELAYS ?? '')
    .split(',')
    .map((s) => Number(s.trim()))
    .filter((n) => Number.isFinite(n) && n >= 0);

const allowLocal = (env: DeliveryEnv) => env.WEBHOOK_ALLOW_LOCAL_TARGETS === 'true';

/** Creates the deliveries of an event (again, as new attempts, for a redelivery) and returns their ids. */
async function fanOut(db: Db, eventId: string, redeliver: boolean, now: number): Promise<string[]> {
  const [event] = await db.select({ workspace_id: events.workspace_id, type: events.type }).from(events).where(eq(events.id, eventId));
  if (!event) return []; // purged meanwhile
  const endpoints = await db
    .select({ id: webhookEndpoints.id, event_types: webhookEndpoints.event_types })
    .from(webhookEndpoints)
    .where(and(eq(webhookEndpoints.workspace_id, event.workspace_id), eq(webhookEndpoints.enabled, true)));
  const targets = endpoints.filter((e) => takes(e.event_types, event.type));
  const mark = db.update(events).set({ dispatched_at: now }).where(eq(events.id, eventId));
  if (targets.length === 0) {
    await mark.run();
    return [];
  }
  const rows = targets.map((e) => ({
    id: uuidv7(now),
    workspace_id: event.workspace_id,
    endpoint_id: e.id,
    event_id: eventId,
    status: 'pending' as const,
    attempt: 0,
    created_at: now,
    updated_at: now,
  }));
  const insert = db
    .insert(webhookDeliveries)
    .values(rows)
    .onConflictDoUpdate({
      target: [webhookDeliveries.endpoint_id, webhookDeliveries.event_id],
      // A queued-again event keeps its delivery; a redelivery starts its attempts over.
      set: redeliver
        ? { status: 'pending', attempt: 0, next_retry_at: null, updated_at: now }
        : { updated_at: sql`${webhookDeliveries.updated_at}` },
    })
    .returning({ id: webhookDeliveries.id, status: webhookDeliveries.status, attempt: webhookDeliveries.attempt });
  const [inserted] = await db.batch([insert, mark]);
  // Deliveries already under way (this event queued twice) keep their own messages.
  return inserted.filter((d) => d.status === 'pending' && d.attempt === 0).map((d) => d.id);
}

interface Attempt {
  status: number | null;
  excerpt: string | null;
  error: string | null;
  ms: number;
}

/**
 * The start of an answer's body, at most EXCERPT_CHARS characters: read only
 * that far, then the rest is cancelled. An answer is the receiver's: one that
 * never ends, or of gigabytes, must neither hold the attempt until its
 * timeout nor fill the Worker's memory.
 */
async function excerpt(response: Response): Promise<string> {
  if (!response.body) return '';
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let text = '';
  try {
    while (text.length < EXCERPT_CHARS) {
      const { done, value } = await reader.read();
      if (done) break;
      text += decoder.decode(value, { stream: true });
    }
  } catch {
    // Cut off (the timeout, the connection): what came is kept.
  } finally {
    reader.cancel().catch(() => {});
  }
  return text.slice(0, EXCERPT_CHARS);
}

async function post(url: string, headers: Record<string, string>, body: string): Promise<Attempt> {
  const started = Date.now();
  try {
    const response = await fetch(url, { method: 'POST', headers, body, redirect: 'manual', signal: AbortSignal.timeout(ATTEMPT_TIMEOUT_MS) });
    // Only a short excerpt of the answer is kept (it is the receiver's, not ours).
    return { status: response.status, excerpt: await excerpt(response), error: null, ms: Date.now() - started };
  } catch (error) {
    const timeout = error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');
    return { status: null, excerpt: null, error: timeout ? `timeout after ${ATTEMPT_TIMEOUT_MS} ms` : 'connection failed', ms: Date.now() - started };
  }
}

type Outcome = { retryIn: number } | { dead: true } | { done: true };

/** One attempt of one delivery; what the queue should do with its message. */
async function attempt(db: Db, env: DeliveryEnv, deliveryId: string, now: number): Promise<Outcome> {
  const [row] = await db
    .select({ delivery: webhookDeliveries, endpoint: webhookEndpoints, event: events })
    .from(webhookDeliveries)
    .innerJoin(webhookEndpoints, eq(webhookEndpoints.id, webhookDeliveries.endpoint_id))
    .innerJoin(events, eq(events.id, webhookDeliveries.event_id))
    .where(eq(webhookDeliveries.id, deliveryId));
  if (!row || row.delivery.status === 'succeeded' || row.delivery.status === 'dead') return { done: true };
  const { delivery, endpoint, event } = row;
  const tried = delivery.attempt + 1;
  const finish = (values: Partial<typeof webhookDeliveries.$inferInsert>) =>
    db.update(webhookDeliveries).set({ attempt: tried, updated_at: Date.now(), ...values }).where(eq(webhookDeliveries.id, deliveryId));

  const refused = !endpoint.enabled ? 'the endpoint is disabled' : refusedTarget(endpoint.url, allowLocal(env));
  if (refused) {
    await finish({ status: 'dead', error: refused, next_retry_at: null }).run();
    return { done: true };
  }
  const apiEvent = toApiEvent(event as StoredEvent);
  const body = JSON.stringify({ event_type: apiEvent.type, id: apiEvent.object_id, event: apiEvent });
  const timestamp = Math.floor(now / 1000);
  const secrets = [await decryptSecret(endpoint.secret, env.WEBHOOK_SECRETS_KEY)];
  if (endpoint.previous_secret && (endpoint.previous_secret_expires_at ?? 0) > now) secrets.push(await decryptSecret(endpoint.previous_secret, env.WEBHOOK_SECRETS_KEY));
  const signatures = await Promise.all(secrets.map((secret) => sign(secret, event.id, timestamp, body)));
  const result = await post(endpoint.url, {
    'Content-Type': 'application/json',
    'User-Agent': 'customers-worker-webhooks/1',
    'webhook-id': event.id,
    'webhook-timestamp': String(timestamp),
    'webhook-signature': signatures.join(' '),
  }, body);

  const recorded = { response_status: result.status, response_excerpt: result.excerpt, error: result.error, duration_ms: result.ms };
  const ok = result.status !== null && result.status >= 200 && result.status < 300;
  const endpointWhere = eq(webhookEndpoints.id, endpoint.id);
  if (ok) {
    await db.batch([finish({ status: 'succeeded', next_retry_at: null, ...recorded }), db.update(webhookEndpoints).set({ failing_since: null }).where(endpointWhere)]);
    return { done: true };
  }
  const failingSince = endpoint.failing_since ?? now;
  const disable = now - failingSince >= Number(env.WEBHOOK_DISABLE_AFTER_SECONDS ?? 259_200) * 1000;
  const endpointUpdate = db
    .update(webhookEndpoints)
    .set(
      disable
        ? { failing_since: failingSince, enabled: false, disabled_reason: `Every delivery failed since ${new Date(failingSince).toISOString()}` }
        : { failing_since: failingSince },
    )
    .where(endpointWhere);
  const delays = retryDelays(env);
  if (tried > delays.length || disable) {
    await db.batch([finish({ status: 'dead', next_retry_at: null, ...recorded }), endpointUpdate]);
    return { dead: true };
  }
  const delay = delays[tried - 1]!;
  await db.batch([finish({ status: 'failed', next_retry_at: now + delay * 1000, ...recorded }), endpointUpdate]);
  return { retryIn: delay };
}

/** One message of the WEBHOOKS queue: acked, or retried (after its delay) when it has to be tried again. */
async function handle(db: Db, env: DeliveryEnv, message: Message<EventMessage>): Promise<void> {
  const now = Date.now();
  try {
    const body = message.body;
    if ('event' in body) {
      const ids = await fanOut(db, body.event, body.redeliver === true, now);
      if (ids.length > 0) await env.WEBHOOKS.sendBatch(ids.map((delivery) => ({ body: { delivery }, contentType: 'json' as const })));
      message.ack();
      return;
    }
    const outcome = await attempt(db, env, body.delivery, now);
    if ('retryIn' in outcome) message.retry({ delaySeconds: outcome.retryIn });
    else {
      if ('dead' in outcome) await env.WEBHOOKS_DEAD.send({ delivery: body.delivery }, { contentType: 'json' });
      message.ack();
    }
  } catch (error) {
    // Unexpected (the database unreachable, a bad key): logged, and the queue retries the message.
    console.error(JSON.stringify({ level: 'error', message: 'webhook delivery failed', queue_message: message.id, error: String(error) }));
    message.retry({ delaySeconds: 30 });
  }
}

/**
 * The queue consumer of WEBHOOKS: fan-outs and attempts, all the batch's
 * messages at once, so that a receiver that hangs until the timeout holds up
 * no other delivery of the batch (another endpoint's, another workspace's).
 * A message the batch holds twice (an event queued by its request and by the
 * sweep, a delivery queued twice) is handled once and the copy acked.
 */
export async function consume(batch: MessageBatch<EventMessage>, env: DeliveryEnv): Promise<void> {
  const db = database(env.DB);
  const seen = new Set<string>();
  const distinct = batch.messages.filter((message) => {
    const body = message.body;
    const key = 'event' in body ? `event:${body.event}:${body.redeliver === true}` : `delivery:${body.delivery}`;
    if (seen.has(key)) {
      message.ack();
      return false;
    }
    seen.add(key);
    return true;
  });
  await Promise.all(distinct.map((message) => handle(db, env, message)));
}

/** The dead-letter queue's consumer: marks the deliveries that reached it (the consumer's own, and messages that kept crashing it). */
export async function consumeDead(batch: MessageBatch<EventMessage>, env: DeliveryEnv): Promise<void> {
  const db = database(env.DB);
  const ids = batch.messages.flatMap((m) => ('delivery' in m.body ? [m.body.delivery] : []));
  if (ids.length > 0) {
    await db
      .update(webhookDeliveries)
      .set({ status: 'dead', next_retry_at: null, updated_at: Date.now() })
      .where(and(inArray(webhookDeliveries.id, ids), sql`${webhookDeliveries.status} NOT IN ('succeeded', 'dead')`));
  }
  for (const message of batch.messages) {
    if ('event' in message.body) console.error(JSON.stringify({ level: 'error', message: 'an event message reached the dead-letter queue', event_id: message.body.event }));
    message.ack();
  }
}
