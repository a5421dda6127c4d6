/**
 * Typed tax ids on the way in: entries with a `type`, or with a label that
 * names one (src/tax-ids/types.ts), go to the tax-ids Worker over the TAX_IDS
 * service binding, which checks and normalises them. One call per write that
 * has such entries; untyped entries never make one.
 */
import { invalid } from '../http/errors';
import type { Input } from '../model/resource';
import type { TaxId } from '../store/schema';
import { LABEL_TYPES } from '../tax-ids/types';
import type { TaxIds } from '../tax-ids/worker';

export async function checkTaxIds(env: Env, body: Input): Promise<void> {
  const taxIds = body.tax_ids as TaxId[] | undefined;
  if (!taxIds?.some((t) => t.type || Object.hasOwn(LABEL_TYPES, t.tax.toUpperCase()))) return;
  const results = await (env.TAX_IDS as unknown as Service<TaxIds>).check(taxIds);
  const issues = results.flatMap((result, i) => (result && 'error' in result ? [{ path: `tax_ids.${i}.tax_value`, message: result.error }] : []));
  if (issues.length > 0) throw invalid('Invalid request body', issues);
  body.tax_ids = taxIds.map((t, i) => ({ ...t, ...results[i] }));
}
