/**
 * A client that goes away mid-upload: its failure, not the server's. The
 * request is answered 400 request_aborted (if anyone is still listening),
 * logged at info level like any client error, and nothing is written.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { errorBody, upwellError } from '../errors';
import { api, snapshot, workspace } from '../helpers';

/** A body that sends part of a customer, then fails as a dropped connection does. */
const brokenBody = () =>
  new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(new TextEncoder().encode('{"name":"Acme","type":"comp'));
      controller.error(new Error('Network connection lost.'));
    },
  });

afterEach(() => vi.restoreAllMocks());

describe('a body cut off mid-upload', () => {
  for (const [label, headers] of [
    ['chunked', {}],
    ['with a Content-Length', { 'Content-Length': '64' }],
  ] as const) {
    it(`(${label}) is a 400 request_aborted, logged as info, and writes nothing`, async () => {
      const { workspaceId, token } = await workspace();
      const errors = vi.spyOn(console, 'error');
      const logs = vi.spyOn(console, 'log');
      const before = await snapshot(workspaceId);
      for (const [path, dialect] of [
        ['/api/customers', 'canonical'],
        ['/api/rest/customers', 'upwell'],
      ] as const) {
        const res = await api('POST', path, { token, rawBody: brokenBody(), headers: { 'Content-Type': 'application/json', ...headers } });
        expect(res.status, path).toBe(400);
        expect(res.body).toEqual(dialect === 'canonical' ? errorBody('request_aborted') : upwellError('VALIDATION_ERROR'));
      }
      expect(errors).not.toHaveBeenCalled();
      const lines = logs.mock.calls.map(([line]) => JSON.parse(String(line)));
      expect(lines.map((l) => [l.level, l.status])).toEqual([
        ['info', 400],
        ['info', 400],
      ]);
      expect(await snapshot(workspaceId)).toEqual(before);
    });
  }
});
