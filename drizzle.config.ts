import { defineConfig } from 'drizzle-kit';

// Generates SQL migrations from src/store/schema.ts (and the tax-ids Worker's table) into migrations/, where
// `wrangler d1 migrations apply` and the test setup pick them up.
export default defineConfig({
  dialect: 'sqlite',
  schema: ['./src/store/schema.ts', './src/tax-ids/schema.ts'],
  out: './migrations',
});
