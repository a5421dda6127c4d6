/** Reading NDJSON files line by line, and a progress line for long runs (both scripts). */
import { createReadStream } from 'node:fs';

/** The lines of a UTF-8 text file (or standard input), numbered from 1; invalid UTF-8 throws a TypeError. */
export async function* lines(file: string | undefined): AsyncGenerator<[number, string]> {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let pending = '';
  let number = 0;
  for await (const chunk of file === undefined ? process.stdin : createReadStream(file)) {
    pending += decoder.decode(chunk as Buffer, { stream: true });
    let start = 0;
    for (let end = pending.indexOf('\n'); end >= 0; end = pending.indexOf('\n', start)) {
      const line = pending.slice(start, end);
      start = end + 1;
      yield [++number, line.endsWith('\r') ? line.slice(0, -1) : line];
    }
    pending = pending.slice(start);
  }
  pending += decoder.decode();
  if (pending !== '') yield [++number, pending];
}

/** A line on standard error, rewritten in place at most once a second on a terminal (printed each time elsewhere). */
export function progress(every = 1000): { update(text: string): void; done(): void } {
  const tty = process.stderr.isTTY;
  // Short runs show no progress at all.
  let last = Date.now();
  let shown = false;
  return {
    update(text) {
      const now = Date.now();
      if (now - last < every) return;
      last = now;
      shown = true;
      process.stderr.write(tty ? `\r\x1b[K${text}` : `${text}\n`);
    },
    done() {
      if (tty && shown) process.stderr.write('\r\x1b[K');
    },
  };
}

export const count = (n: number) => n.toLocaleString('en-US');

const PLURALS: Record<string, string> = { segments: 'segment', customers: 'customer', contacts: 'contact', addresses: 'address' };

/** "1 segment, 2 customers, 0 contacts, 1 address": a count per record table. */
export const tally = (counts: Record<string, number>) =>
  Object.entries(PLURALS)
    .map(([table, one]) => `${count(counts[table] ?? 0)} ${counts[table] === 1 ? one : table}`)
    .join(', ');
