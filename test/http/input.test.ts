/**
 * Input rules shared by every write route (JSON object bodies, Content-Type,
 * the 64 KiB limit, unknown fields), path ids, 404/405, the headers every
 * response carries, and what a failing binding turns into.
 */
import { afterEach, beforeAll, describe, expect, it, vi, type MockInstance } from 'vitest';
import { MAX_BODY_BYTES } from '../../src/http/body';
import { errorBody, expectError, invalid } from '../errors';
import { addressBody, contactBody, createAddress, createContact, createCustomer, createSegment, MISSING_ID } from '../fixtures';
import { api, byteLength, REQUEST_ID, snapshot, workspace, type ApiResponse, type CallOptions } from '../helpers';

type Workspace = Awaited<ReturnType<typeof workspace>>;
type Body = Record<string, unknown>;

let ws: Workspace;
const ids: Record<string, string> = {};

beforeAll(async () => {
  ws = await workspace();
  ids.segments = (await createSegment(ws.token)).id;
  ids.customers = (await createCustomer(ws.token, { segment_id: ids.segments })).id;
  ids.contacts = (await createContact(ws.token, ids.customers!)).id;
  ids.addresses = (await createAddress(ws.token, ids.customers!)).id;
});

const newContact = () => contactBody(ids.customers!);
const newAddress = () => addressBody(ids.customers!);

/** Every route that takes a body, with a body it accepts. */
const BODY_ROUTES = [
  { route: 'POST /api/customers', method: 'POST', path: () => '/api/customers', valid: (): Body => ({ name: 'New Co', type: 'company' }), ok: 201 },
  { route: 'PATCH /api/customers/:id', method: 'PATCH', path: () => `/api/customers/${ids.customers}`, valid: (): Body => ({ name: 'Renamed' }), ok: 200 },
  { route: 'POST /api/contacts', method: 'POST', path: () => '/api/contacts', valid: newContact, ok: 201 },
  { route: 'PATCH /api/contacts/:id', method: 'PATCH', path: () => `/api/contacts/${ids.contacts}`, valid: (): Body => ({ first_name: 'Grace' }), ok: 200 },
  { route: 'POST /api/addresses', method: 'POST', path: () => '/api/addresses', valid: newAddress, ok: 201 },
  { route: 'PATCH /api/addresses/:id', method: 'PATCH', path: () => `/api/addresses/${ids.addresses}`, valid: (): Body => ({ city: 'Lyon' }), ok: 200 },
  { route: 'POST /api/segments', method: 'POST', path: () => '/api/segments', valid: (): Body => ({ name: 'SMB' }), ok: 201 },
  { route: 'PATCH /api/segments/:id', method: 'PATCH', path: () => `/api/segments/${ids.segments}`, valid: (): Body => ({ name: 'Mid-market' }), ok: 200 },
] as const;

const RESOURCES = ['customers', 'contacts', 'addresses', 'segments'] as const;

/** Runs `request` and proves the whole database is exactly as before. */
async function unchanged<T>(request: () => Promise<T>): Promise<T> {
  const before = await snapshot();
  const result = await request();
  expect(await snapshot()).toEqual(before);
  return result;
}

/** `valid` serialised and padded with insignificant whitespace to exactly `size` bytes. */
function padded(valid: Body, size: number): string {
  const json = JSON.stringify(valid);
  const text = `${json.slice(0, -1)}${' '.repeat(size - byteLength(json))}}`;
  expect(byteLength(text)).toBe(size);
  return text;
}

/** A 1 MiB JSON object (`{` + spaces + `}`) served in 16 KiB chunks, counting how many were pulled. */
function endlessObject() {
  const chunk = 16 * 1024;
  const total = 64;
  const state = { pulled: 0, total };
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      state.pulled++;
      const part = new Uint8Array(chunk).fill(0x20);
      if (state.pulled === 1) part[0] = 0x7b; // '{'
      if (state.pulled === total) part[chunk - 1] = 0x7d; // '}'
      controller.enqueue(part);
      if (state.pulled === total) controller.close();
    },
  });
  return { stream, state };
}

const json = { 'Content-Type': 'application/json' };

