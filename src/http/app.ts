/**
 * Wraps the router into the Worker's fetch handler: request ids, the error
 * envelope, 404/405, and the headers every response carries.
 */
import type { IRequest, IttyRouterType } from 'itty-router';
import { ApiError } from './errors';
import { dialectFor, renderError } from './dialects';
import { reply, toResponse } from './responses';
import { Timing } from './timing';
import type { BaseContext } from './context';

type Router = IttyRouterType<IRequest, [BaseContext], Response>;

function unmatched(router: Router, request: Request): ApiError {
  const { pathname } = new URL(request.url);
  const allowed = [...new Set(router.routes.filter(([, pattern]) => pattern.test(pathname)).map(([method]) => method))];
  if (allowed.length === 0) return new ApiError('not_found', `No route for ${pathname}`);
  return new ApiError('method_not_allowed', `${request.method} is not allowed on ${pathname}`, {
    headers: { Allow: allowed.join(', ') },
  });
}

function errorResponse(error: unknown, requestId: string, request: Request): Response {
  if (!(error instanceof ApiError)) {
    console.error(
      JSON.stringify({
        level: 'error',
        request_id: requestId,
        method: request.method,
        path: new URL(request.url).pathname,
        error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
        stack: error instanceof Error ? error.stack : undefined,
      }),
    );
    error = new ApiError('internal_error', 'Internal server error');
  }
  const apiError = error as ApiError;
  return toResponse(reply(renderError(dialectFor(new URL(request.url).pathname), apiError, requestId), apiError.status), apiError.headers);
}

export function createHandler(router: Router): ExportedHandler<Env> {
  return {
    async fetch(request, env) {
      const base: BaseContext = { env, requestId: crypto.randomUUID(), timing: new Timing() };
      let response: Response;
      try {
        response = (await router.fetch(request, base)) ?? errorResponse(unmatched(router, request), base.requestId, request);
      } catch (error) {
        response = errorResponse(error, base.requestId, request);
      }
      response.headers.set('X-Request-Id', base.requestId);
      const timing = base.timing.header();
      if (timing) response.headers.set('Server-Timing', timing);
      return response;
    },
  };
}
