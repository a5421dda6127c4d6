/**
 * The SQL of the triggers that record events (migrations/0010), derived from
 * the resource declarations: test/events/triggers.test.ts fails when the
 * migration differs from what this writes, and prints it, so a field added to
 * a declaration comes with a migration that records it.
 *
 * Each record table gets three AFTER triggers. They run in the transaction of
 * the write that fires them (any write: the three APIs, the import, a bill-to
 * cleared by another delete), so a write and its events commit together.
 * `object` is the row as stored after the write (before a delete), as a JSON
 * array of objects of at most 16 columns (D1 allows 32 arguments per SQL
 * function); an update also keeps the row before it in `previous`, from which
 * the API derives the fields that changed. An update that changes none of
 * the API fields (only internal columns) records nothing.
 * The request's context comes from the `event_context` row the write batch
 * set; a write without one (a console query) still gets its event, with the
 * time of the database and no request.
 */
import { getTableColumns, getTableName } from 'drizzle-orm';
import type { Declared, Fields } from '../model/resource';
import type { RecordTable } from '../store/plan';

/** Bare-name resource of each table's events (`customer.created`, ...). */
export interface EventSource {
  name: string;
  declared: Declared<RecordTable, Fields>;
  /** The SQL of each computed (read-only, selected) field, of the trigger's NEW or OLD row. */
  computed?: Record<string, (row: string) => string>;
}

const q = (name: string) => `\`${name}\``;
const SYSTEM = ['id', 'workspace_id', 'created_at', 'updated_at', 'version'];

/** A random UUID (version 4) in SQL: the event's public id. */
const UUID = `lower(hex(randomblob(4)) || '-' || hex(randomblob(2)) || '-4' || substr(hex(randomblob(2)), 2) || '-' || substr('89ab', 1 + (abs(random()) % 4), 1) || substr(hex(randomblob(2)), 2) || '-' || hex(randomblob(6)))`;
const NOW_MS = `CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)`;

/** The stored columns an API object is read from: the system ones and the declared fields with a column. */
export function objectColumns(declared: Declared<RecordTable, Fields>): string[] {
  const columns = Object.keys(getTableColumns(declared.table));
  const fields = Object.entries(declared.specs)
    .filter(([, spec]) => !spec.select)
    .map(([name]) => name);
  return [...SYSTEM, ...fields].filter((name) => columns.includes(name));
}

/** The API fields an update reports in previous_attributes: the declared fields with a column. */
export const changedColumns = (declared: Declared<RecordTable, Fields>) => objectColumns(declared).filter((c) => !SYSTEM.includes(c));

/** Key/value pairs per json_object() call: D1 allows 32 arguments per SQL function. */
const PAIRS = 16;

/**
 * The row (a trigger's NEW or OLD, or a query's alias) as a JSON array of objects of at most 16 columns each
 * (merged back by src/events/model.ts), computed fields last.
 */
export function rowJson(row: string, columns: string[], computed: EventSource['computed'] = {}): string {
  const pairs = [...columns.map((c) => `'${c}', ${row}.${q(c)}`), ...Object.entries(computed).map(([name, select]) => `'${name}', ${select(row)}`)];
  const chunks: string[] = [];
  for (let i = 0; i < pairs.length; i += PAIRS) chunks.push(`json_object(${pairs.slice(i, i + PAIRS).join(', ')})`);
  return `json_array(${chunks.join(', ')})`;
}

function insertEvent(type: string, row: 'NEW' | 'OLD', object: string, previous: string): string {
  return [
    `  INSERT INTO ${q('events')} (${['id', 'workspace_id', 'type', 'object_id', 'object', 'previous', 'request_id', 'token_id', 'api', 'created_at', 'dispatched_at'].map(q).join(', ')})`,
    `  SELECT ${UUID}, ${row}.${q('workspace_id')}, '${type}', ${row}.${q('id')}, ${object}, ${previous}, c.${q('request_id')}, c.${q('token_id')}, c.${q('api')}, coalesce(c.${q('now')}, ${NOW_MS}),`,
    // Born dispatched when no enabled endpoint of the workspace listens: the sweep and the hand-off only ever see events to deliver.
    `    CASE WHEN EXISTS (SELECT 1 FROM ${q('webhook_endpoints')} w WHERE w.${q('workspace_id')} = ${row}.${q('workspace_id')} AND w.${q('enabled')} = 1) THEN NULL ELSE coalesce(c.${q('now')}, ${NOW_MS}) END`,
    // A context left by another workspace's write is not this write's: its events then carry no request, token or API.
    `  FROM (SELECT 1) LEFT JOIN ${q('event_context')} c ON c.${q('id')} = 1 AND c.${q('workspace_id')} = ${row}.${q('workspace_id')};`,
  ].join('\n');
}

/** The three triggers of one table, as migration statements. */
export function eventTriggers({ name, declared, computed }: EventSource): string[] {
  const missing = Object.entries(declared.specs).filter(([field, spec]) => spec.select && !computed?.[field]);
  if (missing.length > 0) throw new Error(`${name}: computed fields without their event SQL: ${missing.map(([field]) => field).join(', ')}`);
  const table = getTableName(declared.table);
  const columns = objectColumns(declared);
  const changed = changedColumns(declared);
  return [
    [`CREATE TRIGGER ${q(`${table}_events_insert`)} AFTER INSERT ON ${q(table)}`, 'BEGIN', insertEvent(`${name}.created`, 'NEW', rowJson('NEW', columns, computed), 'NULL'), 'END;'].join('\n'),
    [
      `CREATE TRIGGER ${q(`${table}_events_update`)} AFTER UPDATE ON ${q(table)}`,
      `WHEN ${changed.map((c) => `NEW.${q(c)} IS NOT OLD.${q(c)}`).join(' OR ')}`,
      'BEGIN',
      insertEvent(`${name}.updated`, 'NEW', rowJson('NEW', columns, computed), rowJson('OLD', columns, computed)),
      'END;',
    ].join('\n'),
    [`CREATE TRIGGER ${q(`${table}_events_delete`)} AFTER DELETE ON ${q(table)}`, 'BEGIN', insertEvent(`${name}.deleted`, 'OLD', rowJson('OLD', columns, computed), 'NULL'), 'END;'].join('\n'),
  ];
}

/**
 * The generated part of the latest migration that (re)defines the event triggers: every source's triggers,
 * each dropped first, so that a migration adding a column rebuilds them with it (migrations are forward-only).
 */
export const eventTriggersSql = (sources: EventSource[]) =>
  sources
    .flatMap(eventTriggers)
    .flatMap((create) => [`DROP TRIGGER IF EXISTS ${/^CREATE TRIGGER (\S+)/.exec(create)![1]};`, create])
    .join('\n--> statement-breakpoint\n');
