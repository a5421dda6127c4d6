/**
 * Webhook endpoint storage. The signing secret is stored encrypted
 * (src/lib/secrets.ts) and only ever returned by the create and the rotation
 * that made it; a rotation keeps the old secret signing beside the new one
 * for a day. A trigger refuses a 17th endpoint (migrations/0010).
 */
import { and, desc, eq, lt, sql } from 'drizzle-orm';
import { encryptSecret, keyedSecret, newSecret } from '../lib/secrets';
import { crud } from '../model/crud';
import type { Input } from '../model/resource';
import { listSchema, toPage } from '../model/page';
import type { Db } from '../store/client';
import { webhookDeliveries, webhookEndpoints } from '../store/schema';
import { planOf, type Built } from '../store/plan';
import { family, param, read } from '../store/statements';
import { endpoint } from './fields';
import * as v from 'valibot';

export const ROTATION_OVERLAP_MS = 24 * 60 * 60 * 1000;

export const endpointQueries = crud('webhook_endpoints', endpoint);

/** The create plan and the secret it stores (shown once, in the response; again on a replay of its Idempotency-Key). */
export async function createEndpoint(workspaceId: string, input: Input, key: string | undefined, idempotencyKey?: string) {
  const secret = idempotencyKey === undefined ? newSecret() : await keyedSecret(key, workspaceId, 'create', idempotencyKey);
  const values = { ...endpoint.values(workspaceId, input), secret: await encryptSecret(secret, key) };
  return { secret, plan: endpointQueries.write.insert(values, endpoint.toApi) };
}

/** Rotation in one UPDATE: the current secret becomes the previous one, which keeps signing until the overlap ends. */
const rotation = family('webhook_endpoints.rotate', (db): Built => {
  const t = endpoint.table;
  return {
    statements: [
      db
        .update(t)
        .set({
          previous_secret: sql`${t.secret}`,
          secret: sql`${param('secret')}`,
          previous_secret_expires_at: sql`${param('expiresAt')}`,
          updated_at: sql`max(${param('now')}, ${t.updated_at} + 1)`,
          version: sql`${t.version} + 1`,
        })
        .where(and(eq(t.workspace_id, param('workspaceId')), eq(t.id, param('id'))))
        .returning(endpoint.selection),
    ],
    // Rotations take no Idempotency-Key (no body): nothing to record.
    snapshot: sql`NULL`,
  };
});

export async function rotateSecret(workspaceId: string, id: string, key: string | undefined, now = Date.now()) {
  const secret = newSecret();
  const values = { workspaceId, id, secret: await encryptSecret(secret, key), expiresAt: now + ROTATION_OVERLAP_MS, now };
  const plan = planOf(
    rotation,
    null,
    values,
    ([rows]) => (rows as Record<string, unknown>[])[0] && endpoint.toApi((rows as Record<string, unknown>[])[0]!),
    () => undefined,
  );
  return { secret, plan };
}

export const DeliveryList = listSchema({});

const deliveryColumns = {
  id: webhookDeliveries.id,
  event_id: webhookDeliveries.event_id,
  status: webhookDeliveries.status,
  attempt: webhookDeliveries.attempt,
  response_status: webhookDeliveries.response_status,
  response_excerpt: webhookDeliveries.response_excerpt,
  error: webhookDeliveries.error,
  duration_ms: webhookDeliveries.duration_ms,
  next_retry_at: webhookDeliveries.next_retry_at,
  created_at: webhookDeliveries.created_at,
  updated_at: webhookDeliveries.updated_at,
};

const deliveriesQuery = family('webhook_deliveries.list', (db, cursor: boolean) => [
  db
    .select({ id: webhookEndpoints.id })
    .from(webhookEndpoints)
    .where(and(eq(webhookEndpoints.workspace_id, param('workspaceId')), eq(webhookEndpoints.id, param('endpointId')))),
  db
    .select(deliveryColumns)
    .from(webhookDeliveries)
    .where(
      and(
        eq(webhookDeliveries.workspace_id, param('workspaceId')),
        eq(webhookDeliveries.endpoint_id, param('endpointId')),
        cursor ? lt(webhookDeliveries.id, param('cursor')) : undefined,
      ),
    )
    .orderBy(desc(webhookDeliveries.id))
    .limit(param('limit')),
] as const);

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/** The endpoint's deliveries, newest first; undefined: no such endpoint. */
export async function listDeliveries(db: Db, workspaceId: string, endpointId: string, params: v.InferOutput<typeof DeliveryList>) {
  const [[found], rows] = await read(db, deliveriesQuery, params.cursor !== undefined, {
    workspaceId,
    endpointId,
    cursor: params.cursor,
    limit: params.limit + 1,
  });
  if (!found) return undefined;
  return toPage(rows, params.limit, (row) => ({
    ...row,
    endpoint_id: endpointId,
    next_retry_at: iso(row.next_retry_at),
    created_at: iso(row.created_at)!,
    updated_at: iso(row.updated_at)!,
  }));
}
