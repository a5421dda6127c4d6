/**
 * The harness of test/scripts/webhooks.test.ts: a real `wrangler dev` (local
 * D1, KV, Queues, the cron through --test-scheduled) delivering to a real HTTP
 * receiver in this process, whose answer per path each test sets, and the
 * API calls and waits the tests share.
 *
 * A second `wrangler dev`, without WEBHOOK_ALLOW_LOCAL_TARGETS, serves the
 * refused-target checks. Each test has a workspace of its own, so endpoints
 * and deliveries never cross.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { cpSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { Webhook } from 'standardwebhooks';
import { expect } from 'vitest';
import { bothWorkers, copyApp, freePort, putTokens, ROOT, runNode, untilReady, WRANGLER, type Issued } from './support.ts';

export type Json = any;

const state = mkdtempSync(join(tmpdir(), 'customers-worker-webhooks-'));
/**
 * The Worker the servers run: a copy of the project's sources taken when the
 * file starts. wrangler dev rebuilds and restarts on every change to what it
 * bundles (it has no flag to stop watching), which would drop queued
 * deliveries and retries mid-test whenever someone edits src/ meanwhile.
 * Without .dev.vars: the servers' settings are the --var flags only (the jobs
 * Worker, which delivers, gets them through bothWorkers()).
 */
const app = join(state, 'app');
/** The second server's state: a copy of the first's, made before either starts (same tokens, migrated database). */
const strictState = join(state, 'strict');
export const SECRETS_KEY = randomBytes(32).toString('base64');
/** Seconds of continuous failure after which an endpoint is disabled: longer than any other test's failure streak. */
export const DISABLE_AFTER_S = 8;
/** deliver.ts ATTEMPT_TIMEOUT_MS. */
export const ATTEMPT_TIMEOUT_MS = 10_000;
export const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
export const SIGNATURE = /^v1,[A-Za-z0-9+/]{43}=$/;

export interface Dev {
  child: ChildProcess;
  base: string;
  output: string;
}
/** The server under test (local targets allowed) and the strict one (the deployed default: refused). */
export let dev: Dev | undefined;
export let strict: Dev | undefined;
export let base: string;
export let strictBase: string;

const WORKSPACES = ['delivery', 'retry', 'stream', 'timeout', 'neighbour', 'dead', 'redeliver', 'rotation', 'refused', 'disable', 'sweep', 'other'] as const;
export let tokens: Record<(typeof WORKSPACES)[number], Issued>;

// ---------------------------------------------------------------- processes

/** A token for each fresh workspace. */
const issueTokens = (dir: string): Promise<typeof tokens> =>
  putTokens(app, dir, Object.fromEntries(WORKSPACES.map((name) => [name, { workspaceId: randomUUID(), name: `webhooks-${name}` }])) as Record<(typeof WORKSPACES)[number], { workspaceId: string; name: string }>);

const taken = new Set<number>();
/** A free port no other server of this file was given. */
async function port(): Promise<number> {
  for (;;) {
    const found = await freePort();
    if (!taken.has(found)) {
      taken.add(found);
      return found;
    }
  }
}

async function startDev(dir: string, vars: Record<string, string>): Promise<Dev> {
  const [http, inspector] = [await port(), await port()];
  // An inspector port of its own: left to itself, wrangler tries 9229, which two servers starting at once both take.
  const args = ['dev', ...bothWorkers(app, String(http), vars), '--ip', '127.0.0.1', '--port', String(http), '--inspector-port', String(inspector), '--persist-to', dir, '--test-scheduled'];
  for (const [name, value] of Object.entries(vars)) args.push('--var', `${name}:${value}`);
  const child = spawn(process.execPath, [WRANGLER, ...args], {
    cwd: app,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, WRANGLER_SEND_METRICS: 'false', FORCE_COLOR: '0' },
  });
  const started: Dev = { child, base: `http://127.0.0.1:${http}`, output: '' };
  await untilReady(child, started);
  return started;
}

async function stopDev(server: Dev | undefined) {
  const child = server?.child;
  if (child && child.exitCode === null && child.signalCode === null) {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill();
    await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 10_000))]);
  }
}

// ---------------------------------------------------------------- the receiver

export interface Received {
  path: string;
  headers: Record<string, string>;
  body: string;
  /** When it arrived (ms). */
  at: number;
}
/** What the receiver does with a request: answer (`endless`: a body that never ends), or never answer (the Worker's attempt times out). */
type Answer = { status: number; body?: string; endless?: true } | 'hang';
/** The receiver's behaviour at a path; `n` counts the requests at that path, from 1. */
type Behaviour = (n: number, request: Received) => Answer | Promise<Answer>;

let receiver: Server;
export let receiverBase: string;
const received: Received[] = [];
export const behaviours = new Map<string, Behaviour>();
export const hanging = new Set<ServerResponse>();
/** Errors thrown by a behaviour (an assertion made mid-delivery); every test checks there are none. */
export const behaviourErrors: unknown[] = [];

