/**
 * Abuse limits on the Workers Rate Limiting bindings (wrangler.toml
 * [[ratelimits]]): a request budget per workspace, and a budget of failed
 * authentications per client address. An address over the latter is
 * remembered by this isolate and refused before any KV read.
 */
import { ApiError } from './errors';

/** Keep equal to the `period` of the bindings in wrangler.toml. */
const WORKSPACE_PERIOD_SECONDS = 10;
const AUTH_FAILURE_PERIOD_SECONDS = 60;

const blockedAddresses = new Map<string, number>();
/** Past this many blocked addresses, expired entries are swept before adding one. */
const SWEEP_AT = 1000;

const rateLimited = (retryAfter: number, message: string) =>
  new ApiError('rate_limited', message, { headers: { 'Retry-After': String(retryAfter) } });

export const clientAddress = (request: Request) => request.headers.get('CF-Connecting-IP') ?? 'unknown';

export async function limitWorkspace(env: Env, workspaceId: string): Promise<void> {
  const { success } = await env.WORKSPACE_RATE_LIMIT.limit({ key: workspaceId });
  if (!success) throw rateLimited(WORKSPACE_PERIOD_SECONDS, 'Too many requests for this workspace; retry later');
}

/** Refuses an address that recently failed authentication too often, without touching KV. */
export function checkAddress(address: string, now = Date.now()): void {
  const until = blockedAddresses.get(address);
  if (until === undefined) return;
  if (until > now) throw rateLimited(Math.ceil((until - now) / 1000), 'Too many failed authentications; retry later');
  blockedAddresses.delete(address);
}

/** Counts a failed authentication; past the budget the address is blocked for one period. */
export async function recordAuthFailure(env: Env, address: string): Promise<void> {
  const { success } = await env.AUTH_FAILURE_RATE_LIMIT.limit({ key: address });
  if (!success) {
    const now = Date.now();
    if (blockedAddresses.size >= SWEEP_AT) {
      for (const [blocked, until] of blockedAddresses) if (until <= now) blockedAddresses.delete(blocked);
    }
    blockedAddresses.set(address, now + AUTH_FAILURE_PERIOD_SECONDS * 1000);
    throw rateLimited(AUTH_FAILURE_PERIOD_SECONDS, 'Too many failed authentications; retry later');
  }
}
