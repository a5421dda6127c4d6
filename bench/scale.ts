/**
 * The bench's scale operations: what a large workspace must not make slower.
 * Each is timed as sequential requests (one at a time, after a few unmeasured
 * ones), p50 reported; `npm run bench -- --customers 10000,1000000` runs them
 * at every size at once, each size its own database served by its own
 * Worker, the sizes taking turns, and compares every size with the first.
 *
 * Budgets (issue #11), comparing the largest size with the first:
 *  - `flat`: p50 at most 1.5 times;
 *  - `offset`: offset pages, asked at the same offset at every size (their
 *    cost grows with the offset only), so flat as well;
 *  - `matches`: an exact total over every match is the contract (AmbioSys
 *    `search`): O(matches), reported, not budgeted.
 * The export and import are timed once per size (wall time, peak memory of
 * the process), locally (the SQLite file) and through the Worker (--url).
 */
import { spawn } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../scripts/lib/wrangler.ts';
import { RARE_NAME, taxValue } from './seed.ts';

export type ScaleBudget = 'flat' | 'offset' | 'matches';

export interface ScaleOperation {
  key: string;
  label: string;
  budget: ScaleBudget;
  method: 'GET' | 'POST';
  /** Rotated through, one request at a time. */
  requests: { path: string; body?: unknown }[];
  /** Checks one answer (status 200 is checked before): a wrong answer is a failed bench, not a fast one. */
  check: (body: any) => boolean;
}

/** The AmbioSys page and Upwell offset asked at every size: 9,000, or 90% of the smallest size. */
export const offsetFor = (sizes: number[]) => Math.min(9_000, Math.floor((Math.min(...sizes) * 0.9) / 10) * 10);
const rare = RARE_NAME.split(' ')[0]!.toLowerCase();

export function scaleOperations(idsA: string[], offset = 0): ScaleOperation[] {
  const n = idsA.length;
  const sample = Array.from({ length: Math.min(200, n) }, (_, k) => 1 + Math.floor((k * n) / Math.min(200, n)));
  const id = (i: number) => idsA[i - 1]!;
  const one = (body: any) => body.data?.length === 1;
  const full = (size: number) => (body: any) => body.data?.length === size;
  const upwellSearch = (where: unknown, orderBy?: unknown) => ({ path: '/api/rest/customers/search', body: { where, ...(orderBy ? { orderBy } : {}) } });
  return [
    { key: 'get_one', label: 'get', budget: 'flat', method: 'GET', requests: sample.map((i) => ({ path: `/api/customers/${id(i)}` })), check: (b) => typeof b.data?.id === 'string' },
    { key: 'first_page', label: 'list, first page', budget: 'flat', method: 'GET', requests: [{ path: '/api/customers' }], check: full(25) },
    {
      key: 'cursor_page',
      label: 'list, cursor page',
      budget: 'flat',
      method: 'GET',
      requests: sample.map((i) => ({ path: `/api/customers?cursor=${id(i)}` })),
      check: (b) => Array.isArray(b.data) && b.data.length > 0,
    },
    { key: 'filter_type', label: 'filter type', budget: 'flat', method: 'GET', requests: [{ path: '/api/customers?type=individual' }], check: full(25) },
    { key: 'filter_id_crm', label: 'filter id_crm', budget: 'flat', method: 'GET', requests: sample.map((i) => ({ path: `/api/customers?id_crm=crm-${i}` })), check: one },
    { key: 'filter_tax_value', label: 'filter tax_value', budget: 'flat', method: 'GET', requests: sample.map((i) => ({ path: `/api/customers?tax_value=${taxValue(i)}` })), check: one },
    { key: 'q_rare', label: '`q`, rare name', budget: 'flat', method: 'GET', requests: [{ path: `/api/customers?q=${rare}` }], check: one },
    { key: 'q_common', label: '`q`, common term', budget: 'flat', method: 'GET', requests: [{ path: '/api/customers?q=customer' }], check: full(25) },
    { key: 'q_short', label: '`q`, 2 characters (prefix)', budget: 'flat', method: 'GET', requests: [{ path: '/api/customers?q=cu' }], check: full(25) },
    {
      key: 'ambiosys_search_rare',
      label: 'AmbioSys `search`, rare term',
      budget: 'flat',
      method: 'GET',
      requests: [{ path: `/api/customers/getCustomers?search=${rare}` }],
      check: (b) => b.totalCount === 1,
    },
    {
      key: 'ambiosys_search_common',
      label: 'AmbioSys `search`, common term (exact total)',
      budget: 'matches',
      method: 'GET',
      requests: [{ path: '/api/customers/getCustomers?search=customer' }],
      check: (b) => b.totalCount >= 1,
    },
    {
      key: 'ambiosys_page0',
      label: 'AmbioSys page 0 (with totalCount)',
      budget: 'flat',
      method: 'GET',
      requests: [{ path: '/api/customers/getCustomers?page=0&limit=10' }],
      check: (b) => b.totalCount >= n,
    },
    {
      key: 'ambiosys_page_offset',
      label: `AmbioSys page at offset ${offset}`,
      budget: 'offset',
      method: 'GET',
      requests: [{ path: `/api/customers/getCustomers?page=${offset / 10}&limit=10` }],
      check: (b) => b.totalCount >= n,
    },
    { key: 'upwell_list', label: 'Upwell list (with count)', budget: 'flat', method: 'GET', requests: [{ path: '/api/rest/customers' }], check: (b) => b.customersAggregate?.aggregate?.count >= n },
    {
      key: 'upwell_offset',
      label: `Upwell list at offset ${offset}`,
      budget: 'offset',
      method: 'GET',
      requests: [{ path: `/api/rest/customers?offset=${offset}` }],
      check: (b) => b.customersAggregate?.aggregate?.count >= n && b.customers?.length === 25,
    },
    {
      key: 'upwell_ilike',
      label: 'Upwell `name._ilike`, rare',
      budget: 'flat',
      method: 'POST',
      requests: [upwellSearch({ name: { _ilike: `%${rare}%` } })],
      check: (b) => b.customersAggregate?.aggregate?.count === 1,
    },
    {
      key: 'upwell_source_eq',
      label: 'Upwell `sourceSystemId._eq`',
      budget: 'flat',
      method: 'POST',
      requests: sample.map((i) => upwellSearch({ sourceSystemId: { _eq: `ERP-${i}` } })),
      check: (b) => b.customersAggregate?.aggregate?.count === 1,
    },
    {
      key: 'upwell_order_name',
      label: 'Upwell `orderBy: name desc`',
      budget: 'flat',
      method: 'POST',
      requests: [upwellSearch(undefined, [{ name: 'desc' }])],
      check: (b) => b.customersAggregate?.aggregate?.count >= n && b.customers?.length === 25,
    },
  ];
}

