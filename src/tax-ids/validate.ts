/**
 * Format and checksum checks of typed tax ids, by stdnum (koblas/stdnum-js, a
 * port of python-stdnum). Only the jobs Worker imports this module: the
 * validators cost about 12 KB gzip, which the API Worker's bundle budget has no
 * room for.
 */
import * as AT from 'stdnum/lib/esm/at/uid';
import * as au_abn from 'stdnum/lib/esm/au/abn';
import * as BE from 'stdnum/lib/esm/be/vat';
import * as BG from 'stdnum/lib/esm/bg/vat';
import * as br_cnpj from 'stdnum/lib/esm/br/cnpj';
import * as ca_bn from 'stdnum/lib/esm/ca/bn';
import * as ch_vat from 'stdnum/lib/esm/ch/vat';
import * as CY from 'stdnum/lib/esm/cy/vat';
import * as CZ from 'stdnum/lib/esm/cz/dic';
import * as DE from 'stdnum/lib/esm/de/vat';
import * as DK from 'stdnum/lib/esm/dk/cvr';
import * as EE from 'stdnum/lib/esm/ee/kmkr';
import * as ES from 'stdnum/lib/esm/es/nif';
import * as FI from 'stdnum/lib/esm/fi/alv';
import * as FR from 'stdnum/lib/esm/fr/tva';
import * as gb_vat from 'stdnum/lib/esm/gb/vat';
import * as GR from 'stdnum/lib/esm/gr/vat';
import * as HR from 'stdnum/lib/esm/hr/oib';
import * as HU from 'stdnum/lib/esm/hu/anum';
import * as IE from 'stdnum/lib/esm/ie/vat';
import * as in_gst from 'stdnum/lib/esm/in/gstin';
import * as IT from 'stdnum/lib/esm/it/iva';
import * as LT from 'stdnum/lib/esm/lt/pvm';
import * as LU from 'stdnum/lib/esm/lu/tva';
import * as LV from 'stdnum/lib/esm/lv/pvn';
import * as MT from 'stdnum/lib/esm/mt/vat';
import * as NL from 'stdnum/lib/esm/nl/btw';
import * as no_vat from 'stdnum/lib/esm/no/mva';
import * as PL from 'stdnum/lib/esm/pl/nip';
import * as PT from 'stdnum/lib/esm/pt/nif';
import * as RO from 'stdnum/lib/esm/ro/cif';
import * as SE from 'stdnum/lib/esm/se/vat';
import * as SI from 'stdnum/lib/esm/si/ddv';
import * as SK from 'stdnum/lib/esm/sk/dph';
import * as us_ein from 'stdnum/lib/esm/us/ein';
import type { Validator } from 'stdnum/lib/esm/types';
import type { TaxIdResult, TaxIdType } from './types';

type Check = Pick<Validator, 'validate'>;

/**
 * EU VAT numbers by the prefix VIES uses: EL for Greece (GR is taken and
 * written EL), XI for Northern Ireland (a UK number under the EU VAT rules).
 */
const EU: Record<string, Check> = {
  AT, BE, BG, CY, CZ, DE, DK, EE, EL: GR, ES, FI, FR, HR, HU, IE, IT, LT, LU, LV, MT, NL, PL, PT, RO, SE, SI, SK, XI: gb_vat,
};
const OTHERS: Record<Exclude<TaxIdType, 'eu_vat'>, Check> = { gb_vat, ch_vat, no_vat, us_ein, au_abn, ca_bn, in_gst, br_cnpj };

const REASONS: Record<string, string> = {
  InvalidLength: 'has the wrong length',
  InvalidFormat: 'has the wrong format',
  InvalidChecksum: 'fails its check digits',
  InvalidComponent: 'has a part that cannot be valid',
};

const SEPARATORS = /[\s.,\-/:]/g;

function outcome(type: TaxIdType, check: Check, value: string, shown: (compact: string) => string): TaxIdResult {
  const result = check.validate(value);
  if (result.isValid) return { type, tax_value: shown(result.compact) };
  return { error: `Not a valid ${type} number: it ${REASONS[result.error.name] ?? 'cannot be valid'}` };
}

/** Checks `raw` as a number of `type`; a valid number comes back normalised (no separators, upper case, the country prefix where the type has one). */
export function checkTaxId(type: TaxIdType, raw: string): TaxIdResult {
  const value = raw.replace(SEPARATORS, '').toUpperCase();
  if (type === 'eu_vat') {
    const prefix = value.slice(0, 2) === 'GR' ? 'EL' : value.slice(0, 2);
    const check = Object.hasOwn(EU, prefix) ? EU[prefix] : undefined;
    if (!check) return { error: 'Not a valid eu_vat number: it must start with an EU country code (AT, BE, ... EL for Greece, XI for Northern Ireland)' };
    // stdnum's validators take the number with or without their own prefix; EL and XI are VIES's, not theirs.
    const number = value.slice(2);
    // Only Greece's and Northern Ireland's validators may hand their own prefix back (GR/EL, GB); a
    // French key may itself start with letters such as GB or EL, which must stay.
    const own = prefix === 'EL' ? /^(GR|EL)/ : prefix === 'XI' ? /^(GB|XI)/ : undefined;
    return outcome(type, check, number, (compact) => prefix + (own ? compact.replace(own, '') : compact));
  }
  // Stripe writes these with their prefix or suffix (CHE-123.456.789 MWST, 123456789MVA, GB123456789); a bare number takes it.
  if (type === 'no_vat') return outcome(type, OTHERS.no_vat, /^(NO)?\d{9}$/.test(value) ? `${value}MVA` : value, (compact) => compact);
  if (type === 'ch_vat') return outcome(type, OTHERS.ch_vat, /^CHE\d{9}$/.test(value) ? `${value}MWST` : value, (compact) => compact);
  if (type === 'gb_vat') return outcome(type, OTHERS.gb_vat, value, (compact) => `GB${compact.replace(/^GB/, '')}`);
  return outcome(type, OTHERS[type], value, (compact) => compact);
}
