/**
 * Objects clients get wrong (issue 4): `__proto__`, `constructor` and
 * `prototype` as real own keys, in strict objects and in free-form ones
 * (metadata, settings), and nesting up to 3000 levels deep in any field
 * (settings nest at most MAX_JSON_DEPTH levels).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { expect2xx, expect400, expectInvalidJson, run, sendBody, bodyRoute, TIMEOUT, useWorld, W, withRaw } from './bad-input';
import { BODY_ROUTES, type BodyRoute } from './body-routes';
import type { Field } from './fields';
import { canonicalJson, getAt, isPlainObject, rawJson } from './json';
import { MAX_JSON_DEPTH } from '../../src/model/values';

useWorld();

const route = (name: string) => BODY_ROUTES.find((r) => r.name === name)!;
const field = (name: string, path: string) => route(name).fields.find((f) => f.path.join('.') === path)!;

const PROTO_KEYS = ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', '__defineGetter__', 'valueOf'];
const UNSAFE_KEYS = ['__proto__', 'constructor', 'prototype'];
const protoValue = fc.oneof(
  fc.constantFrom('{"polluted":true}', '{"isAdmin":true,"polluted":"yes"}', '"x"', '1', 'null', '[]', '{}', '{"__proto__":{"polluted":1}}'),
  fc.jsonValue({ maxDepth: 2 }).map((v) => JSON.stringify(v)),
);

/** Objects of a route's body that refuse unknown keys, and free-form ones (metadata, settings) that take any. */
const strictContainers = (r: BodyRoute) => r.strict;
/** Free-form objects present in the route's valid body. */
const freeContainers = (r: BodyRoute) =>
  r.fields.filter((f) => (f.kind === 'record' || (f.kind === 'object' && f.out)) && isPlainObject(getAt(r.valid(W()), f.path)));

