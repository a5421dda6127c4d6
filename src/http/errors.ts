/**
 * The one error type of the API and its mapping to HTTP. Handlers throw
 * ApiError; src/index.ts turns anything thrown into a response here.
 */
export const ERROR_STATUS = {
  validation_error: 400,
  invalid_json: 400,
  invalid_reference: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  method_not_allowed: 405,
  segment_in_use: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  internal_error: 500,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

export interface Issue {
  path: string;
  message: string;
}

export class ApiError extends Error {
  readonly status: number;
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly issues?: Issue[],
    readonly headers?: Record<string, string>,
  ) {
    super(message);
    this.status = ERROR_STATUS[code];
  }
}

export const notFound = (what: string) => new ApiError('not_found', `${what} not found`);

export const invalidReference = (field: string) =>
  new ApiError('invalid_reference', `${field} does not name a record of this workspace`, [
    { path: field, message: 'No such record in this workspace' },
  ]);

const TRIGGER_ERROR = /\b(invalid_reference:(\w+)|segment_in_use)\b/;

/**
 * Rules enforced by D1 triggers (migrations/0001_create_triggers.sql) abort
 * the statement with a known token; translate those into client errors.
 */
export function fromDatabaseError(error: unknown): ApiError | undefined {
  let match: RegExpExecArray | null = null;
  // Drizzle wraps the D1 error ("Failed query: ...") and keeps it as the cause.
  for (let e = error; e instanceof Error && !match; e = e.cause) match = TRIGGER_ERROR.exec(e.message);
  if (!match) return undefined;
  if (match[2]) return invalidReference(match[2]);
  return new ApiError('segment_in_use', 'The segment is used by customers and cannot be deleted');
}

export interface ErrorBody {
  success: false;
  error: string;
  code: ErrorCode;
  issues?: Issue[];
  request_id: string;
}

export function errorBody(error: ApiError, requestId: string): ErrorBody {
  return {
    success: false,
    error: error.message,
    code: error.code,
    ...(error.issues ? { issues: error.issues } : {}),
    request_id: requestId,
  };
}
