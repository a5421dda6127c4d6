/**
 * Rate limits on the real Rate Limiting bindings: the suite's configured
 * limiters are generous, so these tests swap in small real ones
 * (TIGHT_* in vitest.config.ts) for the request under test.
 */
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { ambiosysError, errorBody, upwellError } from '../errors';
import { api, upwellCall, workspace } from '../helpers';

describe('per-workspace rate limit', () => {
  it('answers 429 rate_limited with Retry-After past the budget, per workspace', async () => {
    const a = await workspace();
    const b = await workspace();
    const tight = { WORKSPACE_RATE_LIMIT: env.TIGHT_WORKSPACE_RATE_LIMIT };
    for (let i = 0; i < 5; i++) expect((await api('GET', '/api/customers', { token: a.token, env: tight })).status).toBe(200);
    const limited = await api('GET', '/api/customers', { token: a.token, env: tight });
    expect(limited.status).toBe(429);
    expect(limited.body).toEqual(errorBody('rate_limited'));
    expect(limited.headers.get('Retry-After')).toBe('10');
    expect(limited.usage.d1).toBe(0);
    // Writes are refused too, and nothing is written.
    const write = await api('POST', '/api/customers', { token: a.token, env: tight, body: { name: 'Acme', type: 'company' } });
    expect(write.status).toBe(429);
    expect((await api('GET', '/api/customers', { token: a.token })).body.data).toEqual([]);
    // Another workspace has its own budget.
    expect((await api('GET', '/api/customers', { token: b.token, env: tight })).status).toBe(200);
  });

  it('speaks each API dialect', async () => {
    const { token } = await workspace();
    const tight = { WORKSPACE_RATE_LIMIT: env.TIGHT_WORKSPACE_RATE_LIMIT };
    for (let i = 0; i < 5; i++) await api('GET', '/api/customers', { token, env: tight });
    const upwell = await upwellCall('GET', '/api/rest/customers', token, { env: tight });
    expect(upwell.status).toBe(429);
    expect(upwell.body).toEqual(upwellError('RATE_LIMITED'));
    const ambiosys = await api('GET', '/api/customers/getCustomers', { token, env: tight });
    expect(ambiosys.status).toBe(429);
    expect(ambiosys.body).toEqual(ambiosysError());
  });
});

describe('failed authentication limit per client address', () => {
  it('blocks an address after repeated failures, before any KV read, without affecting others', async () => {
    const { token } = await workspace();
    const tight = { AUTH_FAILURE_RATE_LIMIT: env.TIGHT_AUTH_FAILURE_RATE_LIMIT };
    const address = { 'CF-Connecting-IP': '203.0.113.7' };
    const unknown = `qwt_dev_${'x'.repeat(64)}`;
    for (let i = 0; i < 3; i++) {
      const res = await api('GET', '/api/customers', { token: unknown, headers: address, env: tight });
      expect(res.status).toBe(401);
    }
    const blocked = await api('GET', '/api/customers', { token: unknown, headers: address, env: tight });
    expect(blocked.status).toBe(429);
    expect(blocked.body).toEqual(errorBody('rate_limited'));
    expect(Number(blocked.headers.get('Retry-After'))).toBeGreaterThan(0);
    // Now refused up front: even a valid token from that address costs no KV read.
    const again = await api('GET', '/api/customers', { token, headers: address, env: tight });
    expect(again.status).toBe(429);
    expect(again.usage.kvReads).toBe(0);
    // Another address is unaffected.
    const other = await api('GET', '/api/customers', { token, headers: { 'CF-Connecting-IP': '203.0.113.8' }, env: tight });
    expect(other.status).toBe(200);
  });
});
