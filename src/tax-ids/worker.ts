/**
 * The TaxIds entrypoint of the jobs Worker (src/jobs.ts): the API Worker
 * calls `check()` over its TAX_IDS service binding to validate and normalise
 * typed tax ids before it writes them. It lives there so that the validation
 * library (about 12 KB gzip) stays out of the API Worker's bundle and startup.
 */
import { WorkerEntrypoint } from 'cloudflare:workers';
import type { TaxId } from '../store/schema';
import { LABEL_TYPES, PENDING, TAX_ID_TYPES, type TaxIdResult, type TaxIdType } from './types';
import { checkTaxId } from './validate';

/** One entry of a customer's `tax_ids`, as the API Worker validated its shape. */
type Entry = Pick<TaxId, 'tax' | 'tax_value' | 'type'>;

/**
 * What `check()` answers for one entry: null to keep it as sent (untyped);
 * else the entry to store (typed, normalised; an EU VAT number pending its
 * VIES check), or why the number is refused.
 */
export function checkEntry(entry: Entry): TaxIdResult | null {
  const type = entry.type as TaxIdType | undefined;
  if (type === undefined) {
    // A label that names one type adopts it only for a number that passes; the value stays as sent.
    const labelled = Object.hasOwn(LABEL_TYPES, entry.tax.toUpperCase()) ? LABEL_TYPES[entry.tax.toUpperCase()] : undefined;
    const result = labelled && checkTaxId(labelled, entry.tax_value);
    return result?.type ? { type: result.type, tax_value: entry.tax_value } : null;
  }
  if (!(TAX_ID_TYPES as readonly string[]).includes(type)) return { error: `Unknown tax id type ${JSON.stringify(type)}` };
  const result = checkTaxId(type, entry.tax_value);
  return result?.type === 'eu_vat' ? { ...result, verification: PENDING } : result;
}

export class TaxIds extends WorkerEntrypoint {
  check(entries: Entry[]): (TaxIdResult | null)[] {
    return entries.map(checkEntry);
  }
}
