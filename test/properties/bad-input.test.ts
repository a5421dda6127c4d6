/**
 * Issue 4, "Bad input: prove it": generated bad requests over every route of
 * the three APIs (canonical, AmbioSys, Upwell). Every case goes through
 * send() (support.ts), which asserts what holds for any input: never a 5xx; a
 * 2xx only with the route's success shape; a 4xx in the dialect's documented
 * error shape, with X-Request-Id in it, and no row changed in either
 * workspace; workspace B's rows never change and nothing of B (ids, marker)
 * is ever in an answer; Object.prototype is untouched. On top of that each
 * property states which answer the input calls for, wherever it decides it:
 * malformed JSON, wrong types per field, strings (empty, huge, Unicode
 * edges, lone surrogates, invalid UTF-8), `__proto__`/`constructor` keys,
 * deep nesting, number tokens, duplicate keys, Content-Type, body size, path
 * ids and query strings.
 */
import { env } from 'cloudflare:workers';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  BODY_ROUTES,
  ID_ROUTES,
  MISSING,
  QUERY_ROUTES,
  byteLength,
  canonicalJson,
  getAt,
  isInvalidJson,
  isPlainObject,
  isValidationError,
  lengthOk,
  makeWorld,
  quietRequestLog,
  MAX_BODY_BYTES,
  nastyString,
  parseLikeWorker,
  printable,
  rawJson,
  send,
  setAt,
  wrongValue,
  type BodyRoute,
  type Call,
  type Field,
  type Json,
  type NormalError,
  type Outcome,
  type Path,
  type World,
} from './support';

let w: World;
quietRequestLog();
beforeAll(async () => {
  w = await makeWorld();
}, 60_000);

const TIMEOUT = 120_000;
const bodyRoute = fc.constantFrom(...BODY_ROUTES);
const textFields = (r: BodyRoute) => r.fields.filter((f) => f.kind === 'text');
/** Routes whose body has text fields (all but the Upwell search). */
const textRoute = fc.constantFrom(...BODY_ROUTES.filter((r) => textFields(r).length > 0));
const sendBody = (r: BodyRoute, body: string | Uint8Array, extra: Partial<Call> = {}) =>
  printable({ method: r.method, path: r.path(w), body, ...extra, bare: r.dialect === 'upwell' && !!extra.bare });
const run = (r: BodyRoute, c: Call) => send(w, c, r.kind);

/** The issue paths of a 400 name `path` (or something inside it). */
function expectNamed(e: NormalError | undefined, path: Path, where: string) {
  const p = path.join('.');
  expect(e?.paths.some((x) => x === p || x.startsWith(`${p}.`)), `${where}: issues ${JSON.stringify(e?.paths)} should name ${p}`).toBe(true);
}

function expect400(out: Outcome, r: BodyRoute, path: Path | undefined, where: string) {
  expect(out.res.status, `${where} -> ${JSON.stringify(out.res.body).slice(0, 400)}`).toBe(400);
  expect(isValidationError(out.error!, r.dialect), where).toBe(true);
  if (path) expectNamed(out.error, path, where);
}

function expectInvalidJson(out: Outcome, r: BodyRoute, where: string) {
  expect(out.res.status, `${where} -> ${JSON.stringify(out.res.body).slice(0, 400)}`).toBe(400);
  expect(isInvalidJson(out.error!, r.dialect), `${where}: ${JSON.stringify(out.error)}`).toBe(true);
}

function expect2xx(out: Outcome, where: string): void {
  expect(out.res.status, `${where} -> ${JSON.stringify(out.res.body).slice(0, 400)}`).toBeLessThan(300);
}

/** The parent object's path and the key of a field. */
const split = (path: Path): [Path, string] => [path.slice(0, -1), String(path[path.length - 1])];

/**
 * The route's valid body with the field at `path` replaced by raw JSON text:
 * several members (duplicate keys) in an object, or one raw array element.
 */
