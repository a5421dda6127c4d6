/**
 * route(): the boundary every endpoint goes through. In order: authenticate
 * (one KV read) and check the scope, resolve the path id, read and validate
 * the body and query string, run the handler, serialize the reply. The
 * handler gets typed input and the two doors to D1, `ctx.query()` for reads
 * and `ctx.write()` for write plans, which time the call and turn database
 * rule violations into API errors.
 */
import type * as v from 'valibot';
import type { IRequest } from 'itty-router';
import { UUID_PATTERN } from '../lib/ids';
import type { Scope } from '../lib/tokens';
import { database, type Db } from '../store/client';
import { classify, StoreError } from '../store/errors';
import { runIdempotent } from '../store/idempotency';
import { withEvents, type Recorded } from '../store/events';
import { runPlan, type WritePlan } from '../store/plan';
import { dispatch } from '../webhooks/dispatch';
import { authenticate, requireScope, type Principal } from './auth';
import { readJsonObject, readText } from './body';
import { etag, ifMatchVersions, noneMatch } from './conditional';
import { fromStore, notFound } from './errors';
import { idempotencyKey } from './idempotency';
import { limitWorkspace } from './limits';
import { jsonResponse, type Reply } from './responses';
import type { Timing } from './timing';
import { parse } from './validate';

export interface BaseContext {
  env: Env;
  url: URL;
  requestId: string;
  timing: Timing;
  /** Work that may finish after the response (the queue hand-off of events). */
  waitUntil(promise: Promise<unknown>): void;
  /** The API the request was routed to (set by src/http/api.ts), recorded with its events. */
  api?: string;
  /** Set once the token is verified, for the request log. */
  principal?: Principal;
}

export interface RouteContext extends BaseContext {
  workspaceId: string;
  /** Reads (and writes that take no Idempotency-Key). */
  query<T>(work: (db: Db) => Promise<T>): Promise<T>;
  /** Runs a write plan in one round trip, under the request's Idempotency-Key if it has one. */
  write<T>(plan: (db: Db) => WritePlan<T>): Promise<T>;
  /** The request's Idempotency-Key, for a write whose response must be the same on a replay (a webhook secret). */
  idempotencyKey?: string;
}

type Schema = v.GenericSchema | undefined;
type Out<S extends Schema> = S extends v.GenericSchema ? v.InferOutput<S> : undefined;

export interface RouteSpec<B extends Schema, Q extends Schema> {
  /** The record kind named by `:id`; a non-UUID id is a 404 for it. */
  id?: string;
  body?: B;
  query?: Q;
  /** An NDJSON body (application/x-ndjson) of at most this many bytes, handed over as text. */
  ndjson?: number;
  /** The API its writes' events name, when not the one it is mounted in (the import). */
  api?: string;
}

export interface Input<B extends Schema, Q extends Schema> {
  id: string;
  body: Out<B>;
  query: Out<Q>;
  /** The NDJSON body's text. */
  text: string;
  /** Versions accepted by If-Match, when the request has one. */
  ifMatch: number[] | undefined;
}

/** A path id that is not a UUID cannot name a record: 404, like a missing one. */
function pathId(request: IRequest, what: string): string {
  const id = request.params.id ?? '';
  if (!UUID_PATTERN.test(id)) throw notFound(what);
  return id.toLowerCase();
}

function queryObject(url: URL): Record<string, string> {
  // No prototype: `?__proto__=x` must be a parameter like any other (and so refused as unknown).
  const params: Record<string, string> = Object.create(null);
  for (const [key, value] of url.searchParams) params[key] = value;
  return params;
}

export function route<B extends Schema = undefined, Q extends Schema = undefined>(
  scope: Scope,
  spec: RouteSpec<B, Q>,
  handler: (ctx: RouteContext, input: Input<B, Q>) => Promise<Reply>,
) {
  return async (request: IRequest, base: BaseContext): Promise<Response> => {
    const { timing } = base;
    const principal = await timing.measure('auth', () => authenticate(request, base.env));
    base.principal = principal;
    requireScope(principal, scope);
    await limitWorkspace(base.env, principal.workspaceId);
    const id = spec.id === undefined ? (request.params.id ?? '') : pathId(request, spec.id);
    const raw = spec.body
      ? await readJsonObject(request)
      : spec.ndjson
        ? { text: await readText(request, /^application\/x-ndjson\s*(;|$)/i, 'application/x-ndjson', spec.ndjson), value: undefined }
        : undefined;
    const input = timing.time('validation', () => ({
      id,
      text: raw?.text ?? '',
      body: (spec.body ? parse(spec.body, raw?.value) : undefined) as Out<B>,
      query: (spec.query ? parse(spec.query, queryObject(base.url), 'Invalid query parameters') : undefined) as Out<Q>,
      ifMatch: request.method === 'GET' || request.method === 'POST' ? undefined : ifMatchVersions(request),
    }));
    // Keys apply to writes with a body (POST, PATCH, PUT); DELETE is idempotent already.
    const idem = scope === 'write' && raw ? await idempotencyKey(request, base.url, raw.text) : undefined;
    let replayed = false;
    const db = database(base.env.DB);
    const query = <T>(work: (db: Db) => Promise<T>) =>
      timing.measure('db', async () => {
        try {
          return await work(db);
        } catch (error) {
          // Rules the store enforces (references, uniqueness, versions, keys) become client errors here.
          const failure = classify(error);
          throw failure ? fromStore(error instanceof StoreError ? error : new StoreError(failure)) : error;
        }
      });
    const ctx: RouteContext = {
      ...base,
      workspaceId: principal.workspaceId,
      idempotencyKey: idem?.key,
      query,
      write: (build) =>
        query(async (db) => {
          const recorded: Recorded = { eventIds: [] };
          const context = { workspaceId: principal.workspaceId, requestId: base.requestId, tokenId: principal.tokenId, api: spec.api ?? base.api ?? 'canonical', now: Date.now() };
          const plan = withEvents(build(db), context, recorded);
          let value;
          if (idem) {
            const run = await runIdempotent(db, principal.workspaceId, idem, plan);
            replayed = run.replayed;
            value = run.value;
          } else value = await runPlan(db, plan);
          dispatch(base.env.WEBHOOKS, base.waitUntil, base.requestId, recorded.eventIds);
          return value;
        }),
    };
    const result = await handler(ctx, input);
    return serialize(request, timing, result, replayed);
  };
}

async function serialize(request: Request, timing: Timing, result: Reply, replayed: boolean): Promise<Response> {
  const text = timing.time('serialize', () => result.text ?? JSON.stringify(result.body));
  const headers: Record<string, string> = { ...result.headers, ...(replayed ? { 'Idempotent-Replayed': 'true' } : {}) };
  if (result.version !== undefined) {
    headers.ETag = await etag(result.version, text);
    if (request.method === 'GET' && noneMatch(request, headers.ETag)) return new Response(null, { status: 304, headers });
  }
  return jsonResponse(text, result.status, headers, result.type);
}
