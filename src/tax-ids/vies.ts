/**
 * VIES checks of EU VAT numbers, run by the jobs Worker. Every minute its
 * cron leases the due rows of `tax_id_checks` (migrations/0014) and queues
 * them; its queue consumer asks VIES and writes the outcome into the
 * customer's `tax_ids[].verification`, in one batch with the event context, so
 * the change is a `customer.updated` event like any other write.
 *
 * Outcomes: `verified` / `unverified` (VIES answered), `unavailable` (the
 * member state's service, or VIES, did not answer: retried on RETRY_MINUTES,
 * then left unavailable). Not in this module: which numbers need a check,
 * which the triggers decide from `tax_ids`.
 */
import { and, eq, sql } from 'drizzle-orm';
import { database, type Db } from '../store/client';
import { stamped } from '../store/plan';
import { SET_EVENT_CONTEXT } from '../store/event-context';
import { customers } from '../store/schema';
import { taxIdChecks } from './schema';
import type { Verification } from './types';

export interface TaxIdsEnv {
  DB: D1Database;
  CHECKS: Queue<CheckMessage>;
  /** The VIES REST API's base URL (…/rest-api); a local fake in tests. */
  VIES_URL: string;
  /** JSON object: workspace id → that workspace's own EU VAT number, sent as the requester so VIES issues a consultation number. */
  VIES_REQUESTERS: string;
}

export interface CheckMessage {
  customer_id: string;
  workspace_id: string;
  tax_value: string;
  attempts: number;
}

/**
 * Rows queued per cron run (a queue's sendBatch takes at most 100 messages): 6,000 checks an hour,
 * gently for VIES, which refuses bursts (MS_MAX_CONCURRENT_REQ). A row is leased for LEASE_MS so
 * that the next run does not queue it again.
 */
const DUE_PER_RUN = 100;
const LEASE_MS = 10 * 60_000;
/** Waits after each `unavailable` answer: about 3 days in all, then the number stays unavailable until it is sent again. */
export const RETRY_MINUTES = [5, 15, 60, 180, 360, 720, 720, 720, 720, 720, 720];
const TIMEOUT_MS = 10_000;

/** VIES error codes that mean "ask again later" (the official REST API's list). */
const RETRY_CODES = new Set(['MS_UNAVAILABLE', 'SERVICE_UNAVAILABLE', 'TIMEOUT', 'GLOBAL_MAX_CONCURRENT_REQ', 'MS_MAX_CONCURRENT_REQ', 'GLOBAL_MAX_CONCURRENT_REQ_TIME', 'MS_MAX_CONCURRENT_REQ_TIME']);

export async function queueDueChecks(env: TaxIdsEnv, now: number): Promise<number> {
  const db = database(env.DB);
  const due = db
    .select({ rowid: sql`rowid` })
    .from(taxIdChecks)
    .where(sql`${taxIdChecks.next_attempt_at} <= ${now}`)
    .orderBy(taxIdChecks.next_attempt_at)
    .limit(DUE_PER_RUN);
  const leased = await db
    .update(taxIdChecks)
    .set({ next_attempt_at: now + LEASE_MS })
    .where(sql`rowid IN ${due}`)
    .returning({ customer_id: taxIdChecks.customer_id, workspace_id: taxIdChecks.workspace_id, tax_value: taxIdChecks.tax_value, attempts: taxIdChecks.attempts });
  if (leased.length > 0) await env.CHECKS.sendBatch(leased.map((body) => ({ body })));
  return leased.length;
}

/**
 * VIES_REQUESTERS as workspace id -> its own VAT number (Greece written EL, as VIES and the stored
 * numbers write it); a malformed setting is logged and the checks go without a requester.
 */
function requesters(env: TaxIdsEnv): Map<string, string> {
  let all: unknown;
  try {
    all = JSON.parse(env.VIES_REQUESTERS || '{}');
  } catch {
    all = undefined;
  }
  if (typeof all !== 'object' || all === null || Array.isArray(all)) {
    console.error(JSON.stringify({ level: 'error', message: 'VIES_REQUESTERS is not a JSON object; checking without a requester' }));
    return new Map();
  }
  const numbers = Object.entries(all).filter((entry): entry is [string, string] => typeof entry[1] === 'string');
  return new Map(numbers.map(([workspace, number]) => [workspace, number.replace(/[\s.\-]/g, '').toUpperCase().replace(/^GR/, 'EL')]));
}

/** What VIES says it holds ("---": nothing), kept to 1,000 characters: it is stored on the customer. */
const shown = (text: unknown) => (typeof text === 'string' && text.trim() !== '' && text.trim() !== '---' ? text.trim().slice(0, 1000) : null);

