/**
 * The objects the three APIs return, as JSON Schema, from the declarations:
 * a resource's object is its system fields and each declared field's value
 * schema (src/model/fields.ts), nullable where the field is; the compatible
 * APIs' objects rename those same fields (src/compat/*). Every property is
 * listed as required and no other is allowed, so a response that gains or
 * loses a field fails the contract tests until the document says so.
 */
import type { JsonSchema } from '@valibot/to-json-schema';
import { address } from '../addresses/fields';
import { AMBIOSYS_TAX_LABEL } from '../compat/ambiosys/schemas';
import { ADDRESS_NAMES, CUSTOMER_NAMES, UPWELL_ADDRESS_TYPES } from '../compat/upwell/mapping';
import { contact } from '../contacts/fields';
import { customer } from '../customers/fields';
import { EVENT_TYPES } from '../events/sources';
import type { FieldSpec } from '../model/fields';
import type { Declared, Fields } from '../model/resource';
import { segment } from '../segments/fields';
import { VERIFICATION_STATUSES } from '../tax-ids/types';
import type { RecordTable } from '../store/plan';
import { endpoint } from '../webhooks/fields';
import { COUNTRY_SCHEMA, CURRENCY_SCHEMA, TIMESTAMP, toJson, UUID_JSON_PATTERN } from './json-schema';

export const ref = (name: string): JsonSchema => ({ $ref: `#/components/schemas/${name}` });

export const UUID: JsonSchema = { type: 'string', format: 'uuid', pattern: UUID_JSON_PATTERN };
const INSTANT: JsonSchema = { type: 'string', format: 'date-time' };
const STRING: JsonSchema = { type: 'string' };

/** `schema` or null. */
export function orNull(schema: JsonSchema): JsonSchema {
  if (schema.$ref || schema.anyOf || !schema.type) return { anyOf: [schema, { type: 'null' }] };
  const types = Array.isArray(schema.type) ? schema.type : [schema.type];
  const out: JsonSchema = { ...schema, type: [...types, 'null'] };
  if (schema.enum) out.enum = [...schema.enum, null];
  return out;
}

/** An object with exactly these properties, all present. */
export function exact(properties: Record<string, JsonSchema>, description?: string, optional: string[] = []): JsonSchema {
  const required = Object.keys(properties).filter((name) => !optional.includes(name));
  return { type: 'object', ...(description ? { description } : {}), properties, required, additionalProperties: false };
}

/** A value as the API shows it: timestamps as ISO strings, computed ids as arrays, the rest as validated. */
function shown(spec: FieldSpec): JsonSchema {
  if (spec.kind.type === 'computed') return { type: 'array', items: UUID, description: 'Related ids, oldest first (read-only).' };
  if (spec.kind.type === 'timestamp') return { ...INSTANT };
  const { default: _, description: __, ...value } = toJson(spec.schema);
  // Values are stored trimmed and folded as validated; what a client may send loosely (lower-case country codes) is shown exact.
  return value;
}

const fieldSchema = (spec: FieldSpec): JsonSchema => (spec.nullable && spec.nullAs === null ? orNull(shown(spec)) : shown(spec));

/** A resource's API object: id, workspace, its declared fields in order, timestamps. */
function resourceObject(declared: Declared<RecordTable, Fields>, description: string, extra: Record<string, JsonSchema> = {}, optional: string[] = []): JsonSchema {
  const properties: Record<string, JsonSchema> = { id: UUID, workspace_id: STRING };
  for (const [name, spec] of Object.entries(declared.specs) as [string, FieldSpec][]) properties[name] = spec === customer.specs.tax_ids ? shownTaxIds(spec) : fieldSchema(spec);
  return exact({ ...properties, created_at: INSTANT, updated_at: INSTANT, ...extra }, description, optional);
}

