/**
 * npm run bench [-- --customers N] [--duration S] [--rounds R] [--connections C] [--warmup S] [--only op,...] [--config PATH] [--sql PATH | --against PATH] [--strict] [--keep]
 *
 * Measures the Worker against a raw baseline (bench/baseline/: no router, no
 * validation, no ORM, same auth lookup, hand-written SQL on the bare D1
 * binding), both running locally in workerd on the same local D1 and KV data:
 *
 *  1. a fresh state directory: D1 migrations, workspace A seeded with N
 *     customers (2 tax ids, a contact and an address each, numbers 1..N) and
 *     workspace B beside it (N/10 customers sharing A's external ids and tax
 *     values, so that every filter has to scope by workspace), a read/write
 *     token for each written to local KV; with --sql, a second database:
 *     a copy of the seeded one with a schema variant applied, which our own
 *     Worker serves in the baseline's place; with --against, another build
 *     of our Worker (another checkout's wrangler config) takes that place on
 *     the same database instead;
 *  2. both Workers bundled as deployed (`wrangler deploy --dry-run --minify`;
 *     the Worker's gzip size is reported, as scripts/check-size.ts checks it)
 *     and served through Miniflare's API (what `wrangler dev` runs, minus its
 *     dev proxy, file watching and request logging) by one workerd, each on
 *     its own free port of 127.0.0.1, with DB and TOKENS bound as
 *     `wrangler dev --persist-to` binds them: one database object and one
 *     namespace object that both Workers share;
 *  3. a probe Worker in the same workerd serving both behind identical
 *     counting wrappers of the D1 and KV bindings: one request per operation
 *     gives each one's D1 round trips and KV reads, and checks that the
 *     baseline answers with the same JSON shapes as ours;
 *  4. first, the scale operations (bench/scale.ts): every size seeded in its
 *     own database of one state, our Worker once per size, sequential
 *     requests with the sizes taking turns;
 *  5. per operation, `duration` seconds per Worker (after a warmup), cut into
 *     `rounds` short rounds alternating ours/baseline as ABBA... so machine
 *     drift cancels out (the first and deep pages are interleaved too); load
 *     comes from autocannon in a separate process (bench/load.ts), which also
 *     reads workerd's CPU time per round; ours/baseline is the median of the
 *     per-pair ratios of req/s;
 *  6. a progress line on stderr; a markdown table (req/s, ratio, p50/p99, CPU
 *     per request, round trips) on stdout; bench/results.json.
 *
 * Everything listens on 127.0.0.1 only, every phase is bounded in time, and
 * the servers are stopped at the end, on failure and on Ctrl-C.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { convertV4MiniflareOptions, Log, LogLevel, Miniflare } from 'miniflare';
import { unstable_readConfig } from 'wrangler';
import { BUDGET_BYTES, build, kib, measure, startupMs, STARTUP_BUDGET_MS, type BundleSize } from '../scripts/check-size.ts';
import { localDatabasePath } from '../scripts/lib/local-d1.ts';
import { createToken } from '../scripts/lib/tokens.ts';
import { ROOT, wrangler } from '../scripts/lib/wrangler.ts';
import { databaseCopy, VARIANT_D1_ID, variantDatabase } from './databases.ts';
import type { LoadRequest, LoadResult, LoadSpec, LoadTarget } from './load.ts';
import { writeProbe } from './probe.ts';
import { fixed, load1, machine, table } from './report.ts';
import { exchangeRuns, MATCHES_REQUESTS, measureScale, offsetFor, scaleOperations, scaleReport, type ScaleResult, type SizeRun } from './scale.ts';
import { seed, taxValue, WORKSPACE_A, WORKSPACE_B } from './seed.ts';

// ---------------------------------------------------------------- options

const SCALE_KEYS = scaleOperations([]).map((op) => op.key).join(',');
const USAGE = `usage: npm run bench -- [--customers N[,N...]] [--requests R] [--duration S] [--rounds R] [--connections C] [--warmup S] [--only op,...] [--config PATH] [--sql PATH | --against PATH] [--strict] [--keep]
  --customers N,... customers seeded in workspace A (default 10000); the CPU operations run at each size
                    in turn; the scale operations at every size at once (a database and a Worker per size,
                    the sizes taking turns), and their budgets compare the last size with the first
  --requests R      sequential requests per scale operation (default 200)
  --duration S      measured seconds per Worker and operation (default 8)
  --rounds R        rounds those seconds are cut into, alternating the Workers ABBA... (default 8)
  --connections C   concurrent connections (default 10)
  --warmup S        unmeasured seconds per Worker before each operation's rounds (default 1)
  --only a,b        only these operations: cpu (all of: create,get,patch,list_first,list_deep,list_id_crm,list_tax_value,delete),
                    scale (all of: ${SCALE_KEYS}), exchange (export and import)
  --config PATH     the Worker to measure, by its wrangler config (default wrangler.toml), e.g. a variant under study
  --sql PATH        measure a schema variant instead of the baseline: our own Worker on a second database,
                    the seeded one with this SQL applied, takes the baseline's place in every round (ABBA,
                    same workerd), so "CPU base/ours" reads variant/ours; e.g. --only create,patch,delete
                    --sql bench/variants/without-search-index.sql: what the search index costs a write.
                    The scale and exchange operations are skipped
  --against PATH    measure our Worker against another build of itself instead of the baseline: the Worker of
                    this wrangler config (e.g. a worktree of the commit before a refactor) takes the baseline's
                    place on the same database (ABBA, same workerd), so "CPU base/ours" reads other/ours.
                    The scale and exchange operations are skipped
  --strict          exit 1 when a budget is missed (not only on errors)
  --keep            keep the temporary state directory`;

const { values: args } = (() => {
  try {
    return parseArgs({
      options: {
        customers: { type: 'string', default: '10000' },
        requests: { type: 'string', default: '200' },
        duration: { type: 'string', default: '8' },
        connections: { type: 'string', default: '10' },
        rounds: { type: 'string', default: '8' },
        warmup: { type: 'string', default: '1' },
        only: { type: 'string' },
        config: { type: 'string' },
        sql: { type: 'string' },
        against: { type: 'string' },
        strict: { type: 'boolean', default: false },
        keep: { type: 'boolean', default: false },
        help: { type: 'boolean', default: false },
      },
    });
  } catch (error) {
    console.error(`${(error as Error).message}\n${USAGE}`);
    process.exit(2);
  }
})();
if (args.help) {
  console.log(USAGE);
  process.exit(0);
}

function integer(name: string, value: string, min: number, max: number): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) {
    console.error(`--${name} must be an integer from ${min} to ${max}\n${USAGE}`);
    process.exit(2);
  }
  return n;
}
const SIZES = args.customers.split(',').map((size) => integer('customers', size.trim(), 100, 1_000_000));
const REQUESTS = integer('requests', args.requests, 10, 10_000);
const ONLY = args.only?.split(',').map((s) => s.trim());
/** Whether --only keeps this operation (of this group: cpu, scale). */
const kept = (key: string, group: string) => !ONLY || ONLY.includes(key) || ONLY.includes(group);
const DURATION = integer('duration', args.duration, 1, 600);
const CONNECTIONS = integer('connections', args.connections, 1, 256);
const ROUNDS = integer('rounds', args.rounds, 1, 100);
const WARMUP = integer('warmup', args.warmup, 0, 60);
/** Unmeasured requests per scale operation, and the rounds its measured ones are cut into. */
const [SCALE_WARMUP, SCALE_ROUNDS] = [20, 4];

