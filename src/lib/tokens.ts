/**
 * API tokens, shared by the Worker (verification) and scripts/token.ts
 * (issuing). Only the SHA-256 of a token is ever stored: KV key
 * `token:<sha256 hex>` holds a TokenRecord, also set as the key's metadata so
 * that listing tokens needs no reads. Plain erasable TypeScript so that Node
 * can run it directly.
 */
import { sha256Hex } from './crypto.ts';

export const SCOPES = ['read', 'write'] as const;
export type Scope = (typeof SCOPES)[number];

export interface TokenRecord {
  token_id: string;
  workspace_id: string;
  name: string | null;
  scopes: Scope[];
  created_at: string;
  expires_at: string | null;
}

export const TOKEN_PATTERN = /^qwt_(dev|prod)_[0-9A-Za-z]{64}$/;
export const KEY_PREFIX = 'token:';

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** Uniform base62 string: bytes >= 248 are rejected so no character is favoured. */
export function randomBase62(length: number): string {
  let out = '';
  while (out.length < length) {
    for (const byte of crypto.getRandomValues(new Uint8Array(length * 2))) {
      if (byte < 248 && out.length < length) out += BASE62[byte % 62];
    }
  }
  return out;
}

export function generateToken(env: 'dev' | 'prod'): string {
  return `qwt_${env}_${randomBase62(64)}`;
}

export async function tokenKey(token: string): Promise<string> {
  return KEY_PREFIX + (await sha256Hex(token));
}

export function newTokenRecord(options: {
  workspaceId: string;
  name?: string | null;
  scopes?: Scope[];
  expiresInDays?: number | null;
  now?: number;
}): TokenRecord {
  const now = options.now ?? Date.now();
  return {
    token_id: `tok_${randomBase62(20)}`,
    workspace_id: options.workspaceId,
    name: options.name ?? null,
    scopes: options.scopes ?? [...SCOPES],
    created_at: new Date(now).toISOString(),
    expires_at: options.expiresInDays ? new Date(now + options.expiresInDays * 86_400_000).toISOString() : null,
  };
}

/** Seconds since the epoch at which KV may drop the key (KV needs >= 60 s ahead). */
export function kvExpiration(record: TokenRecord, now = Date.now()): number | undefined {
  if (!record.expires_at) return undefined;
  const at = Math.floor(Date.parse(record.expires_at) / 1000);
  return Math.max(at, Math.ceil(now / 1000) + 60);
}

export function isExpired(record: TokenRecord, now = Date.now()): boolean {
  return record.expires_at !== null && Date.parse(record.expires_at) <= now;
}
