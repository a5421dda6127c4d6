/**
 * npm run dev [-- <wrangler dev args>]: applies local D1 migrations, makes sure
 * a local development token exists and prints it with a curl example, then
 * runs `wrangler dev` on http://127.0.0.1:8787 with state in .wrangler/state.
 *
 * Local tokens are stored hashed like any other, so to print the dev token on
 * every start its plaintext is kept in .wrangler/dev-token.json: git-ignored,
 * on this machine only, and only ever for a `qwt_dev_` token.
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
wranglerInteractive(['dev', ...(option('--ip') ? [] : ['--ip', '127.0.0.1']), ...args]);
