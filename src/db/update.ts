/** Helpers for PATCH-style updates shared by every table. */

/**
 * Copies the fields a client sent (undefined = omitted = unchanged) to their
 * column keys; `null` passes through and unsets the column.
 */
export function changes<Row extends object>(input: object, columns: Record<string, keyof Row & string>): Partial<Row> {
  const set: Record<string, unknown> = {};
  for (const [field, column] of Object.entries(columns)) {
    const value = (input as Record<string, unknown>)[field];
    if (value !== undefined) set[column] = value;
  }
  return set as Partial<Row>;
}

export const EXTERNAL_ID_COLUMNS = { id_crm: 'idCrm', id_erp: 'idErp', id_accounting: 'idAccounting' } as const;