// ---------------------------------------------------------------- processes and cleanup

const LOAD = join(ROOT, 'bench', 'load.ts');
// Local D1 and KV are SQLite files and blobs: on a RAM disk where there is one, so
// that disk flushes do not add noise to the figures.
const tmp = mkdtempSync(join(existsSync('/dev/shm') ? '/dev/shm' : os.tmpdir(), 'customers-bench-'));
const children = new Set<ChildProcess>();
const miniflares = new Set<Miniflare>();

function kill(child: ChildProcess): void {
  if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
}

/** Stops everything this run started; safe to call more than once. */
async function cleanup(): Promise<void> {
  for (const child of children) kill(child);
  children.clear();
  await stopWorkers();
  if (!args.keep) rmSync(tmp, { recursive: true, force: true });
}
process.on('exit', () => {
  // Last resort (e.g. process.exit from elsewhere): Miniflare kills its workerd on exit itself.
  for (const child of children) kill(child);
  if (!args.keep) rmSync(tmp, { recursive: true, force: true });
});
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.on(signal, () => {
    clearProgress();
    console.error(`\n${signal}: stopping the servers.`);
    void cleanup().finally(() => process.exit(130));
  });
}

/** A port that was free on 127.0.0.1 a moment ago. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.on('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

// ---------------------------------------------------------------- progress

const started = performance.now();
const tty = process.stderr.isTTY;
let progressShown = false;
function progress(text: string): void {
  const line = `[${((performance.now() - started) / 1000).toFixed(0).padStart(4)}s] ${text}`;
  if (tty) {
    process.stderr.write(`\r\x1b[K${line.slice(0, (process.stderr.columns || 120) - 1)}`);
    progressShown = true;
  } else {
    process.stderr.write(`${line}\n`);
  }
}
function clearProgress(): void {
  if (tty && progressShown) process.stderr.write('\r\x1b[K');
  progressShown = false;
}

// ---------------------------------------------------------------- workers

/** --sql: the schema variant our Worker serves in the baseline's place. */
const VARIANT_SQL = args.sql === undefined ? undefined : readFileSync(resolve(args.sql), 'utf8');
/** --against: the wrangler config of the other build of our Worker that takes the baseline's place. */
const AGAINST = args.against === undefined ? undefined : resolve(args.against);
if (VARIANT_SQL !== undefined && AGAINST !== undefined) {
  console.error(`--sql and --against each take the baseline's place: give one\n${USAGE}`);
  process.exit(2);
}
/**
 * What serves in the baseline's place, when it is not the raw baseline (the
 * operations that need the raw baseline are then skipped): `vs` names it in
 * the table's title, `is` says what it is.
 */
const INSTEAD_OF_BASELINE =
  VARIANT_SQL !== undefined
    ? { vs: 'itself on the variant database', is: `our Worker on a copy of the seeded database with ${args.sql} applied; CPU base/ours = variant/ours` }
    : AGAINST !== undefined
      ? { vs: 'another build of itself', is: `our Worker as built from ${AGAINST}, on the same database; CPU base/ours = that build/ours` }
      : undefined;
/** The main Worker's configuration: compatibility settings and the local D1/KV ids everything shares. */
const CONFIG = args.config === undefined ? join(ROOT, 'wrangler.toml') : resolve(args.config);
const config = unstable_readConfig({ config: CONFIG });
// As wrangler picks them for local mode: the preview id, else the id, else the binding name.
const d1 = config.d1_databases.find((d: { binding: string }) => d.binding === 'DB');
const kv = config.kv_namespaces.find((k: { binding: string }) => k.binding === 'TOKENS');
const D1_ID: string = d1?.preview_database_id ?? d1?.database_id ?? 'DB';
const KV_ID: string = kv?.preview_id ?? kv?.id ?? 'TOKENS';

