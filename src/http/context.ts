/**
 * What a route handler gets: the authenticated workspace, its path params, and
 * `query()`, the one door to D1, which times the call and turns trigger
 * aborts into API errors.
 */
import type { IRequest } from 'itty-router';
import type { Scope } from '../tokens/token';
import { database, type Db } from '../db/client';
import { authenticate, requireScope, type Principal } from './auth';
import { fromDatabaseError, notFound } from './errors';
import { UUID_PATTERN } from '../lib/ids';
import type { Timing } from './timing';

export interface BaseContext {
  env: Env;
  requestId: string;
  timing: Timing;
}

export interface RouteContext extends BaseContext {
  principal: Principal;
  workspaceId: string;
  query<T>(work: (db: Db) => Promise<T>): Promise<T>;
}

export type Handler = (request: IRequest, ctx: RouteContext) => Promise<Response>;

export function route(scope: Scope, handler: Handler) {
  return async (request: IRequest, base: BaseContext): Promise<Response> => {
    const principal = await base.timing.measure('auth', () => authenticate(request, base.env.TOKENS));
    requireScope(principal, scope);
    const db = database(base.env.DB);
    return handler(request, {
      ...base,
      principal,
      workspaceId: principal.workspaceId,
      query: (work) =>
        base.timing.measure('db', async () => {
          try {
            return await work(db);
          } catch (error) {
            throw fromDatabaseError(error) ?? error;
          }
        }),
    });
  };
}

/** A path id that is not a UUID cannot name a record: 404, like a missing one. */
export function pathId(request: IRequest, what: string): string {
  const id = request.params.id ?? '';
  if (!UUID_PATTERN.test(id)) throw notFound(what);
  return id.toLowerCase();
}