function withRaw(r: BodyRoute, path: Path, members: string[]): string {
  const [parent, key] = split(path);
  if (typeof path[path.length - 1] === 'number') {
    expect(members).toHaveLength(1);
    const mark = '@@RAW-ELEMENT@@';
    return JSON.stringify(setAt(r.valid(w), path, mark)).replace(JSON.stringify(mark), () => members[0]!);
  }
  return rawJson(setAt(r.valid(w), path, undefined), parent, members.map((m) => [key, m]));
}

describe('malformed and random JSON bodies, on every route that takes one', () => {
  it('answers 400 invalid_json to anything that is not a JSON object, and never a 5xx to any text', async () => {
    const arb = bodyRoute.chain((r) => {
      const valid = rawJson(r.valid(w));
      const keys = [...new Set(r.fields.map((f) => String(f.path[0])))];
      const text = fc.oneof(
        fc.string({ unit: 'binary', maxLength: 60 }),
        fc.string({ maxLength: 60 }),
        fc.json({ maxDepth: 3 }),
        fc.jsonValue({ maxDepth: 2 }).filter((v) => !isPlainObject(v)).map((v) => JSON.stringify(v)),
        fc.nat({ max: valid.length - 1 }).map((n) => valid.slice(0, n)),
        fc
          .tuple(fc.constantFrom('x', '}', ',', ']', '{}', ' //', '\u0000', 'NaN', '\n[]'), fc.boolean())
          .map(([junk, front]) => (front ? `${junk}${valid}` : `${valid}${junk}`)),
        fc.constantFrom(
          "{'name':'x'}",
          '{"name":NaN}',
          '{"name":Infinity}',
          '{name:"x"}',
          '{"a":1,}',
          '{"a" 1}',
          '\uFEFF{}',
          `\uFEFF${valid}`,
          '{"a":"\\x41"}',
          '{"a":"\\u12"}',
          '{"a":01}',
          '{"a":.5}',
          '{"a":+1}',
          '{"a":"line\nbreak"}',
          '{"a":1}{"b":2}',
          '',
          '   ',
          'null',
          '[]',
          '"{}"',
        ),
        fc.dictionary(fc.oneof(fc.constantFrom(...keys), fc.string({ maxLength: 8 })), fc.jsonValue({ maxDepth: 2 })).map((o) => JSON.stringify(o)),
      );
      return fc.tuple(fc.constant(r), text, fc.boolean());
    });
    await fc.assert(
      fc.asyncProperty(arb, async ([r, text, bare]) => {
        const c = sendBody(r, text, { bare });
        const out = await run(r, c);
        const parsed = parseLikeWorker(text);
        if (!parsed.ok || !isPlainObject(parsed.value)) expectInvalidJson(out, r, c.path);
      }),
      { numRuns: 150 },
    );
  }, TIMEOUT);
});

describe('wrong types, on every field of every body', () => {
  it('answers 400 naming the field, in the route dialect, and writes nothing', async () => {
    const arb = bodyRoute.chain((r) =>
      fc.constantFrom(...r.fields).chain((f) => fc.tuple(fc.constant(r), fc.constant(f), wrongValue(f))),
    );
    await fc.assert(
      fc.asyncProperty(arb, async ([r, f, value]) => {
        const c = sendBody(r, JSON.stringify(setAt(r.valid(w), f.path, value)));
        expect400(await run(r, c), r, f.path, `${r.name} ${f.path.join('.')}=${JSON.stringify(value)}`);
      }),
      { numRuns: 150 },
    );
  }, TIMEOUT);
});

/** What a text field holding `value` must answer: 413, 2xx echoing the trimmed value, 400 naming it, or either. */
function textExpectation(f: Field, value: string, bodyBytes: number): '413' | '2xx' | '400' | 'either' {
  if (bodyBytes > MAX_BODY_BYTES) return '413';
  // The API refuses lone surrogates (D1 would store U+FFFD instead): a 400 naming the field.
  if (!value.isWellFormed()) return '400';
  const ok = f.emptyIsAbsent ? (value.trim() === '' ? true : lengthOk(value, 1, f.max!)) : lengthOk(value, 1, f.max!);
  return ok ? '2xx' : '400';
}

