/**
 * Imports run one way: routes, then domain and queries, then the store (D1),
 * then lib. A module may import from its own layer or a lower one, never a
 * higher one. Layers are told by path (README, "Architecture").
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = resolve(import.meta.dirname, '../../src');
const LAYERS = ['lib', 'store', 'domain', 'routes'] as const;
type Layer = (typeof LAYERS)[number];

/** The layer of a source file, from its path under src/. */
export function layerOf(path: string): Layer {
  if (path.startsWith('lib/')) return 'lib';
  if (path.startsWith('store/')) return 'store';
  // The OpenAPI document (src/contract/) describes the routes, so it sits with them; nothing in the Worker imports it.
  if (path.startsWith('http/') || path.startsWith('canonical/') || path.startsWith('contract/') || path === 'index.ts' || /(^|\/)(routes|api)\.ts$/.test(path)) return 'routes';
  return 'domain';
}

const files = (readdirSync(SRC, { recursive: true, encoding: 'utf8' }) as string[]).filter((f) => f.endsWith('.ts')).sort();

/** The src files a file imports (values and types alike, or values only). */
function importsOf(file: string, valuesOnly = false): string[] {
  const text = readFileSync(join(SRC, file), 'utf8');
  const specifiers = [...text.matchAll(/^\s*(?:import|export)\b([^'"]*?)from\s+'([^']+)'/gm)].filter((m) => !valuesOnly || !/^\s*type\b/.test(m[1]!)).map((m) => m[2]!);
  return specifiers
    .filter((s) => s.startsWith('.'))
    .map((s) => relative(SRC, resolve(SRC, dirname(file), s)).replace(/\.ts$/, '') + '.ts');
}

/** The imports that go to a higher layer, in a graph file -> files it imports. */
function upward(graph: Record<string, string[]>): string[] {
  const out: string[] = [];
  for (const [file, targets] of Object.entries(graph)) {
    for (const target of targets) {
      if (LAYERS.indexOf(layerOf(target)) > LAYERS.indexOf(layerOf(file))) out.push(`${file} (${layerOf(file)}) imports ${target} (${layerOf(target)})`);
    }
  }
  return out;
}

describe('imports', () => {
  it('every src file has a layer, and the layers are the four of the README', () => {
    expect(files.length).toBeGreaterThan(40);
    const counts = Object.fromEntries(LAYERS.map((layer) => [layer, files.filter((f) => layerOf(f) === layer).length]));
    for (const layer of LAYERS) expect(counts[layer], layer).toBeGreaterThan(0);
  });

  it('run one way: routes -> domain -> store -> lib', () => {
    const graph = Object.fromEntries(files.map((file) => [file, importsOf(file)]));
    expect(Object.values(graph).flat().length).toBeGreaterThan(100);
    expect(upward(graph)).toEqual([]);
  });

  it('the Worker does not import the OpenAPI document (it is built at build time, and would weigh on the bundle)', () => {
    const graph = Object.fromEntries(files.map((file) => [file, importsOf(file)]));
    const reached = new Set<string>();
    const walk = (file: string) => {
      if (reached.has(file)) return;
      reached.add(file);
      for (const target of graph[file] ?? []) walk(target);
    };
    walk('index.ts');
    expect(reached.size).toBeGreaterThan(40);
    expect([...reached].filter((file) => file.startsWith('contract/'))).toEqual([]);
  });

  it("the API Worker's code never reaches the jobs Worker's: the validators, VIES and webhook delivery stay out of its bundle", () => {
    const graph = Object.fromEntries(files.map((file) => [file, importsOf(file, true)]));
    const reach = (entry: string) => {
      const reached = new Set<string>();
      const walk = (file: string) => {
        if (reached.has(file)) return;
        reached.add(file);
        for (const target of graph[file] ?? []) walk(target);
      };
      walk(entry);
      return reached;
    };
    const jobsOnly = ['tax-ids/validate.ts', 'tax-ids/vies.ts', 'tax-ids/worker.ts', 'webhooks/deliver.ts', 'jobs.ts'];
    expect([...reach('index.ts')].filter((file) => jobsOnly.includes(file))).toEqual([]);
    // ...which the jobs Worker does reach, so the check names real files.
    expect(jobsOnly.filter((file) => !reach('jobs.ts').has(file))).toEqual([]);
  });

  it('the check bites: an import to a higher layer is reported, naming both files', () => {
    expect(
      upward({
        'store/plan.ts': ['http/errors.ts', 'lib/ids.ts'],
        'lib/text.ts': ['store/schema.ts'],
        'compat/upwell/where.ts': ['compat/upwell/api.ts', 'customers/fields.ts'],
        'customers/routes.ts': ['customers/queries.ts'],
      }),
    ).toEqual([
      'store/plan.ts (store) imports http/errors.ts (routes)',
      'lib/text.ts (lib) imports store/schema.ts (store)',
      'compat/upwell/where.ts (domain) imports compat/upwell/api.ts (routes)',
    ]);
  });
});
