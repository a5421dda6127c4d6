/**
 * The five routes every resource has (create, list, get, update, delete),
 * wired once. A resource supplies its schemas and its one-round-trip queries.
 */
import type * as v from 'valibot';
import type { IRequest, IttyRouterType } from 'itty-router';
import type { Db } from '../db/client';
import type { WritePlan } from '../db/plan';
import { route, type BaseContext } from './context';
import { ApiError, notFound } from './errors';
import { deleted, ok, page, type Page } from './responses';

export type Router = IttyRouterType<IRequest, [BaseContext], Response>;

/**
 * A literal path that a broader pattern (`/api/customers/:id`) would also
 * match: any other method on it is a 405, not a lookup of a record named
 * "create". Registered right after the path's own routes.
 */
export function onlyMethods(router: Router, path: string, only: string[]) {
  const methods = only.includes('GET') ? [...only, 'HEAD'] : only;
  router.all(path, () => {
    throw new ApiError('method_not_allowed', `Only ${methods.join(', ')} is allowed on ${path}`, {
      headers: { Allow: methods.join(', ') },
    });
  });
}

export interface Resource<C extends v.GenericSchema, U extends v.GenericSchema, L extends v.GenericSchema, T> {
  path: string;
  label: string;
  schemas: { create: C; update: U; list: L };
  create(db: Db, workspaceId: string, input: v.InferOutput<C>): WritePlan<T>;
  list(db: Db, workspaceId: string, params: v.InferOutput<L>): Promise<Page<T>>;
  get(db: Db, workspaceId: string, id: string): Promise<T | undefined>;
  update(db: Db, workspaceId: string, id: string, input: v.InferOutput<U>, ifMatch?: number[]): WritePlan<T | undefined>;
  remove(db: Db, workspaceId: string, id: string, ifMatch?: number[]): WritePlan<boolean>;
}

export function resourceRoutes<C extends v.GenericSchema, U extends v.GenericSchema, L extends v.GenericSchema, T>(
  router: Router,
  r: Resource<C, U, L, T>,
) {
  const one = `${r.path}/:id`;
  const found = <X>(value: X | undefined | false): X => {
    if (value === undefined || value === false) throw notFound(r.label);
    return value;
  };
  const { create, update, list } = r.schemas;
  router
    .post(
      r.path,
      route('write', { body: create }, async (ctx, { body }) =>
        ok(await ctx.write((db) => r.create(db, ctx.workspaceId, body)), 201),
      ),
    )
    .get(
      r.path,
      route('read', { query: list }, async (ctx, { query }) => page(await ctx.query((db) => r.list(db, ctx.workspaceId, query)))),
    )
    .get(
      one,
      route('read', { id: r.label }, async (ctx, { id }) => ok(found(await ctx.query((db) => r.get(db, ctx.workspaceId, id))))),
    )
    .patch(
      one,
      route('write', { id: r.label, body: update }, async (ctx, { id, body, ifMatch }) =>
        ok(found(await ctx.write((db) => r.update(db, ctx.workspaceId, id, body, ifMatch)))),
      ),
    )
    .delete(
      one,
      route('write', { id: r.label }, async (ctx, { id, ifMatch }) => {
        found(await ctx.write((db) => r.remove(db, ctx.workspaceId, id, ifMatch)));
        return deleted(id);
      }),
    );
}
