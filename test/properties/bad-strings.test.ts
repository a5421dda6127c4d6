/**
 * Strings in every text field of every body (issue 4): empty, blank, huge,
 * Unicode edges (NUL, bidi, emoji, combining marks), lone surrogates and bytes
 * that are not UTF-8. A text field takes exactly the trimmed strings of 1..max
 * code points and stores them as sent; anything else is a 400 naming it.
 */
import fc from 'fast-check';
import { describe, it } from 'vitest';
import { nastyString } from './arbitraries';
import { checkText, expectInvalidJson, run, sendBody, textExpectation, textFields, textRoute, TIMEOUT, useWorld, W } from './bad-input';
import { byteLength } from '../helpers';
import { parseLikeWorker, setAt } from './json';

useWorld();

describe('empty, huge and Unicode-edge strings in every text field', () => {
  const textCase = (strings: (max: number) => fc.Arbitrary<string>) =>
    textRoute.chain((r) => fc.constantFrom(...textFields(r)).chain((f) => fc.tuple(fc.constant(r), fc.constant(f), strings(f.max!))));

  async function textProperty(strings: (max: number) => fc.Arbitrary<string>, numRuns: number) {
    await fc.assert(
      fc.asyncProperty(textCase(strings), async ([r, f, value]) => {
        const text = JSON.stringify(setAt(r.valid(W()), f.path, value));
        const c = sendBody(r, text);
        const where = `${r.name} ${f.path.join('.')}=${JSON.stringify(value.slice(0, 80))}(${value.length})`;
        checkText(await run(r, c), r, f, value, textExpectation(f, value, byteLength(text)), where);
      }),
      { numRuns },
    );
  }

  it('accepts exactly the trimmed 1..max strings and stores them as sent (NUL, bidi, emoji, combining, huge, blank)', async () => {
    // Well-formed UTF-16 here (lone surrogates become U+FFFD); lone surrogates have their own property below.
    await textProperty((max) => nastyString(max).map((s) => s.toWellFormed()), 150);
  }, TIMEOUT);

  it('refuses a lone surrogate (JSON "\\ud800") with 400 naming the field', async () => {
    const lone = fc.constantFrom('\ud800', '\udfff', '\udbff', 'a\ud800b', '\udc00\ud800', 'x'.repeat(254) + '\ud800');
    await textProperty(() => fc.tuple(lone, fc.constantFrom('', ' ', 'é')).map(([l, pad]) => `${pad}${l}${pad}`), 20);
  }, TIMEOUT);

  it('refuses bytes that are not UTF-8 with 400 invalid_json', async () => {
    const invalid = fc.constantFrom([0xff], [0xfe, 0xff], [0xc0, 0x80], [0xed, 0xa0, 0x80], [0xf4, 0x90, 0x80, 0x80], [0xe2, 0x82], [0x80], [0xf8, 0x88, 0x80, 0x80, 0x80]);
    const bytes = fc.oneof(
      fc.uint8Array({ minLength: 1, maxLength: 24 }),
      fc.tuple(fc.uint8Array({ maxLength: 8 }), invalid, fc.uint8Array({ maxLength: 8 })).map(([a, b, c]) => new Uint8Array([...a, ...b, ...c])),
    );
    const arb = textRoute.chain((r) => fc.tuple(fc.constant(r), fc.constantFrom(...textFields(r)), bytes, fc.constantFrom('inline', 'utf16', 'bom')));
    await fc.assert(
      fc.asyncProperty(arb, async ([r, f, raw, mode]) => {
        const text = JSON.stringify(setAt(r.valid(W()), f.path, '@@RAW@@'));
        let body: Uint8Array;
        if (mode === 'utf16') {
          // The whole body in UTF-16LE with a BOM: not UTF-8.
          body = new Uint8Array([0xff, 0xfe, ...[...text].flatMap((ch) => [ch.charCodeAt(0) & 0xff, ch.charCodeAt(0) >> 8])]);
        } else {
          const [head, tail] = text.split('@@RAW@@') as [string, string];
          const enc = new TextEncoder();
          body = new Uint8Array([...(mode === 'bom' ? [0xef, 0xbb, 0xbf] : []), ...enc.encode(head), ...raw, ...enc.encode(tail)]);
        }
        const c = sendBody(r, body);
        const out = await run(r, c);
        let decoded: string | undefined;
        try {
          decoded = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(body);
        } catch {
          decoded = undefined;
        }
        if (decoded === undefined || !parseLikeWorker(decoded).ok) expectInvalidJson(out, r, `${r.name} ${mode}`);
      }),
      { numRuns: 80 },
    );
  }, TIMEOUT);
});