/** One VIES question about `taxValue` (prefix + number, as stored). */
export async function askVies(url: string, taxValue: string, requester: string | undefined, now: number): Promise<Verification> {
  const checked = (status: Verification['status'], data?: Record<string, unknown>): Verification => ({
    status,
    verified_name: shown(data?.name),
    verified_address: shown(data?.address),
    checked_at: new Date(now).toISOString(),
    consultation_number: shown(data?.requestIdentifier),
  });
  const body = {
    countryCode: taxValue.slice(0, 2),
    vatNumber: taxValue.slice(2),
    ...(requester ? { requesterMemberStateCode: requester.slice(0, 2), requesterNumber: requester.slice(2) } : {}),
  };
  let response: Response;
  try {
    response = await fetch(`${url.replace(/\/$/, '')}/check-vat-number`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(TIMEOUT_MS),
      redirect: 'manual',
    });
  } catch (error) {
    console.warn(JSON.stringify({ level: 'warn', message: 'VIES did not answer', error: String(error) }));
    return checked('unavailable');
  }
  const data = (await response.json().catch(() => null)) as Record<string, unknown> | null;
  if (response.ok && data && typeof data.valid === 'boolean') return checked(data.valid ? 'verified' : 'unverified', data);
  const wrappers = Array.isArray(data?.errorWrappers) ? (data.errorWrappers as { error?: unknown }[]) : [];
  const code = String(wrappers[0]?.error ?? data?.userError ?? '');
  // A requester VIES refuses still lets the number be checked, without a consultation number.
  if (code === 'INVALID_REQUESTER_INFO' && requester) {
    console.warn(JSON.stringify({ level: 'warn', message: 'VIES refused the workspace requester VAT number', code }));
    return askVies(url, taxValue, undefined, now);
  }
  if (code === 'INVALID_INPUT') return checked('unverified');
  if (!RETRY_CODES.has(code)) console.warn(JSON.stringify({ level: 'warn', message: 'VIES answered an unknown error; retrying', status: response.status, code }));
  return checked('unavailable');
}

/** The entry still waiting for this check (pending, or unavailable and being retried): the guard against a number changed meanwhile. */
const awaiting = (taxValue: string, statuses: string[]) =>
  sql`EXISTS (SELECT 1 FROM json_each(${customers.tax_ids}) WHERE json_extract(value, '$.type') = 'eu_vat' AND json_extract(value, '$.tax_value') = ${taxValue} AND json_extract(value, '$.verification.status') IN (${sql.join(
    statuses.map((s) => sql`${s}`),
    sql`, `,
  )}))`;

/** Writes one outcome: the customer's entry (and its event), then the check row's fate, in one batch. */
export async function recordOutcome(db: Db, message: CheckMessage, outcome: Verification, requestId: string, now: number): Promise<void> {
  const { customer_id, workspace_id, tax_value } = message;
  const retry = outcome.status === 'unavailable' ? RETRY_MINUTES[message.attempts] : undefined;
  // A retry that fails again changes nothing the client sees: only the first `unavailable` is written (and is an event).
  const from = outcome.status === 'unavailable' ? ['pending'] : ['pending', 'unavailable'];
  // The check row this message was leased from: a number sent again meanwhile restarted its row (attempts 0), which a stale message must leave alone.
  const match = and(eq(taxIdChecks.customer_id, customer_id), eq(taxIdChecks.tax_value, tax_value), eq(taxIdChecks.attempts, message.attempts));
  const queries = [
    db
      .update(customers)
      .set({
        // `|| ''`: stored as text, without the JSON subtype the event triggers would nest (src/store/plan.ts, KeepVerifications).
        tax_ids: sql`((SELECT json_group_array(CASE WHEN json_extract(value, '$.type') = 'eu_vat' AND json_extract(value, '$.tax_value') = ${tax_value} THEN json_set(value, '$.verification', json(${JSON.stringify(outcome)})) ELSE json(value) END) FROM json_each(${customers.tax_ids})) || '')`,
        ...stamped(customers, now),
      })
      .where(and(eq(customers.id, customer_id), eq(customers.workspace_id, workspace_id), awaiting(tax_value, from))),
    retry === undefined ? db.delete(taxIdChecks).where(match) : db.update(taxIdChecks).set({ attempts: message.attempts + 1, next_attempt_at: now + retry * 60_000 }).where(match),
  ].map((query) => query.toSQL());
  // Drizzle writes the SQL; D1 runs it as one batch, after the event context the triggers read (src/store/event-context.ts).
  await db.$client.batch([
    db.$client.prepare(SET_EVENT_CONTEXT).bind(workspace_id, requestId, null, 'vies', now),
    ...queries.map(({ sql: text, params }) => db.$client.prepare(text).bind(...params)),
  ]);
}

export async function verifyBatch(batch: MessageBatch<CheckMessage>, env: TaxIdsEnv): Promise<void> {
  const db = database(env.DB);
  const requester = requesters(env);
  await Promise.all(
    batch.messages.map(async (message) => {
      try {
        const now = Date.now();
        const outcome = await askVies(env.VIES_URL, message.body.tax_value, requester.get(message.body.workspace_id), now);
        await recordOutcome(db, message.body, outcome, `vies:${message.id}`, now);
        message.ack();
      } catch (error) {
        // Retried in a minute; should the message be lost, the cron queues its row again once the lease runs out.
        console.error(JSON.stringify({ level: 'error', message: 'VIES check failed', error: String(error), stack: (error as Error).stack }));
        message.retry({ delaySeconds: 60 });
      }
    }),
  );
}
