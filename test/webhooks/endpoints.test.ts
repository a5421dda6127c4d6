/**
 * /api/webhook_endpoints: create (the signing secret shown once, stored
 * encrypted), list, get, update, delete, rotate the secret, list an
 * endpoint's deliveries; the targets refused (src/lib/targets.ts), the
 * 16-endpoint limit, the write scope every route needs, and workspace
 * isolation. No test here writes a customer next to an enabled endpoint: the
 * queue consumer would deliver asynchronously (test/scripts covers delivery).
 */
import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { decryptSecret } from '../../src/lib/secrets';
import { canonicalError, errorBody, invalid, issuesAt, rejected } from '../errors';
import { MISSING_ID, ms } from '../fixtures';
import { api, freeze, ISO, snapshot, UUID, workspace } from '../helpers';

const BASE = '/api/webhook_endpoints';
const URL_ = 'https://example.com/hooks';
const SECRET = /^whsec_[A-Za-z0-9+/=]+$/;
const STORED_SECRET = /^v1\.[A-Za-z0-9+/=]+\.[A-Za-z0-9+/=]+$/;
const DAY_MS = 24 * 60 * 60 * 1000;

type Workspace = Awaited<ReturnType<typeof workspace>>;
type Body = Record<string, unknown>;

/** A whole endpoint as the API shows it (never its secret): `fields` over a new endpoint's values. */
const endpointObject = (workspaceId: string, fields: Body = {}) => ({
  id: expect.stringMatching(UUID),
  workspace_id: workspaceId,
  url: URL_,
  event_types: ['*'],
  description: null,
  enabled: true,
  disabled_reason: null,
  created_at: expect.stringMatching(ISO),
  updated_at: expect.stringMatching(ISO),
  ...fields,
});

/** Creates an endpoint (201) and returns its data, the secret included. */
async function createEndpoint(token: string, body: Body = {}) {
  const res = await api('POST', BASE, { token, body: { url: URL_, ...body } });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.data as Body & { id: string; secret: string; updated_at: string; created_at: string };
}

/** The stored row of an endpoint. */
const row = (id: string) => env.DB.prepare('SELECT * FROM webhook_endpoints WHERE id = ?').bind(id).first<Record<string, any>>();

const withoutSecret = ({ secret: _, ...rest }: Body) => rest;

