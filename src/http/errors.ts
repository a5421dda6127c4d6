/**
 * The one error type of the API: a closed set of codes and their HTTP
 * statuses. Handlers throw ApiError; the store's failures (StoreError) become
 * ApiErrors here, in one place; each API renders them in its own dialect
 * (src/http/api.ts).
 */
import { StoreError } from '../store/errors';

export const ERROR_STATUS = {
  validation_error: 400,
  invalid_json: 400,
  request_aborted: 400,
  invalid_reference: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  method_not_allowed: 405,
  already_exists: 409,
  segment_in_use: 409,
  idempotency_in_progress: 409,
  limit_exceeded: 409,
  ambiguous_external_id: 409,
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

export const invalid = (message: string, issues: Issue[]) =>
  new ApiError('validation_error', `${message}: ${[...new Set(issues.map((i) => i.path || i.message))].join(', ')}`, { issues });

/** The API error a store failure stands for. */
/** The per-workspace limits the store enforces, for messages. */
const LIMITS: Record<string, number> = { webhook_endpoints: 16 };

export function fromStore(error: StoreError): ApiError {
  const failure = error.failure;
  switch (failure.kind) {
    case 'reference':
      return new ApiError('invalid_reference', `${failure.field} does not name a record of this workspace`, {
        issues: [{ path: failure.field, message: 'No such record in this workspace' }],
      });
    case 'in_use':
      return new ApiError('segment_in_use', 'The segment is used by customers and cannot be deleted');
    case 'duplicate_source':
      return new ApiError('already_exists', 'A customer with this source_system and source_system_id already exists', {
        issues: [{ path: 'source_system_id', message: 'Already used by another customer of this workspace' }],
      });
    case 'stale':
      return new ApiError('precondition_failed', 'The record has changed since the ETag given in If-Match');
    case 'key_reused':
      return new ApiError('idempotency_key_reused', 'This Idempotency-Key was used for a different request');
    case 'key_in_progress':
      return new ApiError('idempotency_in_progress', 'A request with this Idempotency-Key is in progress; retry later');
    case 'foreign_record':
      return new ApiError('already_exists', 'A record of this import has an id that another workspace holds', {
        issues: [{ path: 'id', message: 'Held by another workspace' }],
      });
    case 'limit':
      return new ApiError('limit_exceeded', `This workspace has as many ${failure.of.replaceAll('_', ' ')} as it may (${LIMITS[failure.of] ?? 'the limit'})`);
    case 'ambiguous':
      return new ApiError('ambiguous_external_id', `${failure.count} customers have this ${failure.field}`, {
        issues: [{ path: failure.field, message: 'Names several customers' }],
      });
    case 'duplicate_number':
      return new ApiError('already_exists', 'Another customer of the workspace has this number', {
        issues: [{ path: 'number', message: 'Already used by another customer of this workspace' }],
      });
  }
}
