import { applyD1Migrations } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { afterEach } from 'vitest';
import { checkCacheHits, toStatement } from '../src/store/statements';
import { checkD1Limits } from './helpers';

// Storage is isolated per test file; applying is idempotent.
await applyD1Migrations(env.DB, env.TEST_MIGRATIONS);

// Every statement a test made the API send is checked against D1's documented limits.
afterEach(checkD1Limits);

// Every cached statement is rebuilt on use and compared with what its cache key holds.
checkCacheHits((key, cached, build) => {
  const fresh = build().map(toStatement);
  if (fresh.length !== cached.length || fresh.some((s, i) => s.sql !== cached[i]!.sql)) {
    throw new Error(`Statement cache key "${key}" names SQL that differs from what its builder writes now`);
  }
});
