import { DrizzleQueryError } from 'drizzle-orm';

/**
 * The one error type of the API and its HTTP statuses. Handlers throw
 * ApiError; src/http/app.ts renders anything thrown in the dialect of the
 * API family the request addressed (src/http/dialects.ts).
 */
export const ERROR_STATUS = {
  validation_error: 400,
  invalid_json: 400,
  invalid_reference: 400,
  request_aborted: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  method_not_allowed: 405,
  already_exists: 409,
  segment_in_use: 409,
  idempotency_in_progress: 409,
  precondition_failed: 412,
  payload_too_large: 413,
  unsupported_media_type: 415,
  idempotency_key_reused: 422,
  rate_limited: 429,
  internal_error: 500,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

export interface Issue {
  path: string;
  message: string;
}

export interface ErrorOptions {
  issues?: Issue[];
  headers?: Record<string, string>;
  /** A finer cause for dialects that distinguish it (Upwell's MISSING_AUTHORIZATION). */
  reason?: 'missing_token';
}

export class ApiError extends Error {
  readonly status: number;
  readonly issues?: Issue[];
  readonly headers?: Record<string, string>;
  readonly reason?: ErrorOptions['reason'];
  constructor(
    readonly code: ErrorCode,
    message: string,
    options: ErrorOptions = {},
  ) {
    super(message);
    this.status = ERROR_STATUS[code];
    this.issues = options.issues;
    this.headers = options.headers;
    this.reason = options.reason;
  }
}

export const notFound = (what: string) => new ApiError('not_found', `${what} not found`);

export const invalidReference = (field: string) =>
  new ApiError('invalid_reference', `${field} does not name a record of this workspace`, {
    issues: [{ path: field, message: 'No such record in this workspace' }],
  });

const TRIGGER_ERROR = /\b(invalid_reference:(\w+)|segment_in_use)\b/;
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

/** What may be logged of an unexpected error: never client data. */
export function loggable(error: unknown) {
  const [cause] = databaseErrors(error);
  return {
    error: cause ? `${cause.name}: ${cause.message}` : String(error),
    ...(error instanceof DrizzleQueryError ? { query: error.query } : {}),
    stack: cause?.stack,
  };
}

/**
 * Rules enforced by D1 (triggers in migrations/0001 and 0003, unique indexes)
 * abort the statement or batch; translate those into client errors.
 */
export function fromDatabaseError(error: unknown): ApiError | undefined {
  for (const e of databaseErrors(error)) {
    const match = TRIGGER_ERROR.exec(e.message);
    if (match?.[2]) return invalidReference(match[2]);
    if (match) return new ApiError('segment_in_use', 'The segment is used by customers and cannot be deleted');
    if (SOURCE_UNIQUE.test(e.message)) {
      return new ApiError('already_exists', 'A customer with this source_system and source_system_id already exists', {
        issues: [{ path: 'source_system_id', message: 'Already used by another customer of this workspace' }],
      });
    }
  }
  return undefined;
}