describe('POST /api/webhook_endpoints', () => {
  it('creates an endpoint with the defaults, showing its secret once, and stores the secret encrypted', async () => {
    const { workspaceId, token } = await workspace();
    const res = await api('POST', BASE, { token, body: { url: URL_ } });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({ success: true, data: { ...endpointObject(workspaceId), secret: expect.stringMatching(SECRET) } });
    const created = res.body.data;
    expect(created.updated_at).toBe(created.created_at);
    // A secret is whsec_ + base64 of 32 random bytes.
    expect(atob(created.secret.slice('whsec_'.length))).toHaveLength(32);

    const stored = await row(created.id);
    expect(stored).toEqual({
      id: created.id,
      workspace_id: workspaceId,
      url: URL_,
      event_types: '["*"]',
      description: null,
      enabled: 1,
      disabled_reason: null,
      secret: expect.stringMatching(STORED_SECRET),
      previous_secret: null,
      previous_secret_expires_at: null,
      failing_since: null,
      created_at: ms(created.created_at),
      updated_at: ms(created.updated_at),
      version: 1,
    });
    // Neither the secret nor its random part is stored in clear.
    expect(stored!.secret).not.toBe(created.secret);
    expect(stored!.secret).not.toContain(created.secret);
    expect(stored!.secret).not.toContain(created.secret.slice('whsec_'.length));

    // Reads never show it.
    const got = await api('GET', `${BASE}/${created.id}`, { token });
    expect(got.body).toEqual({ success: true, data: withoutSecret(created) });
    const list = await api('GET', BASE, { token });
    expect(list.body).toEqual({ success: true, data: [withoutSecret(created)], has_more: false, next_cursor: null });
    expect(got.text).not.toContain(created.secret);
    expect(list.text).not.toContain('secret');
  });

  it('gives each endpoint its own secret', async () => {
    const { token } = await workspace();
    const a = await createEndpoint(token);
    const b = await createEndpoint(token);
    expect(a.secret).not.toBe(b.secret);
    expect((await row(a.id))!.secret).not.toBe((await row(b.id))!.secret);
  });

  it('stores the event types, description and enabled flag sent; repeated event types once', async () => {
    const { workspaceId, token } = await workspace();
    const body = { url: 'https://hooks.example.com/in?x=1', event_types: ['customer.created', 'contact.*', 'customer.created'], description: '  CRM sync  ', enabled: false };
    const res = await api('POST', BASE, { token, body });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      success: true,
      data: {
        ...endpointObject(workspaceId, { url: 'https://hooks.example.com/in?x=1', event_types: ['customer.created', 'contact.*'], description: 'CRM sync', enabled: false }),
        secret: expect.stringMatching(SECRET),
      },
    });
    expect((await row(res.body.data.id))!.enabled).toBe(0);
  });

  it('takes every event type, every object.* and *', async () => {
    const { token } = await workspace();
    const types = [
      '*',
      'customer.*',
      'contact.*',
      'address.*',
      'segment.*',
      ...['customer', 'contact', 'address', 'segment'].flatMap((o) => ['created', 'updated', 'deleted'].map((e) => `${o}.${e}`)),
    ];
    expect((await createEndpoint(token, { event_types: types })).event_types).toEqual(types);
  });

  it.each([
    ['a missing url', {}, invalid('url')],
    ['a null url', { url: null }, invalid('url')],
    ['an empty url', { url: '' }, errorBody('validation_error', { issues: issuesAt('url') })],
    ['a url that is no URL', { url: 'not a url' }, errorBody('validation_error', { issues: issuesAt('url') })],
    ['an ftp url', { url: 'ftp://example.com/hooks' }, invalid('url')],
    ['an unknown event type', { url: URL_, event_types: ['customer.merged'] }, invalid('event_types.0')],
    ['an unknown event type after a known one', { url: URL_, event_types: ['customer.created', 'invoice.*'] }, invalid('event_types.1')],
    ['event types that are no list', { url: URL_, event_types: 'customer.created' }, invalid('event_types')],
    ['more than 20 event types', { url: URL_, event_types: Array.from({ length: 21 }, () => '*') }, invalid('event_types')],
    ['a description of 501 characters', { url: URL_, description: 'd'.repeat(501) }, invalid('description')],
    ['a description that is no string', { url: URL_, description: 42 }, invalid('description')],
    ['enabled as a string', { url: URL_, enabled: 'yes' }, invalid('enabled')],
    ['enabled as a number', { url: URL_, enabled: 1 }, invalid('enabled')],
    ['enabled null', { url: URL_, enabled: null }, invalid('enabled')],
    ['a secret of its own', { url: URL_, secret: 'whsec_AAAA' }, invalid('secret')],
    ['a disabled_reason (read-only)', { url: URL_, disabled_reason: 'x' }, invalid('disabled_reason')],
    ['an unknown field', { url: URL_, colour: 'red' }, invalid('colour')],
  ])('refuses %s with 400 naming it, storing nothing', async (_, body, expected) => {
    const { workspaceId, token } = await workspace();
    await createEndpoint(token);
    await rejected(workspaceId, 'POST', BASE, { token, body }, 400, expected);
  });

  it('accepts a description of 500 characters', async () => {
    const { token } = await workspace();
    expect((await createEndpoint(token, { description: 'é'.repeat(500) })).description).toBe('é'.repeat(500));
  });

  it('refuses a body that is not a JSON object', async () => {
    const { workspaceId, token } = await workspace();
    await rejected(workspaceId, 'POST', BASE, { token, body: [{ url: URL_ }] }, 400, errorBody('invalid_json'));
  });

  it('the secret shown is the one stored', async () => {
    const { token } = await workspace();
    const created = await createEndpoint(token);
    expect(await decryptSecret((await row(created.id))!.secret, (env as Env).WEBHOOK_SECRETS_KEY)).toBe(created.secret);
  });

  // The secret of a keyed create derives from the key, so the replay answers the one stored (src/lib/secrets.ts keyedSecret).
  it('a retry with the same Idempotency-Key replays the secret that was stored', async () => {
    const { workspaceId, token } = await workspace();
    const headers = { 'Idempotency-Key': crypto.randomUUID() };
    const first = await api('POST', BASE, { token, body: { url: URL_ }, headers });
    expect(first.status).toBe(201);
    const replay = await api('POST', BASE, { token, body: { url: URL_ }, headers, maxD1: 2 });
    expect(replay.status).toBe(201);
    expect(replay.headers.get('Idempotent-Replayed')).toBe('true');
    expect((await snapshot(workspaceId)).webhook_endpoints).toHaveLength(1);
    expect(replay.body).toEqual(first.body);
    expect(await decryptSecret((await row(first.body.data.id))!.secret, (env as Env).WEBHOOK_SECRETS_KEY)).toBe(first.body.data.secret);
    // Another key, the same body: another endpoint with another secret.
    const other = await api('POST', BASE, { token, body: { url: URL_ }, headers: { 'Idempotency-Key': crypto.randomUUID() } });
    expect(other.body.data.secret).not.toBe(first.body.data.secret);
  });
});

