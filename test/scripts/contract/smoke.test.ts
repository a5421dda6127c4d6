import { describe, expect, it } from 'vitest';
import { call, serve, send } from './support.ts';
serve();
describe('smoke', () => {
  it('works', async () => {
    const statuses = [];
    for (let i = 0; i < 32; i++) {
      const x = await send('GET', '/api/customers', { token: 'qwt_dev_' + 'a'.repeat(64), headers: { 'CF-Connecting-IP': `10.9.9.9` } });
      statuses.push(x.status);
    }
    console.log(statuses.join(','));
    const y = await send('GET', '/api/customers', { headers: { 'CF-Connecting-IP': `10.9.9.9` } });
    const z = await send('GET', '/api/customers', {});
    const w = await send('GET', '/api/customers', { headers: { 'CF-Connecting-IP': `10.9.9.8` } });
    console.log(y.status, y.headers['retry-after'], z.status, w.status);
    expect(1).toBe(1);
  });
});
