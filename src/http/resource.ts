/**
 * The five routes every resource has (create, list, get, update, delete),
 * wired once from its declaration's schemas and its queries (src/model/crud.ts).
 */
import type * as v from 'valibot';
import type { Page } from '../model/page';
import type { Input } from '../model/resource';
import type { Scope } from '../lib/tokens';
import type { Db } from '../store/client';
import type { WritePlan } from '../store/plan';
import type { RouteDef } from './api';
import { notFound } from './errors';
import { deleted, ok, page } from './responses';
import { route } from './route';

export interface Resource<T> {
  path: string;
  label: string;
  /** The scope its reads need (default read; webhook endpoints: write). */
  readScope?: Scope;
  /** `get`: the query string of GET /{id}, for a resource that takes one (customers' `include`). */
  schemas: { create: v.GenericSchema<unknown, Input>; update: v.GenericSchema<unknown, Input>; list: v.GenericSchema; get?: v.GenericSchema };
  /** Work on a valid body before it is written (customers: the jobs Worker's tax-id checks); may refuse it. */
  prepare?(env: Env, input: Input): Promise<void>;
  create(db: Db, workspaceId: string, input: Input): WritePlan<T>;
  list(db: Db, workspaceId: string, params: never): Promise<Page<T>>;
  get(db: Db, workspaceId: string, id: string, query?: never): Promise<T | undefined>;
  update(db: Db, workspaceId: string, id: string, input: Input, ifMatch?: number[]): WritePlan<T | undefined>;
  remove(db: Db, workspaceId: string, id: string, ifMatch?: number[]): WritePlan<boolean>;
}

export function resourceRoutes<T>(r: Resource<T>): RouteDef[] {
  const one = `${r.path}/:id`;
  const found = <X>(value: X | undefined | false): X => {
    if (value === undefined || value === false) throw notFound(r.label);
    return value;
  };
  const { create, update, list, get } = r.schemas;
  return [
    {
      method: 'POST',
      path: r.path,
      handler: route('write', { body: create }, async (ctx, { body }) => {
        await r.prepare?.(ctx.env, body);
        return ok(await ctx.write((db) => r.create(db, ctx.workspaceId, body)), 201);
      }),
    },
    {
      method: 'GET',
      path: r.path,
      handler: route(r.readScope ?? 'read', { query: list }, async (ctx, { query }) => page(await ctx.query((db) => r.list(db, ctx.workspaceId, query as never)))),
    },
    {
      method: 'GET',
      path: one,
      handler: route(r.readScope ?? 'read', { id: r.label, query: get }, async (ctx, { id, query }) =>
        ok(found(await ctx.query((db) => r.get(db, ctx.workspaceId, id, query as never)))),
      ),
    },
    {
      method: 'PATCH',
      path: one,
      handler: route('write', { id: r.label, body: update }, async (ctx, { id, body, ifMatch }) => {
        await r.prepare?.(ctx.env, body);
        return ok(found(await ctx.write((db) => r.update(db, ctx.workspaceId, id, body, ifMatch))));
      }),
    },
    {
      method: 'DELETE',
      path: one,
      handler: route('write', { id: r.label }, async (ctx, { id, ifMatch }) => {
        found(await ctx.write((db) => r.remove(db, ctx.workspaceId, id, ifMatch)));
        return deleted(id);
      }),
    },
  ];
}
