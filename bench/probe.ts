/**
 * The bench's probe Worker (bench/run.ts bundles it beside ours and the
 * baseline): one request per operation gives each Worker's D1 round trips
 * and KV reads.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../scripts/lib/wrangler.ts';

/**
 * The probe Worker: ours and the baseline behind identical counting wrappers
 * of the DB and TOKENS bindings (the same counting as test/helpers.ts), chosen
 * per request by the x-bench-target header; the counts come back as headers.
 * Returns its wrangler config, for bundling.
 */
export function writeProbe(dir: string, main: string, compatibilityDate: string): string {
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, 'probe.js'),
    `import ours from ${JSON.stringify(main)};
import baseline from ${JSON.stringify(join(ROOT, 'bench', 'baseline', 'index.ts'))};

function counting(env, usage) {
  const real = new WeakMap();
  const wrap = (stmt) => {
    const proxy = new Proxy(stmt, {
      get(target, prop) {
        if (prop === 'bind') return (...values) => wrap(target.bind(...values));
        if (prop === 'run' || prop === 'all' || prop === 'first' || prop === 'raw') {
          return (...a) => { usage.d1++; return target[prop](...a); };
        }
        const value = Reflect.get(target, prop, target);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    real.set(proxy, stmt);
    return proxy;
  };
  const DB = new Proxy(env.DB, {
    get(target, prop) {
      if (prop === 'prepare') return (sql) => wrap(target.prepare(sql));
      if (prop === 'batch') return (stmts) => { usage.d1++; return target.batch(stmts.map((s) => real.get(s) ?? s)); };
      if (prop === 'exec') return (sql) => { usage.d1++; return target.exec(sql); };
      const value = Reflect.get(target, prop, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  const TOKENS = new Proxy(env.TOKENS, {
    get(target, prop) {
      const value = Reflect.get(target, prop, target);
      if (typeof value !== 'function') return value;
      return (...a) => {
        if (prop === 'get' || prop === 'getWithMetadata' || prop === 'list') usage.kvReads++;
        else usage.kvWrites++;
        return value.apply(target, a);
      };
    },
  });
  return { ...env, DB, TOKENS };
}

export default {
  async fetch(request, env, ctx) {
    const usage = { d1: 0, kvReads: 0, kvWrites: 0 };
    const worker = request.headers.get('x-bench-target') === 'baseline' ? baseline : ours;
    const response = await worker.fetch(request, counting(env, usage), ctx);
    const body = await response.arrayBuffer();
    const out = new Response(body, response);
    out.headers.set('x-bench-d1', String(usage.d1));
    out.headers.set('x-bench-kv-reads', String(usage.kvReads));
    out.headers.set('x-bench-kv-writes', String(usage.kvWrites));
    return out;
  },
};
`,
  );
  writeFileSync(
    join(dir, 'wrangler.toml'),
    `name = "customers-worker-bench-probe"
main = "probe.js"
compatibility_date = "${compatibilityDate}"
`,
  );
  return join(dir, 'wrangler.toml');
}
