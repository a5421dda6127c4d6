/**
 * The three APIs are sub-routers mounted at their prefixes (src/http/api.ts):
 * which one answers, and in which dialect, depends on the path alone. The
 * Worker assembled with its APIs, and each API's routes, in other orders
 * answers every request exactly as src/index.ts does.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { canonicalApi } from '../../src/canonical/api';
import { ambiosysApi } from '../../src/compat/ambiosys/api';
import { upwellApi } from '../../src/compat/upwell/api';
import { defineApi, mounted, type Api } from '../../src/http/api';
import { createApp } from '../../src/http/app';
import { api, workspace } from '../helpers';

const reversed = (a: Api) => defineApi({ ...a, routes: [...a.routes].reverse() });
const shuffled = createApp({ apis: [upwellApi, ambiosysApi, canonicalApi].map(reversed), fallback: canonicalApi });

let token: string;
let customerId: string;

beforeAll(async () => {
  ({ token } = await workspace());
  customerId = (await api('POST', '/api/customers', { token, body: { name: 'Acme', type: 'company' } })).body.data.id;
});

/** What must not depend on the order: status, Allow, and the body without its per-request ids and times. */
async function outcome(method: string, path: string, app?: ExportedHandler<Env>, body?: unknown) {
  const res = await api(method, path, { token, body, app });
  const text = JSON.stringify(res.body)
    .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, '<uuid>')
    .replace(/\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z/g, '<time>');
  return { status: res.status, allow: res.headers.get('Allow'), body: text };
}

describe('the APIs as sub-routers', () => {
  it('picks the API by the longest mount prefix of the path', () => {
    const apis = [canonicalApi, ambiosysApi, upwellApi];
    const name = (path: string) => mounted(apis, path)?.name;
    expect(name('/api/customers')).toBe('canonical');
    expect(name('/api/customers/create')).toBe('ambiosys');
    expect(name('/api/customers/getCustomers/12')).toBe('ambiosys');
    expect(name('/api/customers/createX')).toBe('canonical');
    expect(name('/api/rest/customers/search')).toBe('upwell');
    expect(name('/api/restful')).toBe('canonical');
    expect(name('/')).toBeUndefined();
  });

  it('answers the same, in the same dialect, whatever the order of APIs and routes', async () => {
    const requests: [string, string, unknown?][] = [
      ['GET', '/api/customers'],
      ['GET', `/api/customers/${customerId}`],
      ['GET', '/api/customers/create'],
      ['PUT', '/api/customers/create', {}],
      ['POST', '/api/customers/create', { name: '' }],
      ['GET', '/api/customers/getCustomers'],
      ['GET', '/api/customers/getCustomers/1'],
      ['GET', '/api/customers/getCustomers/x/y'],
      ['GET', '/api/rest/customers/search'],
      ['POST', '/api/rest/customers/search', { where: { nope: {} } }],
      ['GET', `/api/rest/customers/${customerId}`],
      ['DELETE', `/api/rest/customers/${customerId}`],
      ['GET', '/api/rest/nothing'],
      ['PATCH', '/api/customers', {}],
      ['GET', '/api/nothing'],
      ['GET', '/'],
    ];
    for (const [method, path, body] of requests) {
      expect(await outcome(method, path, shuffled, body), `${method} ${path}`).toEqual(await outcome(method, path, undefined, body));
    }
    // And the dialects are the APIs' own.
    expect((await outcome('GET', '/api/customers/create')).body).toMatch(/^\{"success":false,"error":".*","details":\[\],"request_id":"<uuid>"\}$/);
    expect((await outcome('GET', '/api/rest/customers/search')).body).toContain('"code":"METHOD_NOT_ALLOWED"');
    expect((await outcome('GET', '/api/nothing')).body).toContain('"code":"not_found"');
  });
});
