/**
 * The error bodies of the three APIs, shared by every test file:
 *
 * - canonical (Qwoty): `{success: false, error, code, issues?, request_id}`;
 * - AmbioSys: `{success: false, error, details, request_id}`;
 * - Upwell: `{error: {code, message, details, requestId}, status: "error", timestamp}`.
 *
 * The matchers describe a whole body (for toEqual); `issues`/`details` name
 * exactly the given paths, in order, each with a non-blank message.
 * expectErrorShape() checks any error response against its API's envelope
 * without knowing the code, for the property tests. rejected() and the auth
 * checks send a request and prove it changed nothing.
 */
import { expect } from 'vitest';
import { ERROR_STATUS } from '../src/http/errors';
import { api, freeze, ISO, issueToken, REQUEST_ID, revokeToken, snapshot, type ApiResponse, type CallOptions } from './helpers';

/** The three APIs, by the names they are defined with (src/canonical/api.ts, src/compat/*\/api.ts). */
export type Dialect = 'canonical' | 'ambiosys' | 'upwell';

/** Which API a path belongs to, as the README describes them. */
export function dialectOf(pathname: string): Dialect {
  if (pathname.startsWith('/api/rest/')) return 'upwell';
  if (/^\/api\/customers\/(create|getCustomers)(\/|$)/.test(pathname)) return 'ambiosys';
  return 'canonical';
}

const nonBlank = () => expect.stringMatching(/\S/);

/** One issue: its path (or a matcher) and a non-blank message, or exactly `message`. */
export const issue = (path: unknown, message: unknown = nonBlank()) => ({ path, message });

/** Issues (canonical `issues`, AmbioSys and Upwell `details`) naming exactly these paths, in order. A path may be a matcher. */
export const issues = (...paths: unknown[]) => paths.map((path) => issue(path));

/**
 * Issues naming exactly these paths, in order of first appearance, where one
 * path may carry several messages (e.g. "not a URL" and "not http(s)").
 */
export const issuesAt = (...paths: string[]) => ({
  asymmetricMatch: (found: unknown) =>
    Array.isArray(found) &&
    found.every((i) => typeof i?.message === 'string' && /\S/.test(i.message) && Object.keys(i).sort().join() === 'message,path') &&
    JSON.stringify([...new Set(found.map((i) => i.path))]) === JSON.stringify(paths),
  toString: () => 'IssuesAt',
  toAsymmetricMatcher: () => `IssuesAt<${paths.join(', ')}>`,
});

/** The canonical error body, whole; `extra` adds or overrides members (`issues`, `request_id`). */
export const errorBody = (code: string, extra: Record<string, unknown> = {}) => ({
  success: false,
  error: nonBlank(),
  code,
  request_id: expect.stringMatching(REQUEST_ID),
  ...extra,
});

/** The canonical error body with `issues` naming exactly these paths (no paths: no `issues` member). */
export const canonicalError = (code: string, ...paths: unknown[]) => errorBody(code, paths.length ? { issues: issues(...paths) } : {});

/** A canonical 400 validation_error naming exactly these paths. */
export const invalid = (...paths: unknown[]) => canonicalError('validation_error', ...paths);

/** The AmbioSys error body, whole; `details` name exactly these paths. */
export const ambiosysError = (...paths: unknown[]) => ({
  success: false,
  error: nonBlank(),
  details: issues(...paths),
  request_id: expect.stringMatching(REQUEST_ID),
});

/** The Upwell error body, whole; `details` name exactly these paths. */
export const upwellError = (code: string, ...paths: unknown[]) => ({
  error: { code, message: nonBlank(), details: issues(...paths), requestId: expect.stringMatching(REQUEST_ID) },
  status: 'error',
  timestamp: expect.stringMatching(ISO),
});

/** A path that is `field` or ends in `.field` (Upwell names nested fields by their whole path). */
export const endingIn = (field: string) => expect.stringMatching(new RegExp(`(^|\\.)${field}$`));

/** The request id an error body carries, in any dialect. */
const requestIdIn = (body: { request_id?: string; error?: { requestId?: string } }) => body?.request_id ?? body?.error?.requestId;

/** `res` has exactly `status` and the error `body`, which carries the request id of X-Request-Id. */
export function expectError(res: ApiResponse, status: number, body: unknown, where = ''): void {
  const requestId = res.headers.get('X-Request-Id');
  expect(requestId, where).toMatch(REQUEST_ID);
  expect(res.body, where).toEqual(body);
  expect(res.status, `${where} ${JSON.stringify(res.body)}`).toBe(status);
  expect(requestIdIn(res.body), where).toBe(requestId);
}

/** A request that must fail with exactly `status` and `body` (expectError) and leave every row of `workspaceId` as it was. */
export async function rejected(workspaceId: string, method: string, path: string, options: CallOptions, status: number, body: unknown): Promise<ApiResponse> {
  const before = await snapshot(workspaceId);
  const res = await api(method, path, options);
  expectError(res, status, body, `${method} ${path} ${JSON.stringify(options.body ?? options.rawBody ?? '')}`);
  expect(await snapshot(workspaceId)).toEqual(before);
  return res;
}

