/**
 * The API contract as static assets ([assets] in wrangler.toml), in Node: a
 * real `wrangler dev` serving public/ beside the Worker, and the reference
 * page at /docs rendered by a real headless Chromium, offline.
 *
 * Chromium is Debian's package (/usr/bin/chromium; .ci/run installs it). Without
 * it the browser test is skipped locally, with how to install it, and fails in
 * CI, where a skipped check would pass unseen.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, ROOT, untilReady, WRANGLER } from './support.ts';

const CHROMIUM = '/usr/bin/chromium';
const HAS_CHROMIUM = existsSync(CHROMIUM);
if (!HAS_CHROMIUM && !process.env.CI) {
  console.warn(`docs.test.ts: ${CHROMIUM} not found, so the /docs browser test is skipped. Install it with: sudo apt-get install chromium`);
}

const PUBLIC = join(ROOT, 'public');
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

interface Contract {
  info: { title: string };
  paths: Record<string, Record<string, { operationId?: string }>>;
}

const state = mkdtempSync(join(tmpdir(), 'customers-worker-docs-'));
let server: ChildProcess | undefined;
let browser: Browser | undefined;
let base: string;

beforeAll(async () => {
  const [port, inspector] = [await freePort(), await freePort()];
  base = `http://127.0.0.1:${port}`;
  // An inspector port of its own: left to itself, wrangler takes 9229, which another test's server may hold.
  const args = ['dev', '--ip', '127.0.0.1', '--port', String(port), '--inspector-port', String(inspector), '--persist-to', state];
  server = spawn(process.execPath, [WRANGLER, ...args], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, WRANGLER_SEND_METRICS: 'false', FORCE_COLOR: '0' },
  });
  await untilReady(server);
});

afterAll(async () => {
  await browser?.close();
  server?.kill();
  rmSync(state, { recursive: true, force: true });
});

/** The inline scripts of the page, as the CSP hashes them. */
function inlineScriptHashes(html: string): string[] {
  return [...html.matchAll(/<script>([\s\S]*?)<\/script>/g)].map((m) => `'sha256-${createHash('sha256').update(m[1]!).digest('base64')}'`);
}

