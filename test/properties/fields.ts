/**
 * The fields of every request body, derived from the declarations the API
 * itself is built from (src/model/fields.ts): each resource's `specs`
 * (src/customers/fields.ts, ...), AmbioSys's create shape and Upwell's names
 * (src/compat/upwell/mapping.ts) and body schemas (src/compat/upwell/schemas.ts).
 * A field added to a declaration is generated here without a test edit; a
 * key of an Upwell body this module does not know fails loudly.
 */
import * as v from 'valibot';
import type { FieldSpec, Kind } from '../../src/model/fields';
import type { Body, Json, Path } from './json';

/**
 * What a body field takes, for generating values. `text`: a string trimmed to
 * 1..max code points (or, with emptyIsAbsent, 0..max); `string`: any other
 * string rule (email, url, uuid, enum, timestamp, country); `record`: a
 * metadata object (string values); `object`: a JSON object (strict, or opaque
 * settings when echoed); `never`: any value is refused (read-only, or
 * immutable on update); `where`/`orderBy`: Upwell search expressions.
 */
export type FieldKind = 'text' | 'string' | 'boolean' | 'array' | 'object' | 'record' | 'integer' | 'never' | 'where' | 'orderBy';

export interface Field {
  path: Path;
  kind: FieldKind;
  nullable?: boolean;
  /** Must be sent (a body without it is a 400 naming it). */
  required?: boolean;
  /** text: maximum length; integer: range; array: least items (an empty array is refused under it). */
  max?: number;
  min?: number;
  /** Text that is blank after trimming counts as absent (echoed as null). */
  emptyIsAbsent?: boolean;
  /** Where the stored value is echoed in the success body, when it is. */
  out?: Path;
  /** An object that refuses unknown keys. */
  strict?: boolean;
}

type Flags = Pick<Field, 'nullable' | 'required' | 'emptyIsAbsent'>;

/** The fields of a value of `kind` at `path` (the value itself, then its items or members), echoed at `out`. */
export function fieldsOfKind(kind: Kind, path: Path, out: Path | undefined, flags: Flags = {}): Field[] {
  const at = (key: string | number) => (out ? [...out, key] : undefined);
  switch (kind.type) {
    case 'text':
      return [{ path, kind: 'text', max: kind.max, out, ...flags }];
    case 'integer':
      return [{ path, kind: 'integer', min: kind.min, max: kind.max, out, ...flags }];
    case 'metadata':
      // Its values are strings: the key the sample holds (sample()) is one.
      return [{ path, kind: 'record', out, ...flags }, { path: [...path, 'tag'], kind: 'string' }];
    case 'json':
      return [{ path, kind: 'object', out, ...flags }];
    case 'list':
      return [{ path, kind: 'array', ...(kind.min ? { min: kind.min } : {}), ...flags }, ...fieldsOfKind(kind.item, [...path, 0], at(0))];
    case 'object':
      return [
        { path, kind: 'object', strict: true, ...flags },
        ...Object.entries(kind.fields).flatMap(([key, item]) => fieldsOfKind(item, [...path, key], at(key), { required: !kind.optional?.includes(key) })),
      ];
    case 'computed':
      return [{ path, kind: 'never' }];
    case 'boolean':
      return [{ path, kind: 'boolean', ...flags }];
    case 'email':
    case 'url':
    case 'uuid':
    case 'country':
    case 'currency':
    case 'locale':
    case 'timezone':
    case 'timestamp':
    case 'enum':
      return [{ path, kind: 'string', ...flags }];
  }
}

/** A declared field as a body takes it: `required` as declared unless `optional`; a read-only one is refused. */
export function fieldsOfSpec(spec: FieldSpec, path: Path, out: Path | undefined, optional = false): Field[] {
  if (spec.readOnly) return [{ path, kind: 'never' }];
  return fieldsOfKind(spec.kind, path, out, {
    nullable: spec.nullable || spec.blankIsAbsent === true,
    required: spec.required && !optional,
    emptyIsAbsent: spec.blankIsAbsent,
  });
}