function checkText(out: Outcome, r: BodyRoute, f: Field, value: string, expected: ReturnType<typeof textExpectation>, where: string) {
  if (expected === '413') {
    expect(out.res.status, where).toBe(413);
    return;
  }
  if (expected === '400' || (expected === 'either' && out.res.status >= 400)) return expect400(out, r, f.path, where);
  expect2xx(out, where);
  if (f.out) {
    const stored = f.emptyIsAbsent && value.trim() === '' ? null : value.trim();
    const echoed = getAt(out.res.body, f.out);
    expect(echoed === stored, `${where}: stored ${JSON.stringify(echoed)?.slice(0, 200)}, sent ${JSON.stringify(stored)?.slice(0, 200)}`).toBe(true);
  }
}

describe('empty, huge and Unicode-edge strings in every text field', () => {
  const textCase = (strings: (max: number) => fc.Arbitrary<string>) =>
    textRoute.chain((r) => fc.constantFrom(...textFields(r)).chain((f) => fc.tuple(fc.constant(r), fc.constant(f), strings(f.max!))));

  async function textProperty(strings: (max: number) => fc.Arbitrary<string>, numRuns: number) {
    await fc.assert(
      fc.asyncProperty(textCase(strings), async ([r, f, value]) => {
        const text = JSON.stringify(setAt(r.valid(w), f.path, value));
        const c = sendBody(r, text);
        const where = `${r.name} ${f.path.join('.')}=${JSON.stringify(value.slice(0, 80))}(${value.length})`;
        checkText(await run(r, c), r, f, value, textExpectation(f, value, byteLength(text)), where);
      }),
      { numRuns },
    );
  }

  it('accepts exactly the trimmed 1..max strings and stores them as sent (NUL, bidi, emoji, combining, huge, blank)', async () => {
    // Well-formed UTF-16 here (lone surrogates become U+FFFD); lone surrogates have their own property below.
    await textProperty((max) => nastyString(max).map((s) => s.toWellFormed()), 150);
  }, TIMEOUT);

  it('refuses a lone surrogate (JSON "\\ud800") with 400 or stores it as sent, never as something else', async () => {
    const lone = fc.constantFrom('\ud800', '\udfff', '\udbff', 'a\ud800b', '\udc00\ud800', 'x'.repeat(254) + '\ud800');
    await textProperty(() => fc.tuple(lone, fc.constantFrom('', ' ', 'é')).map(([l, pad]) => `${pad}${l}${pad}`), 20);
  }, TIMEOUT);

  it('refuses bytes that are not UTF-8 with 400 invalid_json', async () => {
    const invalid = fc.constantFrom([0xff], [0xfe, 0xff], [0xc0, 0x80], [0xed, 0xa0, 0x80], [0xf4, 0x90, 0x80, 0x80], [0xe2, 0x82], [0x80], [0xf8, 0x88, 0x80, 0x80, 0x80]);
    const bytes = fc.oneof(
      fc.uint8Array({ minLength: 1, maxLength: 24 }),
      fc.tuple(fc.uint8Array({ maxLength: 8 }), invalid, fc.uint8Array({ maxLength: 8 })).map(([a, b, c]) => new Uint8Array([...a, ...b, ...c])),
    );
    const arb = textRoute.chain((r) => fc.tuple(fc.constant(r), fc.constantFrom(...textFields(r)), bytes, fc.constantFrom('inline', 'utf16', 'bom')));
    await fc.assert(
      fc.asyncProperty(arb, async ([r, f, raw, mode]) => {
        const text = JSON.stringify(setAt(r.valid(w), f.path, '@@RAW@@'));
        let body: Uint8Array;
        if (mode === 'utf16') {
          // The whole body in UTF-16LE with a BOM: not UTF-8.
          body = new Uint8Array([0xff, 0xfe, ...[...text].flatMap((ch) => [ch.charCodeAt(0) & 0xff, ch.charCodeAt(0) >> 8])]);
        } else {
          const [head, tail] = text.split('@@RAW@@') as [string, string];
          const enc = new TextEncoder();
          body = new Uint8Array([...(mode === 'bom' ? [0xef, 0xbb, 0xbf] : []), ...enc.encode(head), ...raw, ...enc.encode(tail)]);
        }
        const c = sendBody(r, body);
        const out = await run(r, c);
        let decoded: string | undefined;
        try {
          decoded = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(body);
        } catch {
          decoded = undefined;
        }
        if (decoded === undefined || !parseLikeWorker(decoded).ok) expectInvalidJson(out, r, `${r.name} ${mode}`);
      }),
      { numRuns: 80 },
    );
  }, TIMEOUT);
});

