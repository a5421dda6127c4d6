/**
 * The jobs Worker's table, beside the API's (src/store/schema.ts) and
 * migrated with them (drizzle.config.ts reads both). Kept out of
 * src/store/schema.ts because the API Worker never reads it: triggers fill it.
 */
import { index, integer, primaryKey, sqliteTable, text } from 'drizzle-orm/sqlite-core';
import { customers } from '../store/schema';

/**
 * The VIES checks to run: one row per EU VAT number of a customer whose
 * verification is pending or unavailable, kept in step with customers.tax_ids
 * by triggers (migrations/0014) and worked through by the jobs Worker.
 * Deleting a customer cascades.
 */
export const taxIdChecks = sqliteTable(
  'tax_id_checks',
  {
    customer_id: text()
      .notNull()
      .references(() => customers.id, { onDelete: 'cascade' }),
    tax_value: text().notNull(),
    workspace_id: text().notNull(),
    attempts: integer().notNull().default(0),
    next_attempt_at: integer().notNull(),
  },
  (t) => [primaryKey({ columns: [t.customer_id, t.tax_value] }), index('tax_id_checks_due_idx').on(t.next_attempt_at)],
);
