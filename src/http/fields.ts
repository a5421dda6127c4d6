/** Valibot building blocks shared by every resource's schemas. */
import * as v from 'valibot';
import { COUNTRY_CODES } from '../lib/countries';
import { UUID_PATTERN } from '../lib/ids';
import { codePoints } from '../lib/text';

/** At most `max` characters, counted as Unicode code points (an emoji is one, not two UTF-16 units). */
export const maxChars = (max: number, message = `Must be at most ${max} characters`) =>
  v.check<string, string>((value) => value.length <= max || codePoints(value) <= max, message);

/** A trimmed string of 1..max characters. */
export const text = (max = 255) =>
  v.pipe(v.string('Expected a string'), v.trim(), v.minLength(1, 'Must not be empty'), maxChars(max));

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

const ISO_TIMESTAMP =
  /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:Z| ?([+-])(\d{2})(?::?(\d{2}))?)$/;

/** Epoch milliseconds of a UTC calendar time; unlike Date.UTC, years 0-99 are themselves, not 1900-1999. */
function utc(year: number, month: number, day: number, hours: number, minutes: number, seconds: number, ms: number): number {
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hours, minutes, seconds, ms);
  return date.getTime();
}

/** 0000-01-01T00:00:00.000Z and 9999-12-31T23:59:59.999Z: the instants with a four-digit year in UTC. */
export const MIN_INSTANT = utc(0, 1, 1, 0, 0, 0, 0);
export const MAX_INSTANT = utc(9999, 12, 31, 23, 59, 59, 999);
const RANGE = '0000-01-01T00:00:00Z to 9999-12-31T23:59:59.999Z in UTC';

/**
 * Epoch milliseconds of an ISO 8601 timestamp (e.g. 2026-01-15T10:30:00Z or
 * 2026-01-15T11:30:00+01:00; fractions past the millisecond are cut), or a
 * reason it is not one: no such calendar date, or outside the range once in
 * UTC, where its year would not have four digits any more.
 */
export function parseInstant(value: string): number | string {
  const m = ISO_TIMESTAMP.exec(value);
  if (!m) return 'Must be an ISO 8601 timestamp, e.g. 2026-01-15T10:30:00Z';
  const [year, month, day, hours, minutes, seconds] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  const ms = Number((m[7] ?? '').padEnd(3, '0').slice(0, 3));
  if (month < 1 || month > 12 || hours > 23 || minutes > 59 || seconds > 59) return 'Must be an ISO 8601 timestamp, e.g. 2026-01-15T10:30:00Z';
  const local = utc(year, month, day, hours, minutes, seconds, ms);
  if (new Date(local).getUTCDate() !== day) return 'Must be a real date (no 30 February), e.g. 2026-01-15T10:30:00Z';
  const offset = m[8] ? (m[8] === '-' ? -1 : 1) * (Number(m[9]) * 60 + Number(m[10] ?? 0)) * 60_000 : 0;
  if (m[8] && (Number(m[9]) > 23 || Number(m[10] ?? 0) > 59)) return 'Must have a UTC offset from -23:59 to +23:59';
  const instant = local - offset;
  if (instant < MIN_INSTANT || instant > MAX_INSTANT) return `Must be from ${RANGE}`;
  return instant;
}

/** An ISO 8601 timestamp string naming a real instant in the API's range, kept as the string. */
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

/** Free-form key/value annotations, bounded like Stripe's metadata. */
export const metadata = v.pipe(
  recordObject,
  v.record(
    v.pipe(v.string(), v.minLength(1, 'Keys must not be empty'), maxChars(40, 'Keys are at most 40 characters')),
    v.pipe(v.string('Values must be strings'), maxChars(500, 'Values are at most 500 characters')),
    'Expected an object of string values',
  ),
  v.check((value) => Object.keys(value).length <= 50, 'At most 50 keys'),
);

/** An opaque JSON object kept as sent (settings other systems attach to a customer). */
export const jsonObject = v.pipe(recordObject, v.record(v.string(), v.unknown()));
