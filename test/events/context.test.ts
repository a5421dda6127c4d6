/**
 * Who an event names, and which events wait for delivery: the event context
 * row a write batch sets is only read by writes of the same workspace, and an
 * event is recorded as already dispatched when no enabled webhook endpoint of
 * its workspace listens (so the sweep and the hand-off only see events to deliver).
 */
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { SET_EVENT_CONTEXT } from '../../src/store/event-context';
import { createCustomer } from '../fixtures';
import { api, workspace } from '../helpers';

interface Stored {
  type: string;
  request_id: string | null;
  token_id: string | null;
  api: string | null;
  created_at: number;
  dispatched_at: number | null;
}

const storedEvents = async (workspaceId: string) =>
  (
    await env.DB.prepare('SELECT type, request_id, token_id, api, created_at, dispatched_at FROM events WHERE workspace_id = ? ORDER BY seq')
      .bind(workspaceId)
      .all<Stored>()
  ).results;

describe('the event context', () => {
  it("a write outside the API does not take the last request's context, unless it is of the same workspace", async () => {
    const a = await workspace();
    const b = await workspace();
    const inB = await createCustomer(b.token, { name: 'B' });
    // The last API write is in workspace A: its context row names A's request.
    const written = await api('POST', '/api/customers', { token: a.token, body: { name: 'A', type: 'company' } });
    expect(written.status).toBe(201);
    // A console write in workspace B (no context of its own).
    await env.DB.prepare("UPDATE customers SET name = 'B console' WHERE id = ?").bind(inB.id).run();
    const [created, updated] = await storedEvents(b.workspaceId);
    expect(created).toMatchObject({ type: 'customer.created', api: 'canonical', token_id: b.tokenId });
    expect(updated).toEqual({ type: 'customer.updated', request_id: null, token_id: null, api: null, created_at: expect.any(Number), dispatched_at: updated!.created_at });
    expect(Math.abs(updated!.created_at - Date.now())).toBeLessThan(60_000);
    // The same in workspace A does take A's context (README, "Events": set or clear it first).
    await env.DB.prepare("UPDATE customers SET name = 'A console' WHERE id = ?").bind(written.body.data.id).run();
    const last = (await storedEvents(a.workspaceId)).at(-1);
    expect(last).toMatchObject({ type: 'customer.updated', request_id: written.headers.get('X-Request-Id'), api: 'canonical' });
  });
});

describe('events waiting for delivery', () => {
  it('are recorded dispatched when no enabled endpoint listens: none, or a disabled one', async () => {
    const ws = await workspace();
    await createCustomer(ws.token, { name: 'Before any endpoint' });
    const endpoint = await api('POST', '/api/webhook_endpoints', { token: ws.token, body: { url: 'https://hooks.example.com/in', enabled: false } });
    expect(endpoint.status, JSON.stringify(endpoint.body)).toBe(201);
    await createCustomer(ws.token, { name: 'With a disabled endpoint' });
    const stored = await storedEvents(ws.workspaceId);
    expect(stored.map((e) => e.type)).toEqual(['customer.created', 'customer.created']);
    for (const event of stored) expect(event.dispatched_at).toBe(event.created_at);
  });

  it("another workspace's enabled endpoint does not hold this workspace's events", async () => {
    const listening = await workspace();
    const ws = await workspace();
    const endpoint = await api('POST', '/api/webhook_endpoints', { token: listening.token, body: { url: 'https://hooks.example.com/in', enabled: false } });
    expect(endpoint.status).toBe(201);
    // Enabled by a console write, so that no delivery is attempted from this test: only the trigger's view matters here.
    await env.DB.prepare('UPDATE webhook_endpoints SET enabled = 1 WHERE id = ?').bind(endpoint.body.data.id).run();
    await createCustomer(ws.token);
    const [event] = await storedEvents(ws.workspaceId);
    expect(event!.dispatched_at).toBe(event!.created_at);
    // In the listening workspace a write waits for the queue (a console write has no request to hand it over: the sweep will).
    await env.DB.prepare(SET_EVENT_CONTEXT).bind(listening.workspaceId, 'console', null, null, 1).run();
    await env.DB.prepare("INSERT INTO segments (id, workspace_id, name, created_at, updated_at, version) VALUES (?, ?, 'Console', 1, 1, 1)").bind(crypto.randomUUID(), listening.workspaceId).run();
    const [held] = await storedEvents(listening.workspaceId);
    expect(held).toEqual({ type: 'segment.created', request_id: 'console', token_id: null, api: null, created_at: 1, dispatched_at: null });
  });
});
