/** Valibot building blocks shared by every resource's schemas. */
import * as v from 'valibot';
import { COUNTRY_CODES } from '../lib/countries';
import { UUID_PATTERN } from '../lib/ids';

/** A trimmed string of 1..max characters. */
export const text = (max = 255) =>
  v.pipe(
    v.string('Expected a string'),
    v.trim(),
    v.minLength(1, 'Must not be empty'),
    v.maxLength(max, `Must be at most ${max} characters`),
  );

/** Optional on create and update; `null` clears it. */
export const nullable = <S extends v.GenericSchema>(schema: S) => v.optional(v.nullable(schema));

export const uuid = v.pipe(
  v.string('Expected a UUID string'),
  v.regex(UUID_PATTERN, 'Must be a UUID'),
  v.toLowerCase(),
);

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

export const oneOf = <const T extends readonly [string, ...string[]]>(values: T) =>
  v.picklist(values, `Must be one of: ${values.join(', ')}`);

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
  v.check(
    (value) => !UNSAFE_KEYS.some((key) => Object.hasOwn(value, key)),
    'Keys named __proto__, constructor or prototype are not allowed',
  ),
);

/** A JSON object with exactly these fields (Valibot alone would take an array for an object). */
export const object = <E extends v.ObjectEntries>(entries: E) =>
  v.pipe(plainObject, v.strictObject(entries, 'Expected a JSON object'));

export const externalIds = {
  id_crm: nullable(text()),
  id_erp: nullable(text()),
  id_accounting: nullable(text()),
};

/** A field that is set on create and may never be sent again (e.g. a contact's customer_id). */
export const immutable = (field: string) =>
  v.optional(v.never(`${field} cannot be changed after creation`));

/** An ISO 8601 timestamp string, e.g. 2026-01-15T10:30:00Z. */
export const isoTimestamp = v.pipe(
  v.string('Expected an ISO 8601 timestamp'),
  v.isoTimestamp('Must be an ISO 8601 timestamp, e.g. 2026-01-15T10:30:00Z'),
);

/** The calendar date in the string exists (no 30 February) and the whole parses. */
function realInstant(value: string): boolean {
  // A string that is no timestamp at all is isoTimestamp's to report, once.
  if (!v.ISO_TIMESTAMP_REGEX.test(value)) return true;
  const [y, m, d] = value.slice(0, 10).split('-').map(Number) as [number, number, number];
  const day = new Date(Date.UTC(y, m - 1, d));
  return !Number.isNaN(Date.parse(value)) && day.getUTCFullYear() === y && day.getUTCMonth() === m - 1 && day.getUTCDate() === d;
}

/** An ISO 8601 timestamp naming a real instant, kept as the string. */
export const instant = v.pipe(
  isoTimestamp,
  v.check(realInstant, 'Must be a real instant, e.g. 2026-01-15T10:30:00Z or 2026-01-15T11:30:00+01:00'),
);

/** An ISO 8601 timestamp, stored as epoch milliseconds. */
export const timestamp = v.pipe(
  instant,
  v.transform((value) => Date.parse(value)),
);

/** Free-form key/value annotations, bounded like Stripe's metadata. */
export const metadata = v.pipe(
  recordObject,
  v.record(
    v.pipe(v.string(), v.minLength(1, 'Keys must not be empty'), v.maxLength(40, 'Keys are at most 40 characters')),
    v.pipe(v.string('Values must be strings'), v.maxLength(500, 'Values are at most 500 characters')),
    'Expected an object of string values',
  ),
  v.check((value) => Object.keys(value).length <= 50, 'At most 50 keys'),
);

/** An opaque JSON object kept as sent (settings other systems attach to a customer). */
export const jsonObject = v.pipe(recordObject, v.record(v.string(), v.unknown()));