const PROTO_KEYS = ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', '__defineGetter__', 'valueOf'];
const protoValue = fc.oneof(
  fc.constantFrom('{"polluted":true}', '{"isAdmin":true,"polluted":"yes"}', '"x"', '1', 'null', '[]', '{}', '{"__proto__":{"polluted":1}}'),
  fc.jsonValue({ maxDepth: 2 }).map((v) => JSON.stringify(v)),
);

/** Objects of a route's body that refuse unknown keys, and free-form ones (metadata, settings) that take any. */
const strictContainers = (r: BodyRoute) => r.strict;
/** Free-form objects present in the route's valid body. */
const freeContainers = (r: BodyRoute) =>
  r.fields.filter((f) => (f.kind === 'record' || (f.kind === 'object' && f.out)) && isPlainObject(getAt(r.valid(w), f.path)));

describe('__proto__, constructor and prototype as real own keys', () => {
  const strictCase = (routes: BodyRoute[]) =>
    fc.constantFrom(...routes).chain((r) => fc.tuple(fc.constant(r), fc.constantFrom(...strictContainers(r)), fc.constantFrom(...PROTO_KEYS), protoValue));

  async function strictProperty(routes: BodyRoute[]) {
    await fc.assert(
      fc.asyncProperty(strictCase(routes), async ([r, at, key, value]) => {
        const text = rawJson(r.valid(w), at, [[key, value]]);
        expect400(await run(r, sendBody(r, text)), r, [...at, key], `${r.name} ${[...at, key].join('.')}=${value}`);
      }),
      { numRuns: 40 },
    );
  }

  it('refuses them in strict objects of the canonical and AmbioSys bodies with 400 naming them, without polluting Object.prototype', async () => {
    await strictProperty(BODY_ROUTES.filter((r) => r.dialect !== 'upwell'));
  }, TIMEOUT);

  it('refuses them in strict objects of the Upwell bodies and where/orderBy with 400 naming them (details[].path a string)', async () => {
    await strictProperty(BODY_ROUTES.filter((r) => r.dialect === 'upwell'));
  }, TIMEOUT);

  it('never silently drops them from free-form objects (metadata, settings): a 2xx stores the object exactly as sent, else a 400 naming it', async () => {
    const arb = fc
      .constantFrom(...BODY_ROUTES.filter((r) => freeContainers(r).length > 0))
      .chain((r) => fc.tuple(fc.constant(r), fc.constantFrom(...freeContainers(r)), fc.constantFrom(...PROTO_KEYS), protoValue));
    await fc.assert(
      fc.asyncProperty(arb, async ([r, field, key, value]) => {
        const text = rawJson(r.valid(w), field.path, [[key, value]]);
        const where = `${r.name} ${[...field.path, key].join('.')}=${value}`;
        const out = await run(r, sendBody(r, text));
        const sent = getAt(JSON.parse(text), field.path) as Record<string, unknown>;
        const validMetadata = field.kind !== 'record' || Object.values(sent).every((x) => typeof x === 'string' && [...x].length <= 500);
        // Metadata values must be strings, whatever the key.
        if (!validMetadata || out.res.status >= 400) return expect400(out, r, field.path, where);
        // Accepted: then stored as sent, the key included (not silently dropped).
        expect(canonicalJson(getAt(out.res.body, field.out!)), `${where}: stored something else than was sent`).toBe(canonicalJson(sent));
      }),
      { numRuns: 40 },
    );
  }, TIMEOUT);
});