describe.each(BODY_ROUTES)('input rules on $route', (r) => {
  const send = (options: CallOptions) => api(r.method, r.path(), { token: ws.token, ...options });

  it.each([
    ['truncated JSON', '{"name":'],
    ['trailing garbage', '{"name":"x"} x'],
    ['single quotes', "{'name':'x'}"],
    ['an empty body', ''],
    ['invalid UTF-8', new Uint8Array([0x7b, 0x22, 0xff, 0x22, 0x3a, 0x31, 0x7d])],
  ])('rejects %s with 400 invalid_json', async (_label, rawBody) => {
    const res = await unchanged(() => send({ rawBody, headers: json }));
    expectError(res, 400, errorBody('invalid_json'));
    expect(res.usage.d1).toBe(0);
  });

  it.each([
    ['an array', '[]'],
    ['an array of objects', '[{"name":"x"}]'],
    ['a string', '"name"'],
    ['null', 'null'],
    ['a number', '42'],
    ['a boolean', 'true'],
  ])('rejects JSON that is %s with 400 invalid_json', async (_label, rawBody) => {
    const res = await unchanged(() => send({ rawBody, headers: json }));
    expectError(res, 400, errorBody('invalid_json'));
    expect(res.usage.d1).toBe(0);
  });

  it.each([
    ['text/plain', { 'Content-Type': 'text/plain' }],
    ['application/x-www-form-urlencoded', { 'Content-Type': 'application/x-www-form-urlencoded' }],
    ['application/jsonp', { 'Content-Type': 'application/jsonp' }],
    ['application/json-patch+json', { 'Content-Type': 'application/json-patch+json' }],
  ])('rejects Content-Type %s with 415', async (_label, headers) => {
    const res = await unchanged(() => send({ rawBody: JSON.stringify(r.valid()), headers }));
    expectError(res, 415, errorBody('unsupported_media_type'));
    expect(res.usage.d1).toBe(0);
  });

  it('rejects a body without Content-Type with 415', async () => {
    const rawBody = new TextEncoder().encode(JSON.stringify(r.valid()));
    const res = await unchanged(() => send({ rawBody }));
    expectError(res, 415, errorBody('unsupported_media_type'));
  });

  it('accepts application/json; charset=utf-8', async () => {
    const res = await send({ rawBody: JSON.stringify(r.valid()), headers: { 'Content-Type': 'application/json; charset=utf-8' } });
    expect(res.status, JSON.stringify(res.body)).toBe(r.ok);
    expect(res.body.success).toBe(true);
  });

  it('rejects a body over 64 KiB declared by Content-Length with 413, before any D1 call', async () => {
    const rawBody = padded(r.valid(), MAX_BODY_BYTES + 1);
    const res = await unchanged(() => send({ rawBody, headers: { ...json, 'Content-Length': String(MAX_BODY_BYTES + 1) } }));
    expectError(res, 413, errorBody('payload_too_large'));
    expect(res.usage.d1).toBe(0);
  });

  it('rejects a body one byte over 64 KiB sent without Content-Length with 413', async () => {
    const res = await unchanged(() => send({ rawBody: padded(r.valid(), MAX_BODY_BYTES + 1), headers: json }));
    expectError(res, 413, errorBody('payload_too_large'));
    expect(res.usage.d1).toBe(0);
  });

  it('rejects a streamed body without Content-Length with 413, without reading it all', async () => {
    const { stream, state } = endlessObject();
    const res = await unchanged(() => send({ rawBody: stream, headers: json }));
    expectError(res, 413, errorBody('payload_too_large'));
    expect(res.usage.d1).toBe(0);
    expect(state.pulled).toBeLessThan(state.total);
  });

  it('accepts a body of exactly 64 KiB, with and without Content-Length', async () => {
    const rawBody = padded(r.valid(), MAX_BODY_BYTES);
    const streamed = await send({ rawBody, headers: json });
    expect(streamed.status, JSON.stringify(streamed.body)).toBe(r.ok);
    const declared = await send({ rawBody, headers: { ...json, 'Content-Length': String(MAX_BODY_BYTES) } });
    expect(declared.status, JSON.stringify(declared.body)).toBe(r.ok);
  });

  it('rejects an unknown field with 400 validation_error naming it', async () => {
    const res = await unchanged(() => send({ body: { ...r.valid(), colour: 'blue' } }));
    expectError(res, 400, invalid('colour'));
  });

  it('names every unknown field in the issues', async () => {
    const res = await unchanged(() => send({ body: { ...r.valid(), colour: 'blue', size: 3 } }));
    expectError(res, 400, invalid('colour', 'size'));
  });
});

