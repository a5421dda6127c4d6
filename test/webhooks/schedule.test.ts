/**
 * The scheduled handler's event jobs (src/webhooks/schedule.ts): events and
 * deliveries past EVENT_RETENTION_DAYS are purged, younger ones kept; the
 * retention is a setting.
 */
import { env } from 'cloudflare:workers';
import { createExecutionContext, createScheduledController } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import worker from '../../src/index';
import { database } from '../../src/store/client';
import { purgeEvents } from '../../src/webhooks/schedule';
import { createCustomer } from '../fixtures';
import { api, workspace } from '../helpers';

const DAY = 86_400_000;

/** The workspace's events, oldest first, by type and age in whole days. */
async function ages(workspaceId: string, now: number) {
  const { results } = await env.DB.prepare('SELECT type, created_at FROM events WHERE workspace_id = ? ORDER BY seq').bind(workspaceId).all<{ type: string; created_at: number }>();
  return results.map((e) => [e.type, Math.floor((now - e.created_at) / DAY)]);
}

/** Backdates the workspace's events and deliveries of `type` by `days`. */
async function backdate(workspaceId: string, type: string, days: number) {
  await env.DB.batch([
    env.DB.prepare('UPDATE events SET created_at = created_at - ? WHERE workspace_id = ? AND type = ?').bind(days * DAY, workspaceId, type),
    env.DB.prepare('UPDATE webhook_deliveries SET created_at = created_at - ? WHERE workspace_id = ? AND event_id IN (SELECT id FROM events WHERE type = ?)').bind(days * DAY, workspaceId, type),
  ]);
}

describe('event retention', () => {
  it('the scheduled handler purges events and deliveries older than EVENT_RETENTION_DAYS (30), and keeps the rest', async () => {
    const ws = await workspace();
    const customer = await createCustomer(ws.token);
    await api('PATCH', `/api/customers/${customer.id}`, { token: ws.token, body: { name: 'Renamed' } });
    const endpoint = (await api('POST', '/api/webhook_endpoints', { token: ws.token, body: { url: 'https://hooks.example.com/in', enabled: false } })).body.data.id;
    const [created] = (await env.DB.prepare("SELECT id FROM events WHERE workspace_id = ? AND type = 'customer.created'").bind(ws.workspaceId).all<{ id: string }>()).results;
    // A delivery of the event to be purged (none is made from this test: the endpoint is disabled).
    await env.DB.prepare("INSERT INTO webhook_deliveries (id, workspace_id, endpoint_id, event_id, status, attempt, created_at, updated_at) VALUES (?, ?, ?, ?, 'succeeded', 1, ?, ?)")
      .bind(crypto.randomUUID(), ws.workspaceId, endpoint, created!.id, Date.now(), Date.now())
      .run();
    await backdate(ws.workspaceId, 'customer.created', 31);
    await backdate(ws.workspaceId, 'customer.updated', 29);
    const now = Date.now();
    expect(await ages(ws.workspaceId, now)).toEqual([['customer.created', 31], ['customer.updated', 29]]);

    await worker.scheduled!(createScheduledController(), env, createExecutionContext());
    expect(await ages(ws.workspaceId, now)).toEqual([['customer.updated', 29]]);
    const deliveries = await env.DB.prepare('SELECT count(*) AS n FROM webhook_deliveries WHERE workspace_id = ?').bind(ws.workspaceId).first<{ n: number }>();
    expect(deliveries!.n).toBe(0);
    // The feed no longer has it.
    expect((await api('GET', `/api/events/${created!.id}`, { token: ws.token })).status).toBe(404);
  });

  it('keeps events EVENT_RETENTION_DAYS days, whatever the setting', async () => {
    const ws = await workspace();
    await createCustomer(ws.token);
    await backdate(ws.workspaceId, 'customer.created', 3);
    const now = Date.now();
    await purgeEvents(database(env.DB), { ...env, EVENT_RETENTION_DAYS: '7' }, now);
    expect(await ages(ws.workspaceId, now)).toEqual([['customer.created', 3]]);
    await purgeEvents(database(env.DB), { ...env, EVENT_RETENTION_DAYS: '2' }, now);
    expect(await ages(ws.workspaceId, now)).toEqual([]);
  });
});
