/**
 * Text as people compare it. fold() is the one case- and accent-insensitive
 * form the API matches on, on every API (`q`, AmbioSys `search`, Upwell
 * `_ilike`): SQLite's lower() and LIKE fold ASCII only, so folded copies are
 * computed here and stored beside the text they fold.
 */
const DIACRITICS = /[\u0300-\u036f]/g;

/** Unicode lower case without combining diacritical marks: "Émile ÄÖÜ" -> "emile aou". */
export const fold = (text: string) => text.toLowerCase().normalize('NFD').replace(DIACRITICS, '').normalize('NFC');

/** Length in characters (Unicode code points), as every length limit of the API counts it. */
export function codePoints(text: string): number {
  let surrogatePairs = 0;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit >= 0xd800 && unit <= 0xdbff && i + 1 < text.length) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        surrogatePairs++;
        i++;
      }
    }
  }
  return text.length - surrogatePairs;
}

/** Bytes of the UTF-8 encoding (what D1's LIKE/GLOB pattern limit counts). */
export const utf8Bytes = (text: string) => new TextEncoder().encode(text).length;
