/**
 * npm run openapi [-- --check] [--dir <dir>]
 *
 * Writes public/openapi.json, the OpenAPI 3.1 document of the three APIs,
 * generated from the Valibot schemas and field declarations
 * (src/contract/), then client/schema.d.ts, the typed client's types, with
 * openapi-typescript. --check writes nothing and fails if either file differs
 * from a fresh generation (npm test runs it). --dir reads and writes
 * <dir>/public and <dir>/client instead of the project's (for its tests).
 *
 * Runs with Node's type stripping and scripts/lib/hooks.ts, which lets Node
 * load the Worker's sources (see package.json's "openapi" script).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildDocument } from '../src/contract/document.ts';

const ROOT = join(import.meta.dirname, '..');
const dirAt = process.argv.indexOf('--dir');
const DIR = dirAt === -1 ? ROOT : process.argv[dirAt + 1]!;
const DOCUMENT = join(DIR, 'public', 'openapi.json');
const CLIENT_TYPES = join(DIR, 'client', 'schema.d.ts');

const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
const document = `${JSON.stringify(buildDocument(version), null, 2)}\n`;
const check = process.argv.includes('--check');

function current(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

const stale: string[] = [];
if (current(DOCUMENT) !== document) {
  if (check) stale.push(DOCUMENT);
  else writeFileSync(DOCUMENT, document);
}
// The client's types come from the document as generated now, so --check compares both against this run.
const types = execFileSync(
  process.execPath,
  [join(ROOT, 'node_modules', 'openapi-typescript', 'bin', 'cli.js'), '--default-non-nullable=false', '--alphabetize=false'],
  { input: document, encoding: 'utf8', cwd: ROOT },
);
if (current(CLIENT_TYPES) !== types) {
  if (check) stale.push(CLIENT_TYPES);
  else writeFileSync(CLIENT_TYPES, types);
}
if (stale.length > 0) {
  console.error(`Out of date: ${stale.join(', ')}. Run \`npm run openapi\` and commit the result.`);
  process.exit(1);
}
if (!check) console.log('Wrote public/openapi.json and client/schema.d.ts.');