export interface ScaleResult {
  key: string;
  p50: number;
  p90: number;
  requests: number;
}

/** Measured requests of an O(matches) operation per size: reported, not budgeted, a few tell its cost. */
export const MATCHES_REQUESTS = 20;

const quantile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))]!;

/** One size's Worker and its scale operations (the same keys at every size). */
export interface ScaleTarget {
  url: string;
  ops: ScaleOperation[];
}

/**
 * `count` sequential requests per operation and size, after `warmup`
 * unmeasured ones each; a wrong status or answer throws. Every size is served
 * at once (its own database, its own Worker) and the sizes take turns
 * request block by request block: in each of `rounds` rounds, each operation
 * sends `count / rounds` requests to every size, the sizes in turn (reversed
 * every other round). A drift of the machine over the minutes this takes
 * then falls on every size and operation alike, not on the ratio between two
 * sizes measured a seed apart. Returns the results per target.
 */
export async function measureScale(
  targets: ScaleTarget[],
  token: string,
  count: number,
  warmup: number,
  onProgress: (text: string) => void,
  rounds: number,
): Promise<ScaleResult[][]> {
  const ops = targets[0]?.ops ?? [];
  const latencies = targets.map(() => ops.map(() => [] as number[]));
  const sent = targets.map(() => ops.map(() => 0));
  const send = async (t: number, index: number, requests: number, measured: boolean) => {
    const op = targets[t]!.ops[index]!;
    for (let k = 0; k < requests; k++) {
      const request = op.requests[sent[t]![index]!++ % op.requests.length]!;
      const started = performance.now();
      const response = await fetch(targets[t]!.url + request.path, {
        method: op.method,
        headers: { Authorization: `Bearer ${token}`, ...(request.body ? { 'Content-Type': 'application/json' } : {}) },
        body: request.body === undefined ? undefined : JSON.stringify(request.body),
        signal: AbortSignal.timeout(60_000),
      });
      const text = await response.text();
      const elapsed = performance.now() - started;
      if (response.status !== 200 || !op.check(JSON.parse(text))) {
        throw new Error(`scale: ${op.label} (${request.path}) answered ${response.status}: ${text.slice(0, 300)}`);
      }
      if (measured) latencies[t]![index]!.push(elapsed);
    }
  };
  const order = (round: number) => (round % 2 === 0 ? targets.map((_, t) => t) : targets.map((_, t) => targets.length - 1 - t));
  for (const [index, op] of ops.entries()) {
    onProgress(`warmup [${index + 1}/${ops.length}] ${op.label}`);
    for (const t of order(0)) await send(t, index, op.budget === 'matches' ? 1 : warmup, false);
  }
  for (let round = 0; round < rounds; round++) {
    for (const [index, op] of ops.entries()) {
      const total = op.budget === 'matches' ? Math.min(count, MATCHES_REQUESTS) : count;
      const share = Math.floor((total * (round + 1)) / rounds) - Math.floor((total * round) / rounds);
      onProgress(`round ${round + 1}/${rounds} [${index + 1}/${ops.length}] ${op.label}: ${share} sequential requests per size`);
      for (const t of order(round)) await send(t, index, share, true);
    }
  }
  return targets.map((_, t) =>
    ops.map((op, index) => {
      const sorted = latencies[t]![index]!.sort((a, b) => a - b);
      return { key: op.key, p50: quantile(sorted, 0.5), p90: quantile(sorted, 0.9), requests: sorted.length };
    }),
  );
}