export const at = (path: string) => received.filter((r) => r.path === path);

function flatHeaders(headers: IncomingHttpHeaders): Record<string, string> {
  const flat: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) if (value !== undefined) flat[name] = Array.isArray(value) ? value.join(', ') : value;
  return flat;
}

function startReceiver(): Promise<void> {
  receiver = createServer(async (request, response) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const path = request.url ?? '/';
    const got: Received = { path, headers: flatHeaders(request.headers), body: Buffer.concat(chunks).toString('utf8'), at: Date.now() };
    received.push(got);
    let answer: Answer;
    try {
      answer = (await behaviours.get(path)?.(at(path).length, got)) ?? { status: 404, body: 'no behaviour for this path' };
    } catch (error) {
      behaviourErrors.push(error);
      answer = { status: 599, body: String(error) };
    }
    if (answer === 'hang') {
      hanging.add(response);
      response.on('close', () => hanging.delete(response));
      return;
    }
    response.writeHead(answer.status, { 'Content-Type': 'text/plain' });
    if (!answer.endless) {
      response.end(answer.body ?? '');
      return;
    }
    // The status and a first part at once, then more every 100 ms, never the end (until the client hangs up).
    hanging.add(response);
    response.write(answer.body ?? '');
    const more = setInterval(() => response.write('.'.repeat(1024)), 100);
    response.on('close', () => {
      clearInterval(more);
      hanging.delete(response);
    });
  });
  return new Promise((resolve) =>
    receiver.listen(0, '127.0.0.1', () => {
      receiverBase = `http://127.0.0.1:${(receiver.address() as { port: number }).port}`;
      resolve();
    }),
  );
}

/** The endpoint's signing secret as the local D1 stores it, opened with the test's key (AES-256-GCM, `v1.<iv>.<sealed>`). */
export async function storedSecret(endpointId: string): Promise<string> {
  // The local D1 database's SQLite file, as scripts/lib/local-d1.ts finds it (that module is not imported: it brings Node-only types into the Worker's typecheck).
  const dir = join(state, 'v3', 'd1', 'miniflare-D1DatabaseObject');
  const [file, ...others] = readdirSync(dir).filter((f) => f.endsWith('.sqlite') && f !== 'metadata.sqlite');
  expect(others).toEqual([]);
  const db = new DatabaseSync(join(dir, file!), { readOnly: true });
  let stored: string;
  try {
    stored = (db.prepare('SELECT secret FROM webhook_endpoints WHERE id = ?').get(endpointId) as { secret: string }).secret;
  } finally {
    db.close();
  }
  const [version, iv, sealed] = stored.split('.');
  expect(version).toBe('v1');
  const key = await crypto.subtle.importKey('raw', Buffer.from(SECRETS_KEY, 'base64'), 'AES-GCM', false, ['decrypt']);
  const plain = await crypto.subtle.decrypt({ name: 'AES-GCM', iv: Buffer.from(iv!, 'base64') }, key, Buffer.from(sealed!, 'base64'));
  return Buffer.from(plain).toString('utf8');
}

/** The payload of a received delivery, if its signature verifies with `secret` (throws otherwise). */
export const verify = (got: Received, secret: string) => new Webhook(secret).verify(got.body, got.headers) as Json;

// ---------------------------------------------------------------- the API

