/**
 * npm run token -- create [--workspace <id>] [--name <label>] [--scopes read,write] [--expires-in <days>d] [--json] [--remote]
 * npm run token -- list --workspace <id> [--json] [--remote]
 * npm run token -- revoke <token_id> [--remote]
 *
 * Local by default (the state `npm run dev` serves; --persist-to <dir> picks
 * another local state directory); --remote targets the deployed KV namespace. A created token is printed once and never stored.
 */
import { isExpired, SCOPES, type Scope } from '../src/lib/tokens.ts';
import { parseCommandLine, UsageError } from './lib/cli.ts';
import { createToken, deleteKey, listTokens } from './lib/tokens.ts';

const WORKSPACE = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;
const USAGE = `usage:
  npm run token -- create [--workspace <id>] [--name <label>] [--scopes read,write] [--expires-in <days>d] [--json] [--remote]
  npm run token -- list --workspace <id> [--json] [--remote]
  npm run token -- revoke <token_id> [--remote]`;


const { values, positionals } = parseCommandLine(
  USAGE,
  {
    workspace: { type: 'string' },
    name: { type: 'string' },
    scopes: { type: 'string' },
    'expires-in': { type: 'string' },
    json: { type: 'boolean', default: false },
    remote: { type: 'boolean', default: false },
    'persist-to': { type: 'string' },
    help: { type: 'boolean', short: 'h', default: false },
  },
  true,
);

const target = { remote: values.remote, persistTo: values['persist-to'] };

function workspaceArg(required: boolean): string | undefined {
  const id = values.workspace;
  if (id === undefined) {
    if (required) throw new UsageError('--workspace is required');
    return undefined;
  }
  if (!WORKSPACE.test(id)) throw new UsageError('--workspace must be 1-64 letters, digits, "-" or "_"');
  return id;
}

function scopesArg(): Scope[] | undefined {
  if (values.scopes === undefined) return undefined;
  const scopes = [...new Set(values.scopes.split(',').map((s) => s.trim()))];
  const unknown = scopes.filter((s) => !(SCOPES as readonly string[]).includes(s));
  if (scopes.length === 0 || unknown.length > 0) throw new UsageError(`--scopes takes a list of: ${SCOPES.join(', ')}`);
  return scopes as Scope[];
}

function expiresArg(): number | undefined {
  const raw = values['expires-in'];
  if (raw === undefined) return undefined;
  const match = /^(\d{1,4})d$/.exec(raw);
  const days = match ? Number(match[1]) : 0;
  if (days < 1 || days > 3650) throw new UsageError('--expires-in takes a number of days from 1d to 3650d, e.g. 30d');
  return days;
}

async function create() {
  const { token, record } = await createToken(target, {
    workspaceId: workspaceArg(false) ?? crypto.randomUUID(),
    name: values.name?.trim() || null,
    scopes: scopesArg(),
    expiresInDays: expiresArg(),
  });
  if (values.json) {
    const { token_id, workspace_id, scopes, expires_at } = record;
    console.log(JSON.stringify({ token, token_id, workspace_id, scopes, expires_at }));
    return;
  }
  console.log(`Token (shown once; only its hash is stored):\n\n  ${token}\n`);
  console.log(`token_id:     ${record.token_id}`);
  console.log(`workspace_id: ${record.workspace_id}`);
  console.log(`scopes:       ${record.scopes.join(',')}`);
  console.log(`expires_at:   ${record.expires_at ?? 'never'}`);
}

function list() {
  const workspaceId = workspaceArg(true);
  const records = listTokens(target)
    .map((t) => t.record)
    .filter((r) => r.workspace_id === workspaceId)
    .sort((a, b) => a.created_at.localeCompare(b.created_at));
  if (values.json) {
    console.log(JSON.stringify(records));
    return;
  }
  if (records.length === 0) {
    console.log(`No tokens for workspace ${workspaceId}.`);
    return;
  }
  for (const r of records) {
    const state = isExpired(r) ? 'expired' : r.expires_at ? `expires ${r.expires_at}` : 'no expiry';
    console.log(`${r.token_id}  ${r.scopes.join(',').padEnd(10)}  created ${r.created_at}  ${state}  ${r.name ?? ''}`.trimEnd());
  }
}

function revoke() {
  const tokenId = positionals[1];
  if (!tokenId) throw new UsageError('revoke needs a token_id');
  const found = listTokens(target).find((t) => t.record.token_id === tokenId);
  if (!found) {
    console.error(`No token with id ${tokenId}.`);
    process.exit(1);
  }
  deleteKey(target, found.key);
  console.log(
    `Revoked ${tokenId}.${target.remote ? ' Edge caches may accept it for up to 60 seconds more (KV propagation).' : ''}`,
  );
}

const commands: Record<string, () => unknown> = { create, list, revoke };

try {
  const name = positionals[0] ?? '';
  const command = Object.hasOwn(commands, name) ? commands[name] : undefined;
  if (values.help || !command) throw new UsageError(values.help ? '' : `unknown command: ${positionals[0] ?? '(none)'}`);
  await command();
} catch (error) {
  if (error instanceof UsageError) {
    console.error(`${error.message ? `${error.message}\n` : ''}${USAGE}`);
    process.exit(values.help ? 0 : 2);
  }
  console.error((error as Error).message);
  process.exit(1);
}
