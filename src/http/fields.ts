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

export const object = <E extends v.ObjectEntries>(entries: E) => v.strictObject(entries, 'Expected a JSON object');

export const externalIds = {
  id_crm: nullable(text()),
  id_erp: nullable(text()),
  id_accounting: nullable(text()),
};


/** A field that is set on create and may never be sent again (e.g. a contact's customer_id). */
export const immutable = (field: string) =>
  v.optional(v.never(`${field} cannot be changed after creation`));
