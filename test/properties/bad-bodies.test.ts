/**
 * Bad bodies on every route that takes one (issue 4, "Bad input: prove it"):
 * malformed and random JSON, a wrong JSON type in each field, each required
 * field left out, number tokens out of range, duplicate keys. Every case goes
 * through send() (./send.ts), which asserts what holds for any input; each
 * property states the one answer its input calls for. The fields are derived
 * from the declarations (./fields.ts, ./body-routes.ts).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { wrongValue } from './arbitraries';
import { bodyRoute, checkText, expect2xx, expect400, expectInvalidJson, run, sendBody, textFields, textRoute, TIMEOUT, useWorld, W, withRaw } from './bad-input';
import { BODY_ROUTES } from './body-routes';
import { getAt, isPlainObject, parseLikeWorker, rawJson, setAt, type Json } from './json';

useWorld();

describe('malformed and random JSON bodies, on every route that takes one', () => {
  it('answers 400 invalid_json to anything that is not a JSON object, and never a 5xx to any text', async () => {
    const arb = bodyRoute.chain((r) => {
      const valid = rawJson(r.valid(W()));
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
        const c = sendBody(r, JSON.stringify(setAt(r.valid(W()), f.path, value)));
        expect400(await run(r, c), r, f.path, `${r.name} ${f.path.join('.')}=${JSON.stringify(value)}`);
      }),
      { numRuns: 150 },
    );
  }, TIMEOUT);
});

describe('required fields left out, on every body', () => {
  it('answers 400 naming each required field the body lacks, and writes nothing', async () => {
    const arb = fc
      .constantFrom(...BODY_ROUTES.filter((r) => r.fields.some((f) => f.required)))
      .chain((r) => fc.tuple(fc.constant(r), fc.constantFrom(...r.fields.filter((f) => f.required))));
    await fc.assert(
      fc.asyncProperty(arb, async ([r, f]) => {
        const c = sendBody(r, JSON.stringify(setAt(r.valid(W()), f.path, undefined)));
        expect400(await run(r, c), r, f.path, `${r.name} without ${f.path.join('.')}`);
      }),
      { numRuns: 60 },
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
