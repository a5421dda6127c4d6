/**
 * The five routes every resource has (create, list, get, update, delete),
 * wired once: auth scope, path id, body and query validation, envelopes and
 * 404s. A resource supplies its schemas and its one-round-trip queries.
 */
import type * as v from 'valibot';
import type { IRequest, IttyRouterType } from 'itty-router';
import type { Db } from '../db/client';
import { readJsonObject } from './body';
import { pathId, route, type BaseContext } from './context';
import { notFound } from './errors';
import { listParams } from './pagination';
import { deleted, ok, page, type Page } from './responses';
import { parse } from './validate';

export type Router = IttyRouterType<IRequest, [BaseContext], Response>;

export interface Resource<C extends v.GenericSchema, U extends v.GenericSchema, L extends v.GenericSchema, T> {
  path: string;
  label: string;
  schemas: { create: C; update: U; list: L };
  create(db: Db, workspaceId: string, input: v.InferOutput<C>): Promise<T>;
  list(db: Db, workspaceId: string, params: v.InferOutput<L>): Promise<Page<T>>;
  get(db: Db, workspaceId: string, id: string): Promise<T | undefined>;
  update(db: Db, workspaceId: string, id: string, input: v.InferOutput<U>): Promise<T | undefined>;
  remove(db: Db, workspaceId: string, id: string): Promise<boolean>;
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
  router
    .post(
      r.path,
      route('write', async (request, ctx) => {
        const input = parse(r.schemas.create, await readJsonObject(request));
        return ok(await ctx.query((db) => r.create(db, ctx.workspaceId, input)), 201);
      }),
    )
    .get(
      r.path,
      route('read', async (request, ctx) => {
        const params = listParams(request, r.schemas.list);
        return page(await ctx.query((db) => r.list(db, ctx.workspaceId, params)));
      }),
    )
    .get(
      one,
      route('read', async (request, ctx) => {
        const id = pathId(request, r.label);
        return ok(found(await ctx.query((db) => r.get(db, ctx.workspaceId, id))));
      }),
    )
    .patch(
      one,
      route('write', async (request, ctx) => {
        const id = pathId(request, r.label);
        const input = parse(r.schemas.update, await readJsonObject(request));
        return ok(found(await ctx.query((db) => r.update(db, ctx.workspaceId, id, input))));
      }),
    )
    .delete(
      one,
      route('write', async (request, ctx) => {
        const id = pathId(request, r.label);
        found(await ctx.query((db) => r.remove(db, ctx.workspaceId, id)));
        return deleted(id);
      }),
    );
}