/** A value every rule of `kind` accepts (uuids name records: the route gives them). */
export function sample(kind: Kind): Json {
  switch (kind.type) {
    case 'text':
      return 'Text';
    case 'email':
      return 'ada@example.com';
    case 'url':
      return 'https://example.com/logo.png';
    case 'country':
      return 'FR';
    case 'currency':
      return 'EUR';
    case 'locale':
      return 'fr-FR';
    case 'timezone':
      return 'Europe/Paris';
    case 'timestamp':
      return '2024-01-01T00:00:00Z';
    case 'enum':
      return kind.values[0]!;
    case 'integer':
      return kind.min;
    case 'metadata':
      return { tag: 'x' };
    case 'json':
      return { a: 1 };
    case 'boolean':
      return true;
    case 'list':
      return [sample(kind.item)];
    case 'object':
      // Optional members are left out: a tax id's `type` would have its number checked (test/customers/tax-ids.test.ts covers that).
      return Object.fromEntries(Object.entries(kind.fields).filter(([key]) => !kind.optional?.includes(key)).map(([key, item]) => [key, sample(item)]));
    case 'uuid':
    case 'computed':
      throw new Error(`No sample of a ${kind.type}: the route must give the value`);
  }
}

const CONTAINERS = new Set(['list', 'metadata', 'json']);

/**
 * A body every declared rule accepts: the required fields (`refs` gives the
 * ids of records), and a sample of every list and object field so that their
 * items and keys are in the body too. `names` maps body names to declared
 * ones (Upwell); immutable fields are left out of updates.
 */
export function validBody(specs: Record<string, FieldSpec>, options: { names?: Record<string, string>; refs?: Body; update?: boolean } = {}): Body {
  const names = options.names ?? Object.fromEntries(Object.keys(specs).map((name) => [name, name]));
  const body: Body = {};
  for (const [key, name] of Object.entries(names)) {
    const spec = specs[name]!;
    if (spec.readOnly || (options.update && spec.immutable)) continue;
    if (options.refs && Object.hasOwn(options.refs, key)) body[key] = options.refs[key]!;
    else if ((spec.required && !options.update) || CONTAINERS.has(spec.kind.type)) body[key] = sample(spec.kind);
  }
  return body;
}

/** The fields of a canonical create or update body of a declaration, echoed under `data`. */
export function canonicalFields(specs: Record<string, FieldSpec>, update: boolean): Field[] {
  return Object.entries(specs).flatMap(([name, spec]) =>
    update && spec.immutable ? [{ path: [name], kind: 'never' as const }] : fieldsOfSpec(spec, [name], ['data', name], update),
  );
}

// ---- Valibot schemas, read back ------------------------------------------------

interface AnySchema {
  type: string;
  kind?: string;
  wrapped?: AnySchema;
  entries?: Record<string, AnySchema>;
  item?: AnySchema;
  pipe?: AnySchema[];
  requirement?: unknown;
}

/** The schema under optional/nullable wrappers and pipes that has `found`. */
function inner(schema: AnySchema, found: (s: AnySchema) => boolean): AnySchema | undefined {
  if (found(schema)) return schema;
  if (schema.wrapped) return inner(schema.wrapped, found);
  for (const step of schema.pipe ?? []) {
    if (step !== schema && step.kind === 'schema') {
      const hit = inner(step, found);
      if (hit) return hit;
    }
  }
  return undefined;
}

/** The entries of the object a schema validates (through wrappers and pipes). */
export function entriesOf(schema: v.GenericSchema): Record<string, v.GenericSchema> {
  const object = inner(schema as unknown as AnySchema, (s) => s.type === 'strict_object' || s.type === 'object');
  if (!object) throw new Error(`Not an object schema: ${(schema as unknown as AnySchema).type}`);
  return object.entries as unknown as Record<string, v.GenericSchema>;
}

/** The item schema of the array a schema validates. */
export function itemOf(schema: v.GenericSchema): v.GenericSchema {
  const array = inner(schema as unknown as AnySchema, (s) => s.type === 'array');
  if (!array) throw new Error('Not an array schema');
  return array.item as unknown as v.GenericSchema;
}

/** The bounds of a number schema's min_value/max_value actions. */
export function rangeOf(schema: v.GenericSchema): { min: number; max: number } {
  const bounds: Record<string, number> = {};
  const walk = (s: AnySchema) => {
    if (s.type === 'min_value' || s.type === 'max_value') bounds[s.type] = s.requirement as number;
    if (s.wrapped) walk(s.wrapped);
    for (const step of s.pipe ?? []) if (step !== s) walk(step);
  };
  walk(schema as unknown as AnySchema);
  if (bounds.min_value === undefined || bounds.max_value === undefined) throw new Error('No min_value/max_value');
  return { min: bounds.min_value, max: bounds.max_value };
}
