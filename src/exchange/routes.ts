/**
 * /api/export and /api/import: a workspace's records in the export format
 * (src/exchange/format.ts), through the API, for `npm run export` / `npm run
 * import -- --url`. An export is read in pages, each resumable from the
 * cursor the previous one returned; an import is sent in parts, each applied
 * whole or not at all, and applying a part again changes nothing.
 */
import * as v from 'valibot';
import type { RouteDef } from '../http/api';
import { invalid, type Issue } from '../http/errors';
import { reply } from '../http/responses';
import { route } from '../http/route';
import { object } from '../model/values';
import { checkRecord, COUNTERS_TABLE, formatRecord, TABLE_NAMES, type TableName, type WorkspaceRecord } from './format';
import { exportPage, importPlan } from './queries';

/** Records per export page, and per import part (each a statement of one batch: D1 runs 1,000 per invocation). */
export const MAX_PAGE = 5_000;
export const MAX_PART_RECORDS = 900;
export const MAX_PART_BYTES = 4 * 1024 * 1024;

/** `<table>:<last id>`, or `<table>:` for a table's start. */
const CURSOR = new RegExp(`^(${TABLE_NAMES.join('|')}):([0-9a-f-]{36})?$`);

export const ExportQuery = object({
  cursor: v.optional(v.pipe(v.string(), v.regex(CURSOR, 'Must be an Export-Cursor value from a previous page'))),
  limit: v.optional(
    v.pipe(
      v.string(),
      v.regex(/^\d{1,4}$/, `Must be an integer from 1 to ${MAX_PAGE}`),
      v.transform(Number),
      v.minValue(1, `Must be an integer from 1 to ${MAX_PAGE}`),
      v.maxValue(MAX_PAGE, `Must be an integer from 1 to ${MAX_PAGE}`),
    ),
    '1000',
  ),
});

const NDJSON = 'application/x-ndjson';

export const exchangeRoutes: RouteDef[] = [
  {
    method: 'GET',
    path: '/api/export',
    handler: route('read', { query: ExportQuery }, async (ctx, { query }) => {
      const [, table = 'segments', after = ''] = CURSOR.exec(query.cursor ?? 'segments:') ?? [];
      const rows = await ctx.query((db) => exportPage(db, ctx.workspaceId, table as TableName, after, query.limit));
      const text = rows.map((row) => `${formatRecord({ table: table as TableName, row })}\n`).join('');
      // A full page may have more after it; a shorter one ends its table, and the counters end the export.
      const next =
        table === COUNTERS_TABLE
          ? undefined
          : rows.length === query.limit
            ? `${table}:${rows.at(-1)!.id}`
            : `${TABLE_NAMES[TABLE_NAMES.indexOf(table as TableName) + 1]}:`;
      const headers: Record<string, string> = next ? { 'Export-Cursor': next } : {};
      return { status: 200, body: undefined, text, type: NDJSON, headers };
    }),
  },
  {
    method: 'POST',
    path: '/api/import',
    handler: route('write', { ndjson: MAX_PART_BYTES, api: 'import' }, async (ctx, { text }) => {
      const records: WorkspaceRecord[] = [];
      const issues: Issue[] = [];
      text.split('\n').forEach((line, i) => {
        if (line.trim() === '') return;
        let value: unknown;
        try {
          value = JSON.parse(line);
        } catch {
          issues.push({ path: `line ${i + 1}`, message: 'Not a JSON value' });
          return;
        }
        const checked = checkRecord(value, ctx.workspaceId);
        if ('problem' in checked) issues.push({ path: `line ${i + 1}`, message: checked.problem });
        else records.push(checked.record);
      });
      if (records.length > MAX_PART_RECORDS) issues.push({ path: 'body', message: `At most ${MAX_PART_RECORDS} records per part` });
      if (issues.length > 0) throw invalid('Invalid import', issues);
      const imported = await ctx.write(() => importPlan(records));
      return reply({ success: true, data: { imported } });
    }),
  },
];