describe('deep nesting', () => {
  it('answers deeply nested arrays and objects (up to 3000 levels) in any field without a 5xx', async () => {
    const depth = fc.oneof(fc.integer({ min: 1, max: 8 }), fc.integer({ min: 900, max: 1100 }), fc.integer({ min: 1, max: 3000 }));
    const style = fc.constantFrom('array', 'object', 'not', 'and');
    const nest = (d: number, s: string) =>
      s === 'array'
        ? `${'['.repeat(d)}${']'.repeat(d)}`
        : s === 'object'
          ? `${'{"a":'.repeat(d)}1${'}'.repeat(d)}`
          : s === 'not'
            ? `${'{"_not":'.repeat(d)}{}${'}'.repeat(d)}`
            : `${'{"_and":['.repeat(d)}{}${']}'.repeat(d)}`;
    const arb = bodyRoute.chain((r) => {
      const targets: (Field | 'extra' | 'body')[] = [...r.fields, 'extra', 'body'];
      return fc.tuple(fc.constant(r), fc.constantFrom(...targets), depth, style);
    });
    await fc.assert(
      fc.asyncProperty(arb, async ([r, target, d, s]) => {
        const deep = nest(d, s);
        const text = target === 'body' ? deep : target === 'extra' ? rawJson(r.valid(w), [], [['deep', deep]]) : withRaw(r, target.path, [deep]);
        const c = sendBody(r, text);
        const where = `${r.name} ${target === 'body' || target === 'extra' ? target : target.path.join('.')} ${s}x${d}`;
        const out = await run(r, c);
        if (target === 'body') {
          if (s === 'array') return expectInvalidJson(out, r, where);
          // {"a": ...}, {"_not": ...}: unknown fields of the body.
          return expect400(out, r, undefined, where);
        }
        if (target === 'extra') return expect400(out, r, ['deep'], where);
        // Opaque settings take any object, however deep, and store it as sent.
        if (target.kind === 'object' && target.out && s !== 'array') {
          expect2xx(out, where);
          // (JSON.stringify: canonicalJson would recurse 3000 levels; these objects have one key each.)
          expect(JSON.stringify(getAt(out.res.body, target.out)), where).toBe(JSON.stringify(JSON.parse(deep)));
          return;
        }
        // A where of at most 5 levels is a valid search; `[]` is a valid (empty) list.
        const search = target.kind === 'where' && (s === 'not' || s === 'and') && d <= 4;
        const emptyList = target.kind === 'array' && s === 'array' && d === 1 && target.path[target.path.length - 1] !== 'inputs';
        if (search || emptyList) return expect2xx(out, where);
        // orderBy items that are arrays are ignored (lenient, see report); anything else is a 400 naming the field.
        if (target.kind === 'orderBy' && s === 'array' && out.res.status < 300) return;
        expect400(out, r, target.path, where);
      }),
      { numRuns: 80 },
    );
  }, TIMEOUT);
});

const NUMBER_TOKENS = [
  '1e309',
  '-1e309',
  '-0',
  '0',
  '-0.0',
  '9007199254740993',
  '9007199254740992',
  '-9007199254740993',
  '1e2',
  '1E2',
  '1e+2',
  '100000',
  '100001',
  '1.0',
  '1.5',
  '-1',
  'NaN',
  'Infinity',
  '-Infinity',
  '0x10',
  '1_000',
  '01',
  '.5',
  '5.',
  '+1',
  '1e-400',
  '4.9999999999999999e4',
  '99.99999999999999999',
  '100',
  '101',
  '30',
  '1e400000',
  '123456789012345678901234567890',
];

describe('numbers out of range, as raw JSON tokens', () => {
  it('accepts exactly the integers in range in integer fields (echoed as parsed), and refuses numbers in text fields', async () => {
    const token = fc.oneof(fc.constantFrom(...NUMBER_TOKENS), fc.integer().map(String), fc.double().map(String));
    const arb = bodyRoute
      .filter((r) => r.fields.some((f) => f.kind === 'integer' || f.kind === 'text'))
      .chain((r) => fc.tuple(fc.constant(r), fc.constantFrom(...r.fields.filter((f) => f.kind === 'integer' || f.kind === 'text')), token));
    await fc.assert(
      fc.asyncProperty(arb, async ([r, f, tok]) => {
        const text = withRaw(r, f.path, [tok]);
        const where = `${r.name} ${f.path.join('.')}=${tok}`;
        const out = await run(r, sendBody(r, text));
        const parsed = parseLikeWorker(text);
        if (!parsed.ok) return expectInvalidJson(out, r, where);
        const n = getAt(parsed.value, f.path) as number;
        const valid = f.kind === 'integer' && Number.isInteger(n) && n >= f.min! && n <= f.max!;
        if (!valid) return expect400(out, r, f.path, where);
        expect2xx(out, where);
        if (f.out) expect(getAt(out.res.body, f.out) === n, `${where}: echoed ${JSON.stringify(getAt(out.res.body, f.out))}`).toBe(true);
      }),
      { numRuns: 100 },
    );
  }, TIMEOUT);
});

