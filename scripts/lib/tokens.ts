/**
 * Token storage for the CLI and the dev script, through wrangler's KV commands
 * on the TOKENS binding. The token itself never leaves this process: only its
 * hash (the key) and its record (value and metadata) are handed to wrangler.
 */
import {
  generateToken,
  KEY_PREFIX,
  kvExpiration,
  newTokenRecord,
  tokenKey,
  type Scope,
  type TokenRecord,
} from '../../src/lib/tokens.ts';
import { wrangler } from './wrangler.ts';

export interface Target {
  remote: boolean;
  /** Local state directory, when not wrangler's default .wrangler/state. */
  persistTo?: string;
}

const where = (target: Target) => [
  '--binding',
  'TOKENS',
  ...(target.remote ? ['--remote'] : ['--local', ...(target.persistTo ? ['--persist-to', target.persistTo] : [])]),
];

export async function createToken(
  target: Target,
  options: { workspaceId: string; name?: string | null; scopes?: Scope[]; expiresInDays?: number | null },
): Promise<{ token: string; record: TokenRecord }> {
  const token = generateToken(target.remote ? 'prod' : 'dev');
  const record = newTokenRecord(options);
  const json = JSON.stringify(record);
  const expiration = kvExpiration(record);
  wrangler([
    'kv', 'key', 'put', await tokenKey(token), json, '--metadata', json, ...where(target),
    ...(expiration ? ['--expiration', String(expiration)] : []),
  ]);
  return { token, record };
}

interface ListedKey {
  name: string;
  metadata?: TokenRecord;
}

/** Every stored token record with its KV key, read from key metadata (no value reads). */
export function listTokens(target: Target): { key: string; record: TokenRecord }[] {
  const keys = JSON.parse(wrangler(['kv', 'key', 'list', '--prefix', KEY_PREFIX, ...where(target)])) as ListedKey[];
  return keys.flatMap((k) => (k.metadata ? [{ key: k.name, record: k.metadata }] : []));
}

export async function tokenExists(target: Target, token: string): Promise<boolean> {
  const key = await tokenKey(token);
  return listTokens(target).some((t) => t.key === key);
}

export function deleteKey(target: Target, key: string): void {
  wrangler(['kv', 'key', 'delete', key, ...where(target)]);
}
