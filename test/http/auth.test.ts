/**
 * Bearer-token authentication and scopes: every way a token can be wrong is
 * the same 401, a malformed token never reaches KV, Upwell's bare-token header
 * works, and a read-only token can read but never write.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { generateToken } from '../../src/lib/tokens';
import { errorBody, expectError } from '../errors';
import { addressBody, contactBody, createCustomer } from '../fixtures';
import { api, issueToken, revokeToken, snapshot, workspace, type ApiResponse } from '../helpers';

type Workspace = Awaited<ReturnType<typeof workspace>>;

let ws: Workspace;
let customerId: string;

beforeAll(async () => {
  ws = await workspace();
  customerId = (await createCustomer(ws.token)).id;
});

/** A read route and a write route; each is called with a custom Authorization header (or none). */
const ROUTES = [
  { name: 'read route GET /api/customers', method: 'GET', path: '/api/customers', body: undefined, ok: 200 },
  {
    name: 'write route POST /api/customers',
    method: 'POST',
    path: '/api/customers',
    body: { name: 'Auth Test Co', type: 'company' },
    ok: 201,
  },
] as const;

function call(route: (typeof ROUTES)[number], authorization: string | undefined): Promise<ApiResponse> {
  return api(route.method, route.path, { authorization, body: route.body });
}

/** The one 401, whole: body, WWW-Authenticate, request id echoed in the header. */
function expectUnauthorized(res: ApiResponse) {
  expectError(res, 401, errorBody('unauthorized', { error: 'Invalid API token' }));
  expect(res.headers.get('WWW-Authenticate')).toBe('Bearer');
  expect(res.usage.d1).toBe(0);
}

const TOKEN_BODY = /^qwt_dev_([0-9A-Za-z]{64})$/;

describe.each(ROUTES)('401 on the $name', (route) => {
  /** Malformed headers, built from a real, valid token where that makes the check sharper. */
  const malformed = (token: string): [string, string | undefined][] => {
    const secret = TOKEN_BODY.exec(token)![1]!;
    return [
      ['missing Authorization', undefined],
      ['empty Authorization', ''],
      ["'Bearer' alone", 'Bearer'],
      ["'Bearer ' with only whitespace", 'Bearer    '],
      ["'Basic xyz'", 'Basic xyz'],
      ['Basic credentials of a valid token', `Basic ${btoa(`${token}:`)}`],
      ['another scheme before a valid token', `Token ${token}`],
      ['two Bearer prefixes', `Bearer Bearer ${token}`],
      ['wrong token prefix (qwt_live_)', `Bearer qwt_live_${secret}`],
      ['wrong token prefix (sk_dev_)', `Bearer sk_dev_${secret}`],
      ['no token prefix', `Bearer ${secret}`],
      ['token one character short', `Bearer ${token.slice(0, -1)}`],
      ['token one character long', `Bearer ${token}x`],
      ['token with a non-base62 character', `Bearer ${token.slice(0, -1)}-`],
      ['token followed by junk', `Bearer ${token} extra`],
    ];
  };

  it('rejects every malformed header without a KV read or a D1 call', async () => {
    const { token } = await issueToken({ workspaceId: ws.workspaceId });
    // Sanity: the token these headers are built from is valid.
    expect((await call(route, `Bearer ${token}`)).status).toBe(route.ok);
    const before = await snapshot();
    for (const [label, header] of malformed(token)) {
      const res = await call(route, header);
      expectUnauthorized(res);
      expect(res.usage.kvReads, label).toBe(0);
    }
    expect(await snapshot()).toEqual(before);
  });

  it('rejects an unknown well-formed token after exactly one KV read', async () => {
    const before = await snapshot();
    const res = await call(route, `Bearer ${generateToken('dev')}`);
    expectUnauthorized(res);
    expect(res.usage.kvReads).toBe(1);
    expect(await snapshot()).toEqual(before);
  });

  it('rejects an expired token', async () => {
    const { token } = await issueToken({
      workspaceId: ws.workspaceId,
      expiresAt: new Date(Date.now() - 60_000).toISOString(),
    });
    const before = await snapshot();
    expectUnauthorized(await call(route, `Bearer ${token}`));
    expect(await snapshot()).toEqual(before);
  });

  it('rejects a token once it is revoked', async () => {
    const { token } = await issueToken({ workspaceId: ws.workspaceId, scopes: ['read', 'write'] });
    expect((await api('GET', '/api/customers', { token })).status).toBe(200);
    await revokeToken(token);
    const before = await snapshot();
    expectUnauthorized(await call(route, `Bearer ${token}`));
    expect(await snapshot()).toEqual(before);
  });
});

