/**
 * `npm run dev` end to end: migrations applied, a dev token printed with a
 * curl example, the API served, and data and token kept across restarts.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort, ROOT } from './support.ts';

const state = mkdtempSync(join(tmpdir(), 'customers-worker-dev-'));
const running: ChildProcess[] = [];

/** Starts `npm run dev`'s script and resolves with what it printed once the server is ready. */
async function startDev(port: number): Promise<{ output: string; log: () => string; stop: () => Promise<void> }> {
  const child = spawn(process.execPath, [join(ROOT, 'scripts', 'dev.ts'), '--port', String(port), '--persist-to', state], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.push(child);
  let text = '';
  const output = await new Promise<string>((resolve, reject) => {
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
  return { output, log: () => text, stop };
}

/** Sends the start of a POST that announces more body than it sends, then drops the connection. */
function abortUpload(port: number, token: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => {
      socket.write(
        'POST /api/customers HTTP/1.1\r\nHost: 127.0.0.1\r\n' +
          `Authorization: Bearer ${token}\r\nContent-Type: application/json\r\nContent-Length: 5000\r\n\r\n` +
          '{"name":"Cut off","type":"comp',
      );
      setTimeout(() => {
        socket.destroy();
        resolve();
      }, 300);
    });
    socket.on('error', reject);
  });
}

async function waitFor(condition: () => boolean, what: string, ms = 15_000) {
  for (const until = Date.now() + ms; Date.now() < until; ) {
    if (condition()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
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

    // The webhook secrets key is in .dev.vars, and local targets are allowed: an endpoint on this machine is taken.
    const secretsKey = () => /^WEBHOOK_SECRETS_KEY=(.+)$/m.exec(readFileSync(join(ROOT, '.dev.vars'), 'utf8'))?.[1];
    const key = secretsKey();
    expect(Buffer.from(key ?? '', 'base64')).toHaveLength(32);
    const endpoint = await fetch(`http://127.0.0.1:${port}/api/webhook_endpoints`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ url: `http://127.0.0.1:${port}/hook` }),
    });
    expect(endpoint.status, await endpoint.clone().text()).toBe(201);
    expect(((await endpoint.json()) as { data: { secret: string } }).data.secret).toMatch(/^whsec_/);
    // The jobs Worker runs beside it: a typed tax id is checked and normalised through its binding.
    const typed = await fetch(`http://127.0.0.1:${port}/api/customers`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ name: 'Typed', type: 'company', tax_ids: [{ tax: 'EIN', tax_value: '12-3456789', type: 'us_ein' }] }),
    });
    expect(typed.status, await typed.clone().text()).toBe(201);
    expect(((await typed.json()) as { data: { tax_ids: unknown } }).data.tax_ids).toEqual([{ tax: 'EIN', tax_value: '123456789', type: 'us_ein' }]);
    await first.stop();

    const second = await startDev(port);
    expect(second.output).toContain(token);
    expect(secretsKey()).toBe(key);
    const read = await fetch(`http://127.0.0.1:${port}/api/customers/${data.id}`, { headers: { Authorization: `Bearer ${token}` } });
    expect(read.status).toBe(200);
    expect(((await read.json()) as { data: { name: string } }).data.name).toBe('Persisted');

    // A client that drops the connection mid-upload: a client error in the Worker's log, not a server failure.
    await abortUpload(port, token!);
    // With two Workers wrangler prefixes each log line with its Worker (`[name] {...}`).
    const logLines = () =>
      second
        .log()
        .split('\n')
        .filter((line) => line.includes('{"level"'))
        .map((line) => JSON.parse(line.slice(line.indexOf('{"level"'))));
    await waitFor(() => logLines().some((l) => l.method === 'POST'), 'the aborted request to be logged');
    expect(logLines().filter((l) => l.method === 'POST')).toEqual([
      expect.objectContaining({ level: 'info', route: '/api/customers', status: 400 }),
    ]);
    expect(second.log()).not.toContain('"level":"error"');
    const list = await fetch(`http://127.0.0.1:${port}/api/customers`, { headers: { Authorization: `Bearer ${token}` } });
    expect(((await list.json()) as { data: { name: string }[] }).data.map((c) => c.name)).toEqual(['Persisted', 'Typed']);
    await second.stop();
  });
});