export interface RunResult {
  label: string;
  seconds: number;
  /** Peak resident memory of the process (VmHWM), MiB; Linux only. */
  peakMiB: number;
  /** Customers the script reported exported or imported. */
  customers: number;
}

/** Runs a script of ours (scripts/*.ts) to completion, timing it and sampling its memory high-water mark. */
export function timeScript(label: string, script: string, args: string[], env: Record<string, string> = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, [join(ROOT, 'scripts', script), ...args], {
      cwd: ROOT,
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { ...process.env, ...env },
    });
    let peak = 0;
    const sample = () => {
      try {
        const kb = /VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))?.[1];
        if (kb) peak = Math.max(peak, Number(kb) / 1024);
      } catch {
        // exited meanwhile, or no /proc
      }
    };
    const timer = setInterval(sample, 100);
    let stderr = '';
    child.stderr!.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
    child.on('exit', (code) => {
      clearInterval(timer);
      if (code !== 0) return reject(new Error(`${label} failed (${code}):\n${stderr}`));
      const customers = Number(/([\d,]+) customers/.exec(stderr)?.[1]?.replaceAll(',', '') ?? NaN);
      resolve({ label, seconds: (performance.now() - started) / 1000, peakMiB: peak, customers });
    });
  });
}

/** Export locally and through the Worker, then import that file back both ways (an idempotent upsert of the same records). */
export async function exchangeRuns(dir: string, persistTo: string, workspace: string, url: string, token: string, onProgress: (text: string) => void) {
  const file = join(dir, `export-${workspace}.ndjson`);
  const runs: RunResult[] = [];
  onProgress('export (local SQLite)');
  runs.push(await timeScript('export, local', 'export.ts', ['--workspace', workspace, '--persist-to', persistTo, '--out', file]));
  onProgress('export (--url, through the Worker)');
  runs.push(await timeScript('export, --url', 'export.ts', ['--url', url, '--out', `${file}.url`], { CUSTOMERS_API_TOKEN: token }));
  onProgress('import (local SQLite)');
  runs.push(await timeScript('import, local', 'import.ts', ['--file', file, '--persist-to', persistTo]));
  onProgress('import (--url, through the Worker)');
  runs.push(await timeScript('import, --url', 'import.ts', ['--file', file, '--url', url], { CUSTOMERS_API_TOKEN: token }));
  rmSync(file, { force: true });
  rmSync(`${file}.url`, { force: true });
  return runs;
}

export interface SizeRun {
  customers: number;
  scale: ScaleResult[];
  exchange: RunResult[];
}

/** The comparison of every size with the first: a markdown table and the budgets. */
export function scaleReport(ops: ScaleOperation[], sizes: SizeRun[]) {
  const [first, last] = [sizes[0]!, sizes[sizes.length - 1]!];
  const budgets: { name: string; ok: boolean; detail: string }[] = [];
  const rows = ops.map((op) => {
    const at = (size: SizeRun) => size.scale.find((r) => r.key === op.key)!;
    const ratio = at(last).p50 / at(first).p50;
    if (sizes.length > 1 && op.budget !== 'matches') {
      budgets.push({
        name: `scale ${op.key}`,
        ok: ratio <= 1.5,
        detail: `p50 ${at(last).p50.toFixed(1)} ms at ${last.customers} over ${at(first).p50.toFixed(1)} ms at ${first.customers}: ${ratio.toFixed(2)} (<= 1.5)`,
      });
    }
    const note = op.budget === 'matches' ? 'O(matches): exact total' : op.budget === 'offset' ? 'same offset' : '<= 1.5';
    return [op.label, ...sizes.map((s) => at(s).p50.toFixed(1)), sizes.length > 1 ? ratio.toFixed(2) : 'n/a', note];
  });
  const exchangeRows = first.exchange.map((run, i) => [
    run.label,
    ...sizes.map((s) => `${s.exchange[i]!.seconds.toFixed(1)} s, ${s.exchange[i]!.peakMiB.toFixed(0)} MiB`),
  ]);
  return { rows, exchangeRows, budgets, header: ['request (p50 ms)', ...sizes.map((s) => String(s.customers)), `${last.customers}/${first.customers}`, 'budget'] };
}
