/**
 * Bundle budgets: `node scripts/check-size.ts` builds each Worker exactly as it
 * would be deployed, minified (`wrangler deploy --dry-run --minify --outdir
 * <tmp>`), gzips every output module (source maps and the README wrangler
 * writes are not uploaded and do not count) and fails above 56 KiB; then
 * profiles its startup with `wrangler check startup` and fails above 30 ms.
 * The API Worker (wrangler.toml) and the jobs Worker (wrangler.jobs.toml) are
 * each held to both budgets. Part of `npm test`; bench/run.ts reports the API
 * Worker's figures.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { MAX_SAMPLE_INTERVALS, profileMs, type Profile } from './lib/profile.ts';
import { wrangler } from './lib/wrangler.ts';

export const BUDGET_BYTES = 56 * 1024;
/** Startup CPU time (`wrangler check startup`'s profile). */
export const STARTUP_BUDGET_MS = 30;
/**
 * How a startup profile is read. wrangler prints "Active": the time of the
 * profile's non-idle samples, each charged the gap since the sample before.
 * The profile holds a dozen samples about 1 ms apart, and most runs have one
 * gap of about 20 ms in which no sample was taken at all (the sampler was not
 * scheduled): a hello-world Worker (one sample of real work) reads 11-22 ms
 * Active in five runs out of six, 0 ms in the sixth. Charging that gap would
 * make the budget a lottery, so each sample is charged at most
 * MAX_SAMPLE_INTERVALS times the profile's median interval; wrangler's
 * Active is reported beside it. The lowest of STARTUP_RUNS profiles counts.
 */
const STARTUP_RUNS = 3;



export interface BundleSize {
  /** Minified bytes of the uploaded modules. */
  minified: number;
  /** The same, gzipped (level 9). */
  gzip: number;
  files: string[];
}

const UPLOADED = /\.(js|mjs|cjs|wasm)$/;

/**
 * Bundles a Worker exactly as `wrangler deploy` would upload it, minified,
 * into `outdir` (nothing is uploaded); returns the module files written.
 */
export function build(outdir: string, config?: string): string[] {
  wrangler(['deploy', '--dry-run', '--minify', '--outdir', outdir, ...(config ? ['--config', config] : [])]);
  const files = readdirSync(outdir, { recursive: true, encoding: 'utf8' }).filter((f) => UPLOADED.test(f)).sort();
  if (files.length === 0) throw new Error(`wrangler wrote no module into ${outdir}`);
  return files;
}

/** Minified and gzipped sizes of the modules `build()` wrote. */
export function measure(outdir: string, files: string[]): BundleSize {
  let minified = 0;
  let gzip = 0;
  for (const file of files) {
    const bytes = readFileSync(join(outdir, file));
    minified += bytes.length;
    gzip += gzipSync(bytes, { level: 9 }).length;
  }
  return { minified, gzip, files };
}

/** The Workers this project deploys, by their config. */
export const WORKERS = [
  { name: 'API Worker', config: 'wrangler.toml' },
  { name: 'jobs Worker', config: 'wrangler.jobs.toml' },
];

/** Builds a Worker's deployable bundle (the API Worker's by default) into a temporary directory and measures it. */
export function bundleSize(config?: string): BundleSize {
  const outdir = mkdtempSync(join(tmpdir(), 'customers-worker-size-'));
  try {
    return measure(outdir, build(outdir, config));
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

export const kib = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;

/** Startup CPU time of the minified Worker, in ms (the lowest of STARTUP_RUNS profiles, read as above), and wrangler's own Active figures. */
export function startup(config?: string): { ms: number; runs: number; active: number[] } {
  const dir = mkdtempSync(join(tmpdir(), 'customers-worker-startup-'));
  try {
    const times: number[] = [];
    const active: number[] = [];
    for (let i = 0; i < STARTUP_RUNS; i++) {
      const file = join(dir, `startup-${i}.cpuprofile`);
      const out = wrangler(['check', 'startup', ...(config ? ['--config', config] : []), '--args=--minify', '--outfile', file]);
      const printed = /Active:\s*([\d.]+)\s*ms/.exec(out);
      if (!printed) throw new Error(`wrangler check startup printed no "Active" time:\n${out}`);
      active.push(Number(printed[1]));
      times.push(profileMs(JSON.parse(readFileSync(file, 'utf8')) as Profile));
    }
    return { ms: Math.min(...times), runs: times.length, active };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The startup figure alone, for the bench. */
export const startupMs = () => startup().ms;

if (import.meta.main) {
  let failed = false;
  for (const { name, config } of WORKERS) {
    const size = bundleSize(config);
    const line = `${name} bundle: ${kib(size.minified)} minified, ${kib(size.gzip)} gzip (budget ${kib(BUDGET_BYTES)} gzip)`;
    if (size.gzip > BUDGET_BYTES) {
      console.error(`${line}\nFAIL: the minified, gzipped ${name} bundle is ${kib(size.gzip - BUDGET_BYTES)} over its budget.`);
      failed = true;
    } else console.log(`${line}: OK`);
    const { ms, runs, active } = startup(config);
    const startupLine = `${name} startup: ${ms.toFixed(1)} ms (wrangler check startup profiles, lowest of ${runs}, no sample charged over ${MAX_SAMPLE_INTERVALS} intervals; wrangler's Active: ${active.map((a) => a.toFixed(1)).join(', ')} ms; budget ${STARTUP_BUDGET_MS} ms)`;
    if (ms > STARTUP_BUDGET_MS) {
      console.error(`${startupLine}\nFAIL: the ${name}'s startup is over its budget.`);
      failed = true;
    } else console.log(`${startupLine}: OK`);
  }
  if (failed) process.exit(1);
}
