/**
 * How a body arrives (issue 4): its Content-Type, and its size, declared,
 * undeclared or streamed, around the 64 KiB limit.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_BODY_BYTES } from '../../src/http/body';
import { byteLength } from '../helpers';
import { bodyRoute, expect2xx, expect400, run, sendBody, TIMEOUT, useWorld, W } from './bad-input';
import { rawJson, setAt } from './json';

useWorld();

describe('Content-Type', () => {
  it('takes application/json (any case, with parameters) and answers 415 to anything else or nothing', async () => {
    const headerText = fc.string({ unit: 'binary-ascii', maxLength: 30 }).map((s) => s.replace(/[^\x20-\x7e\t]/g, ''));
    const contentType = fc.oneof(
      fc.constantFrom(
        'application/json',
        'Application/JSON',
        'application/json; charset=utf-8',
        'application/json;charset=UTF-16',
        'application/json ; x=y',
        'application/json;',
        'application/json\t;q=1',
        ' application/json ',
        'application/jsonx',
        'application/json+x',
        'application/ld+json',
        'application/vnd.api+json',
        'application/problem+json',
        'text/json',
        'text/plain',
        'text/html',
        'application/x-www-form-urlencoded',
        'multipart/form-data; boundary=x',
        'application/json, text/plain',
        'application/*',
        '*/*',
        'json',
        'application/ json',
        'application /json',
        'application\\/json',
        '',
      ),
      headerText,
      fc.tuple(headerText, fc.constantFrom('application/json', 'APPLICATION/json')).map(([a, b]) => `${a}${b}`),
      fc.tuple(fc.constantFrom('application/json', 'APPLICATION/json'), headerText).map(([a, b]) => `${a}${b}`),
      fc.constant(null),
    );
    await fc.assert(
      fc.asyncProperty(bodyRoute, contentType, async (r, ct) => {
        const out = await run(r, sendBody(r, rawJson(r.valid(W())), { contentType: ct }));
        const essence = ct === null ? null : ct.split(';')[0]!.trim().toLowerCase();
        const where = `${r.name} Content-Type=${JSON.stringify(ct)}`;
        if (essence === 'application/json') expect2xx(out, where);
        else expect(out.res.status, `${where} -> ${JSON.stringify(out.res.body)}`).toBe(415);
      }),
      { numRuns: 100 },
    );
  }, TIMEOUT);
});

describe('body size', () => {
  it('answers 413 to any body over 64 KiB (declared, undeclared or streamed) and takes one of exactly 64 KiB', async () => {
    const size = fc.oneof(
      fc.constantFrom(MAX_BODY_BYTES, MAX_BODY_BYTES + 1),
      fc.integer({ min: MAX_BODY_BYTES - 2000, max: MAX_BODY_BYTES + 6000 }),
    );
    const arb = fc.tuple(bodyRoute, size, fc.constantFrom('pad', 'field'), fc.constantFrom('declared', 'undeclared', 'streamed'));
    await fc.assert(
      fc.asyncProperty(arb, async ([r, n, mode, how]) => {
        const f = r.fields.find((x) => x.kind === 'text');
        let text: string;
        if (mode === 'pad' || !f) {
          const json = rawJson(r.valid(W()));
          text = `${json.slice(0, -1)}${' '.repeat(Math.max(0, n - byteLength(json)))}}`;
        } else {
          const base = JSON.stringify(setAt(r.valid(W()), f.path, ''));
          text = JSON.stringify(setAt(r.valid(W()), f.path, 'a'.repeat(Math.max(0, n - byteLength(base)))));
        }
        const bytes = byteLength(text);
        const c = sendBody(r, text, {
          ...(how === 'declared' ? { headers: { 'Content-Length': String(bytes) } } : {}),
          ...(how === 'streamed' ? { chunk: 8 * 1024 } : {}),
        });
        const where = `${r.name} ${mode} ${how} ${bytes} bytes`;
        const out = await run(r, c);
        if (bytes > MAX_BODY_BYTES) expect(out.res.status, `${where} -> ${JSON.stringify(out.res.body)}`).toBe(413);
        else if (mode === 'pad' || !f) expect2xx(out, where);
        else expect400(out, r, f.path, where);
      }),
      { numRuns: 40 },
    );
  }, TIMEOUT);
});