describe('unknown fields in nested objects', () => {
  it.each([
    ['POST', (): string => '/api/customers', { name: 'Nested', type: 'company' }],
    ['PATCH', (): string => `/api/customers/${ids.customers}`, {}],
  ] as const)('%s names tax_ids.<i>.<field>', async (method, path, valid) => {
    const body = { ...valid, tax_ids: [{ tax: 'vat', tax_value: 'FR1' }, { tax: 'vat', tax_value: 'FR2', country: 'FR' }] };
    const res = await unchanged(() => api(method, path(), { token: ws.token, body }));
    expectError(res, 400, invalid('tax_ids.1.country'));
  });
});

describe.each(RESOURCES)('path ids of /api/%s', (resource) => {
  const calls = [
    ['GET', undefined],
    ['PATCH', {}],
    ['DELETE', undefined],
  ] as const;

  it.each(['not-a-uuid', '123', `${MISSING_ID}0`, MISSING_ID.replaceAll('-', ''), `${MISSING_ID.slice(0, -1)}g`])(
    'answers a non-UUID id (%s) with 404 not_found, like a missing record',
    async (id) => {
      for (const [method, body] of calls) {
        const missing = await api(method, `/api/${resource}/${MISSING_ID}`, { token: ws.token, body });
        expectError(missing, 404, errorBody('not_found'));
        const res = await unchanged(() => api(method, `/api/${resource}/${id}`, { token: ws.token, body }));
        expectError(res, 404, errorBody('not_found', { error: missing.body.error }));
        expect(res.usage.d1).toBe(0);
      }
    },
  );

  it('accepts an upper-case UUID for an existing record', async () => {
    const res = await api('GET', `/api/${resource}/${ids[resource]!.toUpperCase()}`, { token: ws.token });
    expect(res.status).toBe(200);
    expect(res.body.data.id).toBe(ids[resource]);
  });
});

describe('unknown paths', () => {
  it.each([
    ['GET', '/'],
    ['GET', '/api'],
    ['GET', '/api/customer'],
    ['POST', '/api/nope'],
    ['GET', `/api/customers/${MISSING_ID}/contacts`],
    ['DELETE', `/api/segments/${MISSING_ID}/x`],
  ])('%s %s is 404 not_found', async (method, path) => {
    const res = await unchanged(() => api(method, path, { token: ws.token }));
    expectError(res, 404, errorBody('not_found'));
  });
});

describe('methods not allowed', () => {
  const one = (resource: string) => `/api/${resource}/${MISSING_ID}`;
  const collection = (resource: string) => `/api/${resource}`;
  const cases = RESOURCES.flatMap((resource) => [
    ['PUT', one(resource), ['DELETE', 'GET', 'HEAD', 'PATCH']],
    ['POST', one(resource), ['DELETE', 'GET', 'HEAD', 'PATCH']],
    ['DELETE', collection(resource), ['GET', 'HEAD', 'POST']],
    ['PATCH', collection(resource), ['GET', 'HEAD', 'POST']],
    ['PUT', collection(resource), ['GET', 'HEAD', 'POST']],
  ] as const);

  it.each(cases)('%s %s is 405 with Allow: %s', async (method, path, allowed) => {
    const res = await unchanged(() => api(method, path, { token: ws.token, body: {} }));
    expectError(res, 405, errorBody('method_not_allowed'));
    const allow = (res.headers.get('Allow') ?? '').split(',').map((m) => m.trim()).filter(Boolean);
    expect(allow.sort()).toEqual([...allowed]);
  });
});

