/** Segment storage: every read is one statement, every write one plan (src/db/plan.ts). */
import { and, eq, getTableColumns } from 'drizzle-orm';
import type { Db } from '../db/client';
import { segments } from '../db/schema';
import { deletePlan, insertPlan, owned, updatePlan } from '../db/plan';
import { param, read } from '../db/prepared';
import { changes } from '../db/update';
import { afterCursor, toPage } from '../http/pagination';
import { iso, uuidv7 } from '../lib/ids';
import { versioned } from '../lib/versions';
import type { SegmentCreate, SegmentList, SegmentUpdate } from './schemas';

type SegmentRow = typeof segments.$inferSelect;

export function toSegment(row: SegmentRow) {
  return versioned({
    id: row.id,
    workspace_id: row.workspaceId,
    name: row.name,
    reference: row.reference,
    description: row.description,
    created_at: iso(row.createdAt),
    updated_at: iso(row.updatedAt),
  }, row.version);
}

const columns = getTableColumns(segments);

export function createSegment(db: Db, workspaceId: string, input: SegmentCreate) {
  const now = Date.now();
  const values = {
    id: uuidv7(now),
    workspaceId,
    name: input.name,
    reference: input.reference ?? null,
    description: input.description ?? null,
    createdAt: now,
    updatedAt: now,
  };
  return insertPlan('segments', db, segments, columns, values, toSegment);
}

export async function getSegment(db: Db, workspaceId: string, id: string) {
  const [[row]] = await read(db, 'segments.get', () => [db.select().from(segments).where(owned(segments))], { workspaceId, id });
  return row && toSegment(row);
}

export function updateSegment(db: Db, workspaceId: string, id: string, input: SegmentUpdate, ifMatch?: number[]) {
  const set = changes<typeof segments.$inferInsert>(input, { name: 'name', reference: 'reference', description: 'description' });
  return updatePlan('segments', db, segments, columns, { values: { workspaceId, id } }, set, ifMatch, toSegment);
}

/** A segment in use is refused by a trigger (409 segment_in_use). */
export function deleteSegment(db: Db, workspaceId: string, id: string, ifMatch?: number[]) {
  return deletePlan('segments', db, segments, { values: { workspaceId, id } }, ifMatch);
}

export async function listSegments(db: Db, workspaceId: string, params: SegmentList) {
  const [rows] = await read(
    db,
    `segments.list:${params.cursor !== undefined}`,
    () => [
      db
        .select()
        .from(segments)
        .where(and(eq(segments.workspaceId, param('workspaceId')), afterCursor(segments.id, params.cursor)))
        .orderBy(segments.id)
        .limit(param('limit')),
    ],
    { ...params, workspaceId, limit: params.limit + 1 },
  );
  return toPage(rows, params.limit, toSegment);
}
