/**
 * Idempotency-Key records. The key is claimed in the same batch as the write,
 * and the write's snapshot (src/store/plan.ts) recorded in that batch too, so
 * key and write commit together or not at all, in one round trip. A retry
 * finds the key taken (the claim aborts its batch before anything is
 * written), reads the record (a second round trip, for retries only) and
 * replays it through the same code. Failed writes record nothing.
 */
import { and, eq, isNull, lt, sql } from 'drizzle-orm';
import type { Db } from './client';
import { databaseErrors, StoreError } from './errors';
import type { WritePlan } from './plan';
import { cached, execute, family, once, param, read, type Preparable, type Statement } from './statements';
import { idempotencyKeys } from './schema';

export const IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000;
/** Expired keys removed by each keyed write, so the table cannot grow without bound. */
const PURGE_PER_WRITE = 20;
const KEY_TAKEN = /UNIQUE constraint failed: idempotency_keys\./;

export interface IdempotencyKey {
  key: string;
  /** Of the request (method, path, query, body): the same key for another request is refused. */
  fingerprint: string;
}

/** Deletes up to `limit` expired records; also what the scheduled handler runs, with a larger limit. */
const purge = (db: Db, now: unknown, limit: unknown) =>
  db
    .delete(idempotencyKeys)
    .where(sql`rowid IN (SELECT rowid FROM ${idempotencyKeys} WHERE ${idempotencyKeys.expires_at} < ${now} LIMIT ${limit})`);

export const purgeExpired = (db: Db, now: number, limit: number) => purge(db, now, limit).run();

const mine = () => and(eq(idempotencyKeys.workspace_id, param('idemWorkspaceId')), eq(idempotencyKeys.key, param('idemKey')));

/** The claim, the write and the record, in one batch. */
function keyedStatements(db: Db, plan: WritePlan<unknown>): readonly (Preparable | Statement)[] {
  const write = plan.build(db);
  return [
    purge(db, param('idemNow'), PURGE_PER_WRITE),
    db.delete(idempotencyKeys).where(and(mine(), lt(idempotencyKeys.expires_at, param('idemNow')))),
    db.insert(idempotencyKeys).values({
      workspace_id: param('idemWorkspaceId'),
      key: param('idemKey'),
      fingerprint: param('idemFingerprint'),
      result: null,
      created_at: param('idemNow'),
      expires_at: param('idemExpiresAt'),
    }),
    ...write.statements,
    // The snapshot is NULL when the write did not happen: then the claim is released.
    db.update(idempotencyKeys).set({ result: write.snapshot }).where(mine()),
    db.delete(idempotencyKeys).where(and(mine(), isNull(idempotencyKeys.result))),
  ];
}

const recorded = family('idempotency.record', (db) => [db.select().from(idempotencyKeys).where(mine())] as const);

/**
 * Runs the plan under the key: the first request writes and records; a retry
 * of the same request replays the record; the key with another request is
 * StoreError `key_reused`, and a record without its result `key_in_progress`.
 */
export async function runIdempotent<T>(db: Db, workspaceId: string, idem: IdempotencyKey, plan: WritePlan<T>): Promise<{ value: T; replayed: boolean }> {
  const now = Date.now();
  const values = {
    ...plan.values,
    idemWorkspaceId: workspaceId,
    idemKey: idem.key,
    idemFingerprint: idem.fingerprint,
    idemNow: now,
    idemExpiresAt: now + IDEMPOTENCY_TTL_MS,
  };
  const generic = plan as WritePlan<unknown>;
  const statements =
    plan.key === undefined ? once(() => keyedStatements(db, generic)) : cached(`idempotent:${plan.key}`, () => keyedStatements(db, generic));
  try {
    const results = await execute(db, statements, values);
    return { value: plan.result(results.slice(3, -2)), replayed: false };
  } catch (error) {
    if (!databaseErrors(error).some((e) => KEY_TAKEN.test(e.message))) throw error;
  }
  const [[row]] = await read(db, recorded, null, { idemWorkspaceId: workspaceId, idemKey: idem.key });
  if (row && row.fingerprint !== idem.fingerprint) throw new StoreError({ kind: 'key_reused' });
  if (!row || row.result === null) throw new StoreError({ kind: 'key_in_progress' });
  return { value: plan.read(JSON.parse(row.result)), replayed: true };
}