describe('headers on every response', () => {
  const successes = (): [string, string, Body | undefined][] => [
    ['POST', '/api/segments', { name: 'Header test' }],
    ['GET', '/api/segments', undefined],
    ['GET', `/api/segments/${ids.segments}`, undefined],
    ['PATCH', `/api/segments/${ids.segments}`, { description: 'Headers' }],
  ];

  it('success responses carry a fresh X-Request-Id and Server-Timing with auth and db', async () => {
    const seen = new Set<string>();
    const created = await api('POST', '/api/segments', { token: ws.token, body: { name: 'To delete' } });
    const all: [string, string, Body | undefined][] = [...successes(), ['DELETE', `/api/segments/${created.body.data.id}`, undefined]];
    for (const [method, path, body] of all) {
      const res = await api(method, path, { token: ws.token, body });
      expect(res.status, `${method} ${path}`).toBeLessThan(300);
      const requestId = res.headers.get('X-Request-Id')!;
      expect(requestId, `${method} ${path}`).toMatch(REQUEST_ID);
      seen.add(requestId);
      const timing = res.headers.get('Server-Timing') ?? '';
      expect(timing, `${method} ${path}`).toContain('auth;dur=');
      expect(timing, `${method} ${path}`).toContain('db;dur=');
    }
    expect(seen.size).toBe(all.length);
  });

  it('an authenticated error without a D1 call times auth but not db', async () => {
    const res = await api('POST', '/api/segments', { token: ws.token, body: { name: '' } });
    expectError(res, 400, invalid('name'));
    expect(res.usage.d1).toBe(0);
    const timing = res.headers.get('Server-Timing') ?? '';
    expect(timing).toContain('auth;dur=');
    expect(timing).not.toContain('db;dur=');
  });

  it('an authenticated 404 from D1 times auth and db', async () => {
    const res = await api('GET', `/api/customers/${MISSING_ID}`, { token: ws.token });
    expectError(res, 404, errorBody('not_found'));
    expect(res.headers.get('Server-Timing')).toMatch(/auth;dur=.*db;dur=/);
  });

  it.each([
    ['401', 'GET', '/api/customers', null],
    ['404', 'GET', '/api/nowhere', 'token'],
    ['405', 'PUT', '/api/customers', 'token'],
  ] as const)('a %s carries X-Request-Id equal to the body request_id', async (_status, method, path, auth) => {
    const res = await api(method, path, { token: auth ? ws.token : null });
    expect(res.status).toBe(Number(_status));
    expect(res.headers.get('X-Request-Id')).toMatch(REQUEST_ID);
    expect(res.body.request_id).toBe(res.headers.get('X-Request-Id'));
  });
});

describe('binding failures', () => {
  const boom = () => new Error('boom');
  let errors: MockInstance<typeof console.error> | undefined;

  afterEach(() => errors?.mockRestore());

  /** 500, whole envelope, nothing written, and one JSON log line with the request id and without the token. */
  async function expectInternalError(request: () => Promise<ApiResponse>) {
    errors = vi.spyOn(console, 'error').mockImplementation(() => {});
    const res = await unchanged(request);
    expectError(res, 500, errorBody('internal_error', { error: 'Internal server error' }));
    const requestId = res.headers.get('X-Request-Id');
    const lines = errors.mock.calls.map((args) => args.map(String).join(' '));
    const logged = lines.flatMap((line) => {
      try {
        return [JSON.parse(line) as Body];
      } catch {
        return [];
      }
    });
    expect(logged.filter((entry) => entry.request_id === requestId), lines.join('\n')).toHaveLength(1);
    expect(lines.join('\n')).not.toContain(ws.token);
    return res;
  }

  const D1_FAULTS: [string, () => string, () => Body | undefined][] = [
    ['POST', () => '/api/customers', () => ({ name: 'Faulty', type: 'company', tax_ids: [{ tax: 'vat', tax_value: 'X1' }] })],
    ['GET', () => '/api/customers?q=acme', () => undefined],
    ['GET', () => `/api/customers/${ids.customers}`, () => undefined],
    ['PATCH', () => `/api/customers/${ids.customers}`, () => ({ name: 'Faulty', segment_id: null })],
    ['DELETE', () => `/api/customers/${ids.customers}`, () => undefined],
    ['POST', () => '/api/contacts', newContact],
    ['PATCH', () => `/api/addresses/${ids.addresses}`, () => ({ city: 'Faulty' })],
    ['DELETE', () => `/api/segments/${ids.segments}`, () => undefined],
  ];

  it.each(D1_FAULTS)('a D1 failure on %s is a logged 500 with no write', async (method, path, body) => {
    const res = await expectInternalError(() => api(method, path(), { token: ws.token, body: body(), faults: { d1: boom } }));
    expect(res.usage.d1).toBe(1);
  });

  it.each([
    ['GET', '/api/customers', undefined],
    ['POST', '/api/segments', { name: 'Faulty' }],
  ] as const)('a KV failure on %s %s is a logged 500 without touching D1', async (method, path, body) => {
    const res = await expectInternalError(() => api(method, path, { token: ws.token, body, faults: { kv: boom } }));
    expect(res.usage.d1).toBe(0);
  });

  it('the records survive the injected failures', async () => {
    for (const resource of RESOURCES) {
      const res = await api('GET', `/api/${resource}/${ids[resource]}`, { token: ws.token });
      expect(res.status, resource).toBe(200);
    }
  });
});