/**
 * Serves the bundles in ONE workerd through Miniflare's API, each Worker on
 * its own socket on 127.0.0.1 (no dev proxy, no entry worker in front, no file
 * watching, no request logging), with the DB and TOKENS bindings on the shared
 * local state exactly as `wrangler dev --persist-to` binds them. One process:
 * D1 and KV are then one database object and one namespace object that all the
 * Workers share, as on the platform (separate workerd processes on one SQLite
 * file fight over its locks: SQLITE_BUSY under writes).
 */
async function startWorkers(state: string, bundles: Record<string, string>, databases: Record<string, string> = {}): Promise<Record<string, string>> {
  const ports: Record<string, number> = {};
  for (const name of Object.keys(bundles)) ports[name] = await freePort();
  const mf = new Miniflare(
    convertV4MiniflareOptions({
      host: '127.0.0.1',
      port: 0,
      cf: false,
      logRequests: false,
      log: new Log(LogLevel.WARN),
      // The Worker still writes its request log line for every request (that
      // cost is measured); only warnings and errors reach the terminal.
      handleStructuredLogs: ({ level, message }) => {
        if (level === 'warn' || level === 'error') process.stderr.write(`${message}\n`);
      },
      resourcePersistencePath: join(state, 'v3'),
      workers: Object.entries(bundles).map(([name, script]) => ({
        name,
        modules: true,
        scriptPath: script,
        modulesRoot: dirname(script),
        compatibilityDate: config.compatibility_date,
        compatibilityFlags: config.compatibility_flags,
        d1Databases: { DB: databases[name] ?? D1_ID },
        kvNamespaces: { TOKENS: KV_ID },
        // Our Worker still consults its limiters on every request, but a load
        // test from one workspace is what the limits exist to stop: lift them.
        ratelimits: {
          WORKSPACE_RATE_LIMIT: { namespace_id: '1001', simple: { limit: 1_000_000_000, period: 60 } },
          AUTH_FAILURE_RATE_LIMIT: { namespace_id: '1002', simple: { limit: 1_000_000_000, period: 60 } },
        },
        bindings: { CORS_ALLOWED_ORIGINS: '' },
        unsafeDirectSockets: [{ host: '127.0.0.1', port: ports[name] }],
      })),
    }),
  );
  miniflares.add(mf);
  const ready = await Promise.race([
    mf.ready.then(() => true),
    new Promise<false>((resolve) => setTimeout(() => resolve(false), 60_000)),
  ]);
  if (!ready) throw new Error('workerd not ready after 60 s');
  return Object.fromEntries(Object.keys(bundles).map((name) => [name, `http://127.0.0.1:${ports[name]}`]));
}

/** The workerd process Miniflare started (a child of this process), to read its CPU time; Linux only. */
function workerdPid(): number | undefined {
  if (!existsSync('/proc/self/stat')) return undefined;
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === process.pid && comm.startsWith('workerd')) pids.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return pids.length === 1 ? pids[0] : undefined;
}

async function stopWorkers(): Promise<void> {
  const all = [...miniflares];
  miniflares.clear();
  await Promise.allSettled(all.map((mf) => mf.dispose()));
}

/** Bundles a Worker as it would be deployed (minified) and returns its entry module. */
function bundle(name: string, wranglerConfig: string): { script: string; size: BundleSize } {
  const outdir = join(tmp, 'build', name);
  const files = build(outdir, wranglerConfig);
  const entries = files.filter((f) => f.endsWith('.js') && !f.includes('/'));
  if (entries.length !== 1) throw new Error(`${name}: expected one entry module in ${outdir}, found ${entries.join(', ')}`);
  return { script: join(outdir, entries[0]!), size: measure(outdir, files) };
}

// ---------------------------------------------------------------- operations

type Target = 'ours' | 'baseline';
const TARGETS: Target[] = ['ours', 'baseline'];

interface Operation {
  key: string;
  label: string;
  method: string;
  expect: number;
  /** The requests a round rotates through (for `once`, filled in per round). */
  requests: LoadRequest[];
  once?: boolean;
  collectIds?: boolean;
}

function operations(idsA: string[]): Operation[] {
  const n = idsA.length;
  // 1,000 customers spread over the whole workspace (their 1-based numbers).
  const sample = Array.from({ length: Math.min(1000, n) }, (_, k) => 1 + Math.floor((k * n) / Math.min(1000, n)));
  const id = (i: number) => idsA[i - 1]!;
  const deep = idsA[Math.max(0, n - 51)]!;
  return [
    {
      key: 'create',
      label: 'create customer',
      method: 'POST',
      expect: 201,
      collectIds: true,
      requests: Array.from({ length: 64 }, (_, k) => ({
        path: '/api/customers',
        body: JSON.stringify({
          name: `Bench customer ${k}`,
          type: k % 3 ? 'company' : 'individual',
          tax_ids: [
            { tax: 'VAT', tax_value: `FRB${String(k).padStart(10, '0')}` },
            { tax: 'SIREN', tax_value: `B${String(k).padStart(8, '0')}` },
          ],
          id_crm: `bench-crm-${k}`,
          email_address: `bench${k}@example.com`,
        }),
      })),
    },
    {
      key: 'get',
      label: 'get customer',
      method: 'GET',
      expect: 200,
      requests: sample.map((i) => ({ path: `/api/customers/${id(i)}` })),
    },
    {
      key: 'patch',
      label: 'patch customer',
      method: 'PATCH',
      expect: 200,
      // Every pass over the sample flips each customer between two versions.
      requests: ['a', 'b'].flatMap((v) =>
        sample.map((i) => ({
          path: `/api/customers/${id(i)}`,
          body: JSON.stringify({ name: `Customer ${i} (${v})`, legal_name: `Customer ${i} ${v} SAS`, id_erp: `erp-${i}-${v}` }),
        })),
      ),
    },
    { key: 'list_first', label: 'list, first page', method: 'GET', expect: 200, requests: [{ path: '/api/customers' }] },
    {
      key: 'list_deep',
      label: `list, deep page (cursor #${Math.max(1, n - 50)})`,
      method: 'GET',
      expect: 200,
      requests: [{ path: `/api/customers?cursor=${deep}` }],
    },
    {
      key: 'list_id_crm',
      label: 'list by id_crm',
      method: 'GET',
      expect: 200,
      requests: sample.map((i) => ({ path: `/api/customers?id_crm=crm-${i}` })),
    },
    {
      key: 'list_tax_value',
      label: 'list by tax_value',
      method: 'GET',
      expect: 200,
      requests: sample.map((i) => ({ path: `/api/customers?tax_value=${taxValue(i)}` })),
    },
    // Deletes the customers the create rounds made, each once (filled in per round).
    { key: 'delete', label: 'delete customer', method: 'DELETE', expect: 200, once: true, requests: [] },
  ];
}

