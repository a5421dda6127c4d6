/**
 * The D1 limits check itself: a statement over one of D1's documented limits
 * is reported, naming it, and one at the limit is not. Every other test file
 * runs the same check over all it made the API send (test/setup.ts).
 */
import { describe, expect, it } from 'vitest';
import { d1LimitViolations } from '../helpers';
import { D1_LIMITS } from './limits';

const check = (sql: string, params: unknown[] = [], batch = false) =>
  d1LimitViolations([{ batch, statements: [{ sql, params }] }], crypto.randomUUID());
const args = (n: number) => Array.from({ length: n }, (_, i) => String(i)).join(', ');
const marks = (n: number) => Array.from({ length: n }, () => '?').join(', ');

describe('the D1 limits check', () => {
  it(`fails a function call with ${D1_LIMITS.functionArg + 1} arguments and passes ${D1_LIMITS.functionArg}`, async () => {
    const over = `SELECT json_array(${args(33)})`;
    expect(await check(over)).toEqual([{ sql: over, error: 'too many arguments on function json_array' }]);
    expect(await check(`SELECT json_array(${args(32)})`)).toEqual([]);
  });

  it(`fails a ${D1_LIMITS.likePatternLength + 1}-byte LIKE or GLOB pattern and passes ${D1_LIMITS.likePatternLength} bytes`, async () => {
    const like = "SELECT 'abc' LIKE ?";
    expect(await check(like, ['%'.padEnd(51, 'x')])).toEqual([{ sql: like, error: 'LIKE or GLOB pattern too complex' }]);
    expect(await check(like, ['%'.padEnd(50, 'x')])).toEqual([]);
    // Bytes, not characters: 26 two-byte characters are 52 bytes.
    expect(await check(like, ['é'.repeat(26)])).toEqual([{ sql: like, error: 'LIKE or GLOB pattern too complex' }]);
    const glob = "SELECT 'abc' GLOB ?";
    expect(await check(glob, ['*'.padEnd(51, 'x')])).toEqual([{ sql: glob, error: 'LIKE or GLOB pattern too complex' }]);
  });

  it('checks a LIKE pattern where the statement evaluates it, over the rows the test wrote', async () => {
    const workspace = crypto.randomUUID();
    const session = crypto.randomUUID();
    const insert = {
      sql: 'INSERT INTO segments (id, workspace_id, name, created_at, updated_at) VALUES (?, ?, ?, 0, 0)',
      params: ['0190a000-0000-7000-8000-000000000001', workspace, 'Key accounts'],
    };
    const search = { sql: 'SELECT id FROM segments WHERE workspace_id = ? AND name LIKE ?', params: [workspace, `%${'k'.repeat(50)}%`] };
    // With no row to compare, SQLite never evaluates the pattern...
    expect(await d1LimitViolations([{ batch: false, statements: [search] }], session)).toEqual([]);
    // ...once the workspace has one, it does.
    expect(await d1LimitViolations([{ batch: true, statements: [insert] }, { batch: false, statements: [search] }], session)).toEqual([
      { sql: search.sql, error: 'LIKE or GLOB pattern too complex' },
    ]);
  });

  it(`fails ${D1_LIMITS.variableNumber + 1} bound parameters and passes ${D1_LIMITS.variableNumber}`, async () => {
    const over = `SELECT ${marks(101)}`;
    expect(await check(over, Array.from({ length: 101 }, (_, i) => i))).toEqual([{ sql: over, error: 'too many SQL variables' }]);
    expect(await check(`SELECT ${marks(100)}`, Array.from({ length: 100 }, (_, i) => i))).toEqual([]);
  });

  it('fails a statement over 100 KB of SQL', async () => {
    const over = `SELECT '${'x'.repeat(D1_LIMITS.sqlLength)}'`;
    expect((await check(over)).map((v) => v.error)).toEqual(['string or blob too big']);
    expect(await check(`SELECT '${'x'.repeat(D1_LIMITS.sqlLength - 100)}'`)).toEqual([]);
  });

  it('reports a violation inside a batch and rolls the batch back, as D1 would', async () => {
    const session = crypto.randomUUID();
    const workspace = crypto.randomUUID();
    const insert = {
      sql: 'INSERT INTO segments (id, workspace_id, name, created_at, updated_at) VALUES (?, ?, ?, 0, 0)',
      params: ['0190a000-0000-7000-8000-000000000002', workspace, 'Rolled back'],
    };
    const over = { sql: `SELECT json_array(${args(40)})`, params: [] };
    const count = { sql: 'SELECT count(*) AS n FROM segments WHERE workspace_id = ? AND name LIKE ?', params: [workspace, 'x'.repeat(60)] };
    expect(await d1LimitViolations([{ batch: true, statements: [insert, over] }], session)).toEqual([
      { sql: over.sql, error: 'too many arguments on function json_array' },
    ]);
    // Had the insert survived, this LIKE would have been evaluated and reported.
    expect(await d1LimitViolations([{ batch: false, statements: [count] }], session)).toEqual([]);
  });

  it('ignores errors that are not limits (a trigger refusing a write is the API’s to handle)', async () => {
    const insert = "INSERT INTO contacts (id, workspace_id, customer_id, first_name, last_name, email, created_at, updated_at) VALUES ('c', 'w', 'missing', 'a', 'b', 'e', 0, 0)";
    expect(await check(insert, [], true)).toEqual([]);
  });
});
