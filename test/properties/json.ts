/**
 * JSON as the property tests send it: raw JSON text (so `__proto__`, duplicate
 * keys and number tokens reach the Worker exactly as written), paths into a
 * body, and comparison whatever the key order.
 */

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type Body = Record<string, Json>;
export type Path = (string | number)[];

const samePath = (a: Path, b: Path) => a.length === b.length && a.every((p, i) => p === b[i]);

/**
 * JSON text of `value`, with raw `"key":<text>` members appended to the object
 * at `at`: how `__proto__` becomes a real own key, how keys get duplicated and
 * how number tokens like 1e309 or -0 are sent as written.
 */
export function rawJson(value: Json, at: Path = [], members: [string, string][] = []): string {
  const go = (v: Json, path: Path): string => {
    if (Array.isArray(v)) return `[${v.map((x, i) => go(x, [...path, i])).join(',')}]`;
    if (v !== null && typeof v === 'object') {
      const parts = Object.entries(v).map(([k, x]) => `${JSON.stringify(k)}:${go(x, [...path, k])}`);
      if (samePath(path, at)) parts.push(...members.map(([k, t]) => `${JSON.stringify(k)}:${t}`));
      return `{${parts.join(',')}}`;
    }
    return JSON.stringify(v);
  };
  return go(value, []);
}

export function getAt(value: unknown, path: Path): unknown {
  let v = value as Record<string | number, unknown> | undefined;
  for (const key of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = v[key] as Record<string | number, unknown> | undefined;
  }
  return v;
}

/** A deep copy of `body` with the value at `path` replaced (or removed when `value` is undefined). */
export function setAt(body: Body, path: Path, value: Json | undefined): Body {
  const copy = structuredClone(body);
  let parent = copy as Record<string | number, Json>;
  for (const key of path.slice(0, -1)) parent = parent[key] as Record<string | number, Json>;
  const last = path[path.length - 1]!;
  if (value === undefined) delete parent[last];
  else parent[last] = value;
  return copy;
}

/** JSON with keys sorted, to compare values whatever the key order (own `__proto__` keys included). */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const keys = Object.keys(value).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** JSON.parse as the Worker reads a body (a leading BOM is dropped by its TextDecoder). */
export function parseLikeWorker(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(text.replace(/^\uFEFF/, '')) };
  } catch {
    return { ok: false };
  }
}

export const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