// ---------------------------------------------------------------- probe: round trips and shapes

interface ProbeResult {
  status: number;
  d1: number;
  kvReads: number;
  kvWrites: number;
  serverTiming: string | null;
  body: unknown;
}

/** The structure of a JSON value: keys and value types, not values. */
function shape(value: unknown): unknown {
  if (value === null) return 'null';
  if (Array.isArray(value)) return value.length === 0 ? [] : [shape(value[0])];
  if (typeof value === 'object') {
    return Object.fromEntries(Object.entries(value as object).map(([k, v]) => [k, shape(v)]));
  }
  return typeof value;
}

async function probe(url: string, target: Target, method: string, request: LoadRequest, token: string): Promise<ProbeResult> {
  const response = await fetch(url + request.path, {
    method,
    headers: {
      Authorization: `Bearer ${token}`,
      'x-bench-target': target,
      ...(request.body ? { 'Content-Type': 'application/json' } : {}),
    },
    body: request.body,
    signal: AbortSignal.timeout(10_000),
  });
  const text = await response.text();
  return {
    status: response.status,
    d1: Number(response.headers.get('x-bench-d1')),
    kvReads: Number(response.headers.get('x-bench-kv-reads')),
    kvWrites: Number(response.headers.get('x-bench-kv-writes')),
    serverTiming: response.headers.get('server-timing'),
    body: text ? JSON.parse(text) : null,
  };
}

interface ProbeReport {
  ours: ProbeResult;
  baseline: ProbeResult;
  sameShape: boolean;
}

async function probeAll(url: string, ops: Operation[], token: string): Promise<Record<string, ProbeReport>> {
  const out: Record<string, ProbeReport> = {};
  const created: Partial<Record<Target, string>> = {};
  for (const op of ops) {
    const results = {} as Record<Target, ProbeResult>;
    for (const target of TARGETS) {
      const request = op.key === 'delete' ? { path: `/api/customers/${created[target]}` } : op.requests[0]!;
      const result = await probe(url, target, op.method, request, token);
      if (result.status !== op.expect) {
        throw new Error(`probe: ${op.label} on ${target} answered ${result.status}: ${JSON.stringify(result.body)}`);
      }
      if (op.key === 'create') created[target] = (result.body as { data: { id: string } }).data.id;
      results[target] = result;
    }
    out[op.key] = {
      ...results,
      sameShape: JSON.stringify(shape(results.ours.body)) === JSON.stringify(shape(results.baseline.body)),
    };
  }
  return out;
}

// ---------------------------------------------------------------- load rounds

interface Round {
  target: Target;
  requests: number;
  elapsedMs: number;
  rps: number;
  statuses: Record<string, number>;
  errors: number;
  timeouts: number;
  /** CPU time of the workerd serving both Workers during the round. */
  cpuMs?: number;
}

/** Runs one operation's load process; `onRound` hears of each finished round. */
function runLoad(spec: LoadSpec, onRound: (round: number) => void): Promise<LoadResult> {
  const specFile = join(tmp, 'load-spec.json');
  writeFileSync(specFile, JSON.stringify(spec));
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [LOAD, specFile], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    children.add(child);
    let stderr = '';
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdout!.on('data', (chunk: Buffer) => {
      for (const line of chunk.toString().split('\n')) {
        if (line.startsWith('{')) onRound((JSON.parse(line) as { round: number }).round);
      }
    });
    // Bounded: the schedule's time plus generous slack, then the process is killed.
    const limit = (Object.keys(spec.targets).length * spec.warmup + spec.schedule.length * spec.duration + 60) * 1000;
    const timer = setTimeout(() => child.kill('SIGKILL'), limit);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      children.delete(child);
      if (code !== 0) return reject(new Error(`load generator failed (${code ?? signal}):\n${stderr}`));
      resolve(JSON.parse(readFileSync(spec.out, 'utf8')) as LoadResult);
    });
  });
}

