/** Headers on every response, CORS by configuration, the request log, and the scheduled purge. */
import { env } from 'cloudflare:workers';
import { createExecutionContext, createScheduledController } from 'cloudflare:test';
import { afterEach, describe, expect, it, vi } from 'vitest';
import worker from '../../src/index';
import { api, issueToken, workspace } from '../helpers';

afterEach(() => vi.restoreAllMocks());

describe('security headers', () => {
  it('every response is no-store and nosniff: success, error, 404', async () => {
    const { token } = await workspace();
    for (const res of [
      await api('GET', '/api/customers', { token }),
      await api('GET', '/api/customers'),
      await api('GET', '/nowhere'),
      await api('POST', '/api/rest/customers', { token, body: { input: {} } }),
    ]) {
      expect(res.headers.get('Cache-Control')).toBe('no-store');
      expect(res.headers.get('X-Content-Type-Options')).toBe('nosniff');
      expect(res.headers.get('Content-Type')).toMatch(/^application\/json/);
    }
  });
});

describe('CORS', () => {
  const origin = { Origin: 'https://app.example.com' };

  it('is off unless origins are configured', async () => {
    const { token } = await workspace();
    const res = await api('GET', '/api/customers', { token, headers: origin });
    expect(res.headers.get('Access-Control-Allow-Origin')).toBeNull();
    const preflight = await api('OPTIONS', '/api/customers', { headers: { ...origin, 'Access-Control-Request-Method': 'POST' } });
    expect(preflight.status).toBe(405);
    expect(preflight.headers.get('Access-Control-Allow-Origin')).toBeNull();
  });

  it('answers configured origins, and only them', async () => {
    const { token } = await workspace();
    const configured = { CORS_ALLOWED_ORIGINS: 'https://app.example.com, https://other.example.com' };
    const res = await api('GET', '/api/customers', { token, headers: origin, env: configured });
    expect(res.headers.get('Access-Control-Allow-Origin')).toBe('https://app.example.com');
    expect(res.headers.get('Vary')).toBe('Origin');
    expect(res.headers.get('Access-Control-Expose-Headers')).toContain('ETag');

    const preflight = await api('OPTIONS', '/api/customers/0193f1a0-0000-7000-8000-000000000000', {
      headers: { ...origin, 'Access-Control-Request-Method': 'PATCH' },
      env: configured,
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('Access-Control-Allow-Origin')).toBe('https://app.example.com');
    expect(preflight.headers.get('Access-Control-Allow-Methods')).toBe('GET, HEAD, PATCH, DELETE');
    expect(preflight.headers.get('Access-Control-Allow-Headers')).toContain('Idempotency-Key');
    expect(preflight.usage).toMatchObject({ d1: 0, kvReads: 0 });

    const stranger = await api('GET', '/api/customers', { token, headers: { Origin: 'https://evil.example' }, env: configured });
    expect(stranger.headers.get('Access-Control-Allow-Origin')).toBeNull();
  });
});

describe('request log', () => {
  it('writes one JSON line per request with request id, route, status, duration and token id, never the token', async () => {
    const { token, record } = await issueToken();
    const workspaceId = record.workspace_id;
    const log = vi.spyOn(console, 'log');
    const created = await api('POST', '/api/customers', { token, body: { name: 'Acme', type: 'company' } });
    const read = await api('GET', `/api/customers/${created.body.data.id}`, { token });
    const denied = await api('GET', '/api/customers', { token: `qwt_dev_${'y'.repeat(64)}` });
    const lines = log.mock.calls.map(([line]) => JSON.parse(String(line)));
    expect(lines).toEqual([
      {
        level: 'info',
        request_id: created.headers.get('X-Request-Id'),
        method: 'POST',
        route: '/api/customers',
        status: 201,
        duration_ms: expect.any(Number),
        workspace_id: workspaceId,
        token_id: record.token_id,
      },
      {
        level: 'info',
        request_id: read.headers.get('X-Request-Id'),
        method: 'GET',
        route: '/api/customers/:id',
        status: 200,
        duration_ms: expect.any(Number),
        workspace_id: workspaceId,
        token_id: record.token_id,
      },
      {
        level: 'info',
        request_id: denied.headers.get('X-Request-Id'),
        method: 'GET',
        route: '/api/customers',
        status: 401,
        duration_ms: expect.any(Number),
      },
    ]);
    expect(JSON.stringify(log.mock.calls)).not.toContain('qwt_');
  });
});

describe('scheduled purge', () => {
  it('deletes expired idempotency records and keeps live ones', async () => {
    const now = Date.now();
    await env.DB.batch([
      env.DB.prepare('INSERT INTO idempotency_keys VALUES (?, ?, ?, ?, ?, ?)').bind('w', 'old', 'f', '[]', now - 2e8, now - 1),
      env.DB.prepare('INSERT INTO idempotency_keys VALUES (?, ?, ?, ?, ?, ?)').bind('w', 'live', 'f', '[]', now, now + 8.64e7),
    ]);
    await worker.scheduled!(createScheduledController(), env, createExecutionContext());
    const keys = await env.DB.prepare(`SELECT key FROM idempotency_keys WHERE workspace_id = 'w'`).all();
    expect(keys.results).toEqual([{ key: 'live' }]);
  });
});
