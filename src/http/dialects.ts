/**
 * Error bodies per API family. The canonical API answers in Qwoty's envelope;
 * the compatibility routes answer the way their original APIs did, so their
 * existing clients parse our errors unchanged. Chosen by path, in one place.
 */
import { upwellPath } from '../compat/mapping';
import type { ApiError } from './errors';

export type Dialect = 'qwoty' | 'ambiosys' | 'upwell';

export function dialectFor(pathname: string): Dialect {
  if (pathname.startsWith('/api/rest/')) return 'upwell';
  if (/^\/api\/customers\/(create|getCustomers)(\/|$)/.test(pathname)) return 'ambiosys';
  return 'qwoty';
}

const UPWELL_CODES: Record<ApiError['code'], string> = {
  validation_error: 'VALIDATION_ERROR',
  invalid_json: 'VALIDATION_ERROR',
  invalid_reference: 'VALIDATION_ERROR',
  request_aborted: 'VALIDATION_ERROR',
  unauthorized: 'INVALID_API_KEY',
  forbidden: 'FORBIDDEN',
  not_found: 'RESOURCE_NOT_FOUND',
  method_not_allowed: 'METHOD_NOT_ALLOWED',
  already_exists: 'RESOURCE_ALREADY_EXISTS',
  segment_in_use: 'CONFLICT',
  idempotency_in_progress: 'CONFLICT',
  precondition_failed: 'PRECONDITION_FAILED',
  idempotency_key_reused: 'IDEMPOTENCY_KEY_REUSED',
  rate_limited: 'RATE_LIMITED',
  payload_too_large: 'PAYLOAD_TOO_LARGE',
  unsupported_media_type: 'UNSUPPORTED_MEDIA_TYPE',
  internal_error: 'INTERNAL_SERVER_ERROR',
};

export function renderError(dialect: Dialect, error: ApiError, requestId: string): unknown {
  switch (dialect) {
    case 'ambiosys':
      return { success: false, error: error.message, details: error.issues ?? [], request_id: requestId };
    case 'upwell':
      return {
        error: {
          code: error.reason === 'missing_token' ? 'MISSING_AUTHORIZATION' : UPWELL_CODES[error.code],
          message: error.reason === 'missing_token' ? 'Missing Authorization header' : error.message,
          details: (error.issues ?? []).map((i) => ({ ...i, path: upwellPath(i.path) })),
          requestId,
        },
        status: 'error',
        timestamp: new Date().toISOString(),
      };
    default:
      return {
        success: false,
        error: error.message,
        code: error.code,
        ...(error.issues ? { issues: error.issues } : {}),
        request_id: requestId,
      };
  }
}