describe('refused targets', () => {
  const REFUSED = [
    'http://example.com/hooks',
    'https://localhost/hooks',
    'https://localhost:8443/hooks',
    'https://api.localhost/hooks',
    'https://127.0.0.1/hooks',
    'https://127.8.9.10/hooks',
    'https://10.0.0.1/hooks',
    'https://172.16.0.1/hooks',
    'https://192.168.1.1/hooks',
    'https://169.254.169.254/latest/meta-data/',
    'https://[::1]/hooks',
    'https://[::ffff:127.0.0.1]/hooks',
    'https://[fd00::1]/hooks',
    'https://[fe80::1]/hooks',
    'https://0.0.0.0/hooks',
    'https://100.64.0.1/hooks',
    'https://metadata.google.internal/computeMetadata/v1/',
    'https://service.internal/hooks',
    'https://intranet/hooks',
    'https://user:pass@example.com/hooks',
  ];

  it('the tests run with local targets refused, as in production', () => {
    expect(env.WEBHOOK_ALLOW_LOCAL_TARGETS).toBe('false');
  });

  it.each(REFUSED)('POST refuses %s with 400 naming url, storing nothing', async (url) => {
    const { workspaceId, token } = await workspace();
    await rejected(workspaceId, 'POST', BASE, { token, body: { url } }, 400, invalid('url'));
  });

  it.each(REFUSED)('PATCH refuses %s with 400 naming url, changing nothing', async (url) => {
    const { workspaceId, token } = await workspace();
    const { id } = await createEndpoint(token);
    await rejected(workspaceId, 'PATCH', `${BASE}/${id}`, { token, body: { url, description: 'changed' } }, 400, invalid('url'));
  });

  it('takes public hosts and addresses', async () => {
    const { token } = await workspace();
    for (const url of ['https://hooks.example.com/a', 'https://93.184.216.34/a', 'https://[2606:4700::1111]/a', 'https://example.com:8443/a?b=c', 'https://172.32.0.1/a', 'https://100.128.0.1/a']) {
      expect((await createEndpoint(token, { url })).url).toBe(url);
    }
  });

  it('WEBHOOK_ALLOW_LOCAL_TARGETS=true (local development) takes http:// and loopback targets', async () => {
    const { workspaceId, token } = await workspace();
    const dev = { WEBHOOK_ALLOW_LOCAL_TARGETS: 'true' };
    for (const url of ['http://localhost:8787/hooks', 'https://127.0.0.1/hooks']) {
      const res = await api('POST', BASE, { token, body: { url, enabled: false }, env: dev });
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      expect(res.body.data.url).toBe(url);
    }
    // Still only http(s), still no credentials.
    await rejected(workspaceId, 'POST', BASE, { token, body: { url: 'https://u:p@localhost/' }, env: dev }, 400, invalid('url'));
  });
});

