/**
 * The OpenAPI 3.1 document of the three APIs (public/openapi.json), built
 * from the operations (src/contract/operations.ts), the objects
 * (src/contract/objects.ts) and the error table (src/http/errors.ts). Errors
 * are listed per operation from what the route does (its scope, body, query,
 * path id, conditions), each status with the codes it can carry, in the
 * operation's API's dialect.
 */
import type { JsonSchema } from '@valibot/to-json-schema';
import { UPWELL_CODES } from '../compat/upwell/api';
import { ERROR_STATUS, type ErrorCode } from '../http/errors';
import { toJson } from './json-schema';
import { objectSchemas, ref } from './objects';
import { OPERATIONS, type ApiName, type Operation } from './operations';

type Json = Record<string, unknown>;

export const TAGS: Record<ApiName, { name: string; description: string }> = {
  canonical: {
    name: 'Canonical',
    description: "The canonical API, in Qwoty's shape: customers, contacts, addresses, segments, events, webhooks, export and import.",
  },
  ambiosys: { name: 'AmbioSys', description: 'The AmbioSys customer API, served on the same customers for its existing clients.' },
  upwell: { name: 'Upwell', description: 'The Upwell customer API (Hasura-style REST), served on the same customers for its existing clients.' },
};

const ERROR_SCHEMA: Record<ApiName, string> = { canonical: 'Error', ambiosys: 'AmbiosysError', upwell: 'UpwellError' };

/** The codes an operation can fail with, from what it does. */
export function errorCodes(op: Operation): ErrorCode[] {
  // Every route: the token (missing, or without the route's scope: a write-only token on a read), the path's
  // other methods, the rate limit, the unexpected.
  const codes = new Set<ErrorCode>(['unauthorized', 'forbidden', 'method_not_allowed', 'rate_limited', 'internal_error']);
  const add = (...more: ErrorCode[]) => more.forEach((code) => codes.add(code));
  if (op.body) add('validation_error', 'invalid_json', 'request_aborted', 'payload_too_large', 'unsupported_media_type');
  if (op.ndjson) add('validation_error', 'request_aborted', 'payload_too_large', 'unsupported_media_type');
  if (op.query || op.ifMatch) add('validation_error');
  // Writes with a body take an Idempotency-Key (src/http/route.ts).
  if (op.scope === 'write' && (op.body || op.ndjson)) add('validation_error', 'idempotency_in_progress', 'idempotency_key_reused');
  if (op.id) add('not_found');
  if (op.ifMatch) add('precondition_failed');
  add(...(op.errors ?? []));
  return [...codes];
}

/** The error body of one status in an API's dialect, with the codes it can carry there. */
function errorSchema(api: ApiName, codes: ErrorCode[]): JsonSchema {
  if (api === 'canonical') return { allOf: [ref('Error'), { properties: { code: { enum: codes } } }] };
  if (api === 'upwell') {
    const names = [...new Set(codes.flatMap((c) => (c === 'unauthorized' ? ['INVALID_API_KEY', 'MISSING_AUTHORIZATION'] : [UPWELL_CODES[c] ?? c.toUpperCase()])))];
    return { allOf: [ref('UpwellError'), { properties: { error: { properties: { code: { enum: names } } } } }] };
  }
  return ref(ERROR_SCHEMA[api]);
}

const STATUS_TEXT: Record<number, string> = {
  400: 'The request is invalid; `issues` names each field or parameter.',
  401: 'Missing, malformed, unknown, expired or revoked token.',
  403: "The token lacks the route's scope.",
  404: 'No such record in this workspace.',
  405: 'The path does not take this method; `Allow` lists the methods it takes.',
  409: 'A conflict with the stored records, or with a request of the same Idempotency-Key in progress.',
  412: 'If-Match names an older version.',
  413: 'The body is over the size limit.',
  415: 'The body is not of the media type the route takes.',
  422: 'This Idempotency-Key was used for a different request.',
  429: "Over the workspace's request budget, or too many failed authentications: see Retry-After.",
  500: 'Something unexpected; logged with the request id.',
};

const header = (name: string) => ({ $ref: `#/components/headers/${name}` });