describe.each(ROUTES)('accepted Authorization forms on the $name', (route) => {
  it.each([
    ['the bare token (Upwell clients)', (t: string) => t],
    ['lower-case bearer', (t: string) => `bearer ${t}`],
    ['upper-case BEARER', (t: string) => `BEARER ${t}`],
    ['Bearer with several spaces', (t: string) => `Bearer   ${t}`],
  ])('accepts %s', async (_label, header) => {
    const res = await call(route, header(ws.token));
    expect(res.status, JSON.stringify(res.body)).toBe(route.ok);
    expect(res.body.success).toBe(true);
    expect(res.usage.kvReads).toBe(1);
    expect(res.headers.get('WWW-Authenticate')).toBeNull();
  });

  it('accepts a token whose expires_at is in the future', async () => {
    const { token } = await issueToken({
      workspaceId: ws.workspaceId,
      expiresAt: new Date(Date.now() + 86_400_000).toISOString(),
    });
    const res = await call(route, `Bearer ${token}`);
    expect(res.status, JSON.stringify(res.body)).toBe(route.ok);
    expect(res.body.success).toBe(true);
  });

  it('acts in the workspace of the token', async () => {
    const res = await call(route, `Bearer ${ws.token}`);
    const records = Array.isArray(res.body.data) ? res.body.data : [res.body.data];
    expect(records.length).toBeGreaterThan(0);
    for (const record of records) expect(record.workspace_id).toBe(ws.workspaceId);
  });
});

describe('scopes', () => {
  const RESOURCES = ['/api/customers', '/api/contacts', '/api/addresses', '/api/segments'] as const;
  const ids: Record<string, string> = {};
  const createBodies: Record<string, () => Record<string, unknown>> = {
    '/api/customers': () => ({ name: 'Scoped Co', type: 'individual' }),
    '/api/segments': () => ({ name: 'Scoped segment' }),
    '/api/contacts': () => contactBody(customerId),
    '/api/addresses': () => addressBody(customerId),
  };
  const patchBodies: Record<string, Record<string, unknown>> = {
    '/api/customers': { name: 'Renamed' },
    '/api/segments': { name: 'Renamed' },
    '/api/contacts': { first_name: 'Renamed' },
    '/api/addresses': { city: 'Lyon' },
  };

  beforeAll(async () => {
    for (const path of RESOURCES) {
      const res = await api('POST', path, { token: ws.token, body: createBodies[path]!() });
      expect(res.status, `${path}: ${JSON.stringify(res.body)}`).toBe(201);
      ids[path] = res.body.data.id;
    }
  });

  const forbidden = (res: ApiResponse) => {
    expect(res.status).toBe(403);
    expect(res.body).toEqual(errorBody('forbidden', { request_id: res.headers.get('X-Request-Id') }));
    expect(res.usage.d1).toBe(0);
  };

  describe.each(RESOURCES)('a read-only token on %s', (path) => {
    it('is refused POST with 403 forbidden', async () => {
      const before = await snapshot();
      forbidden(await api('POST', path, { token: ws.readOnly, body: createBodies[path]!() }));
      expect(await snapshot()).toEqual(before);
    });

    it('is refused PATCH with 403 forbidden', async () => {
      const before = await snapshot();
      forbidden(await api('PATCH', `${path}/${ids[path]}`, { token: ws.readOnly, body: patchBodies[path] }));
      expect(await snapshot()).toEqual(before);
    });

    it('is refused DELETE with 403 forbidden', async () => {
      const before = await snapshot();
      forbidden(await api('DELETE', `${path}/${ids[path]}`, { token: ws.readOnly }));
      expect(await snapshot()).toEqual(before);
    });

    it('can list and get', async () => {
      const list = await api('GET', path, { token: ws.readOnly });
      expect(list.status).toBe(200);
      expect(list.body.data.map((r: { id: string }) => r.id)).toContain(ids[path]);
      const one = await api('GET', `${path}/${ids[path]}`, { token: ws.readOnly });
      expect(one.status).toBe(200);
      expect(one.body.data.id).toBe(ids[path]);
    });
  });

  it('a read/write token can write (the 403s above are about the scope)', async () => {
    const res = await api('PATCH', `/api/segments/${ids['/api/segments']}`, { token: ws.token, body: { reference: 'R1' } });
    expect(res.status).toBe(200);
    expect(res.body.data.reference).toBe('R1');
  });

  it('a write-only token cannot read', async () => {
    const { token } = await issueToken({ workspaceId: ws.workspaceId, scopes: ['write'] });
    const res = await api('GET', '/api/customers', { token });
    forbidden(res);
  });
});
