/** Segment storage: one statement per call. Deleting a segment in use is refused by a trigger (409). */
import { and, eq } from 'drizzle-orm';
import type { Db } from '../db/client';
import { segments } from '../db/schema';
import { changes, touched } from '../db/update';
import { afterCursor, toPage } from '../http/pagination';
import { iso, uuidv7 } from '../lib/ids';
import type { SegmentCreate, SegmentList, SegmentUpdate } from './schemas';

type SegmentRow = typeof segments.$inferSelect;

export function toSegment(row: SegmentRow) {
  return {
    id: row.id,
    workspace_id: row.workspaceId,
    name: row.name,
    reference: row.reference,
    description: row.description,
    created_at: iso(row.createdAt),
    updated_at: iso(row.updatedAt),
  };
}

const owned = (workspaceId: string, id: string) => and(eq(segments.workspaceId, workspaceId), eq(segments.id, id));

export async function createSegment(db: Db, workspaceId: string, input: SegmentCreate) {
  const now = Date.now();
  const row = await db
    .insert(segments)
    .values({
      id: uuidv7(now),
      workspaceId,
      name: input.name,
      reference: input.reference ?? null,
      description: input.description ?? null,
      createdAt: now,
      updatedAt: now,
    })
    .returning()
    .get();
  return toSegment(row!);
}

export async function getSegment(db: Db, workspaceId: string, id: string) {
  const row = await db.select().from(segments).where(owned(workspaceId, id)).get();
  return row && toSegment(row);
}

export async function updateSegment(db: Db, workspaceId: string, id: string, input: SegmentUpdate) {
  const set = changes<typeof segments.$inferInsert>(input, { name: 'name', reference: 'reference', description: 'description' });
  if (Object.keys(set).length === 0) return getSegment(db, workspaceId, id);
  const row = await db
    .update(segments)
    .set({ ...set, updatedAt: touched(segments.updatedAt) })
    .where(owned(workspaceId, id))
    .returning()
    .get();
  return row && toSegment(row);
}

export async function deleteSegment(db: Db, workspaceId: string, id: string) {
  const removed = await db.delete(segments).where(owned(workspaceId, id)).returning({ id: segments.id }).all();
  return removed.length > 0;
}

export async function listSegments(db: Db, workspaceId: string, params: SegmentList) {
  const rows = await db
    .select()
    .from(segments)
    .where(and(eq(segments.workspaceId, workspaceId), afterCursor(segments.id, params.cursor)))
    .orderBy(segments.id)
    .limit(params.limit + 1)
    .all();
  return toPage(rows, params.limit, toSegment);
}
