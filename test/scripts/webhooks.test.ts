/**
 * Webhooks end to end, in Node: a real `wrangler dev` (local D1, KV, Queues,
 * the cron through --test-scheduled) delivering to a real HTTP receiver in
 * this process, whose answer per path each test sets. Every delivery's
 * signature is checked with the `standardwebhooks` package (the reference
 * implementation of the specification), never with the Worker's own code.
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
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { bothWorkers, copyApp, freePort, putTokens, ROOT, runNode, untilReady, WRANGLER, type Issued } from './support.ts';

type Json = any;

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
const SECRETS_KEY = randomBytes(32).toString('base64');
/** Seconds of continuous failure after which an endpoint is disabled: longer than any other test's failure streak. */
const DISABLE_AFTER_S = 8;
/** deliver.ts ATTEMPT_TIMEOUT_MS. */
const ATTEMPT_TIMEOUT_MS = 10_000;
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const SIGNATURE = /^v1,[A-Za-z0-9+/]{43}=$/;

interface Dev {
  child: ChildProcess;
  base: string;
  output: string;
}
/** The server under test (local targets allowed) and the strict one (the deployed default: refused). */
let dev: Dev | undefined;
let strict: Dev | undefined;
let base: string;
let strictBase: string;

const WORKSPACES = ['delivery', 'retry', 'stream', 'timeout', 'neighbour', 'dead', 'redeliver', 'rotation', 'refused', 'disable', 'sweep', 'other'] as const;
let tokens: Record<(typeof WORKSPACES)[number], Issued>;

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

