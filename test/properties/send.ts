/**
 * One generated request, sent and checked: what holds for every request
 * whatever its input (never a 5xx, the route's success shape or its API's
 * error shape, a 4xx writes nothing, B never changes nor leaks), and how
 * fast-check prints it in a counterexample.
 */
import fc from 'fast-check';
import { afterAll, expect, vi } from 'vitest';
import { dialectOf, expectErrorShape, type NormalError } from '../errors';
import { api, type ApiResponse } from '../helpers';
import { parseLikeWorker } from './json';
import { expectSuccess, type SuccessKind } from './shapes';
import { dbState, type Pair, type World } from './world';

/**
 * Thousands of requests each log an info line; printing them costs more than
 * the requests. Silences console.log (not console.error) for the file.
 */
export function quietRequestLog(): void {
  const spy = vi.spyOn(console, 'log').mockImplementation(() => {});
  afterAll(() => spy.mockRestore());
}

export interface Call {
  method: string;
  path: string;
  /** Sent as-is (a string is sent as its UTF-8 bytes). */
  body?: string | Uint8Array;
  /** Defaults to application/json when there is a body; null sends none. */
  contentType?: string | null;
  headers?: Record<string, string>;
  /** Send the body as a stream of chunks of this many bytes (no Content-Length). */
  chunk?: number;
  /** Send the token bare (Upwell style) instead of as Bearer. */
  bare?: boolean;
}

function bodyInit(c: Call): BodyInit | undefined {
  if (c.body === undefined) return undefined;
  const bytes = typeof c.body === 'string' ? new TextEncoder().encode(c.body) : c.body;
  if (!c.chunk) return bytes;
  const size = c.chunk;
  let offset = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (offset >= bytes.byteLength) return controller.close();
      controller.enqueue(bytes.slice(offset, offset + size));
      offset += size;
    },
  });
}

/** The body as the Worker parses it, when it parses. */
function sentValue(c: Call): unknown {
  if (c.body === undefined) return undefined;
  let text: string;
  try {
    text = typeof c.body === 'string' ? c.body : new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(c.body);
  } catch {
    return undefined;
  }
  const parsed = parseLikeWorker(text);
  return parsed.ok ? parsed.value : undefined;
}

export function describeCall(c: Call): string {
  const body = typeof c.body === 'string' ? c.body : c.body ? `<${c.body.byteLength} bytes: ${[...c.body.slice(0, 40)].join(',')}>` : '';
  const shown = body.length > 300 ? `${body.slice(0, 300)}... (${body.length} chars)` : body;
  const ct = c.contentType === undefined ? '' : ` Content-Type=${JSON.stringify(c.contentType)}`;
  const path = c.path.length > 300 ? `${c.path.slice(0, 300)}... (${c.path.length} chars)` : c.path;
  return `${c.method} ${path}${ct}${c.chunk ? ` chunked(${c.chunk})` : ''}${c.bare ? ' bare-token' : ''} ${c.headers ? JSON.stringify(c.headers) : ''} ${shown}`;
}

/** Makes fast-check print a generated call readably (bodies can be 70 KB). */
export function printable<T extends Call>(c: T): T {
  return Object.assign(c, { [fc.toStringMethod]: () => describeCall(c) });
}

export interface Outcome {
  res: ApiResponse;
  /** Set for a 4xx. */
  error?: NormalError;
  before: Pair;
  after: Pair;
}

const PROTO_KEYS = () => Object.getOwnPropertyNames(Object.prototype).sort().join(',');

/**
 * Sends `c` with A's token and checks what holds for every request: never a
 * 5xx; a 2xx has `success`'s shape; a 4xx has the API's error shape and
 * changed no row at all; B's rows never change; nothing of B (ids, marker)
 * is in the answer; Object.prototype is untouched.
 */
export async function send(w: World, c: Call, success: SuccessKind): Promise<Outcome> {
  const where = describeCall(c);
  const proto = PROTO_KEYS();
  const before = await dbState(w);
  const headers: Record<string, string> = { ...(c.headers ?? {}) };
  const contentType = c.contentType === undefined ? 'application/json' : c.contentType;
  if (c.body !== undefined && contentType !== null) headers['Content-Type'] = contentType;
  const auth = c.bare ? { authorization: w.A.token } : { token: w.A.token };
  const res = await api(c.method, c.path, { ...auth, headers, rawBody: bodyInit(c) });
  const after = await dbState(w);
  expect(res.status, `${where} -> ${res.status} ${JSON.stringify(res.body)?.slice(0, 400)}`).toBeLessThan(500);
  expect(res.status, where).toBeGreaterThanOrEqual(200);
  expect(PROTO_KEYS(), `${where}: Object.prototype changed: ${JSON.stringify(Object.getOwnPropertyDescriptors(Object.prototype), (_k, v) => (typeof v === 'function' ? 'fn' : v))}`).toBe(proto);
  expect(({} as Record<string, unknown>).polluted, where).toBeUndefined();
  expect(after.b, `${where}: workspace B's rows changed`).toEqual(before.b);
  const text = JSON.stringify(res.body) ?? '';
  const sent = `${c.path} ${typeof c.body === 'string' ? c.body : ''}`.toLowerCase();
  for (const secret of [w.B.marker, ...w.bIds]) {
    // Echoing what the client sent itself is no leak.
    if (!sent.includes(secret.toLowerCase())) expect(text.includes(secret), `${where}: B's ${secret} leaked`).toBe(false);
  }
  if (res.status < 300) {
    expectSuccess(success, res, w.A.workspaceId, where, sentValue(c));
    return { res, before, after };
  }
  const error = expectErrorShape(res, dialectOf(new URL(`https://api.test${c.path}`).pathname), where);
  expect(after, `${where}: a ${res.status} changed the database`).toEqual(before);
  return { res, error, before, after };
}
