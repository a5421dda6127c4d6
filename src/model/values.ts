/**
 * Valibot schemas of single values, shared by every declaration
 * (src/model/fields.ts). Each one's output is the value as stored.
 */
import * as v from 'valibot';
import { COUNTRY_CODES } from '../lib/countries';
import { CURRENCY_CODES } from '../lib/currencies';
import { UUID_PATTERN } from '../lib/ids';
import { codePoints } from '../lib/text';
import { parseInstant } from '../lib/time';

/** At most `max` characters, counted as Unicode code points (an emoji is one, not two UTF-16 units). */
export const maxChars = (max: number, message = `Must be at most ${max} characters`) =>
  v.check<string, string>((value) => value.length <= max || codePoints(value) <= max, message);

/** A trimmed string of 1..max characters. */
export const text = (max = 255) => v.pipe(v.string('Expected a string'), v.trim(), v.minLength(1, 'Must not be empty'), maxChars(max));

export const uuid = v.pipe(v.string('Expected a UUID string'), v.regex(UUID_PATTERN, 'Must be a UUID'), v.toLowerCase());

export const email = v.pipe(text(254), v.email('Must be a valid e-mail address'));

export const httpUrl = v.pipe(
  text(2048),
  v.url('Must be a URL'),
  v.check((url) => /^https?:\/\//i.test(url), 'Must be an http(s) URL'),
);

export const country = v.pipe(
  v.string('Expected an ISO 3166-1 alpha-2 country code'),
  v.trim(),
  v.toUpperCase(),
  v.check((code) => COUNTRY_CODES.has(code), 'Must be an ISO 3166-1 alpha-2 country code'),
);

export const currency = v.pipe(
  v.string('Expected an ISO 4217 currency code'),
  v.trim(),
  v.toUpperCase(),
  v.check((code) => CURRENCY_CODES.has(code), 'Must be an ISO 4217 currency code'),
);

/** The canonical form of a BCP 47 language tag, or undefined if it is not one. */
function canonicalLocale(tag: string): string | undefined {
  try {
    return Intl.getCanonicalLocales(tag)[0];
  } catch {
    return undefined;
  }
}

/** A BCP 47 language tag, stored in its canonical form (`EN-us` -> `en-US`). */
export const locale = v.pipe(
  v.string('Expected a BCP 47 language tag'),
  v.trim(),
  maxChars(64),
  v.check((tag) => canonicalLocale(tag) !== undefined, 'Must be a BCP 47 tag'),
  v.transform((tag) => canonicalLocale(tag)!),
);

/** An IANA time zone name as the runtime's tz database spells it, or undefined (offsets like +01:00 are not zones). */
function canonicalZone(zone: string): string | undefined {
  if (!/^[A-Za-z]/.test(zone)) return undefined;
  try {
    return new Intl.DateTimeFormat('en-US', { timeZone: zone }).resolvedOptions().timeZone;
  } catch {
    return undefined;
  }
}

/** An IANA time zone, stored as the tz database spells it (`europe/paris` -> `Europe/Paris`). */
export const timezone = v.pipe(
  v.string('Expected an IANA time zone name'),
  v.trim(),
  maxChars(64),
  v.check((zone) => canonicalZone(zone) !== undefined, 'Must be an IANA time zone'),
  v.transform((zone) => canonicalZone(zone)!),
);

export const oneOf = <const T extends readonly [string, ...string[]]>(values: T) => v.picklist(values, `Must be one of: ${values.join(', ')}`);

export const integer = (min: number, max: number) =>
  v.pipe(v.number('Expected an integer'), v.integer('Expected an integer'), v.minValue(min), v.maxValue(max));

/** Valibot's object and record schemas take an array for an object: refuse it first. */
const plainObject = v.custom<Record<string, unknown>>(
  (value) => typeof value === 'object' && value !== null && !Array.isArray(value),
  'Expected a JSON object',
);

/** Keys Valibot's record() silently drops. */
const UNSAFE_KEYS = ['__proto__', 'constructor', 'prototype'];

/** An object for record(): refuse the keys it would drop rather than store less than was sent. */
const recordObject = v.pipe(
  plainObject,
  v.check((value) => !UNSAFE_KEYS.some((key) => Object.hasOwn(value, key)), 'Keys named __proto__, constructor or prototype are not allowed'),
);

/** A JSON object with exactly these fields (Valibot alone would take an array for an object). */
export const object = <E extends v.ObjectEntries>(entries: E) => v.pipe(plainObject, v.strictObject(entries, 'Expected a JSON object'));

/** A field that is set on create and may never be sent again (e.g. a contact's customer_id). */
export const immutable = (field: string) => v.optional(v.never(`${field} cannot be changed after creation`));

/** An ISO 8601 timestamp string naming a real instant in the API's range (src/lib/time.ts), kept as the string. */
export const instant = v.pipe(
  v.string('Expected an ISO 8601 timestamp'),
  v.rawCheck(({ dataset, addIssue }) => {
    if (!dataset.typed) return;
    const parsed = parseInstant(dataset.value);
    if (typeof parsed === 'string') addIssue({ message: parsed });
  }),
);

/** An ISO 8601 timestamp, stored as epoch milliseconds. */
export const timestamp = v.pipe(
  instant,
  v.transform((value) => parseInstant(value) as number),
);

export const metadataKey = v.pipe(v.string(), v.minLength(1, 'Keys must not be empty'), maxChars(40, 'Keys are at most 40 characters'));
export const metadataValue = v.pipe(v.string('Values must be strings'), maxChars(500, 'Values are at most 500 characters'));

/** Free-form key/value annotations, bounded like Stripe's metadata. */
export const metadata = v.pipe(
  recordObject,
  v.record(
    metadataKey,
    metadataValue,
    'Expected an object of string values',
  ),
  v.check((value) => Object.keys(value).length <= 50, 'At most 50 keys'),
);

export const MAX_JSON_DEPTH = 32;

/** Whether objects and arrays nest at most `max` levels; without recursion, so any input is safe to check. */
function nestsWithin(value: unknown, max: number): boolean {
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length > 0) {
    const [item, depth] = stack.pop()!;
    if (item === null || typeof item !== 'object') continue;
    if (depth > max) return false;
    for (const child of Object.values(item)) if (child !== null && typeof child === 'object') stack.push([child, depth + 1]);
  }
  return true;
}

/**
 * An opaque JSON object kept as sent (settings other systems attach to a
 * customer), nested at most 32 levels: deeper, and serialising it again could
 * exhaust the stack of every request that reads it.
 */
export const jsonObject = v.pipe(
  recordObject,
  v.record(v.string(), v.unknown()),
  v.check((value) => nestsWithin(value, MAX_JSON_DEPTH), `Objects and arrays nest at most ${MAX_JSON_DEPTH} levels`),
);

/** An array of `item`, at most `max` long. */
export const list = <S extends v.GenericSchema>(item: S, max: number | undefined, what: string) =>
  v.pipe(v.array(item, `Expected an array of ${what}`), v.maxLength(max ?? Infinity, `At most ${max} items`));
