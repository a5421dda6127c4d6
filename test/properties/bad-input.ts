/**
 * What the bad-input properties (test/properties/bad-*.test.ts, issue 4:
 * "Bad input: prove it") share: the world each file runs in, sending a body
 * to a route, and the one answer an input calls for (413, 2xx echoing what
 * was stored, 400 naming the field, 400 invalid_json).
 */
import fc from 'fast-check';
import { beforeAll, expect } from 'vitest';
import { MAX_BODY_BYTES } from '../../src/http/body';
import type { Dialect, NormalError } from '../errors';
import { BODY_ROUTES, fieldsOf, type BodyRoute } from './body-routes';
import type { Field } from './fields';
import { getAt, rawJson, setAt, type Path } from './json';
import { printable, quietRequestLog, send, type Call, type Outcome } from './send';
import { lengthOk } from './url-routes';
import { makeWorld, type World } from './world';

export const TIMEOUT = 120_000;

let world: World | undefined;

/** Sets up this test file's world (each file has its own storage) and quiets the request log. */
export function useWorld(): void {
  quietRequestLog();
  beforeAll(async () => {
    world = await makeWorld();
  }, 60_000);
}

/** The world of this test file. */
export const W = (): World => world!;

export const bodyRoute = fc.constantFrom(...BODY_ROUTES);
export const textFields = (r: BodyRoute) => fieldsOf(r, 'text');
/** Routes whose body has text fields (all but the Upwell search). */
export const textRoute = fc.constantFrom(...BODY_ROUTES.filter((r) => textFields(r).length > 0));

/** `body` to route `r` with A's token (bare for Upwell when `extra.bare`). */
export const sendBody = (r: BodyRoute, body: string | Uint8Array, extra: Partial<Call> = {}) =>
  printable({ method: r.method, path: r.path(W()), body, ...extra, bare: r.dialect === 'upwell' && !!extra.bare });
export const run = async (r: BodyRoute, c: Call) => {
  await r.prepare?.(W());
  return send(W(), c, r.kind);
};

/** The dialect-neutral name of a 400 for a body that is not a JSON object. */
export const isInvalidJson = (e: NormalError, dialect: Dialect) =>
  e.status === 400 && (dialect === 'canonical' ? e.code === 'invalid_json' : dialect === 'upwell' ? e.code === 'VALIDATION_ERROR' && e.paths.length === 0 : e.paths.length === 0);
export const isValidationError = (e: NormalError, dialect: Dialect) =>
  e.status === 400 && (dialect === 'canonical' ? e.code === 'validation_error' : dialect === 'upwell' ? e.code === 'VALIDATION_ERROR' : true);

/** The issue paths of a 400 name `path` (or something inside it). */
function expectNamed(e: NormalError | undefined, path: Path, where: string) {
  const p = path.join('.');
  expect(e?.paths.some((x) => x === p || x.startsWith(`${p}.`)), `${where}: issues ${JSON.stringify(e?.paths)} should name ${p}`).toBe(true);
}

/** A 400 validation error of the route's API, naming `path` when given. */
export function expect400(out: Outcome, r: BodyRoute, path: Path | undefined, where: string) {
  expect(out.res.status, `${where} -> ${JSON.stringify(out.res.body).slice(0, 400)}`).toBe(400);
  expect(isValidationError(out.error!, r.dialect), where).toBe(true);
  if (path) expectNamed(out.error, path, where);
}

export function expectInvalidJson(out: Outcome, r: BodyRoute, where: string) {
  expect(out.res.status, `${where} -> ${JSON.stringify(out.res.body).slice(0, 400)}`).toBe(400);
  expect(isInvalidJson(out.error!, r.dialect), `${where}: ${JSON.stringify(out.error)}`).toBe(true);
}

export function expect2xx(out: Outcome, where: string): void {
  expect(out.res.status, `${where} -> ${JSON.stringify(out.res.body).slice(0, 400)}`).toBeLessThan(300);
}

/**
 * The route's valid body with the field at `path` replaced by raw JSON text:
 * several members (duplicate keys) in an object, or one raw array element.
 */
export function withRaw(r: BodyRoute, path: Path, members: string[]): string {
  const parent = path.slice(0, -1);
  const key = String(path[path.length - 1]);
  if (typeof path[path.length - 1] === 'number') {
    expect(members).toHaveLength(1);
    const mark = '@@RAW-ELEMENT@@';
    return JSON.stringify(setAt(r.valid(W()), path, mark)).replace(JSON.stringify(mark), () => members[0]!);
  }
  return rawJson(setAt(r.valid(W()), path, undefined), parent, members.map((m) => [key, m]));
}

/** What a text field holding `value` must answer: 413 (body too large), 2xx echoing the trimmed value, or 400 naming it. */
export function textExpectation(f: Field, value: string, bodyBytes: number): '413' | '2xx' | '400' {
  if (bodyBytes > MAX_BODY_BYTES) return '413';
  // The API refuses lone surrogates (D1 would store U+FFFD instead): a 400 naming the field.
  if (!value.isWellFormed()) return '400';
  if (f.emptyIsAbsent && value.trim() === '') return '2xx';
  return lengthOk(value, 1, f.max!) ? '2xx' : '400';
}

export function checkText(out: Outcome, r: BodyRoute, f: Field, value: string, expected: ReturnType<typeof textExpectation>, where: string) {
  if (expected === '413') {
    expect(out.res.status, where).toBe(413);
    return;
  }
  if (expected === '400') return expect400(out, r, f.path, where);
  expect2xx(out, where);
  if (f.out) {
    const stored = f.emptyIsAbsent && value.trim() === '' ? null : value.trim();
    const echoed = getAt(out.res.body, f.out);
    expect(echoed === stored, `${where}: stored ${JSON.stringify(echoed)?.slice(0, 200)}, sent ${JSON.stringify(stored)?.slice(0, 200)}`).toBe(true);
  }
}
