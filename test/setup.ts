import { applyD1Migrations } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { afterEach } from 'vitest';
import { checkD1Limits } from './helpers';

// Storage is isolated per test file; applying is idempotent.
await applyD1Migrations(env.DB, env.TEST_MIGRATIONS);

// Every statement a test made the API send is checked against D1's documented limits.
afterEach(checkD1Limits);
