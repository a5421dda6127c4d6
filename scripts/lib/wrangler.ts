/**
 * Runs the project's own wrangler (on the Node that runs this script), so the
 * scripts share state with `wrangler dev`: local mode uses .wrangler/state,
 * --remote the deployed namespace.
 */
import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const WRANGLER = fileURLToPath(new URL('../../node_modules/wrangler/bin/wrangler.js', import.meta.url));

/** Runs wrangler to completion and returns its stdout; throws with its stderr on failure. */
export function wrangler(args: string[]): string {
  const result = spawnSync(process.execPath, [WRANGLER, ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, WRANGLER_SEND_METRICS: 'false', FORCE_COLOR: '0' },
  });
  if (result.status !== 0) {
    throw new Error(`wrangler ${args.slice(0, 3).join(' ')} failed:\n${result.stderr || result.stdout}`);
  }
  return result.stdout;
}

/** Hands the terminal to a long-running wrangler command (wrangler dev) and exits with it. */
export function wranglerInteractive(args: string[]): void {
  const child = spawn(process.execPath, [WRANGLER, ...args], { cwd: ROOT, stdio: 'inherit' });
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => child.kill(signal));
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
}

/**
 * Runs a wrangler command that prints JSON (`--json`) and returns it parsed.
 * Unlike wrangler(), the output may be large (D1 query results): up to 512 MiB
 * is buffered instead of spawnSync's 1 MiB default. On failure the error
 * carries wrangler's own message (with --json it prints {"error":{"text"}}).
 */
export function wranglerJson(args: string[]): unknown {
  const result = spawnSync(process.execPath, [WRANGLER, ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    maxBuffer: 512 * 1024 * 1024,
    env: { ...process.env, WRANGLER_SEND_METRICS: 'false', FORCE_COLOR: '0' },
  });
  if (result.error) throw new Error(`wrangler ${args.slice(0, 3).join(' ')} failed: ${result.error.message}`);
  if (result.status !== 0) {
    let message = (result.stderr || result.stdout).trim();
    try {
      const parsed = JSON.parse(result.stdout) as { error?: { text?: unknown } };
      if (typeof parsed.error?.text === 'string') message = parsed.error.text;
    } catch {
      // not JSON: keep the raw output
    }
    throw new Error(`wrangler ${args.slice(0, 3).join(' ')} failed:\n${message}`);
  }
  return JSON.parse(result.stdout);
}
