/**
 * Shared test helpers: tokens written to the real KV binding, and `api()`,
 * which calls the Worker with real D1/KV bindings wrapped to count (and record)
 * every round trip. Every call asserts the per-request budget: at most one D1
 * round trip and at most one KV read.
 */
import { env } from 'cloudflare:workers';
import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test';
import { expect, inject } from 'vitest';
import worker from '../src/index';
import { D1_QUERIES_PER_INVOCATION, type RoundTrip, type Violation } from './d1/limits';
import { generateToken, newTokenRecord, tokenKey, type Scope, type TokenRecord } from '../src/lib/tokens';

export interface Usage {
  d1: number;
  kvReads: number;
  kvWrites: number;
  statements: { sql: string; params: unknown[] }[];
  /** The round trips as sent (those a fault did not stop), for the D1 limits check. */
  trips: RoundTrip[];
}

/** Hooks that let a test make a binding fail, to check what the API does then. */
export interface Faults {
  d1?: () => Error | undefined;
  kv?: () => Error | undefined;
}

function countingD1(db: D1Database, usage: Usage, faults: Faults): D1Database {
  const real = new WeakMap<object, { stmt: D1PreparedStatement; sql: string; params: unknown[] }>();
  const wrap = (stmt: D1PreparedStatement, sql: string, params: unknown[]): D1PreparedStatement => {
    const proxy = new Proxy(stmt, {
      get(target, prop) {
        if (prop === 'bind') return (...values: unknown[]) => wrap(target.bind(...values), sql, values);
        if (prop === 'run' || prop === 'all' || prop === 'first' || prop === 'raw') {
          return (...args: unknown[]) => {
            usage.d1++;
            usage.statements.push({ sql, params });
            const fault = faults.d1?.();
            if (fault) return Promise.reject(fault);
            usage.trips.push({ batch: false, statements: [{ sql, params }] });
            return (target[prop] as (...a: unknown[]) => unknown).apply(target, args);
          };
        }
        const value = Reflect.get(target, prop, target);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    real.set(proxy, { stmt, sql, params });
    return proxy;
  };
  return new Proxy(db, {
    get(target, prop) {
      if (prop === 'prepare') return (sql: string) => wrap(target.prepare(sql), sql, []);
      if (prop === 'batch') {
        return (stmts: D1PreparedStatement[]) => {
          usage.d1++;
          const fault = faults.d1?.();
          if (fault) return Promise.reject(fault);
          const trip: RoundTrip = { batch: true, statements: [] };
          usage.trips.push(trip);
          return target.batch(
            stmts.map((s) => {
              const recorded = real.get(s);
              if (!recorded) return s;
              usage.statements.push({ sql: recorded.sql, params: recorded.params });
              trip.statements.push({ sql: recorded.sql, params: recorded.params });
              return recorded.stmt;
            }),
          );
        };
      }
      if (prop === 'exec') {
        return (sql: string) => {
          usage.d1++;
          return target.exec(sql);
        };
      }
      const value = Reflect.get(target, prop, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

function countingKv(kv: KVNamespace, usage: Usage, faults: Faults): KVNamespace {
  return new Proxy(kv, {
    get(target, prop) {
      const value = Reflect.get(target, prop, target);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        if (prop === 'get' || prop === 'getWithMetadata' || prop === 'list') usage.kvReads++;
        else usage.kvWrites++;
        const fault = faults.kv?.();
        if (fault) return Promise.reject(fault);
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
}

export interface ApiResponse<T = any> {
  status: number;
  headers: Headers;
  /** The JSON body (null for an empty or NDJSON one). */
  body: T;
  text: string;
  usage: Usage;
}

export interface CallOptions {
  token?: string | null;
  body?: unknown;
  /** Sent as-is instead of JSON-encoding `body`. */
  rawBody?: BodyInit;
  headers?: Record<string, string>;
  /** Sent as the Authorization header as is (Upwell clients send the bare token); overrides `token`. */
  authorization?: string;
  faults?: Faults;
  /** D1 round trips this request may make (default 1; an Idempotency-Key replay makes 2). */
  maxD1?: number;
  /** Other real bindings or vars in place of the configured ones (e.g. a tighter rate limiter). */
  env?: Partial<Env>;
  /** Another assembly of the Worker than src/index.ts (e.g. its APIs registered in another order). */
  app?: ExportedHandler<Env>;
}

export async function api<T = any>(method: string, path: string, options: CallOptions = {}): Promise<ApiResponse<T>> {
  const usage: Usage = { d1: 0, kvReads: 0, kvWrites: 0, statements: [], trips: [] };
  const faults = options.faults ?? {};
  const headers = new Headers(options.headers);
  if (options.token) headers.set('Authorization', `Bearer ${options.token}`);
  if (options.authorization !== undefined) headers.set('Authorization', options.authorization);
  let body: BodyInit | undefined = options.rawBody;
  if (body === undefined && options.body !== undefined) {
    body = JSON.stringify(options.body);
    if (!headers.has('Content-Type')) headers.set('Content-Type', 'application/json');
  }
  const request = new Request(`https://api.test${path}`, { method, headers, body });
  const testEnv = {
    ...env,
    ...options.env,
    DB: countingD1(env.DB, usage, faults),
    TOKENS: countingKv(env.TOKENS, usage, faults),
  };
  const ctx = createExecutionContext();
  const response = await (options.app ?? worker).fetch!(request as Request<unknown, IncomingRequestCfProperties>, testEnv, ctx);
  await waitOnExecutionContext(ctx);
  const text = response.status === 304 ? '' : await response.text();
  expect(usage.d1, `${method} ${path}: D1 round trips`).toBeLessThanOrEqual(options.maxD1 ?? 1);
  expect(usage.kvReads, `${method} ${path}: KV reads`).toBeLessThanOrEqual(1);
  expect(usage.statements.length, `${method} ${path}: D1 queries in one invocation`).toBeLessThanOrEqual(D1_QUERIES_PER_INVOCATION);
  sent.push(...usage.trips);
  const json = text !== '' && !(response.headers.get('Content-Type') ?? '').startsWith('application/x-ndjson');
  return { status: response.status, headers: response.headers, body: json ? JSON.parse(text) : null, text, usage };
}

/** A call as Upwell clients make it: the token as the bare Authorization header (undefined: none). */
export const upwellCall = <T = any>(method: string, path: string, authorization: string | undefined, options: CallOptions = {}) =>
  api<T>(method, path, { ...options, authorization });

/** A request that must answer `status`; its body. Upwell paths (/api/rest/) send the bare token, as Upwell clients do. */
export async function ok(method: string, path: string, token: string, body?: unknown, status = 200): Promise<any> {
  const res = path.startsWith('/api/rest/') ? await upwellCall(method, path, token, { body }) : await api(method, path, { token, body });
  expect(res.status, `${method} ${path}: ${JSON.stringify(res.body)}`).toBe(status);
  return res.body;
}

/**
 * Round trips sent since the last check. Each test file has its own storage,
 * hence its own shadow database on the checker's side (test/d1/shadow.ts).
 */
const sent: RoundTrip[] = [];
const SESSION = crypto.randomUUID();

/** Replays the given round trips (by default, what the API sent since the last check) on a SQLite held to D1's limits. */
export async function d1LimitViolations(trips: RoundTrip[] = sent.splice(0), session = SESSION): Promise<Violation[]> {
  if (trips.length === 0) return [];
  const response = await fetch(inject('d1LimitsUrl'), { method: 'POST', body: JSON.stringify({ session, trips }) });
  if (!response.ok) throw new Error(`D1 limits check failed: ${await response.text()}`);
  return ((await response.json()) as { violations: Violation[] }).violations;
}

/** Fails the current test if a statement the API sent would break one of D1's documented limits. */
export async function checkD1Limits(): Promise<void> {
  const violations = await d1LimitViolations();
  expect(violations, 'statements over a documented D1 limit (test/d1/limits.ts)').toEqual([]);
}

export const newWorkspace = () => crypto.randomUUID();

/** Issues a token straight into KV, exactly as the token CLI stores it. */
export async function issueToken(
  options: { workspaceId?: string; scopes?: Scope[]; expiresAt?: string | null } = {},
): Promise<{ token: string; record: TokenRecord }> {
  const token = generateToken('dev');
  const record = newTokenRecord({ workspaceId: options.workspaceId ?? newWorkspace(), scopes: options.scopes });
  if (options.expiresAt !== undefined) record.expires_at = options.expiresAt;
  await env.TOKENS.put(await tokenKey(token), JSON.stringify(record), { metadata: record });
  return { token, record };
}

export async function revokeToken(token: string): Promise<void> {
  await env.TOKENS.delete(await tokenKey(token));
}

/** A workspace with a read/write token and a read-only one. */
export async function workspace() {
  const workspaceId = newWorkspace();
  const { token, record } = await issueToken({ workspaceId });
  const { token: readOnly } = await issueToken({ workspaceId, scopes: ['read'] });
  return { workspaceId, token, readOnly, tokenId: record.token_id };
}

/** The tables a snapshot reads: every table whose rows belong to a workspace. */
export const SNAPSHOT_TABLES = ['segments', 'customers', 'customer_tax_ids', 'customer_metadata', 'contacts', 'addresses', 'events', 'webhook_endpoints'];

/**
 * A table's rows as a snapshot keeps them: an event without its
 * dispatched_at, which the queue consumer sets on its own after the request
 * answered (not the request's doing).
 */
export const settledRows = (table: string, rows: Record<string, unknown>[]) =>
  table === 'events' ? rows.map(({ dispatched_at: _, ...row }) => row) : rows;

/** Every row of every table that belongs to `workspaceId` (settledRows()), to prove a request changed nothing. */
export async function snapshot(workspaceId?: string) {
  const out: Record<string, unknown[]> = {};
  for (const table of SNAPSHOT_TABLES) {
    const where = workspaceId ? ' WHERE workspace_id = ?' : '';
    const stmt = env.DB.prepare(`SELECT * FROM ${table}${where} ORDER BY rowid`);
    out[table] = settledRows(table, (await (workspaceId ? stmt.bind(workspaceId) : stmt).all<Record<string, unknown>>()).results);
  }
  return out;
}

/**
 * Snapshots the given workspaces now; the returned function asserts that
 * every row of each is still exactly the same (to prove a 4xx wrote nothing).
 */
export async function freeze(...workspaceIds: string[]): Promise<() => Promise<void>> {
  const before = await Promise.all(workspaceIds.map((id) => snapshot(id)));
  return async () => {
    const after = await Promise.all(workspaceIds.map((id) => snapshot(id)));
    expect(after).toEqual(before);
  };
}

/** Bytes of the UTF-8 encoding of `text`. */
export const byteLength = (text: string) => new TextEncoder().encode(text).byteLength;

export const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
/** A UUIDv7, as the API mints ids. */
export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
/** Any UUID, lower case: a request id (X-Request-Id and the error bodies). */
export const REQUEST_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