describe('routing: assets beside the Worker', () => {
  it('serves public/openapi.json byte for byte, readable from any origin, without running the Worker', async () => {
    const response = await fetch(`${base}/openapi.json`);
    expect(response.status).toBe(200);
    expect(Buffer.from(await response.arrayBuffer()).equals(readFileSync(join(PUBLIC, 'openapi.json')))).toBe(true);
    expect(response.headers.get('Content-Type')).toMatch(/^application\/json\b/);
    expect(response.headers.get('Access-Control-Allow-Origin')).toBe('*');
    expect(response.headers.get('X-Content-Type-Options')).toBe('nosniff');
    expect(response.headers.get('Cache-Control')).toBe('public, max-age=300');
    expect(response.headers.get('Content-Security-Policy')).toBe("default-src 'none'; frame-ancestors 'none'");
    expect(response.headers.get('X-Request-Id')).toBeNull();
  });

  it('serves the reference page at /docs itself, its CSP allowing its own origin and its inline script only', async () => {
    const response = await fetch(`${base}/docs`, { redirect: 'manual' });
    expect(response.status).toBe(200);
    const html = readFileSync(join(PUBLIC, 'docs.html'), 'utf8');
    expect(await response.text()).toBe(html);
    expect(response.headers.get('Content-Type')).toMatch(/^text\/html\b/);
    expect(response.headers.get('X-Content-Type-Options')).toBe('nosniff');
    expect(response.headers.get('Cache-Control')).toBe('public, max-age=300');
    expect(response.headers.get('Referrer-Policy')).toBe('no-referrer');
    expect(response.headers.get('X-Request-Id')).toBeNull();

    const csp = response.headers.get('Content-Security-Policy') ?? '';
    const directives = new Map(csp.split(';').map((d) => d.trim().split(/\s+/)).map(([name, ...sources]) => [name!, sources]));
    expect(directives.get('default-src')).toEqual(["'none'"]);
    // No other origin anywhere in the policy: hosts, schemes but blob: and data:, wildcards.
    for (const [name, sources] of directives) {
      for (const source of sources) expect(source, `${name} ${source}`).toMatch(/^('[^']+'|blob:|data:)$/);
    }
    const hashes = inlineScriptHashes(html);
    expect(hashes.length).toBeGreaterThan(0);
    expect(directives.get('script-src'), 'public/_headers must allow exactly the inline scripts of public/docs.html (their sha256)').toEqual([
      "'self'",
      ...hashes,
    ]);
  });

  it('redirects /docs.html and /docs/ to /docs', async () => {
    for (const path of ['/docs.html', '/docs/']) {
      const response = await fetch(`${base}${path}`, { redirect: 'manual' });
      expect(response.status, path).toBe(307);
      expect(response.headers.get('Location'), path).toBe('/docs');
    }
  });

  it('sends /api/* to the Worker (401 without a token)', async () => {
    const response = await fetch(`${base}/api/customers`);
    expect(response.status).toBe(401);
    expect(response.headers.get('Content-Type')).toMatch(/^application\/json\b/);
    expect(response.headers.get('X-Request-Id')).toMatch(UUID);
    expect(response.headers.get('Content-Security-Policy')).toBeNull();
    expect(((await response.json()) as { code: string }).code).toBe('unauthorized');
  });

  it('sends a path with no asset to the Worker (its JSON 404); the _headers rules are not an asset', async () => {
    for (const path of ['/no-such-page', '/_headers']) {
      const response = await fetch(`${base}${path}`);
      expect(response.status, path).toBe(404);
      expect(response.headers.get('Content-Type'), path).toMatch(/^application\/json\b/);
      expect(response.headers.get('X-Request-Id'), path).toMatch(UUID);
      expect(((await response.json()) as { code: string }).code, path).toBe('not_found');
    }
  });
});

describe('the reference page in a browser', () => {
  it.skipIf(!HAS_CHROMIUM && !process.env.CI)('renders every operation of public/openapi.json, asking nothing of any other origin', async () => {
    if (!HAS_CHROMIUM) throw new Error(`${CHROMIUM} is missing: CI must install it (apt-get install chromium; .ci/run does)`);
    const contract = JSON.parse(readFileSync(join(PUBLIC, 'openapi.json'), 'utf8')) as Contract;
    const operations: string[] = [];
    for (const [path, item] of Object.entries(contract.paths)) {
      for (const method of METHODS.filter((m) => m in item)) {
        const { operationId } = item[method]!;
        expect(operationId, `${method.toUpperCase()} ${path} has an operationId`).toBeTruthy();
        operations.push(operationId!);
      }
    }
    expect(operations.length).toBeGreaterThan(0);

    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    const context = await browser.newContext();
    const origin = new URL(base).origin;
    // blob: URLs carry their creator's origin (Redoc's search worker); data: URLs are no request at all.
    const local = (url: string) => url.startsWith('data:') || new URL(url).origin === origin;
    const requested: string[] = [];
    const blocked: string[] = [];
    const errors: string[] = [];
    context.on('request', (request) => requested.push(request.url()));
    await context.route('**/*', (route) => {
      if (local(route.request().url())) return route.continue();
      blocked.push(route.request().url());
      return route.abort('blockedbyclient');
    });
    const page = await context.newPage();
    page.on('console', (message) => {
      if (message.type() === 'error') errors.push(message.text());
    });
    page.on('pageerror', (error) => errors.push(error.message));
    page.on('worker', (worker) =>
      worker.on('console', (message) => {
        if (message.type() === 'error') errors.push(`worker: ${message.text()}`);
      }),
    );

    await page.goto(`${base}/docs`);
    // Redoc renders the whole document at once after loading it: wait for the first operation, then for the count.
    const rendered = page.locator('[data-section-id^="operation/"]');
    await rendered
      .first()
      .waitFor({ state: 'attached', timeout: 30_000 })
      .catch((error: Error) => {
        throw new Error(`${error.message}\nThe page's errors:\n${errors.join('\n')}`);
      });
    for (let i = 0; i < 50 && (await rendered.count()) < operations.length; i++) await page.waitForTimeout(100);
    const ids = new Set(await rendered.evaluateAll((elements) => elements.map((element) => element.getAttribute('data-section-id'))));
    expect(operations.filter((id) => !ids.has(`operation/${id}`))).toEqual([]);
    expect(await page.locator('h1').first().textContent()).toContain(contract.info.title);
    // Let anything started late (the search worker, images) have its go before the checks.
    await page.waitForLoadState('networkidle');

    expect(requested.filter((url) => !local(url))).toEqual([]);
    expect(blocked).toEqual([]);
    expect(errors).toEqual([]);
    expect(requested).toEqual(expect.arrayContaining([`${origin}/docs`, `${origin}/vendor/redoc.standalone.js`, `${origin}/openapi.json`]));
    await context.close();
  });
});