/** An `eu_vat` tax id's VIES check, as the jobs Worker writes it (src/tax-ids/vies.ts). */
const VERIFICATION = exact(
  {
    status: { type: 'string', enum: [...VERIFICATION_STATUSES], description: '`unavailable`: VIES or the member state did not answer; retried for about 3 days.' },
    verified_name: { ...orNull(STRING), description: 'The name VIES holds for the number, when it gives one.' },
    verified_address: { ...orNull(STRING), description: 'The address VIES holds for the number, when it gives one.' },
    checked_at: orNull(INSTANT),
    consultation_number: {
      ...orNull(STRING),
      description: "VIES's consultation number (requestIdentifier): proof of the check, given when the workspace's own VAT number is configured as the requester.",
    },
  },
  'The VIES check of an `eu_vat` number (read-only): `pending` until the jobs Worker has asked VIES.',
);

/** The customer's tax ids as shown: as validated, and an `eu_vat` entry's `verification`. */
function shownTaxIds(spec: FieldSpec): JsonSchema {
  const list = fieldSchema(spec);
  const item = list.items as JsonSchema;
  return { ...list, items: { ...item, properties: { ...item.properties, verification: VERIFICATION } } };
}

/** What `include=contacts,addresses` embeds in a customer (GET one and the list): present only when asked for. */
const EMBEDS: Record<string, JsonSchema> = {
  contacts: { type: 'array', items: ref('Contact'), description: "The customer's contacts, oldest first (with `include=contacts`)." },
  addresses: { type: 'array', items: ref('Address'), description: "The customer's addresses, oldest first (with `include=addresses`)." },
};

const ISSUE = exact({ path: { type: 'string', description: 'The field or parameter, dotted (`tax_ids.0.tax_value`); empty for the body as a whole.' }, message: STRING });

/** Upwell's customer fields, shown under their Upwell names. */
function upwellCustomer(): JsonSchema {
  const properties: Record<string, JsonSchema> = {};
  for (const [upwell, name] of Object.entries(CUSTOMER_NAMES)) {
    const spec = (customer.specs as Record<string, FieldSpec>)[name];
    properties[upwell] = spec ? fieldSchema(spec) : name === 'id' ? UUID : INSTANT;
  }
  const zero: JsonSchema = { type: 'integer', const: 0, description: 'This service keeps no invoices: always 0 (integer cents).' };
  return exact(
    {
      ...properties,
      addresses: { type: 'array', items: ref('UpwellAddress') },
      balance: zero,
      overdueBalance: zero,
      overdueInvoiceCount: zero,
      customerRule: orNull(exact({ dueOption: fieldSchema({ ...customer.specs.due_option, nullable: false }), id: UUID })),
    },
    "An Upwell customer. `customerRule` exists once a due option is set; it carries the customer's id.",
  );
}

function upwellAddress(): JsonSchema {
  const properties: Record<string, JsonSchema> = { id: UUID };
  for (const [upwell, name] of Object.entries(ADDRESS_NAMES)) properties[upwell] = fieldSchema((address.specs as Record<string, FieldSpec>)[name]!);
  properties.type = { type: 'string', enum: Object.keys(UPWELL_ADDRESS_TYPES), description: 'As the client wrote it; a canonical `billing` address reads as ADDRESS_BOOK.' };
  return exact(properties);
}

const ambiosysCustomer = (extra: Record<string, JsonSchema> = {}) =>
  exact({
    customer_id: { type: 'integer', minimum: 1, description: "The customer's number in its workspace (the canonical `number`)." },
    name: fieldSchema(customer.specs.name),
    legal_name: fieldSchema(customer.specs.legal_name),
    tax_id: { ...orNull({ type: 'string' }), description: `The first tax id's value (stored with the label \`${AMBIOSYS_TAX_LABEL}\`).` },
    contact_origin: fieldSchema(customer.specs.contact_origin),
    created_at: INSTANT,
    updated_at: INSTANT,
    ...extra,
  });