export async function call(server: string, token: string, method: string, path: string, body?: unknown) {
  const response = await fetch(`${server}${path}`, {
    method,
    headers: { Authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(15_000),
  });
  return { status: response.status, body: (await response.json()) as Json };
}
export const api = (token: string, method: string, path: string, body?: unknown) => call(base, token, method, path, body);

export async function create(token: string, path: string, body: unknown): Promise<Json> {
  const response = await api(token, 'POST', path, body);
  expect(response.status, JSON.stringify(response.body)).toBe(201);
  return response.body.data;
}

export interface Subscription {
  token: string;
  endpoint: Json;
  secret: string;
}

/** Every signing secret the servers answered, to check that none reached their logs. */
export const shownSecrets: string[] = [];

/** An endpoint of the workspace delivering every event to the receiver's `path`. */
export async function subscribe(workspace: keyof typeof tokens, path: string): Promise<Subscription> {
  const { token } = tokens[workspace];
  const created = await create(token, '/api/webhook_endpoints', { url: `${receiverBase}${path}`, description: `test ${workspace}` });
  const { secret, ...endpoint } = created;
  shownSecrets.push(secret);
  return { token, endpoint, secret };
}

export const customerOf = (token: string, name: string) => create(token, '/api/customers', { name, type: 'company' });

export async function deliveries({ token, endpoint }: Subscription): Promise<Json[]> {
  const response = await api(token, 'GET', `/api/webhook_endpoints/${endpoint.id}/deliveries`);
  expect(response.status, JSON.stringify(response.body)).toBe(200);
  return response.body.data;
}

type Truthy<T> = Exclude<T, false | 0 | '' | null | undefined>;

/** Polls `probe` until it returns something truthy; fails after `ms` with the server's recent output. */
export async function until<T>(what: string, probe: () => T | Promise<T>, ms = 30_000): Promise<Truthy<T>> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value) return value as Truthy<T>;
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for ${what}\n--- wrangler dev output (tail) ---\n${dev?.output.slice(-4000)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** The receiver's requests at `path` once there are `count` of them. */
export const arrivals = (path: string, count: number, ms?: number) => until(`${count} request(s) at ${path}`, () => at(path).length >= count && at(path), ms);

/** The endpoint's only delivery once it has the given status. */
export const settled = (subscription: Subscription, status: string, ms?: number) =>
  until(`a ${status} delivery`, async () => {
    const rows = await deliveries(subscription);
    return rows.length === 1 && rows[0].status === status && rows[0];
  }, ms);

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A delivery row, whole, with the given values. */
export const deliveryRow = (subscription: Subscription, eventId: string, values: Record<string, unknown>) => ({
  id: expect.stringMatching(UUID),
  endpoint_id: subscription.endpoint.id,
  event_id: eventId,
  response_excerpt: null,
  error: null,
  duration_ms: expect.any(Number),
  next_retry_at: null,
  created_at: expect.stringMatching(ISO),
  updated_at: expect.stringMatching(ISO),
  ...values,
});

// ---------------------------------------------------------------- the sweep's set-up

/** Set up in beforeAll (the sweep leaves events younger than 30 s alone; the other tests run meanwhile). */
export let sweep: { subscription: Subscription; customer: Json; importedAt: number; earlyCron: string };

export async function scheduled(server: string) {
  const response = await fetch(`${server}/__scheduled?cron=${encodeURIComponent('* * * * *')}`, { signal: AbortSignal.timeout(15_000) });
  return { status: response.status, text: await response.text() };
}

/**
 * The honest way to have an event no request queued: `npm run import` writes
 * straight into the local SQLite file, so its events (recorded by the
 * triggers) never pass through the Worker and its queue hand-off.
 */
async function setUpSweep() {
  behaviours.set('/sweep', () => ({ status: 200, body: 'swept' }));
  const subscription = await subscribe('sweep', '/sweep');
  const customer = await customerOf(subscription.token, 'Before import');
  await arrivals('/sweep', 1);
  const exported = await runNode([join(ROOT, 'scripts', 'export.ts'), '--workspace', tokens.sweep.workspace_id, '--persist-to', state]);
  expect(exported.status, exported.stderr).toBe(0);
  const renamed = exported.stdout.replace('"Before import"', '"After import"');
  expect(renamed).not.toBe(exported.stdout);
  const importedAt = Date.now();
  const imported = await runNode([join(ROOT, 'scripts', 'import.ts'), '--persist-to', state], renamed);
  expect(imported.status, imported.stderr).toBe(0);
  // A cron run now must leave the young event to the request that (as far as it knows) is queueing it.
  const early = await scheduled(base);
  expect(early.status).toBe(200);
  sweep = { subscription, customer, importedAt, earlyCron: early.text };
}

// ---------------------------------------------------------------- set-up, tear-down

/** The servers, the receiver and the sweep's import: the test file's beforeAll. */
export async function setUp() {
  copyApp(app);
  // Migrations, then tokens: side by side, on one state directory, is slower.
  const migrated = await runNode([WRANGLER, 'd1', 'migrations', 'apply', 'DB', '--local', '--persist-to', state], '', app);
  expect(migrated.status, migrated.stderr).toBe(0);
  tokens = await issueTokens(state);
  await startReceiver();
  cpSync(join(state, 'v3'), join(strictState, 'v3'), { recursive: true });
  [dev, strict] = await Promise.all([
    startDev(state, {
      WEBHOOK_ALLOW_LOCAL_TARGETS: 'true',
      WEBHOOK_RETRY_DELAYS: '1,1',
      WEBHOOK_DISABLE_AFTER_SECONDS: String(DISABLE_AFTER_S),
      WEBHOOK_SECRETS_KEY: SECRETS_KEY,
    }),
    // wrangler.toml's defaults: WEBHOOK_ALLOW_LOCAL_TARGETS = "false".
    startDev(strictState, { WEBHOOK_SECRETS_KEY: SECRETS_KEY }),
  ]);
  base = dev.base;
  strictBase = strict.base;
  await setUpSweep();
}

/** The test file's afterAll. */
export async function tearDown() {
  for (const response of hanging) response.destroy();
  await Promise.all([stopDev(dev), stopDev(strict)]);
  receiver?.closeAllConnections();
  await new Promise((resolve) => (receiver ? receiver.close(resolve) : resolve(undefined)));
  rmSync(state, { recursive: true, force: true });
}
