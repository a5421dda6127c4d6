/**
 * Cloudflare D1's documented limits (developers.cloudflare.com/d1/platform/limits),
 * which the local D1 of Miniflare does not all enforce. Shared by the Node-side
 * checker (test/d1/shadow.ts) and the tests that prove it bites.
 */
export const D1_LIMITS = {
  /** Bound parameters per statement. */
  variableNumber: 100,
  /** Arguments per SQL function call. */
  functionArg: 32,
  /** Bytes in a LIKE or GLOB pattern. */
  likePatternLength: 50,
  /** Bytes of SQL per statement (100 KB). */
  sqlLength: 100_000,
  /** Bytes per string, BLOB or row (2 MB). */
  length: 2_000_000,
  /** Columns per table. */
  column: 100,
} as const;

/** Queries per Worker invocation on Workers Paid (50 on Free). */
export const D1_QUERIES_PER_INVOCATION = 1_000;
export const D1_QUERIES_PER_INVOCATION_FREE = 50;

/** SQLite's messages when a statement breaks one of the limits above. */
export const LIMIT_ERROR =
  /too many SQL variables|variable number must be between|too many arguments on function|LIKE or GLOB pattern too complex|statement too long|string or blob too big|too many columns/;

export interface SentStatement {
  sql: string;
  params: unknown[];
}

/** One D1 round trip: a single statement, or a batch (one transaction). */
export interface RoundTrip {
  batch: boolean;
  statements: SentStatement[];
}

export interface Violation {
  sql: string;
  error: string;
}