/** An error response: one per API and status, in the API's dialect, naming every code of that status. */
function errorResponse(api: ApiName, status: number): Json {
  const codes = (Object.keys(ERROR_STATUS) as ErrorCode[]).filter((code) => ERROR_STATUS[code] === status);
  const headers: Json = { 'X-Request-Id': header('X-Request-Id') };
  if (status !== 401 && status !== 429) headers['Server-Timing'] = header('Server-Timing');
  if (status === 429) headers['Retry-After'] = header('Retry-After');
  if (status === 401) headers['WWW-Authenticate'] = header('WWW-Authenticate');
  if (status === 405) headers.Allow = header('Allow');
  return {
    description: `${STATUS_TEXT[status]} Codes: ${codes.map((c) => `\`${c}\``).join(', ')}.`,
    headers,
    content: { 'application/json': { schema: errorSchema(api, codes) } },
  };
}

const responseName = (api: ApiName, status: number) => `${TAGS[api].name}${status}`;

/** The statuses an operation can fail with, each a reference to its API's error response. */
function errorResponses(op: Operation, used: Set<number>): Record<string, Json> {
  const statuses = [...new Set(errorCodes(op).map((code) => ERROR_STATUS[code]))].sort((a, b) => a - b);
  for (const status of statuses) used.add(status);
  return Object.fromEntries(statuses.map((status) => [String(status), { $ref: `#/components/responses/${responseName(op.api, status)}` }]));
}

/** `/api/customers/:id` -> `/api/customers/{id}`. */
export const openApiPath = (path: string) => path.replace(/:([A-Za-z_]+)/g, '{$1}');

/** A query schema's properties as query parameters, and the rules between them (the object's checks). */
function queryParameters(op: Operation): { parameters: Json[]; rules?: string } {
  if (!op.query) return { parameters: [] };
  const schema = toJson(op.query);
  const properties = (schema.properties ?? {}) as Record<string, JsonSchema>;
  const parameters = Object.entries(properties).map(([name, { description, ...value }]) => ({
    name,
    in: 'query',
    required: false,
    ...(description ? { description } : {}),
    // An object parameter is sent as `name[key]=value` (the customer list's metadata filters).
    ...(value.type === 'object' ? { style: 'deepObject', explode: true } : {}),
    schema: value,
  }));
  return { parameters, rules: schema.description };
}

function operation(op: Operation, bodies: Record<string, JsonSchema>, used: Record<ApiName, Set<number>>): Json {
  const parameters: Json[] = [];
  if (op.id) parameters.push({ name: 'id', in: 'path', required: true, description: op.id.description, schema: op.id.schema ?? { type: 'string' } });
  const query = queryParameters(op);
  parameters.push(...query.parameters);
  const description = [op.description, query.rules && `Rules between parameters: ${query.rules}`].filter(Boolean).join('\n\n');
  if (op.scope === 'write' && (op.body || op.ndjson)) parameters.push({ $ref: '#/components/parameters/IdempotencyKey' });
  if (op.ifMatch) parameters.push({ $ref: '#/components/parameters/IfMatch' });
  if (op.ifNoneMatch) parameters.push({ $ref: '#/components/parameters/IfNoneMatch' });

  const headers: Json = { 'X-Request-Id': header('X-Request-Id'), 'Server-Timing': header('Server-Timing') };
  if (op.ok.etag) headers.ETag = header('ETag');
  if (op.scope === 'write' && (op.body || op.ndjson)) headers['Idempotent-Replayed'] = header('Idempotent-Replayed');
  for (const name of op.ok.headers ?? []) headers[name] = header(name);
  const content = op.ok.ndjson
    ? { 'application/x-ndjson': { schema: { type: 'string', description: 'One JSON object per line (README, "Export and import").' } } }
    : { 'application/json': { schema: op.ok.schema, ...(op.ok.example ? { example: op.ok.example } : {}) } };
  const responses: Json = { [String(op.ok.status)]: { description: op.ok.description, headers, content } };
  if (op.ok.also) responses[String(op.ok.also.status)] = { description: op.ok.also.description, headers, content };
  if (op.ifNoneMatch) {
    responses['304'] = { description: 'Not modified: If-None-Match names the current ETag.', headers: { ETag: header('ETag'), 'X-Request-Id': header('X-Request-Id') } };
  }
  Object.assign(responses, errorResponses(op, used[op.api]));

  let requestBody: Json | undefined;
  if (op.body) {
    bodies[op.body.name] = toJson(op.body.schema);
    requestBody = {
      required: true,
      content: { 'application/json': { schema: ref(op.body.name), ...(op.body.example ? { example: op.body.example } : {}) } },
    };
  } else if (op.ndjson) {
    requestBody = {
      required: true,
      content: { 'application/x-ndjson': { schema: { type: 'string', description: 'Records in the export format, one JSON object per line (at most 900 and 4 MiB).' } } },
    };
  }
  return {
    operationId: op.operationId,
    summary: op.summary,
    ...(description ? { description } : {}),
    tags: [TAGS[op.api].name],
    'x-scope': op.scope,
    ...(parameters.length ? { parameters } : {}),
    ...(requestBody ? { requestBody } : {}),
    responses,
  };
}

