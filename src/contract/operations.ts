/**
 * Every route of the three APIs, as the document describes it: the schemas
 * each route validates its body and query with (the same Valibot objects the
 * routes use, or the same declarations' schemas), what it answers, and what
 * else it can fail with. test/contract/document.test.ts checks that this list
 * and the routes registered in src/canonical/api.ts, src/compat/ambiosys/api.ts
 * and src/compat/upwell/api.ts are the same set.
 */
import type { JsonSchema } from '@valibot/to-json-schema';
import type * as v from 'valibot';
import { address } from '../addresses/fields';
import { ambiosysCreate, AmbiosysList } from '../compat/ambiosys/schemas';
import { CreateCustomer, CreateCustomers, ListQuery, SearchBody, UpdateCustomer, UpdateCustomerBySource } from '../compat/upwell/schemas';
import { contact } from '../contacts/fields';
import { customer } from '../customers/fields';
import { ByExternalBody, ByExternalGet, ByExternalPut } from '../customers/external';
import { CustomerGet, CustomerList } from '../customers/queries';
import { EventList } from '../events/queries';
import { TABLE_NAMES } from '../exchange/format';
import { ExportQuery } from '../exchange/routes';
import type { ErrorCode } from '../http/errors';
import type { Method } from '../http/api';
import { listSchema, syncedListSchema } from '../model/page';
import { segment } from '../segments/fields';
import { endpoint } from '../webhooks/fields';
import { DeliveryList } from '../webhooks/queries';
import { ref } from './objects';

export type ApiName = 'canonical' | 'ambiosys' | 'upwell';

export interface Operation {
  api: ApiName;
  method: Method;
  /** As registered (`:id`). */
  path: string;
  operationId: string;
  summary: string;
  description?: string;
  scope: 'read' | 'write';
  /** A JSON body: the Valibot schema the route validates it with, named as a component. */
  body?: { name: string; schema: v.GenericSchema; example?: unknown };
  /** An NDJSON body (the import). */
  ndjson?: true;
  query?: v.GenericSchema;
  /** The `{id}` path parameter: what it names. */
  id?: { description: string; schema?: JsonSchema };
  /** The success response. */
  ok: { status: number; description: string; schema?: JsonSchema; ndjson?: true; etag?: true; headers?: string[]; example?: unknown; also?: { status: number; description: string } };
  /** Conditional writes (If-Match) and reads (If-None-Match, 304). */
  ifMatch?: true;
  ifNoneMatch?: true;
  /** Errors beyond those every route of its kind can answer (src/contract/document.ts, errorCodes). */
  errors?: ErrorCode[];
}

const one = (schema: JsonSchema): JsonSchema => ({
  type: 'object',
  properties: { success: { type: 'boolean', const: true }, data: schema },
  required: ['success', 'data'],
  additionalProperties: false,
});

const list = (item: JsonSchema, cursor = 'Pass it back as `cursor` for the next page; null on the last page.'): JsonSchema => ({
  type: 'object',
  properties: {
    success: { type: 'boolean', const: true },
    data: { type: 'array', items: item },
    has_more: { type: 'boolean' },
    next_cursor: { type: ['string', 'null'], description: cursor },
  },
  required: ['success', 'data', 'has_more', 'next_cursor'],
  additionalProperties: false,
});

const deleted = one({
  type: 'object',
  properties: { id: { type: 'string', format: 'uuid' }, deleted: { type: 'boolean', const: true } },
  required: ['id', 'deleted'],
  additionalProperties: false,
});

interface ResourceSpec {
  path: string;
  /** Singular and plural, capitalised: `Customer`, `Customers`. */
  one: string;
  many: string;
  create: v.GenericSchema;
  update: v.GenericSchema;
  list: v.GenericSchema;
  /** The query string of GET one, if it takes one. */
  get?: v.GenericSchema;
  /** The object's component, and the one GET of one record shows (customers add their related ids). */
  object: string;
  detail?: string;
  scope?: 'read' | 'write';
  references?: true;
  createExample?: unknown;
  updateExample?: unknown;
  listDescription?: string;
  deleteDescription?: string;
  deleteErrors?: ErrorCode[];
  createErrors?: ErrorCode[];
}