describe('duplicate keys in raw JSON text', () => {
  it('behaves as if only the last occurrence had been sent', async () => {
    const validText = fc.stringMatching(/^[A-Za-z][A-Za-z0-9 ]{0,20}$/);
    const arb = textRoute.chain((r) =>
      fc.constantFrom(...textFields(r)).chain((f) => {
        const value = fc.oneof(validText as fc.Arbitrary<Json>, wrongValue(f));
        return fc.tuple(fc.constant(r), fc.constant(f), fc.array(value, { minLength: 2, maxLength: 4 }));
      }),
    );
    await fc.assert(
      fc.asyncProperty(arb, async ([r, f, values]) => {
        const text = withRaw(r, f.path, values.map((v) => JSON.stringify(v)));
        const last = values[values.length - 1]!;
        const where = `${r.name} ${f.path.join('.')} x${values.length} = ${JSON.stringify(values)}`;
        const out = await run(r, sendBody(r, text));
        if (typeof last !== 'string') return expect400(out, r, f.path, where);
        checkText(out, r, f, last, '2xx', where);
      }),
      { numRuns: 80 },
    );
  }, TIMEOUT);
});

describe('Content-Type', () => {
  it('takes application/json (any case, with parameters) and answers 415 to anything else or nothing', async () => {
    const headerText = fc.string({ unit: 'binary-ascii', maxLength: 30 }).map((s) => s.replace(/[^\x20-\x7e\t]/g, ''));
    const contentType = fc.oneof(
      fc.constantFrom(
        'application/json',
        'Application/JSON',
        'application/json; charset=utf-8',
        'application/json;charset=UTF-16',
        'application/json ; x=y',
        'application/json;',
        'application/json\t;q=1',
        ' application/json ',
        'application/jsonx',
        'application/json+x',
        'application/ld+json',
        'application/vnd.api+json',
        'application/problem+json',
        'text/json',
        'text/plain',
        'text/html',
        'application/x-www-form-urlencoded',
        'multipart/form-data; boundary=x',
        'application/json, text/plain',
        'application/*',
        '*/*',
        'json',
        'application/ json',
        'application /json',
        'application\\/json',
        '',
      ),
      headerText,
      fc.tuple(headerText, fc.constantFrom('application/json', 'APPLICATION/json')).map(([a, b]) => `${a}${b}`),
      fc.tuple(fc.constantFrom('application/json', 'APPLICATION/json'), headerText).map(([a, b]) => `${a}${b}`),
      fc.constant(null),
    );
    await fc.assert(
      fc.asyncProperty(bodyRoute, contentType, async (r, ct) => {
        const out = await run(r, sendBody(r, rawJson(r.valid(w)), { contentType: ct }));
        const essence = ct === null ? null : ct.split(';')[0]!.trim().toLowerCase();
        const where = `${r.name} Content-Type=${JSON.stringify(ct)}`;
        if (essence === 'application/json') expect2xx(out, where);
        else expect(out.res.status, `${where} -> ${JSON.stringify(out.res.body)}`).toBe(415);
      }),
      { numRuns: 100 },
    );
  }, TIMEOUT);
});