const HEADERS: Record<string, Json> = {
  'X-Request-Id': { description: 'The id of this request, also in error bodies and the log.', required: true, schema: { type: 'string', format: 'uuid' } },
  'Server-Timing': { description: 'The phases the request went through: `auth`, `validation`, `db`, `serialize`.', schema: { type: 'string' } },
  ETag: { description: 'The version of the record and a digest of its representation, for If-Match and If-None-Match.', schema: { type: 'string', pattern: '^"[0-9]+-[0-9a-f]{16}"$' } },
  'Idempotent-Replayed': { description: 'Present on a replay of an Idempotency-Key: the original response, nothing written.', schema: { type: 'string', enum: ['true'] } },
  'Retry-After': { description: 'Seconds to wait before retrying.', required: true, schema: { type: 'string', pattern: '^[0-9]+$' } },
  'WWW-Authenticate': { description: 'The scheme the API takes.', schema: { type: 'string', enum: ['Bearer'] } },
  Allow: { description: 'The methods the path takes.', required: true, schema: { type: 'string', pattern: '^[A-Z]+(, [A-Z]+)*$' } },
  'Export-Cursor': { description: 'The `cursor` of the next page; absent on the last page.', schema: { type: 'string' } },
};

const PARAMETERS: Record<string, Json> = {
  IdempotencyKey: {
    name: 'Idempotency-Key',
    in: 'header',
    required: false,
    description: 'Makes the write safe to retry for 24 hours: the same key and request replay the first response (`Idempotent-Replayed: true`).',
    schema: { type: 'string', minLength: 1, maxLength: 255, pattern: '^[\\x20-\\x7e]+$' },
  },
  IfMatch: {
    name: 'If-Match',
    in: 'header',
    required: false,
    description: 'Write only if the record is still at one of these ETags (up to 10), or `*`.',
    schema: { type: 'string' },
  },
  IfNoneMatch: {
    name: 'If-None-Match',
    in: 'header',
    required: false,
    description: 'Answer 304 without a body if the representation still has one of these ETags.',
    schema: { type: 'string' },
  },
};

export function buildDocument(version: string): Json {
  const bodies: Record<string, JsonSchema> = {};
  const paths: Record<string, Json> = {};
  const used: Record<ApiName, Set<number>> = { canonical: new Set(), ambiosys: new Set(), upwell: new Set() };
  for (const op of OPERATIONS) {
    const path = (paths[openApiPath(op.path)] ??= {});
    path[op.method.toLowerCase()] = operation(op, bodies, used);
  }
  const responses: Record<string, Json> = {};
  for (const api of Object.keys(used) as ApiName[]) {
    for (const status of [...used[api]].sort((a, b) => a - b)) responses[responseName(api, status)] = errorResponse(api, status);
  }
  return {
    openapi: '3.1.0',
    jsonSchemaDialect: 'https://spec.openapis.org/oas/3.1/dialect/base',
    info: {
      title: 'customers-worker API',
      version,
      summary: 'Customer records for quoting, invoicing and collections apps: one store, three API shapes.',
      description:
        'Every route takes a workspace API token (`Authorization: Bearer <token>`); read routes need the `read` scope, writes `write`. ' +
        'Every path answers its other methods with 405 (`Allow` lists them) and `HEAD` wherever `GET` is. ' +
        'Errors come in the dialect of the API addressed. Generated from the Valibot schemas and field declarations by `npm run openapi`.',
      license: { name: 'Proprietary', identifier: 'LicenseRef-Proprietary' },
    },
    servers: [{ url: '/', description: 'This deployment' }],
    security: [{ bearerAuth: [] }],
    tags: Object.values(TAGS),
    paths,
    components: {
      securitySchemes: {
        bearerAuth: {
          type: 'http',
          scheme: 'bearer',
          description: 'A workspace API token (`npm run token`), scoped `read` or `write`. "Bearer " may be left out.',
        },
      },
      responses,
      parameters: PARAMETERS,
      headers: HEADERS,
      schemas: { ...objectSchemas(), ...bodies },
    },
  };
}
