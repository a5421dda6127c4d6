/**
 * The other workspace's ids are indistinguishable from unknown ids: a request
 * naming B's records (path ids, references, filters) gets exactly the answer
 * it gets with random unknown ids in their place, on every route that names
 * a record.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { addressBody, contactBody } from '../fixtures';
import { printable, quietRequestLog, send } from './send';
import type { SuccessKind } from './shapes';
import { makeWorld, type World } from './world';

quietRequestLog();

describe('the other workspace’s ids are indistinguishable from unknown ids', () => {
  type Slot = 'own' | 'other' | 'missing';
  type Kind = 'segment' | 'customer' | 'contact' | 'address' | 'endpoint' | 'event';
  interface Template {
    name: string;
    method: string;
    kind: SuccessKind;
    /** The slots the request names records by, in order. */
    slots: Kind[];
    path: (ids: string[]) => string;
    body?: (ids: string[]) => unknown;
  }
  const TEMPLATES: Template[] = [
    { name: 'POST /api/contacts', method: 'POST', kind: 'canonical.create', slots: ['customer'], path: () => '/api/contacts', body: ([c]) => contactBody(c!) },
    {
      name: 'POST /api/addresses',
      method: 'POST',
      kind: 'canonical.create',
      slots: ['customer', 'contact'],
      path: () => '/api/addresses',
      body: ([c, k]) => addressBody(c!, { contact_id: k }),
    },
    { name: 'PATCH /api/addresses/:id', method: 'PATCH', kind: 'canonical.update', slots: ['address', 'contact'], path: ([a]) => `/api/addresses/${a}`, body: ([, k]) => ({ contact_id: k }) },
    { name: 'POST /api/customers', method: 'POST', kind: 'canonical.create', slots: ['segment', 'customer'], path: () => '/api/customers', body: ([s, c]) => ({ name: 'N', type: 'company', segment_id: s, bill_to_customer_id: c }) },
    { name: 'PATCH /api/customers/:id', method: 'PATCH', kind: 'canonical.update', slots: ['customer', 'segment', 'customer'], path: ([c]) => `/api/customers/${c}`, body: ([, s, b]) => ({ segment_id: s, bill_to_customer_id: b }) },
    { name: 'POST /api/rest/customers', method: 'POST', kind: 'upwell.create', slots: ['customer'], path: () => '/api/rest/customers', body: ([c]) => ({ input: { name: 'N', billToCustomerId: c } }) },
    { name: 'PUT /api/rest/customers/:id', method: 'PUT', kind: 'upwell.putId', slots: ['customer', 'customer'], path: ([c]) => `/api/rest/customers/${c}`, body: ([, b]) => ({ input: { billToCustomerId: b } }) },
    { name: 'GET /api/rest/customers/:id', method: 'GET', kind: 'upwell.get', slots: ['customer'], path: ([c]) => `/api/rest/customers/${c}` },
    ...(['segment', 'customer', 'contact', 'address'] as const).flatMap((k): Template[] => [
      { name: `GET /api/${k}s/:id`, method: 'GET', kind: 'canonical.get', slots: [k], path: ([id]) => `/api/${k === 'address' ? 'addresses' : `${k}s`}/${id}` },
      { name: `DELETE /api/${k}s/:id`, method: 'DELETE', kind: 'canonical.delete', slots: [k], path: ([id]) => `/api/${k === 'address' ? 'addresses' : `${k}s`}/${id}` },
    ]),
    { name: 'GET /api/customers?segment_id', method: 'GET', kind: 'canonical.list', slots: ['segment'], path: ([s]) => `/api/customers?segment_id=${s}` },
    { name: 'GET /api/contacts?customer_id', method: 'GET', kind: 'canonical.list', slots: ['customer'], path: ([c]) => `/api/contacts?customer_id=${c}` },
    { name: 'GET /api/events/:id', method: 'GET', kind: 'events.get', slots: ['event'], path: ([e]) => `/api/events/${e}` },
    { name: 'POST /api/events/:id/redeliver', method: 'POST', kind: 'events.redeliver', slots: ['event'], path: ([e]) => `/api/events/${e}/redeliver` },
    { name: 'GET /api/events?object_id', method: 'GET', kind: 'events.list', slots: ['customer'], path: ([c]) => `/api/events?object_id=${c}` },
    { name: 'GET /api/webhook_endpoints/:id', method: 'GET', kind: 'canonical.get', slots: ['endpoint'], path: ([e]) => `/api/webhook_endpoints/${e}` },
    { name: 'PATCH /api/webhook_endpoints/:id', method: 'PATCH', kind: 'canonical.update', slots: ['endpoint'], path: ([e]) => `/api/webhook_endpoints/${e}`, body: () => ({ description: 'N' }) },
    { name: 'DELETE /api/webhook_endpoints/:id', method: 'DELETE', kind: 'canonical.delete', slots: ['endpoint'], path: ([e]) => `/api/webhook_endpoints/${e}` },
    { name: 'POST /api/webhook_endpoints/:id/rotate_secret', method: 'POST', kind: 'webhooks.rotate', slots: ['endpoint'], path: ([e]) => `/api/webhook_endpoints/${e}/rotate_secret` },
    { name: 'GET /api/webhook_endpoints/:id/deliveries', method: 'GET', kind: 'webhooks.deliveries', slots: ['endpoint'], path: ([e]) => `/api/webhook_endpoints/${e}/deliveries` },
  ];
  const slot = fc.constantFrom<Slot>('own', 'other', 'other', 'missing');
  const arb = fc
    .constantFrom(...TEMPLATES.map((t): Template => Object.assign(t, { [fc.toStringMethod]: () => t.name })))
    .chain((t) => fc.tuple(fc.constant(t), fc.array(slot, { minLength: t.slots.length, maxLength: t.slots.length })))
    .filter(([, slots]) => slots.includes('other'));

  it('a request naming B’s records (path ids, references, filters) gets exactly the answer it gets with unknown ids instead', async () => {
    const w: World = await makeWorld();
    const idOf = (side: World['A'], k: Kind) => side[k];
    await fc.assert(
      fc.asyncProperty(arb, async ([t, slots]) => {
        const ids = t.slots.map((k, i) => (slots[i] === 'own' ? idOf(w.A, k) : slots[i] === 'other' ? idOf(w.B, k) : crypto.randomUUID()));
        const twinIds = ids.map((id, i) => (slots[i] === 'other' ? crypto.randomUUID() : id));
        const call = (x: string[]) => printable({ method: t.method, path: t.path(x), body: t.body ? JSON.stringify(t.body(x)) : undefined });
        const got = await send(w, call(ids), t.kind);
        const twin = await send(w, call(twinIds), t.kind);
        const where = `${t.name} ${JSON.stringify(slots)} -> ${got.res.status} ${JSON.stringify(got.res.body).slice(0, 300)} / unknown ids -> ${twin.res.status} ${JSON.stringify(twin.res.body).slice(0, 300)}`;
        expect(got.res.status, where).toBe(twin.res.status);
        if (got.error || twin.error) expect(got.error, where).toEqual(twin.error);
        else if (t.kind === 'canonical.list' || t.kind === 'events.list') expect(got.res.body.data, where).toEqual(twin.res.body.data);
      }),
      {
        numRuns: 80,
        // Found by this property: B's customer together with B's contact of that customer.
        examples: [[[TEMPLATES[1]!, ['other', 'other']]]],
      },
    );
  }, 120_000);
});
