/**
 * `npm run dev` end to end: migrations applied, a dev token printed with a
 * curl example, the API served, and data and token kept across restarts.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');
const state = mkdtempSync(join(tmpdir(), 'customers-worker-dev-'));
const running: ChildProcess[] = [];

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

/** Starts `npm run dev`'s script and resolves with what it printed once the server is ready. */
async function startDev(port: number): Promise<{ output: string; stop: () => Promise<void> }> {
  const child = spawn(process.execPath, [join(ROOT, 'scripts', 'dev.ts'), '--port', String(port), '--persist-to', state], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.push(child);
  const output = await new Promise<string>((resolve, reject) => {
    let text = '';
    const onData = (chunk: Buffer) => {
      text += chunk.toString();
      if (text.includes('Ready on')) resolve(text);
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.on('exit', (code) => reject(new Error(`dev exited with ${code}:\n${text}`)));
  });
  const stop = () =>
    new Promise<void>((resolve) => {
      child.removeAllListeners('exit');
      child.on('exit', () => resolve());
      child.kill('SIGINT');
    });
  return { output, stop };
}

afterAll(() => {
  for (const child of running) child.kill();
  rmSync(state, { recursive: true, force: true });
});

describe('npm run dev', () => {
  it('prints a working dev token and keeps data and token across restarts', async () => {
    const port = await freePort();
    const first = await startDev(port);
    const token = /Bearer (qwt_dev_[0-9A-Za-z]{64})/.exec(first.output)?.[1];
    expect(token).toBeDefined();
    expect(first.output).toContain(`curl -X POST http://127.0.0.1:${port}/api/customers`);

    const created = await fetch(`http://127.0.0.1:${port}/api/customers`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ name: 'Persisted', type: 'company' }),
    });
    expect(created.status).toBe(201);
    const { data } = (await created.json()) as { data: { id: string } };
    await first.stop();

    const second = await startDev(port);
    expect(second.output).toContain(token);
    const read = await fetch(`http://127.0.0.1:${port}/api/customers/${data.id}`, { headers: { Authorization: `Bearer ${token}` } });
    expect(read.status).toBe(200);
    expect(((await read.json()) as { data: { name: string } }).data.name).toBe('Persisted');
    await second.stop();
  });
});
