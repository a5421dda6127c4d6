/**
 * Idempotency-Key for writes. The key is claimed in the same batch as the
 * write, and the write's snapshot (src/db/plan.ts) recorded in that batch too,
 * so key and write commit together or not at all, in one round trip. A retry
 * finds the key taken (the claim aborts its batch before anything is
 * written), reads the record (a second round trip, for retries only) and
 * replays it through the same code. Failed writes record nothing.
 */
import { and, eq, isNull, lt, sql, type Placeholder } from 'drizzle-orm';
import type { Db } from '../db/client';
import type { WritePlan } from '../db/plan';
import { execute, param, statements } from '../db/prepared';
import { idempotencyKeys } from '../db/schema';
import { sha256Hex } from '../tokens/token';
import { ApiError, databaseErrors } from './errors';

export const IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000;
/** Expired keys removed by each keyed write, so the table cannot grow without bound. */
const PURGE_PER_WRITE = 20;
const KEY = /^[\x20-\x7e]{1,255}$/;
const KEY_TAKEN = /UNIQUE constraint failed: idempotency_keys\./;

export interface IdempotencyKey {
  key: string;
  fingerprint: string;
}

export async function idempotencyKey(request: Request, url: URL, body: string): Promise<IdempotencyKey | undefined> {
  const key = request.headers.get('Idempotency-Key');
  if (key === null) return undefined;
  if (!KEY.test(key)) {
    throw new ApiError('validation_error', 'Idempotency-Key must be 1-255 printable ASCII characters', {
      issues: [{ path: 'Idempotency-Key', message: 'Expected 1-255 printable ASCII characters' }],
    });
  }
  return { key, fingerprint: await sha256Hex(`${request.method} ${url.pathname}${url.search}\n${body}`) };
}

/** Deletes a few expired keys; also what the scheduled handler runs, with a larger batch. */
export const purgeExpired = (db: Db, now: number | Placeholder, limit = PURGE_PER_WRITE) =>
  db
    .delete(idempotencyKeys)
    .where(
      sql`rowid IN (SELECT rowid FROM ${idempotencyKeys} WHERE ${idempotencyKeys.expiresAt} < ${now} LIMIT ${limit})`,
    );

/** The claim, the write and the record, in one batch; built once per plan key (src/db/prepared.ts). */
function keyedStatements(db: Db, plan: WritePlan<unknown>) {
  return statements(plan.key && `idempotent:${plan.key}`, () => {
    const mine = and(eq(idempotencyKeys.workspaceId, param('idemWorkspaceId')), eq(idempotencyKeys.key, param('idemKey')));
    const write = plan.build();
    return [
      purgeExpired(db, param('idemNow')),
      db.delete(idempotencyKeys).where(and(mine, lt(idempotencyKeys.expiresAt, param('idemNow')))),
      db.insert(idempotencyKeys).values({
        workspaceId: param('idemWorkspaceId'),
        key: param('idemKey'),
        fingerprint: param('idemFingerprint'),
        result: null,
        createdAt: param('idemNow'),
        expiresAt: param('idemExpiresAt'),
      }),
      ...write.statements,
      // The snapshot is NULL when the write did not happen: then the claim is released.
      db.update(idempotencyKeys).set({ result: write.snapshot }).where(mine),
      db.delete(idempotencyKeys).where(and(mine, isNull(idempotencyKeys.result))),
    ];
  });
}

export async function runIdempotent<T>(
  db: Db,
  workspaceId: string,
  idem: IdempotencyKey,
  plan: WritePlan<T>,
): Promise<{ value: T; replayed: boolean }> {
  const now = Date.now();
  const values = {
    ...plan.values,
    idemWorkspaceId: workspaceId,
    idemKey: idem.key,
    idemFingerprint: idem.fingerprint,
    idemNow: now,
    idemExpiresAt: now + IDEMPOTENCY_TTL_MS,
  };
  try {
    const results = await execute(db, keyedStatements(db, plan as WritePlan<unknown>), values);
    return { value: plan.result(results.slice(3, -2)), replayed: false };
  } catch (error) {
    if (!databaseErrors(error).some((e) => KEY_TAKEN.test(e.message))) throw error;
  }
  const mine = and(eq(idempotencyKeys.workspaceId, workspaceId), eq(idempotencyKeys.key, idem.key));
  const row = await db.select().from(idempotencyKeys).where(mine).get();
  if (row && row.fingerprint !== idem.fingerprint) {
    throw new ApiError('idempotency_key_reused', 'This Idempotency-Key was used for a different request');
  }
  if (!row || row.result === null) {
    throw new ApiError('idempotency_in_progress', 'A request with this Idempotency-Key is in progress; retry later');
  }
  return { value: plan.read(JSON.parse(row.result)), replayed: true };
}
