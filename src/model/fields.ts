/**
 * Fields declared once. A field is a value schema (src/model/values.ts) with
 * what the API does with it: required or optional on create, nullable, its
 * default, whether it may change after create, how it is shown, which folded
 * copy it keeps for case-insensitive matching, its name in the compatible
 * APIs. declare() (src/model/resource.ts) derives a resource's create, update
 * and list schemas, its row mapping and its PATCH columns from these; the
 * property tests generate bodies from the same declarations (their `kind`).
 */
import type { SQL } from 'drizzle-orm';
import * as v from 'valibot';
import { isoOrNull } from '../lib/time';
import * as values from './values';

/** What a field's values look like, as data: for generating values in the property tests. */
export type Kind =
  | { type: 'text'; max: number }
  | { type: 'email' | 'url' | 'uuid' | 'country' | 'currency' | 'locale' | 'timezone' | 'timestamp' | 'metadata' | 'json' | 'boolean' }
  | { type: 'enum'; values: readonly string[] }
  | { type: 'integer'; min: number; max: number }
  | { type: 'list'; item: Kind; max?: number; unique?: true; label: string; min?: number }
  | { type: 'computed' }
  | { type: 'object'; fields: Record<string, Kind>; optional?: readonly string[] };

export interface FieldSpec {
  kind: Kind;
  /** Validates a present, non-null value; its output is the stored value. */
  schema: v.GenericSchema;
  /** Must be sent on create. */
  required: boolean;
  /** `null` unsets it (stored as `nullAs`, NULL by default). */
  nullable: boolean;
  nullAs: unknown;
  /** Stored when omitted on create. */
  default: unknown;
  /** Set on create only (a PATCH naming it is a 400). */
  immutable: boolean;
  /** Shown but never written by a client (e.g. a customer's number). */
  readOnly: boolean;
  /** Stored value -> API value (timestamps: epoch ms -> ISO 8601). */
  out?: (stored: never) => unknown;
  /** The folded copy kept for matching: in a column (by its SQL name), else under `key` (the field's name by default) in `folded`. */
  fold?: { column?: string; key?: string; of?: (stored: never) => unknown };
  /** Columns set back to NULL when this field changes. */
  clears: string[];
  /** A list filter (`?field=value`, exact match). */
  filter: boolean;
  /** Its name in the Upwell API. */
  upwell?: string;
  /** A value read with this expression rather than from a column (read-only). */
  select?: SQL;
  /** Text that is blank after trimming, or null, counts as not sent (AmbioSys). */
  blankIsAbsent?: true;
  /** How an update writes the value, when not as a plain replacement (tax_ids keep their VIES checks). */
  onUpdate?: (stored: never) => unknown;
}

/** A field under construction; `T` is its API value. */
export class Field<T = unknown> {
  declare readonly _type: T;
  readonly spec: FieldSpec;

  constructor(kind: Kind, schema: v.GenericSchema, out?: (stored: never) => unknown) {
    this.spec = { kind, schema, required: false, nullable: false, nullAs: null, default: undefined, immutable: false, readOnly: false, out, clears: [], filter: false };
  }

  private with(changes: Partial<FieldSpec>): this {
    Object.assign(this.spec, changes);
    return this;
  }

  required(): Field<T> {
    return this.with({ required: true });
  }
  /** `null` unsets it (stored as NULL). */
  nullable(): Field<T | null> {
    return this.with({ nullable: true });
  }
  /** `null` is taken, and stored as `empty` (a list or map field's empty value). */
  nullAs(empty: T): this {
    return this.with({ nullable: true, nullAs: empty });
  }
  default(stored: unknown): this {
    return this.with({ default: stored });
  }
  immutable(): this {
    return this.with({ immutable: true });
  }
  readOnly(): this {
    return this.with({ readOnly: true });
  }
  /** Keeps a folded copy (src/lib/text.ts): in the column `column`, else in the `folded` JSON column under `key` or the field's name. */
  fold(target: { column?: string; key?: string; of?: (stored: never) => unknown } = {}): this {
    return this.with({ fold: target });
  }
  clears(...columns: string[]): this {
    return this.with({ clears: columns });
  }
  /** Blank (after trimming) or null counts as not sent; still at most the kind's length. */
  blankIsAbsent(): this {
    const max = this.spec.kind.type === 'text' ? this.spec.kind.max : 255;
    const schema = v.pipe(
      v.nullable(v.pipe(v.string('Expected a string'), v.trim(), values.maxChars(max))),
      v.transform((text) => text || undefined),
    );
    return this.with({ blankIsAbsent: true, schema });
  }
  filter(): this {
    return this.with({ filter: true });
  }
  onUpdate(wrap: (stored: never) => unknown): this {
    return this.with({ onUpdate: wrap });
  }
  upwell(name: string): this {
    return this.with({ upwell: name });
  }
}

