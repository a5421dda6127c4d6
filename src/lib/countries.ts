/**
 * ISO 3166-1 alpha-2: the 249 officially assigned codes.
 *
 * Each word is a first letter followed by every second letter assigned with it
 * ("ADEF" is AD, AE, AF). The flat list of 249 pairs was the largest string in
 * the bundle and gzips to twice the size; test/lib/countries.test.ts holds the
 * flat list and checks that this one expands to it.
 */
export const COUNTRY_CODES: ReadonlySet<string> = new Set(
  (
    'ADEFGILMOQRSTUWXZ BABDEFGHIJLMNOQRSTVWYZ CACDFGHIKLMNORUVWXYZ DEJKMOZ ECEGHRST FIJKMOR ' +
    'GABDEFGHILMNPQRSTUWY HKMNRTU IDELMNOQRST JEMOP KEGHIMNPRWYZ LABCIKRSTUVY ' +
    'MACDEFGHKLMNOPQRSTUVWXYZ NACEFGILOPRUZ OM PAEFGHKLMNRSTWY QA REOSUW ' +
    'SABCDEGHIJKLMNORSTVXYZ TCDFGHJKLMNORTVWZ UAGMSYZ VACEGINU WFS YET ZAMW'
  )
    .split(' ')
    .flatMap((word) => [...word.slice(1)].map((second) => word[0] + second)),
);