/** The five routes of a resource (src/http/resource.ts). */
function resource(r: ResourceSpec): Operation[] {
  const lower = r.one.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase();
  const readScope = r.scope ?? 'read';
  const references: ErrorCode[] = r.references ? ['invalid_reference'] : [];
  const id = { description: `The ${lower}'s id.` };
  return [
    {
      api: 'canonical',
      method: 'POST',
      path: r.path,
      operationId: `create${r.one}`,
      summary: `Create a ${lower}`,
      scope: 'write',
      body: { name: `${r.one}Create`, schema: r.create, example: r.createExample },
      ok: { status: 201, description: `The ${lower} created.`, schema: one(ref(r.object)), etag: true },
      errors: [...references, ...(r.createErrors ?? [])],
    },
    {
      api: 'canonical',
      method: 'GET',
      path: r.path,
      operationId: `list${r.many}`,
      summary: `List ${r.many.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase()}`,
      description: r.listDescription,
      scope: readScope,
      query: r.list,
      ok: { status: 200, description: 'A page, oldest first (or by last change with `order=updated_at`).', schema: list(ref(r.object)) },
    },
    {
      api: 'canonical',
      method: 'GET',
      path: `${r.path}/:id`,
      operationId: `get${r.one}`,
      summary: `Get a ${lower}`,
      scope: readScope,
      id,
      query: r.get,
      ok: { status: 200, description: `The ${lower}.`, schema: one(ref(r.detail ?? r.object)), etag: true },
      ifNoneMatch: true,
    },
    {
      api: 'canonical',
      method: 'PATCH',
      path: `${r.path}/:id`,
      operationId: `update${r.one}`,
      summary: `Update a ${lower}`,
      description: 'An omitted field is unchanged; `null` unsets a nullable field; an empty object changes nothing.',
      scope: 'write',
      id,
      body: { name: `${r.one}Update`, schema: r.update, example: r.updateExample },
      ok: { status: 200, description: `The ${lower} as updated.`, schema: one(ref(r.object)), etag: true },
      ifMatch: true,
      errors: references,
    },
    {
      api: 'canonical',
      method: 'DELETE',
      path: `${r.path}/:id`,
      operationId: `delete${r.one}`,
      summary: `Delete a ${lower}`,
      description: r.deleteDescription,
      scope: 'write',
      id,
      ok: { status: 200, description: 'Deleted.', schema: deleted },
      ifMatch: true,
      errors: r.deleteErrors,
    },
  ];
}

/** Seed 000's request, and seed 001's. */
const SEED_CREATE = { name: 'Acme Corporation', type: 'company', tax_ids: [{ tax: 'VAT', tax_value: 'FR12345678901' }], id_crm: 'crm_001' };
const SEED_UPDATE = { name: 'Acme Corp (Renamed)', tax_ids: [{ tax: 'VAT', tax_value: 'FR98765432100' }] };
/** Seed 002's request. */
const SEED_AMBIOSYS_CREATE = { name: 'Empresa Ejemplo S.A.', legal_name: 'Empresa Ejemplo Sociedad Anónima', tax_id: 'B12345678', contact_origin: 'WEB_FORM' };
/** Seed 003's request, shortened. */
const SEED_UPWELL_CREATE = {
  input: {
    name: 'Acme Corp',
    emailAddress: 'billing@acme.example',
    ccEmailAddresses: ['ap@acme.example'],
    sourceSystem: 'NETSUITE',
    sourceSystemId: 'NS-1001',
    metadata: { region: 'EMEA' },
    addresses: { data: [{ streetLine1: '1 Main St', city: 'Springfield', zipOrPostalCode: '12345', country: 'US', type: 'BILLING' }] },
    contacts: { data: [{ firstName: 'Jane', lastName: 'Doe', emailAddress: 'jane@acme.example' }] },
  },
};

