/**
 * HEAD works wherever GET does, on all three APIs: the same status and
 * headers as the GET, no body; and Allow lists it.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { createAddress, createContact, createCustomer, createSegment, MISSING_ID } from '../fixtures';
import { api, workspace } from '../helpers';

type Workspace = Awaited<ReturnType<typeof workspace>>;
let ws: Workspace;
const ids: Record<string, string> = {};
let number: number;

beforeAll(async () => {
  ws = await workspace();
  ids.segment = (await createSegment(ws.token)).id;
  const customer = await createCustomer(ws.token);
  ids.customer = customer.id;
  number = customer.number;
  ids.contact = (await createContact(ws.token, customer.id)).id;
  ids.address = (await createAddress(ws.token, customer.id)).id;
});

/** Headers that differ between any two responses. */
const VARYING = new Set(['x-request-id', 'server-timing']);
const stable = (headers: Headers) => [...headers].filter(([name]) => !VARYING.has(name));

describe('HEAD', () => {
  const paths = () => [
    '/api/customers',
    '/api/customers?type=company&limit=1',
    `/api/customers/${ids.customer}`,
    '/api/contacts',
    `/api/contacts/${ids.contact}`,
    '/api/addresses',
    `/api/addresses/${ids.address}`,
    '/api/segments',
    `/api/segments/${ids.segment}`,
    '/api/customers/getCustomers?page=0&limit=5',
    `/api/customers/getCustomers/${number}`,
    '/api/rest/customers?limit=5',
    `/api/rest/customers/${ids.customer}`,
    // Errors too: a missing record, a bad parameter.
    `/api/customers/${MISSING_ID}`,
    '/api/customers?limit=0',
    `/api/rest/customers/${MISSING_ID}`,
  ];

  it('answers every GET route with the GET’s status and headers and no body', async () => {
    for (const path of paths()) {
      const get = await api('GET', path, { token: ws.token });
      const head = await api('HEAD', path, { token: ws.token });
      expect(head.status, path).toBe(get.status);
      expect(stable(head.headers), path).toEqual(stable(get.headers));
      expect(head.body, path).toBeNull();
      expect(head.headers.get('X-Request-Id')).toMatch(/^[0-9a-f-]{36}$/);
    }
  });

  it('needs a token like GET, and answers 404/405 like any other method', async () => {
    const denied = await api('HEAD', '/api/customers');
    expect(denied.status).toBe(401);
    expect(denied.body).toBeNull();
    expect(denied.headers.get('WWW-Authenticate')).toBe('Bearer');
    expect((await api('HEAD', '/api/nope', { token: ws.token })).status).toBe(404);
    const bulk = await api('HEAD', '/api/rest/bulk-customers', { token: ws.token });
    expect(bulk.status).toBe(405);
    expect(bulk.headers.get('Allow')).toBe('POST');
    expect(bulk.body).toBeNull();
  });

  it('is listed in Allow wherever GET is', async () => {
    for (const [path, allow] of [
      [`/api/customers/${ids.customer}`, 'GET, HEAD, PATCH, DELETE'],
      ['/api/customers/getCustomers', 'GET, HEAD'],
      ['/api/customers/create', 'POST'],
    ] as const) {
      const res = await api('PUT', path, { token: ws.token, body: {} });
      expect(res.status, path).toBe(405);
      expect(res.headers.get('Allow')!.split(', ').sort(), path).toEqual(allow.split(', ').sort());
    }
  });
});
