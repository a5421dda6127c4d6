/**
 * Wraps the router into the Worker's handlers. fetch: request ids, the error
 * body in the addressed API's dialect, 404/405, CORS, the headers every
 * response carries and one structured log line per request. scheduled: purges
 * expired Idempotency-Key records.
 */
import type { IRequest, IttyRouterType } from 'itty-router';
import { database } from '../db/client';
import { ApiError, loggable } from './errors';
import { dialectFor, renderError } from './dialects';
import { purgeExpired } from './idempotency';
import { reply, toResponse } from './responses';
import { Timing } from './timing';
import type { BaseContext } from './context';

type Router = IttyRouterType<IRequest, [BaseContext], Response>;

const SCHEDULED_PURGE_LIMIT = 5000;
const EXPOSED_HEADERS = 'ETag, X-Request-Id, Server-Timing, Idempotent-Replayed, Retry-After';
const ALLOWED_HEADERS = 'Authorization, Content-Type, Idempotency-Key, If-Match, If-None-Match';

/** The methods a path answers; HEAD wherever GET is. */
function allowedMethods(router: Router, pathname: string): string[] {
  const matching = router.routes.filter(([method, pattern]) => method !== 'ALL' && pattern.test(pathname));
  const methods = new Set(matching.map(([method]) => method));
  if (methods.has('GET')) methods.add('HEAD');
  return [...methods];
}

function unmatched(router: Router, request: Request, { pathname }: URL): ApiError {
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
        path: base.url.pathname,
        ...loggable(error),
      }),
    );
  }
  const apiError = error instanceof ApiError ? error : new ApiError('internal_error', 'Internal server error');
  const body = renderError(dialectFor(base.url.pathname), apiError, base.requestId);
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

function preflight(router: Router, { pathname }: URL, cors: Record<string, string>): Response {
  const methods = allowedMethods(router, pathname);
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
      const base: BaseContext = { env, url: new URL(request.url), requestId: crypto.randomUUID(), timing: new Timing() };
      const cors = corsHeaders(request, env);
      // HEAD is routed as the GET it asks about; the body is dropped below.
      const head = request.method === 'HEAD';
      const routed = head ? new Request(request, { method: 'GET' }) : request;
      let response: Response;
      try {
        if (cors && request.method === 'OPTIONS') response = preflight(router, base.url, cors);
        else response = (await router.fetch(routed, base)) ?? errorResponse(unmatched(router, request, base.url), base, request);
      } catch (error) {
        response = errorResponse(error, base, request);
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
      await purgeExpired(database(env.DB), Date.now(), SCHEDULED_PURGE_LIMIT);
    },
  };
}