describe('body size', () => {
  it('answers 413 to any body over 64 KiB (declared, undeclared or streamed) and takes one of exactly 64 KiB', async () => {
    const size = fc.oneof(
      fc.constantFrom(MAX_BODY_BYTES, MAX_BODY_BYTES + 1),
      fc.integer({ min: MAX_BODY_BYTES - 2000, max: MAX_BODY_BYTES + 6000 }),
    );
    const arb = fc.tuple(bodyRoute, size, fc.constantFrom('pad', 'field'), fc.constantFrom('declared', 'undeclared', 'streamed'));
    await fc.assert(
      fc.asyncProperty(arb, async ([r, n, mode, how]) => {
        const f = r.fields.find((x) => x.kind === 'text');
        let text: string;
        if (mode === 'pad' || !f) {
          const json = rawJson(r.valid(w));
          text = `${json.slice(0, -1)}${' '.repeat(Math.max(0, n - byteLength(json)))}}`;
        } else {
          const base = JSON.stringify(setAt(r.valid(w), f.path, ''));
          text = JSON.stringify(setAt(r.valid(w), f.path, 'a'.repeat(Math.max(0, n - byteLength(base)))));
        }
        const bytes = byteLength(text);
        const c = sendBody(r, text, {
          ...(how === 'declared' ? { headers: { 'Content-Length': String(bytes) } } : {}),
          ...(how === 'streamed' ? { chunk: 8 * 1024 } : {}),
        });
        const where = `${r.name} ${mode} ${how} ${bytes} bytes`;
        const out = await run(r, c);
        if (bytes > MAX_BODY_BYTES) expect(out.res.status, `${where} -> ${JSON.stringify(out.res.body)}`).toBe(413);
        else if (mode === 'pad' || !f) expect2xx(out, where);
        else expect400(out, r, f.path, where);
      }),
      { numRuns: 40 },
    );
  }, TIMEOUT);
});


describe('random path ids', () => {
  const upper = (s: string) => s.toUpperCase();
  /** Path segments: UUIDs of any version, B's ids, numbers, junk, huge, percent-escapes (raw or encoded). */
  const idArb = () =>
    fc
      .oneof(
        fc.uuid(),
        fc.uuid().map(upper),
        fc.uuid({ version: 7 }),
        fc.constantFrom(...w.bIds, ...w.bIds.map(upper)),
        fc.string({ unit: 'binary', minLength: 1, maxLength: 40 }),
        fc.string({ minLength: 1, maxLength: 80 }),
        fc.integer({ min: -10, max: 100_000 }).map(String),
        fc.constantFrom('0', '-1', '1e3', '01', '1.0', '99999999999999999999', '9007199254740993', ' 1', '1 ', '0x1', '+1', 'NaN', 'null', '__proto__', 'constructor', 'Create', 'SEARCH'),
        fc.tuple(fc.uuid(), fc.constantFrom('0', 'x', ' ', '\u0000', '%00', '/')).map(([u, s]) => `${u}${s}`),
        fc.integer({ min: 1000, max: 8000 }).map((n) => 'a'.repeat(n)),
      )
      // Not ids but other routes' names (/api/customers/create, .../getCustomers, /api/rest/customers/search), and dot segments.
      .filter((id) => !['.', '..', 'create', 'getCustomers', 'search'].includes(id));
  const RAW_SAFE = /^[A-Za-z0-9._~%-]+$/;
  // Raw escapes as sent on the wire (%2e and %2e%2e are left out: URL parsing takes them for . and ..).
  const RAW = fc.constantFrom('%', '%zz', '%E0%A4%A', '%00', '%2F', '%ff', '%F0%9F%98%80', '%41');

  it('answers an id that names nothing of A exactly like a missing UUID (404, same code and message), on every route', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...ID_ROUTES), fc.oneof(idArb().map((id) => ({ id, raw: false })), RAW.map((id) => ({ id, raw: true }))), fc.boolean(), async (r, { id, raw }, bare) => {
        const segment = raw && RAW_SAFE.test(id) ? id : encodeURIComponent(id.toWellFormed());
        const body = r.body ? JSON.stringify(r.body) : undefined;
        const call = (seg: string) => printable({ method: r.method, path: `${r.prefix}${seg}`, body, bare: r.dialect === 'upwell' && bare });
        const missing = await send(w, call(r.dialect === 'ambiosys' ? '999999999' : MISSING), r.kind);
        expect(missing.res.status).toBe(404);
        const out = await send(w, call(segment), r.kind);
        const where = `${r.name} id=${JSON.stringify(id.slice(0, 100))}`;
        const own = r.own(w).map((x) => x.toLowerCase());
        // Other properties add customers to A as they run, so A's numbers are read now, not at setup.
        const numbered =
          r.dialect === 'ambiosys' &&
          /^[1-9]\d{0,14}$/.test(id) &&
          (await env.DB.prepare('SELECT 1 FROM customers WHERE workspace_id = ? AND number = ?').bind(w.A.workspaceId, Number(id)).first()) !== null;
        if ((own.includes(id.toLowerCase()) || numbered) && out.res.status < 300) {
          if (r.dialect === 'ambiosys') expect(out.res.body.cliente.customer_id, where).toBe(Number(id));
          return;
        }
        expect(out.res.status, `${where} -> ${JSON.stringify(out.res.body).slice(0, 300)}`).toBe(404);
        expect(out.error, where).toEqual(missing.error);
      }),
      { numRuns: 80 },
    );
  }, TIMEOUT);
});

