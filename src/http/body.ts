/** Reads a JSON object body with the API's limits, without buffering more than the limit. */
import { ApiError } from './errors';

export const MAX_BODY_BYTES = 64 * 1024;

const LONE_SURROGATE_ESCAPE = /\\u[dD][89a-fA-F]/;

const tooLarge = (max: number) => new ApiError('payload_too_large', `Request body exceeds ${max} bytes`);

async function readLimited(body: ReadableStream<Uint8Array>, max: number): Promise<Uint8Array> {
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > max) {
      await reader.cancel();
      throw tooLarge(max);
    }
    chunks.push(value);
  }
  const out = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return out;
}

export interface JsonBody {
  /** The body as sent, for the Idempotency-Key fingerprint. */
  text: string;
  value: Record<string, unknown>;
}

/** A body's text (UTF-8), of the media type `type`, read without buffering more than `max` bytes. */
export async function readText(request: Request, type: RegExp, media: string, max: number): Promise<string> {
  if (!type.test(request.headers.get('Content-Type') ?? '')) throw new ApiError('unsupported_media_type', `Content-Type must be ${media}`);
  const length = request.headers.get('Content-Length');
  if (Number(length ?? 0) > max) throw tooLarge(max);
  // A declared length frames the body (the runtime holds the body to it), so it
  // can be read whole; without one (chunked), it is counted as it streams.
  let bytes: Uint8Array;
  try {
    bytes = !request.body ? new Uint8Array() : length !== null ? new Uint8Array(await request.arrayBuffer()) : await readLimited(request.body, max);
  } catch (error) {
    if (error instanceof ApiError) throw error;
    // The client went away (or broke its framing) mid-upload: its failure, not ours.
    throw new ApiError('request_aborted', 'The request body could not be read to its end');
  }
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    throw new ApiError('invalid_json', 'Request body is not valid UTF-8 text');
  }
}

export async function readJsonObject(request: Request): Promise<JsonBody> {
  const text = await readText(request, /^application\/json\s*(;|$)/i, 'application/json', MAX_BODY_BYTES);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new ApiError('invalid_json', 'Request body is not valid JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ApiError('invalid_json', 'Request body must be a JSON object');
  }
  // Text decoded from UTF-8 holds no lone surrogate: only a \uD800-\uDFFF escape can make one.
  const broken = LONE_SURROGATE_ESCAPE.test(text) ? illFormedAt(value) : undefined;
  if (broken !== undefined) {
    throw new ApiError('validation_error', `Invalid request body: ${broken || 'body'}`, {
      issues: [{ path: broken, message: 'Contains a lone surrogate (\\uD800-\\uDFFF): not valid Unicode' }],
    });
  }
  return { text, value: value as Record<string, unknown> };
}

/**
 * The path of the first string (or key) holding a lone surrogate: JSON allows
 * "\\ud800", but D1 would store it as U+FFFD, i.e. not what was sent.
 * Iterative, so deeply nested bodies cannot exhaust the stack.
 */
function illFormedAt(root: unknown): string | undefined {
  const stack: [unknown, string][] = [[root, '']];
  while (stack.length > 0) {
    const [value, path] = stack.pop()!;
    if (typeof value === 'string') {
      if (!value.isWellFormed()) return path;
    } else if (typeof value === 'object' && value !== null) {
      for (const [key, item] of Object.entries(value)) {
        const at = path ? `${path}.${key}` : key;
        if (!key.isWellFormed()) return at;
        stack.push([item, at]);
      }
    }
  }
  return undefined;
}
