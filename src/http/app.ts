/**
 * Wraps the router into the Worker's handlers. fetch: request ids, the error
 * body in the addressed API's dialect, 404/405, CORS, the headers every
 * response carries and one structured log line per request. scheduled: purges
 * expired Idempotency-Key records.
 */
import type { IRequest, IttyRouterType } from 'itty-router';
import { database } from '../db/client';
import { ApiError } from './errors';
import { dialectFor, renderError } from './dialects';
import { purgeExpired } from './idempotency';
import { reply, toResponse } from './responses';
import { Timing } from './timing';
import type { BaseContext } from './context';

type Router = IttyRouterType<IRequest, [BaseContext], Response>;

const SCHEDULED_PURGE_LIMIT = 5000;
const EXPOSED_HEADERS = 'ETag, X-Request-Id, Server-Timing, Idempotent-Replayed, Retry-After';
const ALLOWED_HEADERS = 'Authorization, Content-Type, Idempotency-Key, If-Match, If-None-Match';

function allowedMethods(router: Router, pathname: string): string[] {
  return [...new Set(router.routes.filter(([, pattern]) => pattern.test(pathname)).map(([method]) => method))];
}

function unmatched(router: Router, request: Request): ApiError {
  const { pathname } = new URL(request.url);
  const allowed = allowedMethods(router, pathname);
  if (allowed.length === 0) return new ApiError('not_found', `No route for ${pathname}`);
  return new ApiError('method_not_allowed', `${request.method} is not allowed on ${pathname}`, {
    headers: { Allow: allowed.join(', ') },
  });
}

function errorResponse(error: unknown, base: BaseContext, request: Request): Response {
  if (!(error instanceof ApiError)) {
    console.error(
      JSON.stringify({
        level: 'error',
        request_id: base.requestId,
        method: request.method,
        path: new URL(request.url).pathname,
        error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
        stack: error instanceof Error ? error.stack : undefined,
      }),
    );
    error = new ApiError('internal_error', 'Internal server error');
  }
  const apiError = error as ApiError;
  const body = renderError(dialectFor(new URL(request.url).pathname), apiError, base.requestId);
  return toResponse(reply(body, apiError.status), apiError.headers);
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

function preflight(router: Router, request: Request, cors: Record<string, string>): Response {
  const methods = allowedMethods(router, new URL(request.url).pathname);
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

export function createHandler(router: Router): ExportedHandler<Env> {
  return {
    async fetch(request, env) {
      const started = performance.now();
      const base: BaseContext = { env, requestId: crypto.randomUUID(), timing: new Timing() };
      const cors = corsHeaders(request, env);
      let response: Response;
      try {
        if (cors && request.method === 'OPTIONS') response = preflight(router, request, cors);
        else response = (await router.fetch(request, base)) ?? errorResponse(unmatched(router, request), base, request);
      } catch (error) {
        response = errorResponse(error, base, request);
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
          route: (request as IRequest).route ?? new URL(request.url).pathname,
          status: response.status,
          duration_ms: Math.round((performance.now() - started) * 10) / 10,
          workspace_id: base.workspaceId,
        }),
      );
      return response;
    },

    async scheduled(_controller, env) {
      await purgeExpired(database(env.DB), Date.now(), SCHEDULED_PURGE_LIMIT);
    },
  };
}
