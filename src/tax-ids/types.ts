/**
 * Typed tax ids: the types a `tax_ids[]` entry may carry, with Stripe's names.
 * The API Worker knows only these names; the numbers are checked by the
 * jobs Worker (src/tax-ids/worker.ts), which holds the validation library.
 */
export const TAX_ID_TYPES = ['eu_vat', 'gb_vat', 'ch_vat', 'no_vat', 'us_ein', 'au_abn', 'ca_bn', 'in_gst', 'br_cnpj'] as const;
export type TaxIdType = (typeof TAX_ID_TYPES)[number];

/**
 * Qwoty `tax` labels that name exactly one type. An untyped entry with one of
 * these labels takes the type when its number passes that type's check, and is
 * otherwise kept untyped, as before: an untyped entry is never refused. Labels
 * such as VAT, NIF or TAX_ID (AmbioSys) name several types and are not mapped.
 */
export const LABEL_TYPES: Readonly<Record<string, TaxIdType>> = { EIN: 'us_ein', ABN: 'au_abn', CNPJ: 'br_cnpj', GSTIN: 'in_gst' };

/** A VIES check's outcome, kept on each `eu_vat` entry. */
export const VERIFICATION_STATUSES = ['pending', 'verified', 'unverified', 'unavailable'] as const;

export interface Verification {
  status: (typeof VERIFICATION_STATUSES)[number];
  verified_name: string | null;
  verified_address: string | null;
  /** ISO 8601; null while pending. */
  checked_at: string | null;
  /** VIES's requestIdentifier: proof of the check, given when the workspace's VAT number was sent as the requester. */
  consultation_number: string | null;
}

/** A new or changed EU VAT number's verification, until the jobs Worker has asked VIES. */
export const PENDING: Verification = { status: 'pending', verified_name: null, verified_address: null, checked_at: null, consultation_number: null };

/** A checked number: normalised (an EU VAT number with its pending VIES check), or why it is refused. */
export type TaxIdResult = { type: TaxIdType; tax_value: string; verification?: Verification } | { type?: undefined; error: string };
