/**
 * The events feed: keyset pages in recording order (seq), one workspace's
 * events only, through its indexes: (workspace_id, seq), (workspace_id,
 * type, seq), (workspace_id, object_id, seq).
 */
import { and, asc, desc, eq, gt, gte, lt, type SQL } from 'drizzle-orm';
import * as v from 'valibot';
import { listSchema, pageParams, toPage } from '../model/page';
import { oneOf, timestamp, uuid } from '../model/values';
import type { Db } from '../store/client';
import { events } from '../store/schema';
import { family, param, read } from '../store/statements';
import { toApiEvent, type StoredEvent } from './model';
import { EVENT_TYPES, OBJECT_TYPES } from './sources';

const TYPES = [...EVENT_TYPES, ...OBJECT_TYPES.map((name) => `${name}.*`)] as [string, ...string[]];

export const EventList = listSchema(
  {
    order: v.optional(oneOf(['asc', 'desc']), 'asc'),
    type: v.optional(oneOf(TYPES)),
    object_id: v.optional(uuid),
    created_gte: v.optional(timestamp),
    created_lt: v.optional(timestamp),
  },
  { ...pageParams, cursor: v.optional(v.pipe(v.string(), v.regex(/^\d{1,19}$/, 'Must be a next_cursor value from a previous page'))) },
);
type EventList = v.InferOutput<typeof EventList>;

const columns = {
  seq: events.seq,
  id: events.id,
  type: events.type,
  object_id: events.object_id,
  object: events.object,
  previous: events.previous,
  request_id: events.request_id,
  token_id: events.token_id,
  api: events.api,
  created_at: events.created_at,
};

interface Shape {
  [key: string]: string | boolean;
  order: 'asc' | 'desc';
  type: 'none' | 'exact' | 'prefix';
  object: boolean;
  gte: boolean;
  lt: boolean;
  cursor: boolean;
}

const listQuery = family('events.list', (db, shape: Shape) => {
  const where: (SQL | undefined)[] = [eq(events.workspace_id, param('workspaceId'))];
  if (shape.type === 'exact') where.push(eq(events.type, param('type')));
  // `customer.*`: the types from "customer." up to "customer/", the next character.
  if (shape.type === 'prefix') where.push(gte(events.type, param('typeFrom')), lt(events.type, param('typeTo')));
  if (shape.object) where.push(eq(events.object_id, param('objectId')));
  if (shape.gte) where.push(gte(events.created_at, param('createdGte')));
  if (shape.lt) where.push(lt(events.created_at, param('createdLt')));
  if (shape.cursor) where.push(shape.order === 'asc' ? gt(events.seq, param('cursor')) : lt(events.seq, param('cursor')));
  return [
    db
      .select(columns)
      .from(events)
      .where(and(...where))
      .orderBy(shape.order === 'asc' ? asc(events.seq) : desc(events.seq))
      .limit(param('limit')),
  ] as const;
});

export async function listEvents(db: Db, workspaceId: string, params: EventList) {
  const prefix = params.type?.endsWith('.*');
  const shape: Shape = {
    order: params.order,
    type: params.type === undefined ? 'none' : prefix ? 'prefix' : 'exact',
    object: params.object_id !== undefined,
    gte: params.created_gte !== undefined,
    lt: params.created_lt !== undefined,
    cursor: params.cursor !== undefined,
  };
  const base = prefix ? params.type!.slice(0, -1) : undefined;
  const [rows] = await read(db, listQuery, shape, {
    workspaceId,
    limit: params.limit + 1,
    type: params.type,
    typeFrom: base,
    typeTo: base && `${base.slice(0, -1)}/`,
    objectId: params.object_id,
    createdGte: params.created_gte,
    createdLt: params.created_lt,
    cursor: params.cursor === undefined ? undefined : Number(params.cursor),
  });
  return toPage(rows as (StoredEvent & { seq: number })[], params.limit, toApiEvent, (row) => String(row.seq));
}

const getQuery = family('events.get', (db) => [
  db
    .select(columns)
    .from(events)
    .where(and(eq(events.workspace_id, param('workspaceId')), eq(events.id, param('id')))),
] as const);

export async function getEvent(db: Db, workspaceId: string, id: string) {
  const [[row]] = await read(db, getQuery, null, { workspaceId, id });
  return row && toApiEvent(row as StoredEvent);
}
