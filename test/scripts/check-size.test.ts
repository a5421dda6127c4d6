/**
 * How `npm run size` reads a startup profile (scripts/lib/profile.ts): the
 * samples' time, but a gap in which the sampler took no sample is charged at
 * most three sampling intervals, so one ~20 ms gap cannot decide the budget.
 */
import { describe, expect, it } from 'vitest';
import { profileMs } from '../../scripts/lib/profile.ts';

/** A profile of samples (function name, microseconds since the one before). */
function profile(samples: [string, number][]) {
  const names = [...new Set(samples.map(([name]) => name))];
  return {
    nodes: names.map((functionName, id) => ({ id, callFrame: { functionName } })),
    samples: samples.map(([name]) => names.indexOf(name)),
    timeDeltas: samples.map(([, micros]) => micros),
  };
}

describe('profileMs', () => {
  it('counts every busy sample and no idle one', () => {
    const busy = Array.from({ length: 30 }, (): [string, number] => ['declare', 1000]);
    expect(profileMs(profile([['(idle)', 1000], ...busy, ['(idle)', 1000]]))).toBe(30);
  });

  it("charges a gap the sampler left at most three intervals: a hello-world Worker's 20 ms gap is 3 ms", () => {
    const samples: [string, number][] = [['(idle)', 1000], ['(idle)', 1000], ['(program)', 20_000], ['(idle)', 1000]];
    expect(profileMs(profile(samples))).toBe(3);
  });

  it('still fails a Worker that is busy: 31 samples of 1 ms is over a 30 ms budget, gap or not', () => {
    const samples: [string, number][] = [['(program)', 19_000], ...Array.from({ length: 31 }, (): [string, number] => ['build', 1000])];
    expect(profileMs(profile(samples))).toBe(34);
  });
});