export type ValueOf<F> = F extends Field<infer T> ? T : never;

/** The Valibot schema of a kind's present, non-null values. */
export function schemaOf(kind: Kind): v.GenericSchema {
  switch (kind.type) {
    case 'text':
      return values.text(kind.max);
    case 'email':
      return values.email;
    case 'url':
      return values.httpUrl;
    case 'uuid':
      return values.uuid;
    case 'country':
      return values.country;
    case 'currency':
      return values.currency;
    case 'locale':
      return values.locale;
    case 'timezone':
      return values.timezone;
    case 'timestamp':
      return values.timestamp;
    case 'metadata':
      return values.metadata;
    case 'json':
      return values.jsonObject;
    case 'boolean':
      return v.boolean('Expected true or false');
    case 'enum':
      return values.oneOf(kind.values as [string, ...string[]]);
    case 'integer':
      return values.integer(kind.min, kind.max);
    case 'object':
      return values.object(
        Object.fromEntries(Object.entries(kind.fields).map(([name, item]) => [name, kind.optional?.includes(name) ? v.optional(schemaOf(item)) : schemaOf(item)])),
      );
    case 'computed':
      return v.never();
    case 'list': {
      const all = values.list(schemaOf(kind.item), kind.max, kind.label);
      const list = kind.min ? v.pipe(all, v.minLength(kind.min, `At least ${kind.min} item${kind.min === 1 ? '' : 's'}`)) : all;
      return kind.unique ? v.pipe(list, v.transform((items: unknown[]) => [...new Set(items)])) : list;
    }
  }
}

const field = <T>(kind: Kind, out?: (stored: never) => unknown) => new Field<T>(kind, schemaOf(kind), out);

/** The field kinds. */
export const f = {
  text: (max = 255) => field<string>({ type: 'text', max }),
  email: () => field<string>({ type: 'email' }),
  url: () => field<string>({ type: 'url' }),
  uuid: () => field<string>({ type: 'uuid' }),
  country: () => field<string>({ type: 'country' }),
  currency: () => field<string>({ type: 'currency' }),
  locale: () => field<string>({ type: 'locale' }),
  timezone: () => field<string>({ type: 'timezone' }),
  oneOf: <const V extends readonly [string, ...string[]]>(choices: V) => field<V[number]>({ type: 'enum', values: choices }),
  integer: (min: number, max: number) => field<number>({ type: 'integer', min, max }),
  /** Stored as epoch milliseconds, shown as ISO 8601. */
  timestamp: () => field<string>({ type: 'timestamp' }, isoOrNull as (stored: never) => unknown),
  metadata: () => field<Record<string, string>>({ type: 'metadata' }),
  json: () => field<Record<string, unknown>>({ type: 'json' }),
  boolean: () => field<boolean>({ type: 'boolean' }),
  /** `label` names the items in messages ("Expected an array of tax ids"). */
  list: <T>(item: Kind, label: string, max?: number, unique?: true, min?: number) => field<T[]>({ type: 'list', item, label, max, unique, min }),
  /** Read with an SQL expression (related ids): shown, never written. */
  computed: <T>(select: SQL<T>) => {
    const computed = field<T>({ type: 'computed' });
    Object.assign(computed.spec, { readOnly: true, select });
    return computed;
  },
};