describe('GET /api/webhook_endpoints', () => {
  it('returns an empty page for a workspace without endpoints', async () => {
    const { token } = await workspace();
    expect((await api('GET', BASE, { token })).body).toEqual({ success: true, data: [], has_more: false, next_cursor: null });
  });

  it("walks the workspace's endpoints in creation order with limit and cursor, never another workspace's", async () => {
    const { token } = await workspace();
    const other = await workspace();
    await createEndpoint(other.token);
    const made = [];
    for (let i = 0; i < 5; i++) made.push(withoutSecret(await createEndpoint(token, { description: `E${i}` })));
    const p1 = await api('GET', `${BASE}?limit=2`, { token });
    expect(p1.status).toBe(200);
    expect(p1.body).toEqual({ success: true, data: made.slice(0, 2), has_more: true, next_cursor: made[1]!.id });
    const p2 = await api('GET', `${BASE}?limit=2&cursor=${p1.body.next_cursor}`, { token });
    expect(p2.body).toEqual({ success: true, data: made.slice(2, 4), has_more: true, next_cursor: made[3]!.id });
    const p3 = await api('GET', `${BASE}?limit=2&cursor=${p2.body.next_cursor}`, { token });
    expect(p3.body).toEqual({ success: true, data: made.slice(4), has_more: false, next_cursor: null });
    expect((await api('GET', BASE, { token })).body).toEqual({ success: true, data: made, has_more: false, next_cursor: null });
  });

  it.each([
    ['limit=0', 'limit'],
    ['limit=101', 'limit'],
    ['cursor=abc', 'cursor'],
    ['enabled=true', 'enabled'],
    ['url=x', 'url'],
  ])('refuses ?%s with 400 naming it', async (query, name) => {
    const { workspaceId, token } = await workspace();
    await rejected(workspaceId, 'GET', `${BASE}?${query}`, { token }, 400, invalid(name));
  });
});

describe('GET /api/webhook_endpoints/:id', () => {
  it('is a 404 for an unknown id, a non-UUID id and a deleted endpoint', async () => {
    const { workspaceId, token } = await workspace();
    const { id } = await createEndpoint(token);
    expect((await api('DELETE', `${BASE}/${id}`, { token })).status).toBe(200);
    for (const missing of [MISSING_ID, 'abc', id]) {
      await rejected(workspaceId, 'GET', `${BASE}/${missing}`, { token }, 404, errorBody('not_found'));
    }
  });

  it('carries an ETag of version 1 and answers 304 to it', async () => {
    const { token } = await workspace();
    const { id } = await createEndpoint(token);
    const got = await api('GET', `${BASE}/${id}`, { token });
    expect(got.headers.get('ETag')).toMatch(/^"1-[0-9a-f]+"$/);
    const again = await api('GET', `${BASE}/${id}`, { token, headers: { 'If-None-Match': got.headers.get('ETag')! } });
    expect(again.status).toBe(304);
  });
});

