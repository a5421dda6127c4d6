/**
 * The overrides of src/contract/json-schema.ts say what the runtime enforces:
 * the document's schemas (checked by Ajv, a third-party JSON Schema 2020-12
 * validator) and the Valibot schemas the routes run accept and refuse the
 * same bodies, on the cases the overrides exist for.
 */
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import { address } from '../../src/addresses/fields';
import { contact } from '../../src/contacts/fields';
import { toJson } from '../../src/contract/json-schema';
import { customer } from '../../src/customers/fields';
import { COUNTRY_CODES } from '../../src/lib/countries';
import type { FieldSpec } from '../../src/model/fields';
import { segment } from '../../src/segments/fields';
import { ROOT } from '../scripts/support';

const doc = JSON.parse(readFileSync(join(ROOT, 'public', 'openapi.json'), 'utf8'));
const ajv = new Ajv2020({ strict: false, allErrors: true });
(addFormats as unknown as (a: Ajv2020) => void)(ajv);
ajv.addSchema({ $id: 'doc', components: doc.components });
/** A validator of a component, with the document's other components reachable by $ref. */
const component = (name: string) => ajv.compile({ $ref: `doc#/components/schemas/${name}` });

type Param = { name: string; schema: Record<string, unknown> };
const params = (path: string, method = 'get') => Object.fromEntries((doc.paths[path][method].parameters as Param[]).filter((p) => p.name).map((p) => [p.name, p.schema]));

