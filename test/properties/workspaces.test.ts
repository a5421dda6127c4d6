/**
 * Two workspaces, random interleaved operations over every resource and all
 * three APIs, against a model of each workspace's records (./model.ts).
 * Neither workspace ever sees, changes or learns of the other's records:
 * another workspace's record answers exactly like a random missing id (same
 * status, code, message, issue paths), referencing it is the same 400 as
 * referencing a missing id, lists and counts hold only the caller's records,
 * and the other workspace's rows never change. At the end each workspace's
 * visible state (all three APIs) is exactly its model.
 */
import fc from 'fast-check';
import { describe, it } from 'vitest';
import { workspace } from '../helpers';
import { newModels, op, Runner, SEED } from './model';
import { quietRequestLog } from './send';

quietRequestLog();

describe('two workspaces, random interleaved operations', () => {
  it('never see, change or learn of each other’s records, and each sees exactly its model', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 4, maxLength: 30 }), async (ops) => {
        const ws = await Promise.all([workspace(), workspace()]);
        const run = new Runner(newModels(ws));
        for (const [i, o] of SEED.entries()) await run.step(o, `seed ${i} ${JSON.stringify(o)}`);
        for (const [i, o] of ops.entries()) await run.step(o, `step ${i} ${JSON.stringify(o)}`);
        await run.verify(0, 'final');
        await run.verify(1, 'final');
      }),
      { numRuns: 25 },
    );
  }, 180_000);
});
