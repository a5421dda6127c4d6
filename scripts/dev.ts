/**
 * npm run dev [-- <wrangler dev args>]: applies local D1 migrations, makes sure
 * a local development token exists and prints it with a curl example, then
 * runs `wrangler dev` on http://127.0.0.1:8787 with state in .wrangler/state.
 *
 * Local tokens are stored hashed like any other, so to print the dev token on
 * every start its plaintext is kept in .wrangler/dev-token.json: git-ignored,
 * on this machine only, and only ever for a `qwt_dev_` token.
 *
 * Both Workers run, in one process: the API Worker (served) and the jobs
 * Worker (wrangler.jobs.toml: webhook delivery, typed tax-id checks, VIES).
 *
 * Webhooks: the key that encrypts signing secrets (WEBHOOK_SECRETS_KEY, a
 * Worker secret in production) is generated into .dev.vars on the first start
 * (git-ignored), and deliveries to local targets (http://127.0.0.1:...) are
 * allowed there, which a deployed Worker refuses.
 */
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createToken, tokenExists } from './lib/tokens.ts';
import { ROOT, wrangler, wranglerInteractive } from './lib/wrangler.ts';


interface DevToken {
  token: string;
  workspace_id: string;
}

async function ensureDevToken(): Promise<DevToken> {
  const file = join(persistTo ?? join(ROOT, '.wrangler'), 'dev-token.json');
  const saved: DevToken | undefined = existsSync(file)
    ? JSON.parse(readFileSync(file, 'utf8'))
    : undefined;
  if (saved && (await tokenExists(local, saved.token))) return saved;
  const { token, record } = await createToken(local, {
    workspaceId: saved?.workspace_id ?? crypto.randomUUID(),
    name: 'local development',
  });
  const created = { token, workspace_id: record.workspace_id };
  writeFileSync(file, JSON.stringify(created, null, 2));
  chmodSync(file, 0o600);
  return created;
}

/** Appends `name=value` (with its comment) to .dev.vars unless the name is there; true when it did. */
function ensureDevVar(name: string, value: () => string, comment: string): boolean {
  const file = join(ROOT, '.dev.vars');
  const text = existsSync(file) ? readFileSync(file, 'utf8') : '';
  if (new RegExp(`^\\s*${name}\\s*=`, 'm').test(text)) return false;
  const separator = text && !text.endsWith('\n') ? '\n' : '';
  writeFileSync(file, `${text}${separator}# ${comment}\n${name}=${value()}\n`);
  chmodSync(file, 0o600);
  return true;
}

/** Appends a fresh WEBHOOK_SECRETS_KEY to .dev.vars unless one is there; true when it made one. */
const ensureSecretsKey = () =>
  ensureDevVar(
    'WEBHOOK_SECRETS_KEY',
    () => Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString('base64'),
    'Made by npm run dev: encrypts webhook signing secrets in the local D1. Deployed: wrangler secret put WEBHOOK_SECRETS_KEY',
  );

const args = process.argv.slice(2);
const option = (name: string) => {
  const i = args.findIndex((a) => a === name || a.startsWith(`${name}=`));
  if (i < 0) return undefined;
  return args[i]!.includes('=') ? args[i]!.split('=')[1] : args[i + 1];
};
const persistTo = option('--persist-to');
const local = { remote: false, persistTo };

console.log('Applying local D1 migrations...');
wrangler(['d1', 'migrations', 'apply', 'DB', '--local', ...(persistTo ? ['--persist-to', persistTo] : [])]);
const dev = await ensureDevToken();
if (ensureSecretsKey()) console.log('Generated WEBHOOK_SECRETS_KEY into .dev.vars (encrypts webhook signing secrets locally).');
// Both Workers read .dev.vars (wrangler gives --var flags to the first only): the jobs Worker delivers to local receivers too.
ensureDevVar('WEBHOOK_ALLOW_LOCAL_TARGETS', () => 'true', 'Made by npm run dev: webhook endpoints on this machine (http://127.0.0.1:...) are allowed locally');
const host = option('--ip') ?? '127.0.0.1';
const base = `http://${host}:${option('--port') ?? '8787'}`;
console.log(`
Local development token (workspace ${dev.workspace_id}):

  ${dev.token}

Try it:

  curl -X POST ${base}/api/customers \\
    -H "Authorization: Bearer ${dev.token}" \\
    -H "Content-Type: application/json" \\
    -d '{"name":"Acme Corporation","type":"company","tax_ids":[{"tax":"VAT","tax_value":"FR12345678901"}]}'
`);
// The API Worker (served) and the jobs Worker behind it (webhook delivery, typed tax-id checks), in one process.
wranglerInteractive(['dev', '-c', 'wrangler.toml', '-c', 'wrangler.jobs.toml', ...(option('--ip') ? [] : ['--ip', '127.0.0.1']), ...args]);
