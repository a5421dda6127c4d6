/**
 * What the store reports besides rows: a closed set of failures, thrown as
 * StoreError. Rules D1 enforces (triggers in the migrations, unique indexes)
 * abort the statement or batch with a message this module recognises; a
 * guarded write that finds an older version reports `stale`. The HTTP layer
 * alone turns these into statuses (src/http/errors.ts).
 */
import { DrizzleQueryError } from 'drizzle-orm';

export type StoreFailure =
  /** A reference (segment_id, customer_id, contact_id, bill_to_customer_id) names no record of the workspace. */
  | { kind: 'reference'; field: string }
  /** A segment still used by customers. */
  | { kind: 'in_use' }
  /** Another customer of the workspace has this (source_system, source_system_id). */
  | { kind: 'duplicate_source' }
  /** If-Match named an older version. */
  | { kind: 'stale' }
  /** An Idempotency-Key already recorded for another request. */
  | { kind: 'key_reused' }
  /** An Idempotency-Key whose first request has not finished. */
  | { kind: 'key_in_progress' }
  /** A record (an import's) whose id another workspace holds. */
  | { kind: 'foreign_record' }
  /** A customer number of the workspace that another customer holds (an import's). */
  | { kind: 'duplicate_number' }
  /** A lookup by a non-unique external id found several records (src/customers/external.ts). */
  | { kind: 'ambiguous'; field: string; count: number }
  /** A per-workspace limit on records of a kind (webhook endpoints). */
  | { kind: 'limit'; of: string };

export class StoreError extends Error {
  constructor(readonly failure: StoreFailure) {
    super(failure.kind);
  }
}

const TRIGGER_ERROR = /\b(invalid_reference:(\w+)|segment_in_use|foreign_record)\b/;
const LIMIT_ERROR = /\blimit_exceeded:(\w+)\b/;
const NUMBER_UNIQUE = /UNIQUE constraint failed: customers\.workspace_id, customers\.number/;
const SOURCE_UNIQUE = /UNIQUE constraint failed: customers\.workspace_id, customers\.source_system, customers\.source_system_id/;

/**
 * The database's own errors under Drizzle's wrapper: the wrapper's message
 * carries the bound parameters (client data), so it is neither matched nor logged.
 */
export function databaseErrors(error: unknown): Error[] {
  const out: Error[] = [];
  for (let e = error; e instanceof Error; e = e.cause) if (!(e instanceof DrizzleQueryError)) out.push(e);
  return out;
}

/** The failure a database error stands for, if it is one of the rules above. */
export function classify(error: unknown): StoreFailure | undefined {
  if (error instanceof StoreError) return error.failure;
  for (const e of databaseErrors(error)) {
    const limit = LIMIT_ERROR.exec(e.message);
    if (limit) return { kind: 'limit', of: limit[1]! };
    const match = TRIGGER_ERROR.exec(e.message);
    if (match?.[2]) return { kind: 'reference', field: match[2] };
    if (match?.[1] === 'foreign_record') return { kind: 'foreign_record' };
    if (match) return { kind: 'in_use' };
    if (NUMBER_UNIQUE.test(e.message)) return { kind: 'duplicate_number' };
    if (SOURCE_UNIQUE.test(e.message)) return { kind: 'duplicate_source' };
  }
  return undefined;
}

/** What may be logged of an unexpected error: never client data. */
export function loggable(error: unknown) {
  const [cause] = databaseErrors(error);
  return {
    error: cause ? `${cause.name}: ${cause.message}` : String(error),
    ...(error instanceof DrizzleQueryError ? { query: error.query } : {}),
    stack: cause?.stack,
  };
}
