/**
 * Valibot schemas -> JSON Schema (2020-12), for the OpenAPI document
 * (src/contract/document.ts). @valibot/to-json-schema converts the structure
 * (objects, arrays, picklists, optional/nullable/default, lengths, ranges);
 * what it cannot see into (checks, transforms, regex flags) is given here,
 * explicitly, from the same pipes, so the document says what the runtime
 * enforces. An action or schema it cannot convert and nothing here explains
 * stops the generation: a new check must be described before it ships.
 *
 * Not part of the Worker: only the generator (scripts/openapi.ts) and the
 * tests import this folder.
 */
import { toJsonSchema, type ConversionConfig, type JsonSchema } from '@valibot/to-json-schema';
import type * as v from 'valibot';
import { COUNTRY_CODES } from '../lib/countries';
import { CURRENCY_CODES } from '../lib/currencies';
import { UUID_PATTERN } from '../lib/ids';
import * as values from '../model/values';

type AnySchema = v.GenericSchema & { pipe?: readonly Action[]; wrapped?: AnySchema; default?: unknown };
type Action = { kind: string; type: string; requirement?: unknown; message?: unknown; operation?: unknown; expects?: unknown };

/** `^[0-9a-f]...$/i` without the flag (JSON Schema patterns have none). */
export const UUID_JSON_PATTERN = '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$';
if (UUID_PATTERN.source !== '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' || UUID_PATTERN.flags !== 'i') {
  throw new Error('UUID_PATTERN changed: update UUID_JSON_PATTERN');
}

export const TIMESTAMP: JsonSchema = {
  type: 'string',
  format: 'date-time',
  description:
    'ISO 8601 with `Z` or an offset (`+01:00`, `+0100`, `+01`; a space for the `T` works too), from 0000-01-01T00:00:00Z to 9999-12-31T23:59:59.999Z once in UTC. Returned as UTC with milliseconds.',
};

/**
 * The keys record() would drop are refused by a check before the record (src/model/values.ts, recordObject),
 * which output mode starts after: restated on the checks that end metadata and settings objects.
 */
const SAFE_KEYS: JsonSchema = { not: { enum: ['__proto__', 'constructor', 'prototype'] } };

/** Which checks say what, by their message (each message is made from the very bound the check tests). */
function checkSchema(action: Action, current: JsonSchema): JsonSchema | undefined {
  const message = String(action.message ?? '');
  const chars = /at most (\d+) characters/i.exec(message);
  if (chars) return { ...current, maxLength: Number(chars[1]) };
  if (message === 'Must be an http(s) URL') return { ...current, pattern: '^[Hh][Tt][Tt][Pp][Ss]?://' };
  if (message === 'At most 50 keys') return { ...current, maxProperties: 50, propertyNames: { ...(current.propertyNames as JsonSchema), ...SAFE_KEYS } };
  if (message.startsWith('Objects and arrays nest at most')) return { ...current, propertyNames: SAFE_KEYS, description: message };
  // Cursors are opaque; rules between parameters of one query or body are stated, not expressible per field.
  const said = /next_cursor|Export-Cursor/.test(message) ? `${message} (opaque).` : message;
  return { ...current, ...(said ? { description: [current.description, said].filter(Boolean).join('; ') } : {}) };
}

/** Actions recognised by identity: the shared value schemas' own steps (src/model/values.ts). */
const INSTANT_CHECK = values.instant.pipe[1];
const TIMESTAMP_TRANSFORM = values.timestamp.pipe[1];
const COUNTRY_CHECK = values.country.pipe.at(-1);
const CURRENCY_CHECK = values.currency.pipe.at(-1);
export const CURRENCY_SCHEMA: JsonSchema = {
  type: 'string',
  enum: [...CURRENCY_CODES].sort(),
  description: 'ISO 4217 code of a currency in circulation; lower case is accepted and stored upper case.',
};
export const COUNTRY_SCHEMA: JsonSchema = {
  type: 'string',
  enum: [...COUNTRY_CODES].sort(),
  description: 'ISO 3166-1 alpha-2, one of the assigned codes; lower case is accepted and stored upper case.',
};