describe('__proto__, constructor and prototype as real own keys', () => {
  const strictCase = (routes: BodyRoute[]) =>
    fc.constantFrom(...routes).chain((r) => fc.tuple(fc.constant(r), fc.constantFrom(...strictContainers(r)), fc.constantFrom(...PROTO_KEYS), protoValue));

  async function strictProperty(routes: BodyRoute[]) {
    await fc.assert(
      fc.asyncProperty(strictCase(routes), async ([r, at, key, value]) => {
        const text = rawJson(r.valid(W()), at, [[key, value]]);
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

  it('never silently drops them from free-form objects (metadata, settings): __proto__, constructor and prototype are a 400 naming the object, other keys are stored exactly as sent', async () => {
    const arb = fc
      .constantFrom(...BODY_ROUTES.filter((r) => freeContainers(r).length > 0))
      .chain((r) => fc.tuple(fc.constant(r), fc.constantFrom(...freeContainers(r)), fc.constantFrom(...PROTO_KEYS), protoValue));
    await fc.assert(
      fc.asyncProperty(arb, async ([r, field, key, value]) => {
        const text = rawJson(r.valid(W()), field.path, [[key, value]]);
        const where = `${r.name} ${[...field.path, key].join('.')}=${value}`;
        const out = await run(r, sendBody(r, text));
        const sent = getAt(JSON.parse(text), field.path) as Record<string, unknown>;
        // Valibot's record() would drop these keys: they are refused rather than stored as something less than was sent.
        const dropped = UNSAFE_KEYS.includes(key);
        // Metadata values must be strings of at most 500 characters, whatever the key.
        const validMetadata = field.kind !== 'record' || Object.values(sent).every((x) => typeof x === 'string' && [...x].length <= 500);
        if (dropped || !validMetadata) return expect400(out, r, field.path, where);
        // Accepted: stored as sent, the key included (not silently dropped).
        expect2xx(out, where);
        expect(canonicalJson(getAt(out.res.body, field.out!)), `${where}: stored something else than was sent`).toBe(canonicalJson(sent));
      }),
      {
        numRuns: 40,
        // Each outcome at least once: a refused key, a metadata value that is no string, a key stored as sent.
        examples: [
          [[route('POST /api/customers'), field('POST /api/customers', 'metadata'), '__proto__', '"x"']],
          [[route('POST /api/customers'), field('POST /api/customers', 'metadata'), 'toString', '1']],
          [[route('POST /api/customers'), field('POST /api/customers', 'metadata'), 'valueOf', '"x"']],
          [[route('POST /api/rest/customers'), field('POST /api/rest/customers', 'input.customerEmailSettings'), 'constructor', '{}']],
          [[route('POST /api/rest/customers'), field('POST /api/rest/customers', 'input.customerEmailSettings'), 'hasOwnProperty', '{"polluted":true}']],
        ],
      },
    );
  }, TIMEOUT);
});

describe('deep nesting', () => {
  it('answers deeply nested arrays and objects (up to 3000 levels) in any field without a 5xx', async () => {
    const depth = fc.oneof(fc.integer({ min: 1, max: 8 }), fc.integer({ min: 14, max: 36 }), fc.integer({ min: 900, max: 1100 }), fc.integer({ min: 1, max: 3000 }));
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
        const text = target === 'body' ? deep : target === 'extra' ? rawJson(r.valid(W()), [], [['deep', deep]]) : withRaw(r, target.path, [deep]);
        const c = sendBody(r, text);
        const where = `${r.name} ${target === 'body' || target === 'extra' ? target : target.path.join('.')} ${s}x${d}`;
        const out = await run(r, c);
        if (target === 'body') {
          if (s === 'array') return expectInvalidJson(out, r, where);
          // {"a": ...}, {"_not": ...}: unknown fields of the body.
          return expect400(out, r, undefined, where);
        }
        if (target === 'extra') return expect400(out, r, ['deep'], where);
        // Opaque settings take any object nested at most MAX_JSON_DEPTH levels and store it as sent; deeper is a 400 naming the field.
        if (target.kind === 'object' && target.out && s !== 'array') {
          const levels = s === 'object' ? d : s === 'not' ? d + 1 : 2 * d + 1;
          if (levels > MAX_JSON_DEPTH) return expect400(out, r, target.path, where);
          expect2xx(out, where);
          // (JSON.stringify: canonicalJson would recurse 3000 levels; these objects have one key each.)
          expect(JSON.stringify(getAt(out.res.body, target.out)), where).toBe(JSON.stringify(JSON.parse(deep)));
          return;
        }
        // A where of at most 5 levels is a valid search; `[]` is a valid (empty) list, and an empty orderBy.
        const search = target.kind === 'where' && (s === 'not' || s === 'and') && d <= 4;
        const emptyList = (target.kind === 'array' || target.kind === 'orderBy') && s === 'array' && d === 1 && !(target.min && target.min > 0);
        if (search || emptyList) return expect2xx(out, where);
        // Anything else (an orderBy item that is an array included) is a 400 naming the field.
        expect400(out, r, target.path, where);
      }),
      {
        numRuns: 80,
        // An empty orderBy is no order; an orderBy item that is an array is refused.
        examples: [
          [[route('POST /api/rest/customers/search'), field('POST /api/rest/customers/search', 'orderBy'), 1, 'array']],
          [[route('POST /api/rest/customers/search'), field('POST /api/rest/customers/search', 'orderBy'), 2, 'array']],
          // The settings' depth limit, on both sides.
          [[route('PATCH /api/customers/:id'), field('PATCH /api/customers/:id', 'email_settings'), MAX_JSON_DEPTH, 'object']],
          [[route('PATCH /api/customers/:id'), field('PATCH /api/customers/:id', 'email_settings'), MAX_JSON_DEPTH + 1, 'object']],
          [[route('PATCH /api/customers/:id'), field('PATCH /api/customers/:id', 'email_settings'), 3000, 'and']],
        ],
      },
    );
  }, TIMEOUT);
});
