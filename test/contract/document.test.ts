/**
 * The OpenAPI document (public/openapi.json): fresh, covering every route
 * registered, lint-clean by Redocly's CLI, and saying what the runtime
 * enforces where the Valibot pipes needed explicit overrides.
 */
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { canonicalApi } from '../../src/canonical/api';
import { ambiosysApi } from '../../src/compat/ambiosys/api';
import { upwellApi } from '../../src/compat/upwell/api';
import { buildDocument, openApiPath } from '../../src/contract/document';
import { OPERATIONS } from '../../src/contract/operations';
import { ROOT, runNode } from '../scripts/support';

const FILE = join(ROOT, 'public', 'openapi.json');
const committed = () => JSON.parse(readFileSync(FILE, 'utf8'));
const GENERATE = ['--experimental-transform-types', '--no-warnings', '--import', './scripts/lib/hooks.ts', 'scripts/openapi.ts'];
const REDOCLY = join(ROOT, 'node_modules', '@redocly', 'cli', 'bin', 'cli.js');

type Doc = { paths: Record<string, Record<string, { operationId: string; tags: string[] }>> };

/** A copy of public/ and client/ in a temporary directory, for the generator's --dir. */
function copyTree(): string {
  const dir = mkdtempSync(join(tmpdir(), 'openapi-'));
  cpSync(join(ROOT, 'public', 'openapi.json'), join(dir, 'public', 'openapi.json'), { recursive: true });
  cpSync(join(ROOT, 'client', 'schema.d.ts'), join(dir, 'client', 'schema.d.ts'), { recursive: true });
  return dir;
}

async function lint(path: string) {
  const { status, stdout, stderr } = await runNode([REDOCLY, 'lint', path, '--format=json']);
  const report = JSON.parse(stdout.slice(stdout.indexOf('{'))) as { totals: { errors: number; warnings: number }; problems: { ruleId: string; message: string }[] };
  return { status, report, stderr };
}

describe('the committed document', () => {
  it('is what `npm run openapi` generates now (document and client types)', async () => {
    const { status, stderr } = await runNode([...GENERATE, '--check']);
    expect(stderr).toBe('');
    expect(status).toBe(0);
    expect(committed()).toEqual(JSON.parse(JSON.stringify(buildDocument(committed().info.version))));
  });

  it('the freshness check bites: a changed document or client is reported, naming the file', async () => {
    const dir = copyTree();
    const doc = committed();
    doc.components.schemas.Customer.properties.name.maxLength = 999;
    writeFileSync(join(dir, 'public', 'openapi.json'), `${JSON.stringify(doc, null, 2)}\n`);
    writeFileSync(join(dir, 'client', 'schema.d.ts'), '// stale\n');
    const { status, stderr } = await runNode([...GENERATE, '--check', '--dir', dir]);
    expect(status).toBe(1);
    expect(stderr).toContain(join(dir, 'public', 'openapi.json'));
    expect(stderr).toContain(join(dir, 'client', 'schema.d.ts'));
    // Without --check it writes them back.
    expect((await runNode([...GENERATE, '--dir', dir])).status).toBe(0);
    expect(readFileSync(join(dir, 'public', 'openapi.json'), 'utf8')).toBe(readFileSync(FILE, 'utf8'));
  });

  it('documents every registered route of the three APIs, and no other, each under its API tag', () => {
    const registered = [canonicalApi, ambiosysApi, upwellApi].flatMap((api) => api.routes.map((r) => `${api.name} ${r.method} ${r.path}`)).sort();
    expect(OPERATIONS.map((op) => `${op.api} ${op.method} ${op.path}`).sort()).toEqual(registered);
    const doc = committed() as Doc;
    const documented = Object.entries(doc.paths).flatMap(([path, methods]) => Object.entries(methods).map(([method, op]) => `${op.tags.join()} ${method.toUpperCase()} ${path}`));
    const TAG = { canonical: 'Canonical', ambiosys: 'AmbioSys', upwell: 'Upwell' } as const;
    expect(documented.sort()).toEqual(OPERATIONS.map((op) => `${TAG[op.api]} ${op.method} ${openApiPath(op.path)}`).sort());
    const ids = documented.length;
    expect(new Set(OPERATIONS.map((op) => op.operationId)).size).toBe(ids);
    expect(ids).toBe(46);
  });
});

describe('Redocly CLI lint', () => {
  it('reports no errors on the document', async () => {
    const { report } = await lint(FILE);
    expect(report.problems.filter((p) => report.totals.errors > 0 && p)).toEqual([]);
    expect(report.totals.errors).toBe(0);
  });

  it('bites: a repeated operationId and a dangling $ref are errors', async () => {
    const dir = copyTree();
    const doc = committed();
    doc.paths['/api/customers'].get.operationId = 'createCustomer';
    doc.paths['/api/customers'].get.responses['200'].content['application/json'].schema = { $ref: '#/components/schemas/Nope' };
    const path = join(dir, 'broken.json');
    writeFileSync(path, JSON.stringify(doc));
    const { report } = await lint(path);
    expect(report.totals.errors).toBeGreaterThanOrEqual(2);
    expect(report.problems.map((p) => p.ruleId)).toEqual(expect.arrayContaining(['operation-operationId-unique', 'no-unresolved-refs']));
  });
});