/** Every object schema of the document, by component name. */
export function objectSchemas(): Record<string, JsonSchema> {
  const customerSchema = resourceObject(customer, 'A customer.', EMBEDS, Object.keys(EMBEDS));
  const detail = resourceObject(
    customer,
    'A customer, with the ids of its contacts and addresses (GET of one customer).',
    {
      contact_ids: { type: 'array', items: UUID, description: "The customer's contacts, oldest first." },
      address_ids: { type: 'array', items: UUID, description: "The customer's addresses, oldest first." },
      ...EMBEDS,
    },
    Object.keys(EMBEDS),
  );
  const endpointSchema = resourceObject(endpoint, 'A webhook endpoint. Its signing secret is shown only by the create and the rotation.');
  const withSecret = resourceObject(endpoint, 'A webhook endpoint with its signing secret (shown this once).', {
    secret: { type: 'string', pattern: '^whsec_[A-Za-z0-9+/]{43}=$', description: 'The Standard Webhooks signing secret: `whsec_` and 32 bytes in base64.' },
  });
  return {
    Timestamp: TIMESTAMP,
    Country: COUNTRY_SCHEMA,
    Currency: CURRENCY_SCHEMA,
    Customer: customerSchema,
    CustomerDetail: detail,
    Contact: resourceObject(contact, 'A person at a customer.'),
    Address: resourceObject(address, 'A billing or shipping address of a customer.'),
    Segment: resourceObject(segment, 'A group of customers (a customer’s `segment_id`).'),
    Event: exact(
      {
        id: UUID,
        type: { type: 'string', enum: [...EVENT_TYPES] },
        created_at: INSTANT,
        object_id: UUID,
        data: {
          type: 'object',
          properties: {
            object: { anyOf: [ref('Customer'), ref('Contact'), ref('Address'), ref('Segment')], description: "The record as its GET showed it right after the change (before it, for a `.deleted`)." },
            previous_attributes: { type: 'object', additionalProperties: true, description: 'On `.updated` events: the fields the update changed, with their values before it.' },
          },
          required: ['object'],
          additionalProperties: false,
        },
        request_id: orNull(STRING),
        token_id: orNull(STRING),
        api: orNull({ type: 'string', enum: ['canonical', 'ambiosys', 'upwell', 'import'] }),
      },
      'A change to a record, recorded in the same transaction as the write.',
    ),
    WebhookEndpoint: endpointSchema,
    WebhookEndpointWithSecret: withSecret,
    WebhookDelivery: exact(
      {
        id: UUID,
        endpoint_id: UUID,
        event_id: UUID,
        status: { type: 'string', enum: ['pending', 'succeeded', 'failed', 'dead'] },
        attempt: { type: 'integer', minimum: 0 },
        response_status: orNull({ type: 'integer' }),
        response_excerpt: orNull({ type: 'string', maxLength: 200 }),
        error: orNull(STRING),
        duration_ms: orNull({ type: 'integer', minimum: 0 }),
        next_retry_at: orNull(INSTANT),
        created_at: INSTANT,
        updated_at: INSTANT,
      },
      "One event's delivery to one endpoint: its latest attempt.",
    ),
    Issue: ISSUE,
    Error: exact(
      {
        success: { type: 'boolean', const: false },
        error: { type: 'string', description: 'What went wrong, for people.' },
        code: { type: 'string', description: 'What went wrong, for programs (see the table in the README, "Errors").' },
        issues: { type: 'array', items: ref('Issue') },
        request_id: { type: 'string', description: 'The X-Request-Id of the response.' },
      },
      'A canonical API error.',
      ['issues'],
    ),
    AmbiosysCustomer: ambiosysCustomer(),
    AmbiosysListedCustomer: ambiosysCustomer({ total_count: { type: 'integer', minimum: 0, description: 'The number of customers of the workspace (the same on every row).' } }),
    AmbiosysError: exact(
      { success: { type: 'boolean', const: false }, error: STRING, details: { type: 'array', items: ref('Issue') }, request_id: STRING },
      'An AmbioSys error.',
    ),
    UpwellCustomer: upwellCustomer(),
    UpwellAddress: upwellAddress(),
    UpwellError: exact(
      {
        error: exact({ code: STRING, message: STRING, details: { type: 'array', items: ref('Issue') }, requestId: STRING }),
        status: { type: 'string', const: 'error' },
        timestamp: INSTANT,
      },
      'An Upwell error.',
    ),
  };
}
