/**
 * Generated values: strings clients get wrong (empty, blank, huge, Unicode
 * edges, injection) and, for any body field, values of a wrong JSON type.
 */
import fc from 'fast-check';
import type { Field } from './fields';
import type { Json } from './json';

/** Strings clients get wrong: NUL, lone surrogates, bidi controls, emoji, combining marks, odd spaces, injection. */
export const nastyChar = fc.constantFrom(
  '\u0000',
  '\ud800',
  '\udfff',
  '\udbff',
  '\u200f',
  '\u200e',
  '\u202e',
  '\u2066',
  '\u061c',
  '😀',
  '👩‍👩‍👧‍👦',
  '🏳️‍🌈',
  'e\u0301',
  '\u0301',
  '\u0338',
  '\ufeff',
  '\u2028',
  '\u00a0',
  '\u3000',
  '\t',
  '\n',
  ' ',
  'İ',
  'ß',
  'ﬀ',
  'Ω',
  '\uffff',
  '\ufffe',
  '\u{10ffff}',
  '\\',
  '"',
  "'",
  '%',
  '_',
  '*',
  '?',
  '[',
  '<script>',
  "'; DROP TABLE customers;--",
  'x',
);

/** Empty, blank, huge (up to ~70 KB) and Unicode-edge strings, with lengths around the limits. */
export const nastyString = (max = 255): fc.Arbitrary<string> =>
  fc.oneof(
    fc.constantFrom('', ' ', '\t\n', '\u00a0\ufeff'),
    fc.array(nastyChar, { maxLength: 12 }).map((a) => a.join('')),
    fc.string({ unit: 'binary', maxLength: 40 }),
    fc.string({ unit: 'grapheme', maxLength: 40 }),
    fc.tuple(fc.constantFrom('a', 'é', '😀', '\u0000', ' ', 'e\u0301'), fc.integer({ min: max - 2, max: max + 2 })).map(([c, n]) => c.repeat(n)),
    fc.tuple(fc.constantFrom('a', '😀', '\ud800', ' '), fc.integer({ min: 256, max: 70_000 })).map(([c, n]) => c.repeat(n)),
    fc.tuple(fc.constantFrom(' ', '\u00a0', '\n'), fc.array(nastyChar, { minLength: 1, maxLength: 5 })).map(([pad, a]) => `${pad}${a.join('')}${pad}`),
  );

const smallJson = fc.jsonValue({ maxDepth: 2 }) as fc.Arbitrary<Json>;
const smallArray = fc.array(smallJson, { maxLength: 3 });
const smallObject = fc.dictionary(fc.string({ maxLength: 8 }), smallJson, { maxKeys: 3 }) as fc.Arbitrary<Record<string, Json>>;
const finiteNumber = fc.oneof(fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }));

/** Values of a wrong JSON type for `field` (never a value it accepts). */
export function wrongValue(field: Field): fc.Arbitrary<Json> {
  const choices: fc.Arbitrary<Json>[] = [];
  const notNull = field.nullable ? [] : [fc.constant(null)];
  switch (field.kind) {
    case 'text':
    case 'string':
      choices.push(finiteNumber, fc.boolean(), smallArray, smallObject, ...notNull);
      break;
    case 'boolean':
      choices.push(fc.string(), finiteNumber, smallArray, smallObject, ...notNull);
      break;
    case 'array':
      choices.push(fc.string(), finiteNumber, fc.boolean(), smallObject, ...notNull);
      break;
    case 'object':
    case 'record':
      choices.push(fc.string(), finiteNumber, fc.boolean(), smallArray, ...notNull);
      break;
    case 'integer':
      choices.push(
        fc.string(),
        fc.boolean(),
        smallArray,
        smallObject,
        fc.double({ noNaN: true, noDefaultInfinity: true }).filter((n) => !Number.isInteger(n)),
        fc.integer({ min: (field.max ?? 0) + 1 }),
        fc.integer({ max: (field.min ?? 0) - 1 }),
        ...notNull,
      );
      break;
    case 'never':
      choices.push(smallJson, fc.uuid());
      break;
    case 'where':
      choices.push(fc.string(), finiteNumber, fc.boolean(), smallArray, fc.constant(null));
      break;
    case 'orderBy':
      choices.push(fc.string(), finiteNumber, fc.boolean(), fc.constant(null));
      break;
  }
  return fc.oneof(...choices);
}
