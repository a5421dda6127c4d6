/**
 * Bearer-token authentication: one KV read per request, by the token's hash
 * (none for a malformed token or a blocked address). Upwell clients send the
 * bare token in Authorization, so "Bearer " is optional.
 */
import { isExpired, tokenKey, TOKEN_PATTERN, type Scope, type TokenRecord } from '../lib/tokens';
import { ApiError } from './errors';
import { checkAddress, clientAddress, recordAuthFailure } from './limits';

export interface Principal {
  workspaceId: string;
  tokenId: string;
  scopes: readonly Scope[];
}

const unauthorized = (reason?: 'missing_token') =>
  new ApiError('unauthorized', 'Invalid API token', { headers: { 'WWW-Authenticate': 'Bearer' }, reason });

export function tokenFromHeader(header: string | null): string | undefined {
  if (!header) return undefined;
  const token = header.replace(/^Bearer\s+/i, '').trim();
  return TOKEN_PATTERN.test(token) ? token : undefined;
}

export async function authenticate(request: Request, env: Env): Promise<Principal> {
  const address = clientAddress(request);
  checkAddress(address);
  const header = request.headers.get('Authorization');
  const token = tokenFromHeader(header);
  const record = token ? await env.TOKENS.get<TokenRecord>(await tokenKey(token), 'json') : null;
  if (!record || isExpired(record)) {
    await recordAuthFailure(env, address);
    throw unauthorized(header ? undefined : 'missing_token');
  }
  return { workspaceId: record.workspace_id, tokenId: record.token_id, scopes: record.scopes };
}

export function requireScope(principal: Principal, scope: Scope): void {
  if (!principal.scopes.includes(scope)) {
    throw new ApiError('forbidden', `This token lacks the "${scope}" scope`);
  }
}
