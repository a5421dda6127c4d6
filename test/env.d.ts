declare namespace Cloudflare {
  interface Env {
    TEST_MIGRATIONS: import('cloudflare:test').D1Migration[];
    MIGRATIONS_DB: D1Database;
    TIGHT_WORKSPACE_RATE_LIMIT: RateLimit;
    TIGHT_AUTH_FAILURE_RATE_LIMIT: RateLimit;
    TAX_ID_CHECKS: Queue<import('../src/tax-ids/vies').CheckMessage>;
  }
}
