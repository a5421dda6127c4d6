/** Reading a `wrangler check startup` CPU profile (scripts/check-size.ts says why it is read this way). */
export const MAX_SAMPLE_INTERVALS = 3;

export interface Profile {
  nodes: { id: number; callFrame: { functionName: string } }[];
  samples: number[];
  timeDeltas: number[];
}

/** CPU ms of a startup profile: its non-idle samples, none charged more than MAX_SAMPLE_INTERVALS median intervals. */
export function profileMs(profile: Profile): number {
  const names = new Map(profile.nodes.map((node) => [node.id, node.callFrame.functionName]));
  const deltas = [...profile.timeDeltas].filter((d) => d > 0).sort((a, b) => a - b);
  const cap = (deltas[Math.floor(deltas.length / 2)] ?? 0) * MAX_SAMPLE_INTERVALS;
  let micros = 0;
  profile.samples.forEach((id, i) => {
    if (names.get(id) !== '(idle)') micros += Math.min(profile.timeDeltas[i] ?? 0, cap);
  });
  return micros / 1000;
}
