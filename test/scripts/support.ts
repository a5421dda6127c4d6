/** What the Node-side tests of the scripts share: where the project is, the local wrangler, a free port, running node. */
import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { expect } from 'vitest';
import { generateToken, newTokenRecord, tokenKey } from '../../src/lib/tokens.ts';

export const ROOT = join(import.meta.dirname, '..', '..');
export const WRANGLER = join(ROOT, 'node_modules', 'wrangler', 'bin', 'wrangler.js');

/**
 * A copy of what `wrangler dev` serves (the Worker, its migrations, the static assets and the [build] step that
 * fills public/vendor/), with node_modules linked: a server on a copy keeps running while src/ is edited.
 */
export function copyApp(app: string): void {
  for (const entry of ['wrangler.toml', 'wrangler.jobs.toml', 'package.json', 'tsconfig.json', 'src', 'migrations', 'public', 'scripts/assets.ts']) {
    cpSync(join(ROOT, entry), join(app, entry), { recursive: true });
  }
  symlinkSync(join(ROOT, 'node_modules'), join(app, 'node_modules'), 'dir');
}

/**
 * `wrangler dev` arguments that run both Workers of the copy at `app` in one process, as `npm run dev`
 * does: the API Worker (served) and the jobs Worker (webhook delivery, typed tax-id checks) behind it.
 * wrangler gives `--var` flags to the first config only, so `vars` (pass them as --var too) go into
 * a copy of the jobs Worker's config named after `name`; a secret among them leaves its [secrets].
 */
export function bothWorkers(app: string, name: string, vars: Record<string, string>): string[] {
  let text = readFileSync(join(app, 'wrangler.jobs.toml'), 'utf8').replace(/^\[secrets\]\nrequired = .*\n/m, '');
  const added: string[] = [];
  for (const [key, value] of Object.entries(vars)) {
    const line = new RegExp(`^${key} = .*$`, 'm');
    if (line.test(text)) text = text.replace(line, `${key} = ${JSON.stringify(value)}`);
    else added.push(`${key} = ${JSON.stringify(value)}\n`);
  }
  const file = `wrangler.jobs.${name}.toml`;
  writeFileSync(join(app, file), text.replace('\n[vars]\n', `\n[vars]\n${added.join('')}`));
  return ['-c', 'wrangler.toml', '-c', file];
}

/** A TCP port nothing listens on now, on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

export interface Result {
  status: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs node with args, feeding `input` on stdin, and resolves when it exits.
 * Asynchronous on purpose: a test blocked in spawnSync for seconds cannot see
 * a server close its idle keep-alive connections (its next fetch fails), nor
 * answer as a webhook receiver. Killed (with anything it started) after 90 s.
 */
export function runNode(args: string[], input = '', cwd = ROOT): Promise<Result> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd, stdio: 'pipe', detached: true });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.stdin.on('error', () => {}); // a script may exit (bad arguments) before reading its input
    child.stdin.end(input);
    const timer = setTimeout(() => {
      stderr += '\n[killed after 90 s]';
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // already gone
      }
    }, 90_000);
    child.on('error', reject);
    child.on('close', (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    });
  });
}

/** Resolves once a started `wrangler dev` prints "Ready on" (with what it printed so far, kept up to date in `log`); rejects if it exits first or after 60 s. */
export function untilReady(child: ChildProcess, log: { output: string } = { output: '' }): Promise<string> {
  return new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`wrangler dev not ready after 60 s:\n${log.output}`)), 60_000);
    const onData = (chunk: Buffer) => {
      log.output += chunk.toString();
      if (log.output.includes('Ready on')) {
        clearTimeout(timer);
        resolve(log.output);
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`wrangler dev exited with ${code}:\n${log.output}`));
    });
  });
}

export interface Issued {
  token: string;
  workspace_id: string;
}

/**
 * Mints a token per entry of `records` (the options of newTokenRecord) straight into the local KV of `state`,
 * in one `wrangler kv bulk put` run from `app`: each `npm run token` would start wrangler again (seconds each).
 */
export async function putTokens<N extends string>(app: string, state: string, records: Record<N, Parameters<typeof newTokenRecord>[0]>): Promise<Record<N, Issued>> {
  const issued = {} as Record<N, Issued>;
  const entries = [];
  for (const [name, options] of Object.entries(records) as [N, Parameters<typeof newTokenRecord>[0]][]) {
    const token = generateToken('dev');
    const record = newTokenRecord(options);
    issued[name] = { token, workspace_id: record.workspace_id };
    entries.push({ key: await tokenKey(token), value: JSON.stringify(record), metadata: record });
  }
  const file = join(state, 'tokens.json');
  writeFileSync(file, JSON.stringify(entries));
  const put = await runNode([WRANGLER, 'kv', 'bulk', 'put', file, '--binding', 'TOKENS', '--local', '--persist-to', state], '', app);
  expect(put.status, put.stderr).toBe(0);
  rmSync(file);
  return issued;
}
