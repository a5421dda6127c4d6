import { cloudflareTest, readD1Migrations } from '@cloudflare/vitest-plugin';
import { defineConfig } from 'vitest/config';

// Two projects: the API suite runs inside workerd with real (local) D1 and KV
// bindings from wrangler.toml; the CLI suite runs in Node and drives the real
// scripts and a real `wrangler dev`.
export default defineConfig(async () => {
  const migrations = await readD1Migrations('./migrations');
  return {
    test: {
      projects: [
        {
          plugins: [
            cloudflareTest({
              wrangler: { configPath: './wrangler.toml' },
              miniflare: {
                bindings: { TEST_MIGRATIONS: migrations },
                // An empty database for the migration tests to upgrade step by step.
                d1Databases: { MIGRATIONS_DB: 'migrations-test' },
              },
            }),
          ],
          test: {
            name: 'workers',
            include: ['test/**/*.test.ts'],
            exclude: ['test/scripts/**'],
            setupFiles: ['./test/setup.ts'],
          },
        },
        {
          test: {
            name: 'scripts',
            include: ['test/scripts/**/*.test.ts'],
            environment: 'node',
            testTimeout: 120_000,
            hookTimeout: 120_000,
          },
        },
      ],
    },
  };
});