describe('PATCH /api/webhook_endpoints/:id', () => {
  it('changes only the fields sent, moving updated_at and the version forward, never showing the secret', async () => {
    const { workspaceId, token } = await workspace();
    const created = await createEndpoint(token, { description: 'First' });
    const storedSecret = (await row(created.id))!.secret;
    const path = `${BASE}/${created.id}`;

    const first = await api('PATCH', path, { token, body: { url: 'https://other.example.com/in', event_types: ['segment.*', 'customer.deleted'] } });
    expect(first.status).toBe(200);
    expect(first.body).toEqual({
      success: true,
      data: endpointObject(workspaceId, {
        id: created.id,
        created_at: created.created_at,
        url: 'https://other.example.com/in',
        event_types: ['segment.*', 'customer.deleted'],
        description: 'First',
      }),
    });
    expect(ms(first.body.data.updated_at)).toBeGreaterThan(ms(created.updated_at));
    expect(first.headers.get('ETag')).toMatch(/^"2-[0-9a-f]+"$/);

    const second = await api('PATCH', path, { token, body: { description: null, enabled: false } });
    expect(second.body).toEqual({ success: true, data: { ...first.body.data, description: null, enabled: false, updated_at: expect.stringMatching(ISO) } });
    expect(ms(second.body.data.updated_at)).toBeGreaterThan(ms(first.body.data.updated_at));
    expect((await api('GET', path, { token })).body).toEqual(second.body);

    const stored = await row(created.id);
    expect(stored).toMatchObject({ enabled: 0, event_types: '["segment.*","customer.deleted"]', version: 3, secret: storedSecret, previous_secret: null });
  });

  it('enabling an endpoint by hand clears why the service disabled it and its failure streak', async () => {
    const { workspaceId, token } = await workspace();
    const { id } = await createEndpoint(token, { enabled: false });
    // As the delivery consumer leaves an endpoint it disabled (src/webhooks/deliver.ts).
    await env.DB.prepare("UPDATE webhook_endpoints SET disabled_reason = 'Deliveries failed for 3 days', failing_since = 1 WHERE id = ?").bind(id).run();
    const shown = await api('GET', `${BASE}/${id}`, { token });
    expect(shown.body.data).toMatchObject({ enabled: false, disabled_reason: 'Deliveries failed for 3 days' });
    // Another change keeps them.
    const described = await api('PATCH', `${BASE}/${id}`, { token, body: { description: 'paused' } });
    expect(described.body.data).toMatchObject({ enabled: false, disabled_reason: 'Deliveries failed for 3 days' });

    const res = await api('PATCH', `${BASE}/${id}`, { token, body: { enabled: true } });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ success: true, data: endpointObject(workspaceId, { id, enabled: true, disabled_reason: null, description: 'paused' }) });
    expect(await row(id)).toMatchObject({ enabled: 1, disabled_reason: null, failing_since: null });
  });

  it('honours If-Match: a stale ETag is a 412 that changes nothing, the current one writes', async () => {
    const { workspaceId, token } = await workspace();
    const { id } = await createEndpoint(token);
    const path = `${BASE}/${id}`;
    const v1 = (await api('GET', path, { token })).headers.get('ETag')!;
    const current = await api('PATCH', path, { token, body: { description: 'A' }, headers: { 'If-Match': v1 } });
    expect(current.status).toBe(200);
    await rejected(workspaceId, 'PATCH', path, { token, body: { description: 'B' }, headers: { 'If-Match': v1 } }, 412, errorBody('precondition_failed'));
    await rejected(workspaceId, 'PATCH', path, { token, body: { description: 'B' }, headers: { 'If-Match': 'v2' } }, 400, invalid('If-Match'));
    const latest = await api('PATCH', path, { token, body: { description: 'B' }, headers: { 'If-Match': current.headers.get('ETag')! } });
    expect(latest.status).toBe(200);
    expect(latest.body.data.description).toBe('B');
  });

  it.each([
    ['an unknown event type', { event_types: ['*', 'segment.merged'] }, invalid('event_types.1')],
    ['an empty url', { url: '' }, errorBody('validation_error', { issues: issuesAt('url') })],
    ['a null url', { url: null }, invalid('url')],
    ['a description of 501 characters', { description: 'x'.repeat(501) }, invalid('description')],
    ['enabled as a string', { enabled: 'false' }, invalid('enabled')],
    ['a secret', { secret: 'whsec_AAAA' }, invalid('secret')],
    ['a disabled_reason', { disabled_reason: null }, invalid('disabled_reason')],
    ['a workspace_id', { workspace_id: MISSING_ID }, invalid('workspace_id')],
  ])('refuses %s with 400 naming it, changing nothing', async (_, body, expected) => {
    const { workspaceId, token } = await workspace();
    const { id } = await createEndpoint(token);
    await rejected(workspaceId, 'PATCH', `${BASE}/${id}`, { token, body }, 400, expected);
  });

  it('is a 404 for an unknown or non-UUID id', async () => {
    const { workspaceId, token } = await workspace();
    await createEndpoint(token);
    for (const id of [MISSING_ID, '42']) await rejected(workspaceId, 'PATCH', `${BASE}/${id}`, { token, body: { description: 'x' } }, 404, errorBody('not_found'));
  });
});

