/**
 * Instants: stored as epoch milliseconds, shown as ISO 8601 UTC with
 * milliseconds. The API takes the instants whose year has four digits in UTC,
 * so that every timestamp it returns is accepted back.
 */
const ISO_TIMESTAMP =
  /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:Z| ?([+-])(\d{2})(?::?(\d{2}))?)$/;

/** Epoch milliseconds of a UTC calendar time; unlike Date.UTC, years 0-99 are themselves, not 1900-1999. */
function utc(year: number, month: number, day: number, hours: number, minutes: number, seconds: number, ms: number): number {
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hours, minutes, seconds, ms);
  return date.getTime();
}

/** 0000-01-01T00:00:00.000Z and 9999-12-31T23:59:59.999Z. */
export const MIN_INSTANT = utc(0, 1, 1, 0, 0, 0, 0);
export const MAX_INSTANT = utc(9999, 12, 31, 23, 59, 59, 999);

const NOT_ISO = 'Must be an ISO 8601 timestamp, e.g. 2026-01-15T10:30:00Z';

/**
 * Epoch milliseconds of an ISO 8601 timestamp (e.g. 2026-01-15T10:30:00Z or
 * 2026-01-15T11:30:00+01:00; fractions past the millisecond are cut), or why
 * it is not one: no such calendar date, or outside the range once in UTC.
 */
export function parseInstant(value: string): number | string {
  const m = ISO_TIMESTAMP.exec(value);
  if (!m) return NOT_ISO;
  const [year, month, day, hours, minutes, seconds] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  if (month < 1 || month > 12 || hours > 23 || minutes > 59 || seconds > 59) return NOT_ISO;
  const ms = Number((m[7] ?? '').padEnd(3, '0').slice(0, 3));
  const local = utc(year, month, day, hours, minutes, seconds, ms);
  if (new Date(local).getUTCDate() !== day) return 'Must be a real date (no 30 February), e.g. 2026-01-15T10:30:00Z';
  if (m[8] && (Number(m[9]) > 23 || Number(m[10] ?? 0) > 59)) return 'Must have a UTC offset from -23:59 to +23:59';
  const offset = m[8] ? (m[8] === '-' ? -1 : 1) * (Number(m[9]) * 60 + Number(m[10] ?? 0)) * 60_000 : 0;
  const instant = local - offset;
  if (instant < MIN_INSTANT || instant > MAX_INSTANT) return 'Must be from 0000-01-01T00:00:00Z to 9999-12-31T23:59:59.999Z in UTC';
  return instant;
}

export const iso = (ms: number) => new Date(ms).toISOString();
export const isoOrNull = (ms: number | null) => (ms === null ? null : iso(ms));