function overrideAction({ valibotAction, jsonSchema }: { valibotAction: unknown; jsonSchema: JsonSchema }): JsonSchema | undefined {
  const action = valibotAction as Action;
  // Shared components of the document (src/contract/objects.ts), not repeated at every use.
  if (action === INSTANT_CHECK || action === TIMESTAMP_TRANSFORM) return { $ref: '#/components/schemas/Timestamp' };
  if (action === COUNTRY_CHECK) return { $ref: '#/components/schemas/Country' };
  if (action === CURRENCY_CHECK) return { $ref: '#/components/schemas/Currency' };
  switch (action.type) {
    case 'check':
    case 'raw_check':
      return checkSchema(action, jsonSchema);
    case 'regex': {
      const regex = action.requirement as RegExp;
      if (!regex.flags) return undefined;
      if (regex.source === UUID_PATTERN.source && regex.flags === 'i') return { ...jsonSchema, pattern: UUID_JSON_PATTERN };
      throw new Error(`regex ${regex} has flags: give it an explicit override`);
    }
    case 'transform': {
      // Digits in a query string read as a number: an integer parameter, within the digits' range until the range actions narrow it.
      if (action.operation === Number) {
        const digits = /^\^\\d\{1,(\d+)\}\$$/.exec(jsonSchema.pattern ?? '');
        if (!digits) throw new Error(`numeric query parameter with an unexpected pattern: ${jsonSchema.pattern}`);
        return { type: 'integer', minimum: 0, maximum: 10 ** Number(digits[1]) - 1, ...(jsonSchema.description ? { description: jsonSchema.description } : {}) };
      }
      // Other transforms (de-duplicating a list, blank text as absent, Hasura's {data: [...]} unwrapped) change the
      // value after it is accepted: the document describes what a client sends, so the schema before them stands.
      return jsonSchema;
    }
    case 'max_length':
      // An unbounded list is written maxLength(Infinity).
      return action.requirement === Infinity ? jsonSchema : undefined;
    case 'trim':
    case 'to_lower_case':
    case 'to_upper_case':
      // They shape the value, not what is accepted (beyond the checks after them).
      return jsonSchema;
  }
  return undefined;
}

/** An optional numeric query parameter's default is a string, as a query is: shown as the integer it becomes. */
function overrideSchema({ valibotSchema, jsonSchema }: { valibotSchema: unknown; jsonSchema: JsonSchema }): JsonSchema | undefined {
  const schema = valibotSchema as AnySchema;
  if (schema.type === 'optional' && jsonSchema.type === 'integer' && typeof jsonSchema.default === 'string') return { ...jsonSchema, default: Number(jsonSchema.default) };
  return undefined;
}

const CONFIG: ConversionConfig = {
  target: 'draft-2020-12',
  typeMode: 'output',
  errorMode: 'throw',
  overrideSchema: overrideSchema as ConversionConfig['overrideSchema'],
  overrideAction: overrideAction as ConversionConfig['overrideAction'],
};

/**
 * A property that may never be sent (an immutable field in an update body, Valibot's `never`) converts to
 * `{not: {}}`, which generated clients type as `unknown`: left out instead, where `additionalProperties:
 * false` refuses it all the same, and named in the object's description.
 */
function withoutForbidden(json: JsonSchema): JsonSchema {
  if (Array.isArray(json)) return json.map((item) => withoutForbidden(item as JsonSchema)) as unknown as JsonSchema;
  if (typeof json !== 'object' || json === null) return json;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(json)) out[key] = typeof value === 'object' && value !== null ? withoutForbidden(value as JsonSchema) : value;
  const properties = out.properties as Record<string, JsonSchema> | undefined;
  if (!properties || out.additionalProperties !== false) return out as JsonSchema;
  const forbidden = Object.keys(properties).filter((name) => JSON.stringify(properties[name]) === '{"not":{}}');
  if (forbidden.length === 0) return out as JsonSchema;
  for (const name of forbidden) delete properties[name];
  out.required = (out.required as string[] | undefined)?.filter((name) => !forbidden.includes(name));
  out.description = [out.description, `Cannot be sent here (set on create only): ${forbidden.join(', ')}.`].filter(Boolean).join(' ');
  return out as JsonSchema;
}

/** The JSON Schema of a Valibot schema, without the `$schema` key (the document declares the dialect once). */
export function toJson(schema: v.GenericSchema): JsonSchema {
  const { $schema: _, ...json } = toJsonSchema(schema, CONFIG);
  return withoutForbidden(json);
}