describe('DELETE /api/webhook_endpoints/:id', () => {
  it('deletes the endpoint (200 with its id), after which it is a 404', async () => {
    const { workspaceId, token } = await workspace();
    const keep = await createEndpoint(token);
    const { id } = await createEndpoint(token);
    const res = await api('DELETE', `${BASE}/${id}`, { token });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ success: true, data: { id, deleted: true } });
    expect(await row(id)).toBeNull();
    expect((await snapshot(workspaceId)).webhook_endpoints).toEqual([await row(keep.id)]);
    for (const [method, path] of [
      ['GET', `${BASE}/${id}`],
      ['DELETE', `${BASE}/${id}`],
      ['PATCH', `${BASE}/${id}`],
      ['POST', `${BASE}/${id}/rotate_secret`],
      ['GET', `${BASE}/${id}/deliveries`],
    ] as const) {
      await rejected(workspaceId, method, path, { token, body: method === 'PATCH' ? { description: 'x' } : undefined }, 404, errorBody('not_found'));
    }
  });

  it('honours If-Match', async () => {
    const { workspaceId, token } = await workspace();
    const { id } = await createEndpoint(token);
    const v1 = (await api('GET', `${BASE}/${id}`, { token })).headers.get('ETag')!;
    const v2 = (await api('PATCH', `${BASE}/${id}`, { token, body: { description: 'x' } })).headers.get('ETag')!;
    await rejected(workspaceId, 'DELETE', `${BASE}/${id}`, { token, headers: { 'If-Match': v1 } }, 412, errorBody('precondition_failed'));
    expect((await api('DELETE', `${BASE}/${id}`, { token, headers: { 'If-Match': v2 } })).status).toBe(200);
  });
});

describe('at most 16 endpoints per workspace', () => {
  it('refuses the 17th with 409 limit_exceeded, storing nothing; a deletion makes room; other workspaces are not counted', async () => {
    const { workspaceId, token } = await workspace();
    const other = await workspace();
    const made = [];
    for (let i = 0; i < 16; i++) made.push(await createEndpoint(token, { description: `E${i}` }));
    const res = await rejected(workspaceId, 'POST', BASE, { token, body: { url: URL_ } }, 409, canonicalError('limit_exceeded'));
    expect(res.body.error).toContain('16');
    expect((await snapshot(workspaceId)).webhook_endpoints).toHaveLength(16);
    // Another workspace has its own 16.
    await createEndpoint(other.token);
    // A deletion makes room for one more, and only one.
    expect((await api('DELETE', `${BASE}/${made[0]!.id}`, { token })).status).toBe(200);
    await createEndpoint(token);
    await rejected(workspaceId, 'POST', BASE, { token, body: { url: URL_ } }, 409, canonicalError('limit_exceeded'));
  });
});

describe('POST /api/webhook_endpoints/:id/rotate_secret', () => {
  it('shows a new secret once; the old one keeps signing for 24 hours as the previous secret', async () => {
    const { workspaceId, token } = await workspace();
    const created = await createEndpoint(token);
    const before = await row(created.id);
    const sent = Date.now();
    const res = await api('POST', `${BASE}/${created.id}/rotate_secret`, { token });
    const answered = Date.now();
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      success: true,
      data: { ...endpointObject(workspaceId, { id: created.id, created_at: created.created_at }), secret: expect.stringMatching(SECRET) },
    });
    const secret = res.body.data.secret;
    expect(secret).not.toBe(created.secret);
    expect(ms(res.body.data.updated_at)).toBeGreaterThan(ms(created.updated_at));

    const after = await row(created.id);
    expect(after!.secret).toMatch(STORED_SECRET);
    expect(after!.secret).not.toBe(before!.secret);
    expect(after!.secret).not.toContain(secret.slice('whsec_'.length));
    expect(after!.previous_secret).toBe(before!.secret);
    expect(after!.previous_secret_expires_at).toBeGreaterThanOrEqual(sent + DAY_MS);
    expect(after!.previous_secret_expires_at).toBeLessThanOrEqual(answered + DAY_MS);
    expect(after!.version).toBe(2);
    expect(after!.updated_at).toBe(ms(res.body.data.updated_at));

    // Reads still never show a secret; a second rotation drops the first secret for good.
    expect((await api('GET', `${BASE}/${created.id}`, { token })).body).toEqual({ success: true, data: withoutSecret(res.body.data) });
    const again = await api('POST', `${BASE}/${created.id}/rotate_secret`, { token });
    expect(again.status).toBe(200);
    expect(new Set([created.secret, secret, again.body.data.secret]).size).toBe(3);
    const last = await row(created.id);
    expect(last!.previous_secret).toBe(after!.secret);
    expect(last!.version).toBe(3);
  });

  it('is a 404 for an unknown or non-UUID id, changing nothing', async () => {
    const { workspaceId, token } = await workspace();
    await createEndpoint(token);
    for (const id of [MISSING_ID, 'abc']) await rejected(workspaceId, 'POST', `${BASE}/${id}/rotate_secret`, { token }, 404, errorBody('not_found'));
  });
});