const median = (xs: number[]) => {
  const s = [...xs].sort((x, y) => x - y);
  return s.length === 0 ? NaN : s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
/** The standard error of the mean of xs (NaN under 2 values). */
const standardError = (xs: number[]) => {
  if (xs.length < 2) return NaN;
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  return Math.sqrt(xs.reduce((a, x) => a + (x - mean) ** 2, 0) / (xs.length - 1) / xs.length);
};

interface Stats {
  requests: number;
  rps: number;
  /** workerd CPU time per request (ms): D1 and KV emulation included, load generator excluded. */
  cpuMsPerRequest: number;
  p50: number;
  p99: number;
  mean: number;
  unexpected: number;
}

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

function stats(rounds: Round[], latencies: number[], expect: number): Stats {
  const requests = rounds.reduce((s, r) => s + r.requests, 0);
  const elapsed = rounds.reduce((s, r) => s + r.elapsedMs, 0);
  const sorted = Float64Array.from(latencies).sort();
  const unexpected = rounds.reduce(
    (s, r) => s + r.errors + Object.entries(r.statuses).reduce((t, [code, count]) => t + (Number(code) === expect ? 0 : count), 0),
    0,
  );
  const cpu = rounds.every((r) => r.cpuMs !== undefined) ? rounds.reduce((s, r) => s + r.cpuMs!, 0) : NaN;
  return {
    requests,
    rps: elapsed > 0 ? (requests * 1000) / elapsed : 0,
    cpuMsPerRequest: requests > 0 ? cpu / requests : NaN,
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    mean: sorted.length ? latencies.reduce((s, x) => s + x, 0) / sorted.length : NaN,
    unexpected,
  };
}

// ---------------------------------------------------------------- main

interface OperationReport {
  key: string;
  label: string;
  ours: Stats;
  baseline: Stats;
  /** The median of the per-pair ratios (each pair: one round of each, back to back). */
  ratio: number;
  /** Total ours req/s over total baseline req/s. */
  ratio_of_totals: number;
  /** Baseline CPU per request over ours: the throughput ratio a CPU-bound machine would show, insensitive to other load. */
  cpu_ratio: number;
  /** The standard error of cpu_ratio, from its per-pair values (NaN under 2 pairs): how far apart two builds must be to tell. */
  cpu_ratio_se: number;
  pair_ratios: number[];
  rounds: Round[];
  d1_round_trips: { ours: number; baseline: number };
  kv_reads: { ours: number; baseline: number };
  same_json_shape: boolean;
}

type Bundles = Record<'ours' | 'baseline' | 'probe', string>;

/** The CPU comparison with the baseline at one size: each operation's rounds, as the header describes. */
async function compareCpu(urls: Record<string, string>, token: string, idsA: string[], ops: Operation[], probes: Record<string, ProbeReport>, tag: string) {
  const targets: Record<Target, { url: string }> = { ours: { url: urls.ours! }, baseline: { url: urls.baseline! } };
  const cpuPid = workerdPid();
  const headers = { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' };
  // Created customers to delete, per Worker: with --sql each has its own database.
  const pool: Record<Target, string[]> = { ours: [], baseline: [] };
  const reports: OperationReport[] = [];
  const roundSeconds = DURATION / ROUNDS;
  // The first and the deep page are measured together, interleaved, so that
  // their ratio (the pagination budget) is as drift-proof as ours/baseline.
  const jobs: Operation[][] = [];
  for (const op of ops) {
    const last = jobs[jobs.length - 1];
    if (op.key === 'list_deep' && last?.[0]?.key === 'list_first') last.push(op);
    else jobs.push([op]);
  }
  for (const [index, job] of jobs.entries()) {
    const lead = job[0]!;
    const available = Math.min(pool.ours.length, pool.baseline.length);
    if (lead.once && available < (1 + ROUNDS) * CONNECTIONS) {
      clearProgress();
      console.error(`skipping ${lead.label}: only ${available} created customers per Worker to delete (it needs the create operation)`);
      continue;
    }
    // Per round r: the job's operations in turn (reversed when r is odd), each
    // on both Workers, ours first when r + its index is even: ABBA for every
    // operation, and first/deep pages balanced around each other.
    const schedule: string[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      const order = r % 2 === 0 ? job : [...job].reverse();
      for (const op of order) {
        const workers = (r + job.indexOf(op)) % 2 === 0 ? TARGETS : [...TARGETS].reverse();
        for (const w of workers) schedule.push(`${op.key}/${w}`);
      }
    }
    const deletions = (worker: Target) => pool[worker].splice(0, available).map((id) => ({ path: `/api/customers/${id}` }));
    const loadTargets: Record<string, LoadTarget> = {};
    for (const op of job) {
      for (const worker of TARGETS) {
        loadTargets[`${op.key}/${worker}`] = {
          url: targets[worker].url,
          requests: op.once ? deletions(worker) : op.requests,
        };
      }
    }
    const what = `${tag} [${index + 1}/${jobs.length}] ${job.map((op) => op.label).join(' + ')}`;
    progress(`${what}: warming up (${WARMUP}s per Worker${job.length > 1 ? ' and page' : ''})`);
    const result = await runLoad(
      {
        targets: loadTargets,
        method: lead.method,
        headers: lead.method === 'GET' || lead.method === 'DELETE' ? { Authorization: headers.Authorization } : headers,
        connections: CONNECTIONS,
        warmup: WARMUP,
        schedule,
        duration: roundSeconds,
        once: lead.once,
        collectIds: lead.collectIds,
        cpuPid,
        out: join(tmp, 'load-result.json'),
      },
      (done) => {
        if (done < schedule.length) {
          progress(`${what}: round ${done + 1}/${schedule.length} (${schedule[done]}, ${fixed(roundSeconds)}s), alternating ours/baseline`);
        }
      },
    );
    if (lead.collectIds) for (const worker of TARGETS) pool[worker].push(...(result.ids[`${lead.key}/${worker}`] ?? []));
    for (const op of job) {
      const mine = result.rounds.filter((r) => r.target.startsWith(`${op.key}/`));
      const rounds: Round[] = mine.map((r) => ({
        target: r.target.slice(op.key.length + 1) as Target,
        requests: r.requests,
        elapsedMs: r.elapsedMs,
        rps: r.elapsedMs > 0 ? (r.requests * 1000) / r.elapsedMs : 0,
        statuses: r.statuses,
        errors: r.errors,
        timeouts: r.timeouts,
        cpuMs: r.cpuMs,
      }));
      const latencies = (t: Target) => mine.filter((r) => r.target.endsWith(`/${t}`)).flatMap((r) => r.latencies);
      const oursStats = stats(rounds.filter((r) => r.target === 'ours'), latencies('ours'), op.expect);
      const baseStats = stats(rounds.filter((r) => r.target === 'baseline'), latencies('baseline'), op.expect);
      const pairRatios: number[] = [];
      const cpuPairRatios: number[] = [];
      for (let r = 0; r + 1 < rounds.length; r += 2) {
        const pair = rounds.slice(r, r + 2);
        const o = pair.find((x) => x.target === 'ours')!;
        const b = pair.find((x) => x.target === 'baseline')!;
        pairRatios.push(b.rps > 0 ? o.rps / b.rps : NaN);
        if (o.cpuMs !== undefined && b.cpuMs !== undefined && o.cpuMs > 0 && b.requests > 0) cpuPairRatios.push((b.cpuMs / b.requests) / (o.cpuMs / o.requests));
      }
      const p = probes[op.key]!;
      reports.push({
        key: op.key,
        label: op.label,
        ours: oursStats,
        baseline: baseStats,
        ratio: median(pairRatios),
        ratio_of_totals: baseStats.rps > 0 ? oursStats.rps / baseStats.rps : NaN,
        cpu_ratio: baseStats.cpuMsPerRequest / oursStats.cpuMsPerRequest,
        cpu_ratio_se: standardError(cpuPairRatios),
        pair_ratios: pairRatios,
        rounds,
        d1_round_trips: { ours: p.ours.d1, baseline: p.baseline.d1 },
        kv_reads: { ours: p.ours.kvReads, baseline: p.baseline.kvReads },
        same_json_shape: p.sameShape,
      });
    }
  }
  return reports;
}

interface SizeReport extends SizeRun {
  operations: OperationReport[];
  probes: Record<string, ProbeReport>;
}

/** One size: a fresh state seeded with `customers`, the Workers started on it, everything measured, the state dropped. */
async function measureSize(customers: number, bundles: Bundles): Promise<Omit<SizeReport, 'scale'>> {
  const tag = `[${customers} customers]`;
  const state = join(tmp, `state-${customers}`);
  progress(`${tag} preparing a fresh local state in ${state}: D1 migrations`);
  wrangler(['d1', 'migrations', 'apply', 'DB', '--local', '--persist-to', state]);

  const what = `${tag} seeding workspace A (2 tax ids, a contact, an address each) and workspace B`;
  progress(what);
  const idsA = seed(localDatabasePath(state), customers, (done) => progress(`${what}: ${done}`));
  if (VARIANT_SQL !== undefined) {
    progress(`${tag} copying the seeded database and running ${args.sql} on the copy`);
    await variantDatabase(state, VARIANT_SQL, config.compatibility_date!);
  }

  progress(`${tag} writing the API tokens of workspaces A and B to local KV`);
  const target = { remote: false, persistTo: state };
  const { token } = await createToken(target, { workspaceId: WORKSPACE_A, name: 'bench A' });
  await createToken(target, { workspaceId: WORKSPACE_B, name: 'bench B' });

  progress(`${tag} starting the Worker, the baseline and the probe in workerd (Miniflare)`);
  const urls = await startWorkers(state, bundles, VARIANT_SQL === undefined ? {} : { baseline: VARIANT_D1_ID });
  try {
    const ops = operations(idsA).filter((op) => kept(op.key, 'cpu'));
    progress(`${tag} probing each operation once per Worker: D1 round trips, KV reads, JSON shapes`);
    const probes = await probeAll(urls.probe!, operations(idsA), token);
    const reports = await compareCpu(urls, token, idsA, ops, probes, tag);
    const exchange = INSTEAD_OF_BASELINE === undefined && kept('exchange', 'exchange') ? await exchangeRuns(tmp, state, WORKSPACE_A, urls.ours!, token, (text) => progress(`${tag} ${text}`)) : [];
    return { customers, operations: reports, probes, exchange };
  } finally {
    await stopWorkers();
    if (!args.keep) rmSync(state, { recursive: true, force: true });
  }
}

/** Whether any operation of the CPU comparison or the exchange runs (each needs its own state per size). */
const PER_SIZE = INSTEAD_OF_BASELINE !== undefined || operations([]).some((op) => kept(op.key, 'cpu')) || kept('exchange', 'exchange');

/**
 * The scale operations at every size at once: one state, a database per size
 * (each a copy of the migrated, empty one, then seeded), our Worker once per
 * size, and the sizes taking turns (bench/scale.ts). Returns the results per size.
 */
async function measureScaleSideBySide(script: string): Promise<ScaleResult[][]> {
  const state = join(tmp, 'state-scale');
  progress(`[scale] preparing a local state in ${state}: D1 migrations`);
  wrangler(['d1', 'migrations', 'apply', 'DB', '--local', '--persist-to', state]);
  const migrated = localDatabasePath(state);
  const ids: string[][] = [];
  for (const customers of SIZES) {
    const what = `[scale] seeding a database of ${customers} customers in workspace A, and workspace B`;
    progress(what);
    ids.push(seed(await databaseCopy(state, `bench-size-${customers}`, migrated, config.compatibility_date!), customers, (done) => progress(`${what}: ${done}`)));
  }
  const { token } = await createToken({ remote: false, persistTo: state }, { workspaceId: WORKSPACE_A, name: 'bench A' });
  progress('[scale] starting our Worker once per size in workerd (Miniflare)');
  const name = (customers: number) => `scale-${customers}`;
  const urls = await startWorkers(
    state,
    Object.fromEntries(SIZES.map((customers) => [name(customers), script])),
    Object.fromEntries(SIZES.map((customers) => [name(customers), `bench-size-${customers}`])),
  );
  try {
    const targets = SIZES.map((customers, i) => ({
      url: urls[name(customers)]!,
      ops: scaleOperations(ids[i]!, offsetFor(SIZES)).filter((op) => kept(op.key, 'scale')),
    }));
    return await measureScale(targets, token, REQUESTS, SCALE_WARMUP, (text) => progress(`[scale] ${text}`), SCALE_ROUNDS);
  } finally {
    await stopWorkers();
    if (!args.keep) rmSync(state, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const loadAtStart = load1();
  if (loadAtStart > os.availableParallelism() / 2) {
    console.error(
      `note: the machine is busy (load average ${loadAtStart.toFixed(2)} on ${os.availableParallelism()} CPUs); ` +
        'the ratios cancel slow drift, but expect noisier figures than on a quiet machine.',
    );
  }
  const known = new Set([...operations([]).map((op) => op.key), ...scaleOperations([]).map((op) => op.key), 'cpu', 'scale', 'exchange']);
  const unknown = ONLY?.filter((key) => !known.has(key)) ?? [];
  if (unknown.length > 0) throw new Error(`--only: unknown operation ${unknown.join(', ')}\n${USAGE}`);

  progress('bundling the Worker, the baseline and the counting probe (wrangler deploy --dry-run --minify)');
  const ours = bundle('ours', CONFIG);
  const probeBundle = bundle('probe', writeProbe(join(tmp, 'probe'), config.main!, config.compatibility_date!));
  const size = ours.size;
  const instead = AGAINST !== undefined ? bundle('against', AGAINST).script : VARIANT_SQL !== undefined ? ours.script : undefined;
  const bundles: Bundles = { ours: ours.script, baseline: instead ?? bundle('baseline', join(ROOT, 'bench', 'baseline', 'wrangler.toml')).script, probe: probeBundle.script };

  const sizes: SizeReport[] = [];
  // The scale reads first, on workspaces as seeded (as the issue measured them), all sizes side by side.
  const scaleKept = INSTEAD_OF_BASELINE === undefined && scaleOperations([]).some((op) => kept(op.key, 'scale'));
  const scaleBySize = scaleKept ? await measureScaleSideBySide(ours.script) : SIZES.map(() => []);
  for (const [i, customers] of SIZES.entries()) {
    const run = PER_SIZE ? await measureSize(customers, bundles) : { customers, operations: [], probes: {}, exchange: [] };
    sizes.push({ ...run, scale: scaleBySize[i]! });
  }
  clearProgress();

  // ------------------------------------------------------------ report
  const m = machine();
  const budgets: { name: string; ok: boolean; detail: string }[] = [];
  for (const run of sizes) {
    const at = SIZES.length > 1 ? ` at ${run.customers}` : '';
    const reports = run.operations;
    if (reports.length > 0) {
      if (INSTEAD_OF_BASELINE !== undefined) {
        console.log(`\n"base" below is NOT the raw baseline: it is ${INSTEAD_OF_BASELINE.is}. The round-trip and KV columns still probe the raw baseline.`);
      }
      console.log(
        `\ncustomers-worker vs ${INSTEAD_OF_BASELINE?.vs ?? 'the raw baseline'}: ${run.customers} customers in workspace A, ${CONNECTIONS} connections, ` +
          `${DURATION}s measured per Worker and operation in ${ROUNDS} rounds alternated ABBA (after ${WARMUP}s warmup); ` +
          'ours/base is the median of the per-pair ratios of req/s\n',
      );
      console.log(
        table(
          ['operation', 'ours req/s', 'base req/s', 'ours/base', 'pairs', 'ours p50 / p99 ms', 'base p50 / p99 ms', 'CPU ms/req (ours / base)', 'CPU base/ours', 'D1 round trips (ours / base)', 'KV reads (ours / base)'],
          reports.map((r) => [
            r.label,
            fixed(r.ours.rps, 0),
            fixed(r.baseline.rps, 0),
            fixed(r.ratio, 2),
            `${fixed(Math.min(...r.pair_ratios), 2)}–${fixed(Math.max(...r.pair_ratios), 2)}`,
            `${fixed(r.ours.p50)} / ${fixed(r.ours.p99)}`,
            `${fixed(r.baseline.p50)} / ${fixed(r.baseline.p99)}`,
            `${fixed(r.ours.cpuMsPerRequest, 2)} / ${fixed(r.baseline.cpuMsPerRequest, 2)}`,
            Number.isNaN(r.cpu_ratio_se) ? fixed(r.cpu_ratio, 2) : `${fixed(r.cpu_ratio, 2)} ± ${fixed(r.cpu_ratio_se, 2)}`,
            `${r.d1_round_trips.ours} / ${r.d1_round_trips.baseline}`,
            `${r.kv_reads.ours} / ${r.kv_reads.baseline}`,
          ]),
          [false, true, true, true, true, true, true, true, true, true, true],
        ),
      );
    }
    for (const r of INSTEAD_OF_BASELINE === undefined ? reports : []) {
      // CPU per request is the budget (a busy machine disturbs it far less than req/s); req/s is shown beside it.
      budgets.push({
        name: `CPU per request ${r.key}${at}`,
        ok: r.cpu_ratio >= 0.9,
        detail: `baseline/ours ${fixed(r.cpu_ratio, 2)} (>= 0.90; req/s ours/baseline ${fixed(r.ratio, 3)})`,
      });
    }
    for (const [key, p] of Object.entries(run.probes)) {
      budgets.push({ name: `D1 round trips ${key}${at}`, ok: p.ours.d1 === 1, detail: `${p.ours.d1} (exactly 1)` });
      budgets.push({ name: `KV reads ${key}${at}`, ok: p.ours.kvReads <= 1, detail: `${p.ours.kvReads} (at most 1)` });
      budgets.push({ name: `baseline JSON shape ${key}${at}`, ok: p.sameShape, detail: p.sameShape ? 'same as ours' : 'DIFFERS from ours' });
    }
    const byKey = Object.fromEntries(reports.map((r) => [r.key, r]));
    const [first, deep] = [byKey.list_first, byKey.list_deep];
    if (first && deep) {
      const ratio = deep.ours.p50 / first.ours.p50;
      budgets.push({ name: `deep/first page latency${at}`, ok: ratio < 1.5, detail: `p50 ratio ${fixed(ratio, 2)} (< 1.5; pages measured interleaved)` });
    }
  }

  const scale = scaleReport(scaleOperations([], offsetFor(SIZES)).filter((op) => kept(op.key, 'scale')), sizes);
  if (scale.rows.length > 0) {
    console.log(
      `\nScale: p50 of ${REQUESTS} sequential requests per operation (at most ${MATCHES_REQUESTS} for an O(matches) one), after ${SCALE_WARMUP} unmeasured, ` +
        `in ${SCALE_ROUNDS} rounds, through the Worker, every size served at once from its own database and the sizes taking turns\n`,
    );
    console.log(table(scale.header, scale.rows, scale.header.map((_, c) => c > 0 && c < scale.header.length - 1)));
  }
  if (scale.exchangeRows.length > 0) {
    console.log('\nExport and import of workspace A (wall time, peak memory of the script)\n');
    console.log(table(['run', ...SIZES.map(String)], scale.exchangeRows, [false, ...SIZES.map(() => true)]));
  }
  budgets.push(...scale.budgets);
  budgets.push({ name: 'bundle size', ok: size.gzip <= BUDGET_BYTES, detail: `${kib(size.gzip)} gzip minified (<= ${kib(BUDGET_BYTES)})` });
  const startup = startupMs();
  budgets.push({ name: 'startup', ok: startup <= STARTUP_BUDGET_MS, detail: `${startup.toFixed(1)} ms (wrangler check startup; <= ${STARTUP_BUDGET_MS} ms)` });

  console.log(`\nWorker bundle: ${kib(size.minified)} minified, ${kib(size.gzip)} gzip (budget ${kib(BUDGET_BYTES)}); startup ${startup.toFixed(1)} ms (budget ${STARTUP_BUDGET_MS} ms).`);
  console.log('D1 round trips and KV reads: one probe request per operation and Worker, through identical counting wrappers of the bindings.');
  console.log(
    `Machine: ${m.cpu}, ${m.nproc} CPUs, ${m.memory_gib} GiB; ${m.os}; Node ${m.node}, wrangler ${m.wrangler}, workerd ${m.workerd}; ` +
      `load average ${loadAtStart.toFixed(2)} at the start, ${load1().toFixed(2)} at the end.`,
  );
  const missed = budgets.filter((b) => !b.ok);
  console.log(missed.length === 0 ? '\nBudgets: all met.' : `\nBudgets missed:\n${missed.map((b) => `  - ${b.name}: ${b.detail}`).join('\n')}`);

  const unexpected = sizes.flatMap((run) => run.operations.filter((r) => r.ours.unexpected + r.baseline.unexpected > 0));
  for (const r of unexpected) {
    console.error(
      `ERROR: ${r.label}: ${r.ours.unexpected} unexpected responses from ours, ${r.baseline.unexpected} from the baseline ` +
        `(statuses ${JSON.stringify(r.rounds.map((x) => [x.target, x.statuses]))})`,
    );
  }

  const results = {
    date: new Date().toISOString(),
    machine: m,
    load_average: { start: loadAtStart, end: load1() },
    options: { customers: SIZES, variant_sql: args.sql ?? null, against: AGAINST ?? null, duration_s: DURATION, connections: CONNECTIONS, rounds: ROUNDS, warmup_s: WARMUP, scale_requests: REQUESTS },
    bundle: { minified_bytes: size.minified, gzip_bytes: size.gzip, budget_gzip_bytes: BUDGET_BYTES, startup_ms: startup, startup_budget_ms: STARTUP_BUDGET_MS },
    sizes: sizes.map((run) => ({
      customers: run.customers,
      operations: run.operations,
      probes: Object.fromEntries(
        Object.entries(run.probes).map(([k, p]) => [
          k,
          {
            ours: { status: p.ours.status, d1: p.ours.d1, kv_reads: p.ours.kvReads, kv_writes: p.ours.kvWrites, server_timing: p.ours.serverTiming },
            baseline: { status: p.baseline.status, d1: p.baseline.d1, kv_reads: p.baseline.kvReads, kv_writes: p.baseline.kvWrites, server_timing: p.baseline.serverTiming },
            same_json_shape: p.sameShape,
          },
        ]),
      ),
      scale: run.scale,
      exchange: run.exchange,
    })),
    budgets,
  };
  writeFileSync(join(ROOT, 'bench', 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
  console.log(`Wrote bench/results.json (${((performance.now() - started) / 1000).toFixed(0)} s in all).`);

  if (unexpected.length > 0) process.exitCode = 1;
  else if (args.strict && missed.length > 0) process.exitCode = 1;
}

try {
  await main();
} catch (error) {
  clearProgress();
  console.error(`bench failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
} finally {
  await cleanup();
}
