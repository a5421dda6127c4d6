/**
 * Conditional requests. A record's ETag is `"<version>-<digest of the body>"`:
 * the version makes If-Match checkable inside the write statement itself;
 * the digest makes If-None-Match exact for representations that fold in
 * related ids (a customer's contact_ids) which change without a new version.
 */
import { sha256Hex } from '../lib/crypto';
import { ApiError } from './errors';

const ETAG = /^\s*(?:W\/)?"(\d{1,15})(?:-[0-9a-f]{1,64})?"\s*$/;
/** Each listed version is a bound parameter of the write. */
const MAX_TAGS = 10;

/** If-Match as the versions it accepts; undefined when absent or `*` (any existing record). */
export function ifMatchVersions(request: Request): number[] | undefined {
  const header = request.headers.get('If-Match');
  if (header === null || header.trim() === '*') return undefined;
  const tags = header.split(',');
  const versions = tags.map((tag) => Number(ETAG.exec(tag)?.[1] ?? Number.NaN));
  if (tags.length > MAX_TAGS || versions.some(Number.isNaN)) {
    throw new ApiError('validation_error', 'If-Match must list up to 10 ETags returned by this API', {
      issues: [{ path: 'If-Match', message: 'Expected up to 10 ETags like "3-1f2e..." or *' }],
    });
  }
  return [...new Set(versions)];
}

export async function etag(version: number, body: string): Promise<string> {
  return `"${version}-${(await sha256Hex(body)).slice(0, 16)}"`;
}

export function noneMatch(request: Request, current: string): boolean {
  const header = request.headers.get('If-None-Match');
  if (header === null) return false;
  return header.trim() === '*' || header.split(',').some((tag) => tag.trim().replace(/^W\//, '') === current);
}