describe('GET /api/webhook_endpoints/:id/deliveries', () => {
  it('is an empty page for a new endpoint', async () => {
    const { token } = await workspace();
    const { id } = await createEndpoint(token);
    const res = await api('GET', `${BASE}/${id}/deliveries`, { token });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ success: true, data: [], has_more: false, next_cursor: null });
  });

  it("lists the endpoint's deliveries newest first, in pages, never another endpoint's", async () => {
    const { workspaceId, token } = await workspace();
    const { id } = await createEndpoint(token, { enabled: false });
    const sibling = await createEndpoint(token, { enabled: false });
    // Deliveries as the queue consumer records them (src/webhooks/deliver.ts), ids in creation order.
    const at = Date.UTC(2026, 0, 15, 10, 30);
    const ids = [0, 1, 2].map((i) => `01900000-0000-7000-8000-00000000000${i}`);
    const insert = (deliveryId: string, endpointId: string, i: number, fields: { status: string; attempt: number; response_status: number | null; error: string | null; next_retry_at: number | null }) =>
      env.DB.prepare(
        `INSERT INTO webhook_deliveries (id, workspace_id, endpoint_id, event_id, status, attempt, response_status, response_excerpt, error, duration_ms, next_retry_at, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
        .bind(deliveryId, workspaceId, endpointId, `0190a000-0000-4000-8000-00000000000${i}`, fields.status, fields.attempt, fields.response_status, fields.response_status ? 'ok' : null, fields.error, fields.attempt ? 120 : null, fields.next_retry_at, at + i, at + i + 5)
        .run();
    await insert(ids[0]!, id, 0, { status: 'succeeded', attempt: 1, response_status: 204, error: null, next_retry_at: null });
    await insert(ids[1]!, id, 1, { status: 'failed', attempt: 2, response_status: 500, error: 'HTTP 500', next_retry_at: at + 60_000 });
    await insert(ids[2]!, id, 2, { status: 'pending', attempt: 0, response_status: null, error: null, next_retry_at: null });
    await insert('01900000-0000-7000-8000-000000000009', sibling.id, 3, { status: 'pending', attempt: 0, response_status: null, error: null, next_retry_at: null });

    const delivery = (i: number, fields: Body) => ({
      id: ids[i],
      endpoint_id: id,
      event_id: `0190a000-0000-4000-8000-00000000000${i}`,
      created_at: new Date(at + i).toISOString(),
      updated_at: new Date(at + i + 5).toISOString(),
      ...fields,
    });
    const newest = [
      delivery(2, { status: 'pending', attempt: 0, response_status: null, response_excerpt: null, error: null, duration_ms: null, next_retry_at: null }),
      delivery(1, { status: 'failed', attempt: 2, response_status: 500, response_excerpt: 'ok', error: 'HTTP 500', duration_ms: 120, next_retry_at: new Date(at + 60_000).toISOString() }),
      delivery(0, { status: 'succeeded', attempt: 1, response_status: 204, response_excerpt: 'ok', error: null, duration_ms: 120, next_retry_at: null }),
    ];
    const all = await api('GET', `${BASE}/${id}/deliveries`, { token });
    expect(all.body).toEqual({ success: true, data: newest, has_more: false, next_cursor: null });
    const p1 = await api('GET', `${BASE}/${id}/deliveries?limit=2`, { token });
    expect(p1.body).toEqual({ success: true, data: newest.slice(0, 2), has_more: true, next_cursor: ids[1] });
    const p2 = await api('GET', `${BASE}/${id}/deliveries?limit=2&cursor=${p1.body.next_cursor}`, { token });
    expect(p2.body).toEqual({ success: true, data: newest.slice(2), has_more: false, next_cursor: null });
  });

  it('takes a cursor in upper case like the other lists', async () => {
    const { workspaceId, token } = await workspace();
    const { id } = await createEndpoint(token, { enabled: false });
    for (const i of [0, 1, 2]) {
      await env.DB.prepare("INSERT INTO webhook_deliveries (id, workspace_id, endpoint_id, event_id, status, attempt, created_at, updated_at) VALUES (?, ?, ?, ?, 'pending', 0, 1, 1)")
        .bind(`01900000-0000-7000-8000-0000000000a${i}`, workspaceId, id, crypto.randomUUID())
        .run();
    }
    const first = await api('GET', `${BASE}/${id}/deliveries?limit=1`, { token });
    const lower = await api('GET', `${BASE}/${id}/deliveries?cursor=${first.body.next_cursor}`, { token });
    expect(lower.body.data).toHaveLength(2);
    const upper = await api('GET', `${BASE}/${id}/deliveries?cursor=${first.body.next_cursor.toUpperCase()}`, { token });
    expect(upper.body).toEqual(lower.body);
  });

  it.each([
    ['limit=0', 'limit'],
    ['cursor=abc', 'cursor'],
    ['status=failed', 'status'],
  ])('refuses ?%s with 400 naming it', async (query, name) => {
    const { workspaceId, token } = await workspace();
    const { id } = await createEndpoint(token);
    await rejected(workspaceId, 'GET', `${BASE}/${id}/deliveries?${query}`, { token }, 400, invalid(name));
  });

  it('is a 404 for an unknown or non-UUID endpoint id', async () => {
    const { workspaceId, token } = await workspace();
    for (const id of [MISSING_ID, 'abc']) await rejected(workspaceId, 'GET', `${BASE}/${id}/deliveries`, { token }, 404, errorBody('not_found'));
  });
});

describe('tokens and workspaces', () => {
  /** Every route, on endpoint `id`. */
  const routes = (id: string): [string, string, Body | undefined][] => [
    ['POST', BASE, { url: URL_ }],
    ['GET', BASE, undefined],
    ['GET', `${BASE}/${id}`, undefined],
    ['PATCH', `${BASE}/${id}`, { description: 'x' }],
    ['DELETE', `${BASE}/${id}`, undefined],
    ['POST', `${BASE}/${id}/rotate_secret`, undefined],
    ['GET', `${BASE}/${id}/deliveries`, undefined],
  ];

  it('every route, reads included, needs a token (401) with the write scope (403), and changes nothing without', async () => {
    const ws: Workspace = await workspace();
    const { id } = await createEndpoint(ws.token);
    for (const [method, path, body] of routes(id)) {
      const res = await rejected(ws.workspaceId, method, path, { body }, 401, errorBody('unauthorized'));
      expect(res.headers.get('WWW-Authenticate')).toBe('Bearer');
      await rejected(ws.workspaceId, method, path, { token: ws.readOnly, body }, 403, errorBody('forbidden'));
    }
  });

  it("another workspace's endpoint is a 404 on every route that names one, and stays as it was", async () => {
    const ws = await workspace();
    const other = await workspace();
    const foreign = await createEndpoint(other.token);
    const unchanged = await freeze(ws.workspaceId, other.workspaceId);
    for (const [method, path, body] of routes(foreign.id).filter(([, path]) => path !== BASE)) {
      const res = await api(method, path, { token: ws.token, body });
      expect(res.body, `${method} ${path}`).toEqual(errorBody('not_found'));
      expect(res.status).toBe(404);
    }
    await unchanged();
    // Its list does not hold it.
    expect((await api('GET', BASE, { token: ws.token })).body.data).toEqual([]);
  });
});

describe('events', () => {
  it('writing endpoints records no event', async () => {
    const { workspaceId, token } = await workspace();
    const { id } = await createEndpoint(token, { enabled: false });
    expect((await api('PATCH', `${BASE}/${id}`, { token, body: { description: 'x' } })).status).toBe(200);
    expect((await api('POST', `${BASE}/${id}/rotate_secret`, { token })).status).toBe(200);
    expect((await api('DELETE', `${BASE}/${id}`, { token })).status).toBe(200);
    expect((await api('GET', '/api/events', { token })).body).toEqual({ success: true, data: [], has_more: false, next_cursor: null });
    expect((await snapshot(workspaceId)).events).toEqual([]);
  });
});
