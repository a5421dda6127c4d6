/**
 * The token CLI end to end, in Node: real `npm run token` commands against a
 * real `wrangler dev` sharing one throw-away local state directory.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, ROOT, WRANGLER } from './support.ts';

const state = mkdtempSync(join(tmpdir(), 'customers-worker-cli-'));
let server: ChildProcess;
let base: string;

function cli(...args: string[]) {
  const result = spawnSync(process.execPath, [join(ROOT, 'scripts', 'token.ts'), ...args, '--persist-to', state], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

const createCustomer = (token: string) =>
  fetch(`${base}/api/customers`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ name: 'Acme Corporation', type: 'company' }),
  });

beforeAll(async () => {
  const migrate = spawnSync(process.execPath, [WRANGLER, 'd1', 'migrations', 'apply', 'DB', '--local', '--persist-to', state], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  expect(migrate.status, migrate.stderr).toBe(0);
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  server = spawn(process.execPath, [WRANGLER, 'dev', '--ip', '127.0.0.1', '--port', String(port), '--persist-to', state], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  await new Promise<void>((resolve, reject) => {
    let output = '';
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('Ready on')) resolve();
    };
    server.stdout!.on('data', onData);
    server.stderr!.on('data', onData);
    server.on('exit', (code) => reject(new Error(`wrangler dev exited with ${code}:\n${output}`)));
  });
});

afterAll(() => {
  server?.kill();
  rmSync(state, { recursive: true, force: true });
});

describe('npm run token', () => {
  it('create -> request works -> list -> revoke -> 401', async () => {
    const created = cli('create', '--name', 'ci', '--json');
    expect(created.status, created.stderr).toBe(0);
    const issued = JSON.parse(created.stdout);
    expect(issued).toEqual({
      token: expect.stringMatching(/^qwt_dev_[0-9A-Za-z]{64}$/),
      token_id: expect.stringMatching(/^tok_/),
      workspace_id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      scopes: ['read', 'write'],
      expires_at: null,
    });

    const ok = await createCustomer(issued.token);
    expect(ok.status).toBe(201);
    expect(((await ok.json()) as { data: { workspace_id: string } }).data.workspace_id).toBe(issued.workspace_id);

    const listed = cli('list', '--workspace', issued.workspace_id, '--json');
    expect(listed.status, listed.stderr).toBe(0);
    expect(JSON.parse(listed.stdout)).toEqual([
      {
        token_id: issued.token_id,
        workspace_id: issued.workspace_id,
        name: 'ci',
        scopes: ['read', 'write'],
        created_at: expect.any(String),
        expires_at: null,
      },
    ]);
    expect(listed.stdout).not.toContain(issued.token);

    const revoked = cli('revoke', issued.token_id);
    expect(revoked.status, revoked.stderr).toBe(0);
    const denied = await createCustomer(issued.token);
    expect(denied.status).toBe(401);
    expect(denied.headers.get('WWW-Authenticate')).toBe('Bearer');
    expect(JSON.parse(cli('list', '--workspace', issued.workspace_id, '--json').stdout)).toEqual([]);
  });

  it('creates read-only, expiring tokens in a given workspace', async () => {
    const workspace = crypto.randomUUID();
    const created = cli('create', '--workspace', workspace, '--scopes', 'read', '--expires-in', '30d', '--json');
    expect(created.status, created.stderr).toBe(0);
    const issued = JSON.parse(created.stdout);
    expect(issued.workspace_id).toBe(workspace);
    expect(issued.scopes).toEqual(['read']);
    const days = (Date.parse(issued.expires_at) - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(29.9);
    expect(days).toBeLessThanOrEqual(30);

    const write = await createCustomer(issued.token);
    expect(write.status).toBe(403);
    const read = await fetch(`${base}/api/customers`, { headers: { Authorization: issued.token } });
    expect(read.status).toBe(200);
  });

  it('prints the token once in human form', () => {
    const created = cli('create');
    expect(created.status, created.stderr).toBe(0);
    expect(created.stdout).toMatch(/^  qwt_dev_[0-9A-Za-z]{64}$/m);
    expect(created.stdout).toMatch(/^token_id: +tok_/m);
  });

  it('rejects bad arguments with usage and exit code 2', () => {
    for (const args of [
      ['create', '--scopes', 'admin'],
      ['create', '--expires-in', '30'],
      ['create', '--workspace', 'no spaces'],
      ['list'],
      ['revoke'],
      ['rotate'],
    ]) {
      const result = cli(...args);
      expect(result.status, args.join(' ')).toBe(2);
      expect(result.stderr).toContain('usage:');
    }
    expect(cli('revoke', 'tok_unknown').status).toBe(1);
  });
});
