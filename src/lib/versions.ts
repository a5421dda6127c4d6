/**
 * Record versions travel with API objects under a symbol: JSON.stringify
 * skips it, so bodies are unchanged, while route() reads it for the ETag.
 */
export const VERSION: unique symbol = Symbol('version');

export type Versioned<T> = T & { [VERSION]: number };

export function versioned<T extends object>(value: T, version: number): Versioned<T> {
  (value as Versioned<T>)[VERSION] = version;
  return value as Versioned<T>;
}

export const versionOf = (value: unknown): number | undefined =>
  typeof value === 'object' && value !== null ? (value as Partial<Versioned<object>>)[VERSION] : undefined;