describe('the document and the runtime agree', () => {
  const cases: [string, v.GenericSchema, Record<string, unknown>, boolean][] = [
    ['CustomerCreate', customer.create, { name: 'Acme', type: 'company' }, true],
    ['CustomerCreate', customer.create, { name: '😀'.repeat(255), type: 'company' }, true],
    ['CustomerCreate', customer.create, { name: '😀'.repeat(256), type: 'company' }, false],
    ['CustomerCreate', customer.create, { name: 'Acme', type: 'company', logo: 'HTTPS://acme.example/logo.png' }, true],
    ['CustomerCreate', customer.create, { name: 'Acme', type: 'company', logo: 'ftp://acme.example/logo.png' }, false],
    ['CustomerCreate', customer.create, { name: 'Acme', type: 'company', segment_id: '0190C5E2-7B1A-7000-8000-000000000000' }, true],
    ['CustomerCreate', customer.create, { name: 'Acme', type: 'company', segment_id: 'not-a-uuid' }, false],
    ['CustomerCreate', customer.create, { name: 'Acme', type: 'company', metadata: Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`k${i}`, 'v'])) }, true],
    ['CustomerCreate', customer.create, { name: 'Acme', type: 'company', metadata: Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, 'v'])) }, false],
    ['CustomerCreate', customer.create, { name: 'Acme', type: 'company', metadata: { ['k'.repeat(41)]: 'v' } }, false],
    ['CustomerCreate', customer.create, { name: 'Acme', type: 'company', metadata: JSON.parse('{"constructor": "v"}') }, false],
    ['CustomerCreate', customer.create, { name: 'Acme', type: 'company', email_settings: JSON.parse('{"prototype": {}}') }, false],
    ['CustomerCreate', customer.create, { name: 'Acme', type: 'company', deleted_at: '2026-01-15T11:30:00+01:00' }, true],
    ['CustomerCreate', customer.create, { name: 'Acme', type: 'company', tax_ids: Array.from({ length: 26 }, () => ({ tax: 'VAT', tax_value: 'x' })) }, false],
    ['CustomerCreate', customer.create, { name: 'Acme', type: 'company', unknown: 1 }, false],
    ['AddressCreate', address.create, { customer_id: '0190c5e2-7b1a-7000-8000-000000000000', type: 'billing', address_line1: '1 Main St', city: 'Paris', postal_code: '75001', country: 'FR' }, true],
    ['AddressCreate', address.create, { customer_id: '0190c5e2-7b1a-7000-8000-000000000000', type: 'billing', address_line1: '1 Main St', city: 'Paris', postal_code: '75001', country: 'XX' }, false],
    ['AddressCreate', address.create, { customer_id: '0190c5e2-7b1a-7000-8000-000000000000', type: 'billing', address_line1: '1 Main St', city: 'Paris', postal_code: '7'.repeat(33), country: 'FR' }, false],
    ['ContactCreate', contact.create, { customer_id: '0190c5e2-7b1a-7000-8000-000000000000', first_name: 'A', last_name: 'B', email: 'a@b.example', role: ['buyer', 'buyer'] }, true],
    ['ContactCreate', contact.create, { customer_id: '0190c5e2-7b1a-7000-8000-000000000000', first_name: 'A', last_name: 'B', email: 'not an address' }, false],
    ['ContactUpdate', contact.update, { customer_id: '0190c5e2-7b1a-7000-8000-000000000000' }, false],
    ['SegmentCreate', segment.create, { name: 'Key accounts', description: 'd'.repeat(1000) }, true],
    ['SegmentCreate', segment.create, { name: 'Key accounts', description: 'd'.repeat(1001) }, false],
  ];

  it.each(cases.map(([name, schema, body, valid], i) => ({ name, schema, body, valid, i })))('$name #$i: valid=$valid on both', ({ name, schema, body, valid }) => {
    expect(v.safeParse(schema, body).success).toBe(valid);
    const check = component(name);
    expect(check(body), JSON.stringify(check.errors)).toBe(valid);
  });

  it('every declared text field has its declared length in the create body', () => {
    for (const [name, declared] of [['Customer', customer], ['Contact', contact], ['Address', address], ['Segment', segment]] as const) {
      const properties = doc.components.schemas[`${name}Create`].properties as Record<string, { maxLength?: number; anyOf?: { maxLength?: number }[] }>;
      for (const [field, spec] of Object.entries(declared.specs) as [string, FieldSpec][]) {
        if (spec.kind.type !== 'text' || spec.readOnly) continue;
        const schema = properties[field]!;
        expect(schema.maxLength ?? schema.anyOf?.[0]?.maxLength, `${name}.${field}`).toBe(spec.kind.max);
      }
    }
  });

  it('countries are the assigned codes; UUIDs take either case', () => {
    expect(doc.components.schemas.Country.enum).toEqual([...COUNTRY_CODES].sort());
    const pattern = new RegExp(doc.components.schemas.Customer.properties.id.pattern);
    expect(['0190c5e2-7b1a-7000-8000-00000000abcd', '0190C5E2-7B1A-7000-8000-00000000ABCD'].map((id) => pattern.test(id))).toEqual([true, true]);
    expect(pattern.test('0190c5e2-7b1a-7000-8000-00000000abcg')).toBe(false);
  });

  it('numeric query parameters are integers with the range and default the runtime applies', () => {
    expect(params('/api/customers').limit).toEqual({ type: 'integer', minimum: 1, maximum: 100, default: 25 });
    expect(params('/api/events').limit).toEqual({ type: 'integer', minimum: 1, maximum: 100, default: 25 });
    expect(params('/api/export').limit).toEqual({ type: 'integer', minimum: 1, maximum: 5000, default: 1000 });
    expect(params('/api/customers/getCustomers').limit).toEqual({ type: 'integer', minimum: 1, maximum: 100, default: 10 });
    expect(params('/api/customers/getCustomers').page).toEqual({ type: 'integer', minimum: 0, maximum: 100000, default: 0 });
    expect(params('/api/rest/customers').offset).toEqual({ type: 'integer', minimum: 0, maximum: 100000, default: 0 });
  });

  it('a check it cannot state, or a regex flag it does not know, stops the generation', () => {
    expect(() => toJson(v.pipe(v.string(), v.regex(/^[a-z]+$/i)))).toThrow('has flags');
    expect(() => toJson(v.pipe(v.string(), v.regex(/^[0-9a-f]+$/), v.transform(Number)))).toThrow('unexpected pattern');
    expect(() => toJson(v.pipe(v.string(), v.toMinValue('a')))).toThrow();
  });
});