const eventId = { description: "The event's id." };
const endpointId = { description: "The webhook endpoint's id." };
const customerNumber = { description: "The customer's `customer_id` (its number in the workspace).", schema: { type: 'string', pattern: '^[0-9]+$' } as JsonSchema };
const upwell = (schema: JsonSchema, name: string): JsonSchema => ({ type: 'object', properties: { [name]: schema }, required: [name], additionalProperties: false });
const upwellPage: JsonSchema = {
  type: 'object',
  properties: {
    customers: { type: 'array', items: ref('UpwellCustomer') },
    customersAggregate: upwell(upwell({ type: 'integer', minimum: 0, description: 'How many customers match (the workspace’s counter when unfiltered).' }, 'count'), 'aggregate'),
  },
  required: ['customers', 'customersAggregate'],
  additionalProperties: false,
};
const affected = (extra: Record<string, JsonSchema> = {}): JsonSchema => ({
  type: 'object',
  properties: { affectedRows: { type: 'integer', minimum: 0 }, ...extra },
  required: ['affectedRows', ...Object.keys(extra)],
  additionalProperties: false,
});

export const OPERATIONS: Operation[] = [
  ...resource({
    path: '/api/customers',
    one: 'Customer',
    many: 'Customers',
    create: customer.create,
    update: customer.update,
    list: CustomerList,
    get: CustomerGet,
    object: 'Customer',
    detail: 'CustomerDetail',
    references: true,
    createErrors: ['already_exists'],
    createExample: SEED_CREATE,
    updateExample: SEED_UPDATE,
    listDescription:
      'Filters combine with AND. `q` is a case- and accent-insensitive substring match on the name, legal name, e-mail address, external ids, `source_system_id` and tax id values (3 characters or more; shorter, the start of the name).',
    deleteDescription: 'Deletes the customer for good, with its tax ids, contacts and addresses.',
  }),
  ...(['archive', 'restore'] as const).map(
    (action): Operation => ({
      api: 'canonical',
      method: 'POST',
      path: `/api/customers/:id/${action}`,
      operationId: `${action}Customer`,
      summary: action === 'archive' ? 'Archive a customer' : 'Restore an archived customer',
      description:
        action === 'archive'
          ? 'The customer leaves the lists (unless `status=archived` or `status=all`) and keeps everything: contacts, addresses, tax ids. `archived_at` keeps the first archive time while it stays archived.'
          : 'The customer is active again and back in the lists.',
      scope: 'write',
      id: { description: "The customer's id." },
      ok: { status: 200, description: `The customer, ${action === 'archive' ? 'archived' : 'active'}.`, schema: one(ref('Customer')), etag: true },
    }),
  ),
  {
    api: 'canonical',
    method: 'GET',
    path: '/api/customers/by_external_id',
    operationId: 'getCustomerByExternalId',
    summary: 'Find a customer by an external id',
    description:
      'Exactly one of `id_crm`, `id_erp`, `id_accounting`, or `source_system` with `source_system_id`. The source pair is unique per workspace; the three external ids are not, and an id several customers share is a 409 `ambiguous_external_id`.',
    scope: 'read',
    query: ByExternalGet,
    ok: { status: 200, description: 'The customer, as its GET shows it.', schema: one(ref('CustomerDetail')), etag: true },
    errors: ['ambiguous_external_id', 'not_found'],
  },
  {
    api: 'canonical',
    method: 'PUT',
    path: '/api/customers/by_external_id',
    operationId: 'upsertCustomerByExternalId',
    summary: 'Create or update a customer by an external id',
    description:
      'One round trip: creates the customer with this external id (201; `name` and `type` are required), or updates the one that has it (200; only the fields sent change). The key, if also in the body, must be the query’s. If-Match is not taken (use PATCH).',
    scope: 'write',
    query: ByExternalPut,
    body: { name: 'CustomerUpsert', schema: ByExternalBody, example: { name: 'Acme Corporation', type: 'company', currency: 'EUR', payment_terms_days: 30 } },
    ok: { status: 200, description: 'The customer, updated.', schema: one(ref('Customer')), etag: true, also: { status: 201, description: 'The customer, created.' } },
    errors: ['ambiguous_external_id', 'invalid_reference', 'already_exists'],
  },
  ...resource({ path: '/api/contacts', one: 'Contact', many: 'Contacts', create: contact.create, update: contact.update, list: syncedListSchema(contact.filters), object: 'Contact', references: true }),
  ...resource({ path: '/api/addresses', one: 'Address', many: 'Addresses', create: address.create, update: address.update, list: syncedListSchema(address.filters), object: 'Address', references: true }),
  ...resource({
    path: '/api/segments',
    one: 'Segment',
    many: 'Segments',
    create: segment.create,
    update: segment.update,
    list: syncedListSchema(segment.filters),
    object: 'Segment',
    deleteErrors: ['segment_in_use'],
  }),
  {
    api: 'canonical',
    method: 'GET',
    path: '/api/export',
    operationId: 'exportWorkspace',
    summary: 'Export the workspace (one page)',
    description: 'The workspace’s records as NDJSON (README, "Export and import"), a page at a time; `Export-Cursor` names the next page and is absent on the last.',
    scope: 'read',
    query: ExportQuery,
    ok: { status: 200, description: 'One page of records, one JSON object per line.', ndjson: true, headers: ['Export-Cursor'] },
  },
  {
    api: 'canonical',
    method: 'POST',
    path: '/api/import',
    operationId: 'importWorkspace',
    summary: 'Import records (one part)',
    description: 'Up to 900 records in the export format, applied whole or not at all; applying a part again changes nothing.',
    scope: 'write',
    ndjson: true,
    ok: {
      status: 200,
      description: 'The part was applied.',
      schema: one({
        type: 'object',
        properties: {
          imported: {
            type: 'object',
            description: 'How many records of each table the part held (applied again, the same records change nothing).',
            propertyNames: { enum: [...TABLE_NAMES] },
            additionalProperties: { type: 'integer', minimum: 0 },
          },
        },
        required: ['imported'],
        additionalProperties: false,
      }),
    },
    errors: ['already_exists'],
  },
  {
    api: 'canonical',
    method: 'GET',
    path: '/api/events',
    operationId: 'listEvents',
    summary: 'List events',
    description: 'Every change to a customer, contact, address or segment, in the order it was recorded (or newest first with `order=desc`).',
    scope: 'read',
    query: EventList,
    ok: { status: 200, description: 'A page of events.', schema: list(ref('Event')) },
  },
  {
    api: 'canonical',
    method: 'GET',
    path: '/api/events/:id',
    operationId: 'getEvent',
    summary: 'Get an event',
    scope: 'read',
    id: eventId,
    ok: { status: 200, description: 'The event.', schema: one(ref('Event')) },
  },
  {
    api: 'canonical',
    method: 'POST',
    path: '/api/events/:id/redeliver',
    operationId: 'redeliverEvent',
    summary: 'Send an event again',
    description: 'Queues the event for every enabled endpoint that takes it.',
    scope: 'write',
    id: eventId,
    ok: {
      status: 202,
      description: 'Queued.',
      schema: one({ type: 'object', properties: { event_id: { type: 'string', format: 'uuid' }, queued: { type: 'boolean', const: true } }, required: ['event_id', 'queued'], additionalProperties: false }),
    },
  },
  ...resource({
    path: '/api/webhook_endpoints',
    one: 'WebhookEndpoint',
    many: 'WebhookEndpoints',
    create: endpoint.create,
    update: endpoint.update,
    list: listSchema(endpoint.filters),
    object: 'WebhookEndpoint',
    scope: 'write',
    createErrors: ['limit_exceeded'],
    createExample: { url: 'https://example.com/webhooks/customers', event_types: ['customer.*'], description: 'CRM sync' },
  }).map((op) =>
    op.method === 'POST'
      ? { ...op, ok: { ...op.ok, schema: one(ref('WebhookEndpointWithSecret')), etag: undefined, description: 'The endpoint created, with its signing secret (shown this once).' } }
      : op.method === 'PATCH'
        ? { ...op, ok: { ...op.ok, etag: undefined } }
        : op,
  ),
  {
    api: 'canonical',
    method: 'POST',
    path: '/api/webhook_endpoints/:id/rotate_secret',
    operationId: 'rotateWebhookEndpointSecret',
    summary: "Rotate an endpoint's signing secret",
    description: 'The old secret keeps signing beside the new one for 24 hours.',
    scope: 'write',
    id: endpointId,
    ok: { status: 200, description: 'The endpoint with its new secret (shown this once).', schema: one(ref('WebhookEndpointWithSecret')) },
  },
  {
    api: 'canonical',
    method: 'GET',
    path: '/api/webhook_endpoints/:id/deliveries',
    operationId: 'listWebhookDeliveries',
    summary: "List an endpoint's deliveries",
    scope: 'write',
    id: endpointId,
    query: DeliveryList,
    ok: { status: 200, description: 'A page of deliveries, newest first.', schema: list(ref('WebhookDelivery')) },
  },
  {
    api: 'ambiosys',
    method: 'POST',
    path: '/api/customers/create',
    operationId: 'ambiosysCreateCustomer',
    summary: 'Create a customer (AmbioSys)',
    scope: 'write',
    body: { name: 'AmbiosysCustomerCreate', schema: ambiosysCreate.create, example: SEED_AMBIOSYS_CREATE },
    ok: {
      status: 201,
      description: 'The customer created.',
      schema: { type: 'object', properties: { success: { type: 'boolean', const: true }, customer: ref('AmbiosysCustomer') }, required: ['success', 'customer'], additionalProperties: false },
      etag: true,
    },
  },
  {
    api: 'ambiosys',
    method: 'GET',
    path: '/api/customers/getCustomers',
    operationId: 'ambiosysListCustomers',
    summary: 'List customers (AmbioSys)',
    description: 'Offset pages (`page` from 0), newest number last; `search` matches like the canonical `q`.',
    scope: 'read',
    query: AmbiosysList,
    ok: {
      status: 200,
      description: 'A page of customers.',
      schema: {
        type: 'object',
        properties: {
          success: { type: 'boolean', const: true },
          clientes: { type: 'array', items: ref('AmbiosysListedCustomer') },
          totalCount: { type: 'integer', minimum: 0 },
          page: { type: 'integer', minimum: 0 },
          pageSize: { type: 'integer', minimum: 1 },
        },
        required: ['success', 'clientes', 'totalCount', 'page', 'pageSize'],
        additionalProperties: false,
      },
    },
  },
  {
    api: 'ambiosys',
    method: 'GET',
    path: '/api/customers/getCustomers/:id',
    operationId: 'ambiosysGetCustomer',
    summary: 'Get a customer by number (AmbioSys)',
    scope: 'read',
    id: customerNumber,
    ok: {
      status: 200,
      description: 'The customer.',
      schema: { type: 'object', properties: { success: { type: 'boolean', const: true }, cliente: ref('AmbiosysCustomer') }, required: ['success', 'cliente'], additionalProperties: false },
      etag: true,
    },
    ifNoneMatch: true,
  },
  {
    api: 'upwell',
    method: 'POST',
    path: '/api/rest/customers',
    operationId: 'upwellCreateCustomer',
    summary: 'Create a customer (Upwell)',
    scope: 'write',
    body: { name: 'UpwellCreateCustomer', schema: CreateCustomer, example: SEED_UPWELL_CREATE },
    ok: { status: 200, description: 'The customer created, with its addresses.', schema: upwell(ref('UpwellCustomer'), 'createCustomer'), etag: true },
    errors: ['invalid_reference', 'already_exists'],
  },
  {
    api: 'upwell',
    method: 'POST',
    path: '/api/rest/bulk-customers',
    operationId: 'upwellBulkCreateCustomers',
    summary: 'Create customers in bulk (Upwell)',
    description: 'Up to 50 customers and 200 nested rows, all created or none.',
    scope: 'write',
    body: { name: 'UpwellCreateCustomers', schema: CreateCustomers },
    ok: { status: 200, description: 'The customers created.', schema: upwell(upwell({ type: 'array', items: ref('UpwellCustomer') }, 'returning'), 'createCustomers') },
    errors: ['invalid_reference', 'already_exists'],
  },
  {
    api: 'upwell',
    method: 'POST',
    path: '/api/rest/customers/search',
    operationId: 'upwellSearchCustomers',
    summary: 'Search customers (Upwell)',
    description:
      'Hasura boolean expressions (`_and`, `_or`, `_not`; `_eq`, `_neq`, `_in`, `_nin`, `_gt`, `_gte`, `_lt`, `_lte`, `_like`, `_ilike`, `_is_null`) over the scalar customer fields, and `orderBy`. A condition no index can serve is refused with a 400 naming it.',
    scope: 'read',
    body: { name: 'UpwellSearch', schema: SearchBody, example: { where: { name: { _ilike: '%acme%' } }, orderBy: [{ name: 'ASC' }], limit: 25 } },
    ok: { status: 200, description: 'A page of matching customers, with how many match.', schema: upwellPage },
  },
  {
    api: 'upwell',
    method: 'GET',
    path: '/api/rest/customers',
    operationId: 'upwellListCustomers',
    summary: 'List customers (Upwell)',
    scope: 'read',
    query: ListQuery,
    ok: { status: 200, description: 'A page of customers, oldest first, with the workspace’s count.', schema: upwellPage },
  },
  {
    api: 'upwell',
    method: 'GET',
    path: '/api/rest/customers/:id',
    operationId: 'upwellGetCustomer',
    summary: 'Get a customer (Upwell)',
    scope: 'read',
    id: { description: "The customer's id." },
    ok: { status: 200, description: 'The customer.', schema: upwell(ref('UpwellCustomer'), 'customer'), etag: true },
    ifNoneMatch: true,
  },
  {
    api: 'upwell',
    method: 'PUT',
    path: '/api/rest/customers/:id',
    operationId: 'upwellUpdateCustomer',
    summary: 'Update a customer (Upwell)',
    description: 'Sets the fields sent in `input`, and the due option in `customerRulesInput`.',
    scope: 'write',
    id: { description: "The customer's id." },
    body: { name: 'UpwellUpdateCustomer', schema: UpdateCustomer },
    ok: {
      status: 200,
      description: 'The customer as updated.',
      schema: {
        type: 'object',
        properties: { updateCustomer: ref('UpwellCustomer'), updateCustomerRules: affected() },
        required: ['updateCustomer', 'updateCustomerRules'],
        additionalProperties: false,
      },
      etag: true,
    },
    ifMatch: true,
    errors: ['invalid_reference', 'already_exists'],
  },
  {
    api: 'upwell',
    method: 'PUT',
    path: '/api/rest/customers',
    operationId: 'upwellUpsertCustomers',
    summary: 'Update a customer by source system id (Upwell)',
    description: 'Updates the customer with this `sourceSystem` and `sourceSystemId`, if there is one (`affectedRows` 0 otherwise).',
    scope: 'write',
    body: { name: 'UpwellUpdateCustomerBySource', schema: UpdateCustomerBySource },
    ok: {
      status: 200,
      description: 'What was updated.',
      schema: {
        type: 'object',
        properties: {
          updateCustomer: affected({ returning: { type: 'array', items: ref('UpwellCustomer'), maxItems: 1 } }),
          updateCustomerRules: affected(),
        },
        required: ['updateCustomer', 'updateCustomerRules'],
        additionalProperties: false,
      },
      etag: true,
    },
    ifMatch: true,
    errors: ['invalid_reference', 'already_exists'],
  },
];
