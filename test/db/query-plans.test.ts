import { env } from 'cloudflare:workers';
import { it } from 'vitest';
import { api, workspace } from '../helpers';

it('probe', async () => {
  const ws = await workspace();
  const r = await api('POST', '/api/customers', { token: ws.token, body: { name: 'Acme', type: 'company', tax_ids: [{ tax: 'vat', tax_value: 'FR1' }] } });
  console.log(JSON.stringify(r.body), JSON.stringify(r.usage.statements));
  const l = await api('GET', '/api/customers?tax_value=FR1&q=ac', { token: ws.token });
  console.log(JSON.stringify(l.usage.statements));
  for (const s of l.usage.statements) {
    const plan = await env.DB.prepare(`EXPLAIN QUERY PLAN ${s.sql}`).bind(...s.params).all();
    console.log(JSON.stringify(plan.results));
  }
  const d = await api('DELETE', `/api/customers/${r.body.data.id}`, { token: ws.token });
  console.log(JSON.stringify(d.body), JSON.stringify(d.usage));
  const big = 'x'.repeat(70000);
  const req = new Request('https://x', { method: 'POST', body: big });
  console.log('CL', req.headers.get('Content-Length'));
  const req2 = new Request('https://x', { method: 'POST', body: big, headers: { 'Content-Length': '70000' } });
  console.log('CL2', req2.headers.get('Content-Length'));
  let pulled = 0;
  const stream = new ReadableStream<Uint8Array>({ pull(c) { pulled++; if (pulled > 64) c.close(); else c.enqueue(new Uint8Array(16384).fill(32)); } });
  const s = await api('POST', '/api/customers', { token: ws.token, rawBody: stream, headers: { 'Content-Type': 'application/json' } });
  console.log('stream', s.status, JSON.stringify(s.body), pulled, s.headers.get('Content-Length'));
});