interface Received {
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
let receiverBase: string;
const received: Received[] = [];
const behaviours = new Map<string, Behaviour>();
const hanging = new Set<ServerResponse>();
/** Errors thrown by a behaviour (an assertion made mid-delivery); every test checks there are none. */
const behaviourErrors: unknown[] = [];

const at = (path: string) => received.filter((r) => r.path === path);

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
async function storedSecret(endpointId: string): Promise<string> {
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
const verify = (got: Received, secret: string) => new Webhook(secret).verify(got.body, got.headers) as Json;

// ---------------------------------------------------------------- the API

async function call(server: string, token: string, method: string, path: string, body?: unknown) {
  const response = await fetch(`${server}${path}`, {
    method,
    headers: { Authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(15_000),
  });
  return { status: response.status, body: (await response.json()) as Json };
}
const api = (token: string, method: string, path: string, body?: unknown) => call(base, token, method, path, body);

async function create(token: string, path: string, body: unknown): Promise<Json> {
  const response = await api(token, 'POST', path, body);
  expect(response.status, JSON.stringify(response.body)).toBe(201);
  return response.body.data;
}

interface Subscription {
  token: string;
  endpoint: Json;
  secret: string;
}

/** Every signing secret the servers answered, to check that none reached their logs. */
const shownSecrets: string[] = [];

/** An endpoint of the workspace delivering every event to the receiver's `path`. */
async function subscribe(workspace: keyof typeof tokens, path: string): Promise<Subscription> {
  const { token } = tokens[workspace];
  const created = await create(token, '/api/webhook_endpoints', { url: `${receiverBase}${path}`, description: `test ${workspace}` });
  const { secret, ...endpoint } = created;
  shownSecrets.push(secret);
  return { token, endpoint, secret };
}

const customerOf = (token: string, name: string) => create(token, '/api/customers', { name, type: 'company' });

async function deliveries({ token, endpoint }: Subscription): Promise<Json[]> {
  const response = await api(token, 'GET', `/api/webhook_endpoints/${endpoint.id}/deliveries`);
  expect(response.status, JSON.stringify(response.body)).toBe(200);
  return response.body.data;
}

type Truthy<T> = Exclude<T, false | 0 | '' | null | undefined>;

/** Polls `probe` until it returns something truthy; fails after `ms` with the server's recent output. */
async function until<T>(what: string, probe: () => T | Promise<T>, ms = 30_000): Promise<Truthy<T>> {
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
const arrivals = (path: string, count: number, ms?: number) => until(`${count} request(s) at ${path}`, () => at(path).length >= count && at(path), ms);

/** The endpoint's only delivery once it has the given status. */
const settled = (subscription: Subscription, status: string, ms?: number) =>
  until(`a ${status} delivery`, async () => {
    const rows = await deliveries(subscription);
    return rows.length === 1 && rows[0].status === status && rows[0];
  }, ms);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A delivery row, whole, with the given values. */
const deliveryRow = (subscription: Subscription, eventId: string, values: Record<string, unknown>) => ({
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
let sweep: { subscription: Subscription; customer: Json; importedAt: number; earlyCron: string };

async function scheduled(server: string) {
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

beforeAll(async () => {
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
}, 180_000);

afterAll(async () => {
  for (const response of hanging) response.destroy();
  await Promise.all([stopDev(dev), stopDev(strict)]);
  receiver?.closeAllConnections();
  await new Promise((resolve) => (receiver ? receiver.close(resolve) : resolve(undefined)));
  rmSync(state, { recursive: true, force: true });
}, 30_000);

// ---------------------------------------------------------------- the tests

describe('webhook delivery (wrangler dev, local queues)', () => {
  it('delivers a write\'s event to the endpoint, signed, and records the delivery', async () => {
    behaviours.set('/ok', () => ({ status: 200, body: 'thanks' }));
    const subscription = await subscribe('delivery', '/ok');
    expect(subscription.secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(subscription.endpoint).toMatchObject({ url: `${receiverBase}/ok`, enabled: true, disabled_reason: null, event_types: ['*'] });
    const customer = await customerOf(subscription.token, 'Acme Corporation');

    const [got] = await arrivals('/ok', 1);
    const payload = verify(got!, subscription.secret);
    const eventId = got!.headers['webhook-id']!;
    expect(got!.headers).toMatchObject({
      'content-type': 'application/json',
      'webhook-id': expect.stringMatching(UUID),
      'webhook-timestamp': expect.stringMatching(/^\d+$/),
      'webhook-signature': expect.stringMatching(SIGNATURE),
    });
    expect(Math.abs(Number(got!.headers['webhook-timestamp']) - got!.at / 1000)).toBeLessThan(60);

    // The event as the API shows it, the record as its create returned it.
    const event = await api(subscription.token, 'GET', `/api/events/${eventId}`);
    expect(event.status).toBe(200);
    expect(payload).toEqual({ event_type: 'customer.created', id: customer.id, event: event.body.data });
    expect(event.body.data).toMatchObject({ id: eventId, type: 'customer.created', object_id: customer.id, data: { object: customer } });
    expect(event.body.data.data).not.toHaveProperty('previous_attributes');
    const feed = await api(subscription.token, 'GET', '/api/events');
    expect(feed.body.data.map((e: Json) => e.id)).toEqual([eventId]);

    const delivery = await settled(subscription, 'succeeded');
    expect(delivery).toEqual(deliveryRow(subscription, eventId, { status: 'succeeded', attempt: 1, response_status: 200, response_excerpt: 'thanks' }));
    expect(delivery.duration_ms).toBeGreaterThanOrEqual(0);
    expect(at('/ok')).toHaveLength(1);

    // At rest, the signing secret is sealed with WEBHOOK_SECRETS_KEY, the --var given to wrangler dev.
    expect(await storedSecret(subscription.endpoint.id)).toBe(subscription.secret);
  });

  it('retries a failed attempt after WEBHOOK_RETRY_DELAYS[0] seconds, with the same webhook-id', async () => {
    let duringRetry: Json[] | undefined;
    const subscription = await subscribe('retry', '/flaky');
    behaviours.set('/flaky', async (n) => {
      if (n === 1) return { status: 500, body: 'E'.repeat(1000) };
      duringRetry = await deliveries(subscription); // what the first attempt recorded
      return { status: 200, body: 'ok' };
    });
    const customer = await customerOf(subscription.token, 'Flaky Receiver Ltd');

    const [first, second] = await arrivals('/flaky', 2);
    const eventId = first!.headers['webhook-id']!;
    expect(second!.headers['webhook-id']).toBe(eventId);
    expect(second!.body).toBe(first!.body);
    expect(second!.at - first!.at).toBeGreaterThanOrEqual(900);
    for (const got of [first!, second!]) expect(verify(got, subscription.secret)).toMatchObject({ event_type: 'customer.created', id: customer.id });

    expect(await until('the receiver\'s look at the delivery', () => duringRetry)).toEqual([
      deliveryRow(subscription, eventId, {
        status: 'failed',
        attempt: 1,
        response_status: 500,
        // An excerpt of the answer only: its first 200 characters.
        response_excerpt: 'E'.repeat(200),
        next_retry_at: expect.stringMatching(ISO),
      }),
    ]);
    const delivery = await settled(subscription, 'succeeded');
    expect(delivery).toEqual(deliveryRow(subscription, eventId, { status: 'succeeded', attempt: 2, response_status: 200, response_excerpt: 'ok' }));
    expect(at('/flaky')).toHaveLength(2);
  });

  it('keeps an excerpt of the answer without waiting for the rest of it', async () => {
    behaviours.set('/stream', () => ({ status: 200, body: `${'S'.repeat(300)}`, endless: true }));
    const subscription = await subscribe('stream', '/stream');
    await customerOf(subscription.token, 'Streaming Receiver Ltd');
    const [got] = await arrivals('/stream', 1);
    const delivery = await settled(subscription, 'succeeded');
    expect(delivery).toEqual(
      deliveryRow(subscription, got!.headers['webhook-id']!, { status: 'succeeded', attempt: 1, response_status: 200, response_excerpt: 'S'.repeat(200) }),
    );
    // Not held until the attempt's timeout by a body that does not end (nor by one of gigabytes): the Worker hung up.
    expect(delivery.duration_ms).toBeLessThan(ATTEMPT_TIMEOUT_MS / 2);
    await until('the endless answer closed', () => hanging.size === 0);
  });

  it('marks a delivery dead once WEBHOOK_RETRY_DELAYS is exhausted, and stops', async () => {
    behaviours.set('/down', () => ({ status: 500, body: 'D'.repeat(1000) }));
    const subscription = await subscribe('dead', '/down');
    await customerOf(subscription.token, 'Down Receiver Ltd');

    // "1,1": the first attempt and one retry per delay, 3 in all.
    const delivery = await settled(subscription, 'dead');
    const tries = at('/down');
    expect(tries).toHaveLength(3);
    const eventId = tries[0]!.headers['webhook-id']!;
    for (const got of tries) {
      expect(got.headers['webhook-id']).toBe(eventId);
      verify(got, subscription.secret);
    }
    expect(delivery).toEqual(
      deliveryRow(subscription, eventId, { status: 'dead', attempt: 3, response_status: 500, response_excerpt: 'D'.repeat(200) }),
    );
    // Nothing more comes: longer than a retry delay and a batch timeout.
    await sleep(3_000);
    expect(at('/down')).toHaveLength(3);
    // (The dead-letter consumer marks it dead again, which may move updated_at: nothing else changes.)
    expect(await deliveries(subscription)).toEqual([{ ...delivery, updated_at: expect.stringMatching(ISO) }]);
    // A few seconds of failure are far from WEBHOOK_DISABLE_AFTER_SECONDS: still enabled.
    const endpoint = await api(subscription.token, 'GET', `/api/webhook_endpoints/${subscription.endpoint.id}`);
    expect(endpoint.body.data).toMatchObject({ enabled: true, disabled_reason: null });
  });

  it('redelivers an event on request, with the same webhook-id and body', async () => {
    behaviours.set('/again', () => ({ status: 200, body: 'again' }));
    const subscription = await subscribe('redeliver', '/again');
    await customerOf(subscription.token, 'Redelivered Ltd');
    const [first] = await arrivals('/again', 1);
    const eventId = first!.headers['webhook-id']!;
    const before = await settled(subscription, 'succeeded');

    const redelivered = await api(subscription.token, 'POST', `/api/events/${eventId}/redeliver`);
    expect(redelivered).toEqual({ status: 202, body: { success: true, data: { event_id: eventId, queued: true } } });
    const [, second] = await arrivals('/again', 2);
    expect(second!.headers['webhook-id']).toBe(eventId);
    expect(second!.body).toBe(first!.body);
    expect(verify(second!, subscription.secret)).toEqual(verify(first!, subscription.secret));

    // The same delivery, its attempts started over.
    const after = await until('the redelivery recorded', async () => {
      const [row] = await deliveries(subscription);
      return row.updated_at > before.updated_at && row.status === 'succeeded' && row;
    });
    expect(after).toEqual({ ...before, updated_at: after.updated_at, duration_ms: expect.any(Number) });

    // Only the workspace's own events, only events that exist.
    expect((await api(tokens.other.token, 'POST', `/api/events/${eventId}/redeliver`)).status).toBe(404);
    expect((await api(subscription.token, 'POST', `/api/events/${randomUUID()}/redeliver`)).status).toBe(404);
    await sleep(1_500);
    expect(at('/again')).toHaveLength(2);
  });

  it('signs with the new and the previous secret after a rotation', async () => {
    behaviours.set('/rotate', () => ({ status: 200 }));
    const subscription = await subscribe('rotation', '/rotate');
    const old = subscription.secret;
    await customerOf(subscription.token, 'Before Rotation');
    const [first] = await arrivals('/rotate', 1);
    expect(first!.headers['webhook-signature']).toMatch(SIGNATURE);
    verify(first!, old);

    const rotated = await api(subscription.token, 'POST', `/api/webhook_endpoints/${subscription.endpoint.id}/rotate_secret`);
    expect(rotated.status).toBe(200);
    const fresh = rotated.body.data.secret;
    shownSecrets.push(fresh);
    expect(fresh).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(fresh).not.toBe(old);
    expect(rotated.body.data).toMatchObject({ id: subscription.endpoint.id, url: subscription.endpoint.url });
    expect(() => verify(first!, fresh)).toThrow(/No matching signature/);

    const after = await customerOf(subscription.token, 'After Rotation');
    const [, second] = await arrivals('/rotate', 2);
    const signatures = second!.headers['webhook-signature']!.split(' ');
    expect(signatures).toHaveLength(2);
    for (const signature of signatures) expect(signature).toMatch(SIGNATURE);
    expect(verify(second!, fresh)).toMatchObject({ event_type: 'customer.created', id: after.id });
    expect(verify(second!, old)).toMatchObject({ event_type: 'customer.created', id: after.id });
    expect(() => verify(second!, `whsec_${randomBytes(32).toString('base64')}`)).toThrow(/No matching signature/);
    // The secrets are never shown again.
    const shown = await api(subscription.token, 'GET', `/api/webhook_endpoints/${subscription.endpoint.id}`);
    expect(JSON.stringify(shown.body)).not.toContain(fresh.slice(6));
    expect(JSON.stringify(shown.body)).not.toContain(old.slice(6));
  });

  it('gives up an attempt after the timeout, records it, and retries', async () => {
    let duringRetry: Json[] | undefined;
    const subscription = await subscribe('timeout', '/slow');
    behaviours.set('/slow', async (n) => {
      if (n === 1) return 'hang';
      duringRetry = await deliveries(subscription);
      return { status: 204 };
    });
    // Another workspace's receiver, answering at once, written to right after: its delivery must not wait for the hung one.
    behaviours.set('/neighbour', () => ({ status: 200 }));
    const neighbour = await subscribe('neighbour', '/neighbour');
    await customerOf(subscription.token, 'Slow Receiver Ltd');
    await customerOf(neighbour.token, 'Neighbour Ltd');

    const [first] = await arrivals('/slow', 1);
    const [next] = await arrivals('/neighbour', 1);
    verify(next!, neighbour.secret);
    expect(next!.at - first!.at, 'the neighbour\'s delivery waited for the hung attempt').toBeLessThan(ATTEMPT_TIMEOUT_MS / 2);

    const [, second] = await arrivals('/slow', 2, ATTEMPT_TIMEOUT_MS + 20_000);
    const eventId = first!.headers['webhook-id']!;
    expect(second!.headers['webhook-id']).toBe(eventId);
    expect(second!.at - first!.at).toBeGreaterThanOrEqual(ATTEMPT_TIMEOUT_MS);
    verify(second!, subscription.secret);
    // The Worker hung up on the first request rather than leave it open.
    await until('the hung request closed', () => hanging.size === 0);

    expect(await until('the receiver\'s look at the delivery', () => duringRetry)).toEqual([
      deliveryRow(subscription, eventId, {
        status: 'failed',
        attempt: 1,
        response_status: null,
        error: `timeout after ${ATTEMPT_TIMEOUT_MS} ms`,
        next_retry_at: expect.stringMatching(ISO),
      }),
    ]);
    expect(duringRetry![0].duration_ms).toBeGreaterThanOrEqual(ATTEMPT_TIMEOUT_MS - 100);
    expect(duringRetry![0].duration_ms).toBeLessThan(ATTEMPT_TIMEOUT_MS + 5_000);
    const delivery = await settled(subscription, 'succeeded');
    expect(delivery).toEqual(deliveryRow(subscription, eventId, { status: 'succeeded', attempt: 2, response_status: 204, response_excerpt: '' }));
  }, 60_000);

  it('disables an endpoint whose deliveries all failed for WEBHOOK_DISABLE_AFTER_SECONDS', async () => {
    behaviours.set('/broken', () => ({ status: 503, body: 'unavailable' }));
    const subscription = await subscribe('disable', '/broken');
    await customerOf(subscription.token, 'First Failure');
    const [first] = await arrivals('/broken', 1);
    await settled(subscription, 'dead');
    expect(at('/broken')).toHaveLength(3);

    // Past the threshold since the first failure, the next failure disables the endpoint.
    await sleep(Math.max(0, first!.at + DISABLE_AFTER_S * 1000 + 500 - Date.now()));
    await customerOf(subscription.token, 'Last Failure');
    const [latest] = await until('the second delivery, dead', async () => {
      const rows = await deliveries(subscription);
      return rows.length === 2 && rows[0].status === 'dead' && rows;
    });
    expect(at('/broken')).toHaveLength(4);
    expect(latest).toEqual(
      deliveryRow(subscription, at('/broken')[3]!.headers['webhook-id']!, { status: 'dead', attempt: 1, response_status: 503, response_excerpt: 'unavailable' }),
    );
    const endpoint = (await api(subscription.token, 'GET', `/api/webhook_endpoints/${subscription.endpoint.id}`)).body.data;
    expect(endpoint).toMatchObject({ enabled: false, disabled_reason: expect.stringMatching(/^Every delivery failed since \d{4}-\d\d-\d\dT[\d:.]+Z$/) });
    const since = Date.parse(/since (\S+)$/.exec(endpoint.disabled_reason)![1]!);
    expect(since).toBeLessThanOrEqual(first!.at);
    expect(first!.at - since).toBeLessThan(5_000);

    // Disabled: no more deliveries.
    await customerOf(subscription.token, 'While Disabled');
    await sleep(2_500);
    expect(at('/broken')).toHaveLength(4);
    expect(await deliveries(subscription)).toHaveLength(2);

    // Enabled again by hand: the reason is cleared.
    const enabled = await api(subscription.token, 'PATCH', `/api/webhook_endpoints/${subscription.endpoint.id}`, { enabled: true });
    expect(enabled.status, JSON.stringify(enabled.body)).toBe(200);
    expect(enabled.body.data).toMatchObject({ enabled: true, disabled_reason: null });
  }, 60_000);

  it('the cron queues the events no request queued (a local import), after their 30 s of grace', async () => {
    const { subscription, customer, importedAt } = sweep;
    expect(sweep.earlyCron).toMatch(/scheduled/i);
    // The early cron run (right after the import) left the young event alone.
    expect(at('/sweep')).toHaveLength(1);
    const updated = await until('the import\'s event in the feed', async () => {
      const feed = await api(subscription.token, 'GET', '/api/events');
      return feed.body.data.find((e: Json) => e.type === 'customer.updated');
    });
    expect(updated).toMatchObject({ object_id: customer.id, api: 'import', data: { previous_attributes: { name: 'Before import' } } });

    await sleep(Math.max(0, importedAt + 31_000 - Date.now()));
    const ran = await scheduled(base);
    expect(ran.status).toBe(200);
    const [, got] = await arrivals('/sweep', 2);
    expect(got!.headers['webhook-id']).toBe(updated.id);
    expect(verify(got!, subscription.secret)).toEqual({ event_type: 'customer.updated', id: customer.id, event: updated });
    expect(updated.data.object).toMatchObject({ id: customer.id, name: 'After import' });
    const rows = await until('both deliveries succeeded', async () => {
      const all = await deliveries(subscription);
      return all.length === 2 && all.every((d) => d.status === 'succeeded') && all;
    });
    expect(rows.map((d: Json) => d.event_id)).toEqual([updated.id, at('/sweep')[0]!.headers['webhook-id']]);

    // Swept once: a second run finds nothing left.
    expect((await scheduled(base)).status).toBe(200);
    await sleep(2_000);
    expect(at('/sweep')).toHaveLength(2);
  }, 60_000);
});

describe('webhook targets (wrangler dev with the deployed defaults)', () => {
  it('refuses local, private and non-https targets with a 400 naming url', async () => {
    const { token } = tokens.refused;
    const refused = [
      `${receiverBase}/ok`, // http, and loopback
      'http://hooks.example.com/customers', // http
      'https://127.0.0.1/hook',
      'https://localhost/hook',
      'https://api.localhost/hook',
      'https://10.1.2.3/hook',
      'https://192.168.0.10/hook',
      'https://169.254.169.254/latest/meta-data',
      'https://[::1]/hook',
      'https://[::ffff:127.0.0.1]/hook',
    ];
    for (const url of refused) {
      const response = await call(strictBase, token, 'POST', '/api/webhook_endpoints', { url });
      expect({ url, status: response.status, body: response.body }).toEqual({
        url,
        status: 400,
        body: {
          success: false,
          code: 'validation_error',
          error: expect.stringMatching(/url/i),
          issues: [{ path: 'url', message: expect.stringMatching(/\S/) }],
          request_id: expect.stringMatching(UUID),
        },
      });
    }
    // A public https target is taken; moving it somewhere local is refused too.
    const created = await call(strictBase, token, 'POST', '/api/webhook_endpoints', { url: 'https://hooks.example.com/customers' });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const moved = await call(strictBase, token, 'PATCH', `/api/webhook_endpoints/${created.body.data.id}`, { url: 'https://localhost/hook' });
    expect(moved.status).toBe(400);
    expect(moved.body.issues).toEqual([{ path: 'url', message: expect.stringMatching(/\S/) }]);
    const listed = await call(strictBase, token, 'GET', '/api/webhook_endpoints');
    expect(listed.body.data.map((e: Json) => e.url)).toEqual(['https://hooks.example.com/customers']);
  });

  it('never writes a signing secret or the key that seals them to its logs', async () => {
    expect(shownSecrets.length).toBeGreaterThan(5);
    expect(dev!.output).toContain('"level":"info"');
    for (const logged of [dev!.output, strict!.output]) {
      for (const secret of [...shownSecrets, SECRETS_KEY]) {
        expect(logged.includes(secret), 'a secret in the log').toBe(false);
        expect(logged.includes(secret.replace(/^whsec_/, '')), 'a secret in the log').toBe(false);
      }
    }
  });
});

afterEach(() => {
  const errors = behaviourErrors.splice(0);
  expect(errors, 'assertions made by the receiver mid-delivery').toEqual([]);
});
