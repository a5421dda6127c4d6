/** The Idempotency-Key header of a write, and the fingerprint of its request (src/store/idempotency.ts keeps the records). */
import { sha256Hex } from '../lib/crypto';
import type { IdempotencyKey } from '../store/idempotency';
import { ApiError } from './errors';

const KEY = /^[\x20-\x7e]{1,255}$/;

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
