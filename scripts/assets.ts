/**
 * The build step of wrangler.toml ([build]), so every `wrangler dev`, `wrangler
 * deploy` and `wrangler deploy --dry-run` runs it, on a fresh clone too: copies
 * Redoc's standalone bundle (the devDependency, pinned) into public/vendor/ for
 * /docs to load from this origin. Git-ignored: 1.1 MB of someone else's build
 * output does not belong in our history, and the lockfile already pins it.
 *
 * One change on the way: the bundle's sidebar footer draws Redocly's logo from
 * cdn.redoc.ly on every page load, and no Redoc option turns that off. The
 * page promises no request to any other origin (and its CSP would refuse it,
 * with a console error each load), so the logo's <img> becomes nothing; the
 * "API docs by Redocly" link stays. If an upgrade changes that code, the copy
 * fails here instead of the page quietly reaching out again.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const REDOC = join(ROOT, 'node_modules', 'redoc');
const VENDOR = join(ROOT, 'public', 'vendor');

const LOGO = 'n.createElement("img",{alt:"redocly logo",onError:()=>t(!1),src:"https://cdn.redoc.ly/redoc/logo-mini.svg"})';

/** Writes only what changed: wrangler dev reloads on any write under public/, and runs this on every change to src/. */
function put(name: string, content: string) {
  const file = join(VENDOR, name);
  let current: string | undefined;
  try {
    current = readFileSync(file, 'utf8');
  } catch {
    // not copied yet
  }
  if (current !== content) writeFileSync(file, content);
}

const bundle = readFileSync(join(REDOC, 'bundles', 'redoc.standalone.js'), 'utf8');
const logos = bundle.split(LOGO).length - 1;
const cdn = bundle.split('cdn.redoc.ly').length - 1;
if (logos !== 1 || cdn !== 1) {
  const { version } = JSON.parse(readFileSync(join(REDOC, 'package.json'), 'utf8')) as { version: string };
  console.error(
    `scripts/assets.ts: in redoc ${version}'s bundle the logo <img> occurs ${logos} times and cdn.redoc.ly ${cdn} times (expected 1 and 1): update LOGO before serving it.`,
  );
  process.exit(1);
}
mkdirSync(VENDOR, { recursive: true });
put('redoc.standalone.js', bundle.replace(LOGO, 'null'));
// MIT: the notices travel with the copy (the bundle's first line points to the second file).
put('redoc.LICENSE.txt', readFileSync(join(REDOC, 'LICENSE'), 'utf8'));
put('redoc.standalone.js.LICENSE.txt', readFileSync(join(REDOC, 'bundles', 'redoc.standalone.js.LICENSE.txt'), 'utf8'));
