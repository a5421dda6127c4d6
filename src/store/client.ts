/** One Drizzle instance per D1 binding object, built once per isolate rather than per request. */
import { drizzle, type DrizzleD1Database } from 'drizzle-orm/d1';

/** Drizzle on a D1 binding; `$client` is the binding, for statements rendered once (src/store/statements.ts). */
export type Db = DrizzleD1Database & { $client: D1Database };

const instances = new WeakMap<D1Database, Db>();

export function database(binding: D1Database): Db {
  let db = instances.get(binding);
  if (!db) {
    db = drizzle(binding);
    instances.set(binding, db);
  }
  return db;
}
