/**
 * The world every property runs in: workspace A (the caller) with a record of
 * every kind, and workspace B (the bystander), whose rows must never change
 * and whose ids and marker must never reach A. Database state is read in one
 * D1 batch per snapshot, because every generated request is bracketed by two.
 */
import { env } from 'cloudflare:workers';
import { expect } from 'vitest';
import { MAX_ENDPOINTS } from '../../src/webhooks/fields';
import { createAddress, createContact, createCustomer, createSegment } from '../fixtures';
import { ok, settledRows, snapshot, SNAPSHOT_TABLES, workspace } from '../helpers';

export type State = Awaited<ReturnType<typeof snapshot>>;

/**
 * snapshot(workspaceId) of test/helpers.ts for several workspaces at once:
 * the same statements (every row of every table of the workspace, by rowid,
 * settledRows()), sent as one D1 batch instead of a round trip per table.
 * makeWorld() checks that both agree.
 */
export async function snapshots(...workspaceIds: string[]): Promise<State[]> {
  const T = SNAPSHOT_TABLES;
  const statements = workspaceIds.flatMap((id) => T.map((t) => env.DB.prepare(`SELECT * FROM ${t} WHERE workspace_id = ? ORDER BY rowid`).bind(id)));
  const results = await env.DB.batch<Record<string, unknown>>(statements);
  return workspaceIds.map((_, i) => Object.fromEntries(T.map((t, j) => [t, settledRows(t, results[i * T.length + j]!.results)])));
}

/**
 * Room for another webhook endpoint in A (at most MAX_ENDPOINTS per
 * workspace): the properties create endpoints as they run, and a valid body
 * must stay acceptable. Removes A's endpoints but the world's own, outside
 * any request's before/after.
 */
export async function endpointRoom(w: World): Promise<void> {
  const { n } = (await env.DB.prepare('SELECT count(*) AS n FROM webhook_endpoints WHERE workspace_id = ?').bind(w.A.workspaceId).first<{ n: number }>())!;
  if (n < MAX_ENDPOINTS - 1) return;
  await env.DB.prepare('DELETE FROM webhook_endpoints WHERE workspace_id = ? AND id <> ?').bind(w.A.workspaceId, w.A.endpoint).run();
}

/** Both workspaces' rows, A's then B's. */
export const dbState = async (w: World) => {
  const [a, b] = await snapshots(w.A.workspaceId, w.B.workspaceId);
  return { a: a!, b: b! };
};
export type Pair = Awaited<ReturnType<typeof dbState>>;

export function idsOf(state: State, workspaceId?: string): Set<string> {
  const ids = new Set<string>();
  for (const rows of Object.values(state)) {
    for (const row of rows as { id?: string; workspace_id: string }[]) {
      if (row.id && (workspaceId === undefined || row.workspace_id === workspaceId)) ids.add(row.id);
    }
  }
  return ids;
}

export interface Side {
  workspaceId: string;
  token: string;
  readOnly: string;
  segment: string;
  customer: string;
  contact: string;
  address: string;
  /** A customer created through Upwell, with a source-system pair. */
  upwell: string;
  sourceSystem: string;
  sourceSystemId: string;
  /** AmbioSys numbers of the workspace's customers. */
  numbers: number[];
  /** A webhook endpoint, disabled (nothing is delivered to it). */
  endpoint: string;
  /** An event of the workspace (its first). */
  event: string;
  /** A string that appears in this workspace's records and nowhere else. */
  marker: string;
}

/** One workspace with a record of every kind (and `extra` more AmbioSys customers). */
export async function populate(label: string, extra = 0): Promise<Side> {
  const ws = await workspace();
  const marker = `${label}secret${crypto.randomUUID().replaceAll('-', '')}`;
  const segment = (await createSegment(ws.token, { name: `Seg ${marker}`, reference: marker })).id;
  const customer = (
    await createCustomer(ws.token, {
      name: `Acme ${marker}`,
      segment_id: segment,
      tax_ids: [{ tax: 'VAT', tax_value: `FR${marker}` }],
      id_crm: marker,
      metadata: { tag: marker },
    })
  ).id;
  const contact = (await createContact(ws.token, customer, { last_name: marker, email: `ada@${marker.toLowerCase()}.test` })).id;
  const address = (await createAddress(ws.token, customer, { contact_id: contact, address_line1: `1 ${marker} St` })).id;
  const sourceSystem = 'netsuite';
  const sourceSystemId = `src-${marker}`;
  const upwell = (await ok('POST', '/api/rest/customers', ws.token, { input: { name: `Up ${marker}`, sourceSystem, sourceSystemId } })).createCustomer.id;
  for (let i = 0; i < extra; i++) await ok('POST', '/api/customers/create', ws.token, { name: `Ambio ${i} ${marker}` }, 201);
  const list = await ok('GET', '/api/customers/getCustomers?limit=100', ws.token);
  const numbers = (list.clientes as { customer_id: number }[]).map((c) => c.customer_id);
  // Disabled: the consumer of the events the properties make delivers to no endpoint of the world.
  const endpoint = (await ok('POST', '/api/webhook_endpoints', ws.token, { url: 'https://example.com/hooks', description: marker, enabled: false }, 201)).data.id;
  const event = (await ok('GET', '/api/events?limit=1', ws.token)).data[0].id;
  return { ...ws, segment, customer, contact, address, upwell, sourceSystem, sourceSystemId, numbers, endpoint, event, marker };
}

export interface World {
  A: Side;
  B: Side;
  /** B's ids, which must never appear in anything A is answered. */
  bIds: string[];
}

export async function makeWorld(): Promise<World> {
  const A = await populate('A', 3);
  const B = await populate('B');
  const [a, b] = await snapshots(A.workspaceId, B.workspaceId);
  expect(a).toEqual(await snapshot(A.workspaceId));
  expect(b).toEqual(await snapshot(B.workspaceId));
  return { A, B, bIds: [...idsOf(b!)] };
}
