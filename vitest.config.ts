import { cloudflareTest, readD1Migrations } from '@cloudflare/vitest-plugin';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { defineConfig } from 'vitest/config';

/**
 * The jobs Worker (wrangler.jobs.toml), bundled as `wrangler deploy` would, for the API Worker's
 * TAX_IDS service binding to reach in the workers project (an auxiliary Worker takes a built script).
 */
function buildJobsWorker(): string {
  const outdir = join(import.meta.dirname, '.wrangler', 'tmp', 'vitest-jobs');
  execFileSync(process.execPath, [join(import.meta.dirname, 'node_modules', 'wrangler', 'bin', 'wrangler.js'), 'deploy', '-c', 'wrangler.jobs.toml', '--dry-run', '--outdir', outdir], {
    cwd: import.meta.dirname,
    stdio: 'pipe',
    env: { ...process.env, WRANGLER_SEND_METRICS: 'false' },
  });
  return join(outdir, 'jobs.js');
}

// Two projects: the API suite runs inside workerd with real (local) D1 and KV
// bindings from wrangler.toml; the CLI suite runs in Node and drives the real
// scripts and a real `wrangler dev`.
export default defineConfig(async () => {
  const migrations = await readD1Migrations('./migrations');
  const jobsScript = buildJobsWorker();
  return {
    test: {
      // One JSON line per request would bury the test output; test/http/headers.test.ts asserts them.
      onConsoleLog: (log: string) => !log.includes('{"level":"info"'),
      projects: [
        {
          plugins: [
            cloudflareTest({
              wrangler: { configPath: './wrangler.toml' },
              miniflare: {
                // A fresh key per run: webhook secrets are encrypted with it (never one kept in the repo).
                // Local targets refused as in production, whatever a developer's .dev.vars (npm run dev) allows.
                bindings: { TEST_MIGRATIONS: migrations, WEBHOOK_SECRETS_KEY: randomBytes(32).toString('base64'), WEBHOOK_ALLOW_LOCAL_TARGETS: 'false' },
                // The jobs Worker's queue of VIES checks, for test/tax-ids/ to run its cron step against (no consumer here).
                queueProducers: { TAX_ID_CHECKS: { queueName: 'customers-tax-id-checks' } },
                // The jobs Worker, reached through TAX_IDS (its TaxIds entrypoint) as in production.
                workers: [{ name: 'customers-jobs', modules: true, scriptPath: jobsScript, compatibilityDate: '2026-10-01' }],
                // An empty database for the migration tests to upgrade step by step.
                d1Databases: { MIGRATIONS_DB: 'migrations-test' },
                ratelimits: {
                  // The suite makes thousands of requests, many unauthenticated, from one
                  // test "address": budgets large enough never to interfere...
                  WORKSPACE_RATE_LIMIT: { namespace_id: '1001', simple: { limit: 1_000_000, period: 60 } },
                  AUTH_FAILURE_RATE_LIMIT: { namespace_id: '1002', simple: { limit: 1_000_000, period: 60 } },
                  // ...and small real limiters that test/http/limits.test.ts swaps in.
                  TIGHT_WORKSPACE_RATE_LIMIT: { namespace_id: '9001', simple: { limit: 5, period: 60 } },
                  TIGHT_AUTH_FAILURE_RATE_LIMIT: { namespace_id: '9002', simple: { limit: 3, period: 60 } },
                },
              },
            }),
          ],
          test: {
            name: 'workers',
            include: ['test/**/*.test.ts'],
            exclude: ['test/scripts/**', 'test/architecture/**', 'test/contract/**', 'test/events/triggers.test.ts'],
            setupFiles: ['./test/setup.ts'],
            // Serves the D1 limits check (test/d1/): a SQLite held to D1's documented limits.
            // ...and a fake VIES (test/tax-ids/fake-vies.ts) for the jobs Worker's checks.
            globalSetup: ['./test/d1/global-setup.ts', './test/tax-ids/global-setup.ts'],
          },
        },
        {
          test: {
            name: 'scripts',
            include: ['test/scripts/**/*.test.ts', 'test/architecture/**/*.test.ts', 'test/contract/**/*.test.ts', 'test/events/triggers.test.ts'],
            environment: 'node',
            testTimeout: 120_000,
            hookTimeout: 120_000,
          },
        },
      ],
    },
  };
});
