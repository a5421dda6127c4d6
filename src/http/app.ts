/**
 * The Worker's handlers around the APIs. fetch: request ids, routing to the
 * API mounted at the request's path (src/http/api.ts), HEAD as GET without a
 * body, CORS, the headers every response carries, errors in the addressed
 * API's dialect, and one structured log line per request. scheduled: purges
 * expired Idempotency-Key records.
 */
import type { IRequest } from 'itty-router';
import { database } from '../store/client';
import { loggable, StoreError } from '../store/errors';
import { purgeExpired } from '../store/idempotency';
import { mounted, type Api } from './api';
import { ApiError, fromStore } from './errors';
import { reply, toResponse } from './responses';
import type { BaseContext } from './route';
import { Timing } from './timing';

const SCHEDULED_PURGE_LIMIT = 5000;
const EXPOSED_HEADERS = 'ETag, X-Request-Id, Server-Timing, Idempotent-Replayed, Retry-After, Export-Cursor';
const ALLOWED_HEADERS = 'Authorization, Content-Type, Idempotency-Key, If-Match, If-None-Match';

export interface AppSpec {
  apis: readonly Api[];
  /** Answers (404) the paths no API is mounted at. */
  fallback: Api;
  /** Jobs run by every cron trigger, besides the Idempotency-Key purge; each is logged if it fails, none stops the others. */
  jobs?: ((env: Env, now: number) => Promise<unknown>)[];
}

function errorResponse(api: Api, error: unknown, base: BaseContext, request: Request): Response {
  const known = error instanceof ApiError ? error : error instanceof StoreError ? fromStore(error) : undefined;
  if (!known) {
    console.error(JSON.stringify({ level: 'error', request_id: base.requestId, method: request.method, path: base.url.pathname, ...loggable(error) }));
  }
  const apiError = known ?? new ApiError('internal_error', 'Internal server error');
  return toResponse(reply(api.render(apiError, base.requestId), apiError.status), apiError.headers);
}

let originsSetting: string | undefined;
let origins: Set<string> = new Set();

/** The CORS headers for this request's Origin, if CORS_ALLOWED_ORIGINS lets it in. */
function corsHeaders(request: Request, env: Env): Record<string, string> | undefined {
  const origin = request.headers.get('Origin');
  if (!origin) return undefined;
  if (originsSetting !== env.CORS_ALLOWED_ORIGINS) {
    originsSetting = env.CORS_ALLOWED_ORIGINS;
    origins = new Set((originsSetting ?? '').split(',').map((o) => o.trim()).filter(Boolean));
  }
  if (!origins.has(origin) && !origins.has('*')) return undefined;
  return { 'Access-Control-Allow-Origin': origin, Vary: 'Origin', 'Access-Control-Expose-Headers': EXPOSED_HEADERS };
}

function preflight(api: Api, { pathname }: URL, cors: Record<string, string>): Response {
  const methods = api.allowed(pathname);
  return new Response(null, {
    status: methods.length ? 204 : 404,
    headers: {
      ...cors,
      'Access-Control-Allow-Methods': methods.join(', '),
      'Access-Control-Allow-Headers': ALLOWED_HEADERS,
      'Access-Control-Max-Age': '600',
    },
  });
}

export function createApp({ apis, fallback, jobs = [] }: AppSpec): ExportedHandler<Env> {
  return {
    async fetch(request, env, ctx) {
      const started = performance.now();
      const base: BaseContext = {
        env,
        url: new URL(request.url),
        requestId: crypto.randomUUID(),
        timing: new Timing(),
        waitUntil: (promise) => ctx.waitUntil(promise),
      };
      const api = mounted(apis, base.url.pathname) ?? fallback;
      const cors = corsHeaders(request, env);
      // HEAD is routed as the GET it asks about; the body is dropped below.
      const head = request.method === 'HEAD';
      const routed = head ? new Request(request, { method: 'GET' }) : request;
      let response: Response;
      try {
        response = cors && request.method === 'OPTIONS' ? preflight(api, base.url, cors) : await api.fetch(routed, base);
      } catch (error) {
        response = errorResponse(api, error, base, request);
      }
      if (head && response.body) {
        await response.body.cancel();
        response = new Response(null, response);
      }
      const headers = response.headers;
      headers.set('X-Request-Id', base.requestId);
      headers.set('Cache-Control', 'no-store');
      headers.set('X-Content-Type-Options', 'nosniff');
      for (const [name, value] of Object.entries(cors ?? {})) headers.set(name, value);
      const timing = base.timing.header();
      if (timing) headers.set('Server-Timing', timing);
      // Never the Authorization header or a body: ids, route and outcome only.
      console.log(
        JSON.stringify({
          level: 'info',
          request_id: base.requestId,
          method: request.method,
          route: (routed as IRequest).route ?? base.url.pathname,
          status: response.status,
          duration_ms: Math.round((performance.now() - started) * 10) / 10,
          workspace_id: base.principal?.workspaceId,
          token_id: base.principal?.tokenId,
        }),
      );
      return response;
    },

    async scheduled(_controller, env) {
      const now = Date.now();
      const all = [(e: Env) => purgeExpired(database(e.DB), now, SCHEDULED_PURGE_LIMIT), ...jobs.map((job) => (e: Env) => job(e, now))];
      const results = await Promise.allSettled(all.map((job) => job(env)));
      for (const result of results) {
        if (result.status === 'rejected') console.error(JSON.stringify({ level: 'error', message: 'scheduled job failed', ...loggable(result.reason) }));
      }
      if (results.some((r) => r.status === 'rejected')) throw new Error('a scheduled job failed (logged above)');
    },
  };
}