/** No token, a malformed one, a revoked one, an expired one: each the 401 `body` with `WWW-Authenticate: Bearer`, changing nothing. */
export async function unauthenticated(workspaceId: string, method: string, path: string, body: unknown, expected: unknown): Promise<void> {
  const { token: revoked } = await issueToken({ workspaceId });
  await revokeToken(revoked);
  const { token: expired } = await issueToken({ workspaceId, expiresAt: '2020-01-01T00:00:00.000Z' });
  for (const token of [undefined, 'qwt_dev_not-a-token', revoked, expired]) {
    const res = await rejected(workspaceId, method, path, { token, body }, 401, expected);
    expect(res.headers.get('WWW-Authenticate')).toBe('Bearer');
  }
}

/**
 * A canonical write route refuses a request without a token (401) and one
 * whose token lacks the write scope (403), and neither changes anything.
 */
export async function expectWriteAuth(workspace: { workspaceId: string; readOnly: string }, method: string, path: string, body?: Record<string, unknown>): Promise<void> {
  const unchanged = await freeze(workspace.workspaceId);
  const anon = await api(method, path, { body });
  expect(anon.status).toBe(401);
  expect(anon.body).toEqual(errorBody('unauthorized'));
  const ro = await api(method, path, { token: workspace.readOnly, body });
  expect(ro.status).toBe(403);
  expect(ro.body).toEqual(errorBody('forbidden'));
  await unchanged();
}

// ---- Any error, in its API's envelope ------------------------------------------

const UPWELL_STATUS: Record<string, number> = {
  MISSING_AUTHORIZATION: 401,
  INVALID_API_KEY: 401,
  FORBIDDEN: 403,
  VALIDATION_ERROR: 400,
  RESOURCE_NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
  RESOURCE_ALREADY_EXISTS: 409,
  CONFLICT: 409,
  PRECONDITION_FAILED: 412,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  IDEMPOTENCY_KEY_REUSED: 422,
  RATE_LIMITED: 429,
  INTERNAL_SERVER_ERROR: 500,
};
const WITH_ISSUES = new Set(['validation_error', 'invalid_reference', 'already_exists']);

/** An error in a dialect-neutral form, to compare two errors across requests. */
export interface NormalError {
  status: number;
  /** Canonical code, Upwell code, or (AmbioSys has none) the status. */
  code: string;
  message: string;
  paths: string[];
}

function pathsOf(found: unknown, where: string): string[] {
  expect(Array.isArray(found), where).toBe(true);
  for (const issue of found as unknown[]) expect(issue, where).toEqual({ path: expect.any(String), message: nonBlank() });
  return (found as { path: string }[]).map((i) => i.path);
}

/** Asserts the whole documented error envelope of `dialect`, with the request id of X-Request-Id; returns it dialect-neutral. */
export function expectErrorShape(res: ApiResponse, dialect: Dialect, where = ''): NormalError {
  const requestId = res.headers.get('X-Request-Id');
  const at = `${where} -> ${res.status} ${JSON.stringify(res.body)?.slice(0, 600)}`;
  expect(requestId, at).toMatch(REQUEST_ID);
  const b = res.body;
  expect(b !== null && typeof b === 'object' && !Array.isArray(b), at).toBe(true);
  switch (dialect) {
    case 'canonical': {
      expect(Object.keys(b).sort(), at).toEqual(
        WITH_ISSUES.has(b.code) ? ['code', 'error', 'issues', 'request_id', 'success'] : ['code', 'error', 'request_id', 'success'],
      );
      expect(b.success, at).toBe(false);
      expect(b.error, at).toMatch(/\S/);
      expect(Object.hasOwn(ERROR_STATUS, b.code), at).toBe(true);
      expect(ERROR_STATUS[b.code as keyof typeof ERROR_STATUS], at).toBe(res.status);
      expect(b.request_id, at).toBe(requestId);
      return { status: res.status, code: b.code, message: b.error, paths: b.issues ? pathsOf(b.issues, at) : [] };
    }
    case 'ambiosys': {
      expect(Object.keys(b).sort(), at).toEqual(['details', 'error', 'request_id', 'success']);
      expect(b.success, at).toBe(false);
      expect(b.error, at).toMatch(/\S/);
      expect(b.request_id, at).toBe(requestId);
      return { status: res.status, code: String(res.status), message: b.error, paths: pathsOf(b.details, at) };
    }
    case 'upwell': {
      expect(Object.keys(b).sort(), at).toEqual(['error', 'status', 'timestamp']);
      expect(b.status, at).toBe('error');
      expect(b.timestamp, at).toMatch(ISO);
      expect(Object.keys(b.error).sort(), at).toEqual(['code', 'details', 'message', 'requestId']);
      expect(UPWELL_STATUS[b.error.code], at).toBe(res.status);
      expect(b.error.message, at).toMatch(/\S/);
      expect(b.error.requestId, at).toBe(requestId);
      return { status: res.status, code: b.error.code, message: b.error.message, paths: pathsOf(b.error.details, at) };
    }
  }
}
