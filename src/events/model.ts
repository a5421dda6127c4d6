/**
 * An event as the API shows it, from its stored row: the record's row as
 * stored (src/events/triggers.ts) decoded the way a read decodes it and
 * mapped by the resource's declaration, so `data.object` is exactly what the
 * record's GET returned at that moment; `previous_attributes` the API fields
 * an update changed, with their values before it.
 */
import { iso } from '../lib/time';
import { decodeRow } from '../store/drizzle';
import { EVENT_SOURCES } from './sources';

export interface StoredEvent {
  id: string;
  type: string;
  object_id: string;
  object: string;
  previous: string | null;
  request_id: string | null;
  token_id: string | null;
  api: string | null;
  created_at: number;
}

export interface ApiEvent {
  id: string;
  type: string;
  created_at: string;
  object_id: string;
  data: { object: Record<string, unknown>; previous_attributes?: Record<string, unknown> };
  request_id: string | null;
  token_id: string | null;
  api: string | null;
}

const SOURCES = new Map(EVENT_SOURCES.map((s) => [s.name, s]));
/** Fields every object has that are not the record's data. */
const SYSTEM = new Set(['id', 'workspace_id', 'created_at', 'updated_at']);

/** A record's API object from its row as rowJson() wrote it (chunks of columns), parsed or as JSON text. */
export function apiObject(name: string, json: string | Record<string, unknown>[]): Record<string, unknown> {
  const { declared } = SOURCES.get(name)!;
  const raw = Object.assign({}, ...(typeof json === 'string' ? (JSON.parse(json) as Record<string, unknown>[]) : json));
  return declared.toApi(decodeRow(declared.selection, raw) as Record<string, unknown>);
}

export function toApiEvent(row: StoredEvent): ApiEvent {
  const name = row.type.slice(0, row.type.indexOf('.'));
  const object = apiObject(name, row.object);
  const data: ApiEvent['data'] = { object };
  if (row.previous !== null) {
    const before = apiObject(name, row.previous);
    const changed: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(before)) {
      if (!SYSTEM.has(key) && JSON.stringify(value) !== JSON.stringify(object[key])) changed[key] = value;
    }
    data.previous_attributes = changed;
  }
  return {
    id: row.id,
    type: row.type,
    created_at: iso(row.created_at),
    object_id: row.object_id,
    data,
    request_id: row.request_id,
    token_id: row.token_id,
    api: row.api,
  };
}