describe('random query strings on every list route', () => {
  it('answers 200 with the list shape exactly when every parameter is known and valid, else 400 naming each bad one', async () => {
    const value = fc.oneof(
      nastyString(255).map((s) => s.slice(0, 2000)),
      fc.integer({ min: -5, max: 200_000 }).map(String),
      fc.constantFrom('company', 'individual', '0', '1', '25', '100', '101', '1e2', '00', '007', ' 5', '5 ', '', '-0', '0x10', '१२', '100000', '100001', '1000000'),
      fc.uuid(),
      fc.constant(null).map(() => w.bIds[0]!),
      fc.constant(null).map(() => w.B.marker),
      fc.constant(null).map(() => w.A.customer),
    );
    const allKeys = [...new Set(QUERY_ROUTES.flatMap((r) => Object.keys(r.params)))];
    const arb = fc.constantFrom(...QUERY_ROUTES).chain((r) => {
      const key = fc.oneof(
        { weight: 4, arbitrary: fc.constantFrom(...Object.keys(r.params)) },
        fc.constantFrom(...allKeys),
        fc.string({ maxLength: 10 }),
        fc.constantFrom('__proto__', 'constructor', 'toString', 'hasOwnProperty', 'LIMIT', 'limit[]', 'q '),
      );
      const query = fc.oneof(
        { weight: 4, arbitrary: fc.array(fc.tuple(key, value), { maxLength: 5 }).map((pairs) => new URLSearchParams(pairs).toString()) },
        fc.string({ unit: 'binary-ascii', maxLength: 40 }).map((s) => s.replace(/[#\s]/g, '')),
        fc.constantFrom('&&', '=', '=&=', 'limit', 'limit=', 'limit=5&limit=0', 'limit=0&limit=5', 'q=%zz', 'q=%00', 'q=%ff', 'limit=%35', 'page=1&page=x'),
      );
      return fc.tuple(fc.constant(r), query);
    });
    await fc.assert(
      fc.asyncProperty(arb, async ([r, query]) => {
        const path = `${r.path}?${query}`;
        const out = await send(w, printable({ method: 'GET', path }), r.kind);
        // The parameters as the Worker reads them: the last of a repeated key wins.
        const params = new Map<string, string>();
        for (const [k, v] of new URL(`https://api.test${path}`).searchParams) params.set(k, v);
        const bad: string[] = [];
        let either = false;
        for (const [k, v] of params) {
          const rule = Object.hasOwn(r.params, k) ? r.params[k]! : () => false;
          const verdict = rule(v);
          if (verdict === 'either') either = true;
          else if (!verdict) bad.push(k);
        }
        if (bad.length === 0 && !either && r.across?.(params) === 'either') either = true;
        const where = `${r.name} ?${query.slice(0, 200)} -> ${JSON.stringify(out.res.body).slice(0, 300)}`;
        if (bad.length === 0 && !either) {
          expect(out.res.status, where).toBe(200);
          return;
        }
        if (bad.length === 0 && out.res.status === 200) return;
        expect(out.res.status, where).toBe(400);
        for (const k of bad) expect(out.error!.paths, `${where}: should name ${JSON.stringify(k)}`).toContain(k);
      }),
      { numRuns: 150 },
    );
  }, TIMEOUT);
});
