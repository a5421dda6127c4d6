/**
 * The load generator of `npm run bench`, in its own process so that its CPU
 * is not the harness's: `node bench/load.ts <spec.json>` runs one operation
 * against both Workers and writes the result to `spec.out`.
 *
 * A target is a Worker and the requests to send it. The process warms each
 * target up (unmeasured), then runs the schedule: short rounds of `duration`
 * seconds, alternating the targets (ABBA...), so that whatever else the
 * machine does hits all of them alike. Each round is an autocannon run with
 * `connections` connections, rotating through the target's requests (path
 * and body). Every response time of a measured round is kept, for exact
 * percentiles over all rounds, and the serving workerd's CPU time per round.
 *
 * With `once`, each request is sent at most once (deletes): a target's list
 * is cut into equal slices, one for its warmup and one per round, and a round
 * ends when its slice is used up (or after `duration`, whichever is first).
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';

export interface LoadRequest {
  path: string;
  body?: string;
}

export interface LoadTarget {
  /** Base URL of the Worker. */
  url: string;
  /** The requests its rounds rotate through (or use up, with `once`). */
  requests: LoadRequest[];
}

export interface LoadSpec {
  /** What the rounds drive, by name: a Worker and its requests. */
  targets: Record<string, LoadTarget>;
  method: string;
  headers: Record<string, string>;
  connections: number;
  /** Unmeasured seconds per target before the first round. */
  warmup: number;
  /** Which target each measured round drives. */
  schedule: string[];
  /** Seconds per round. */
  duration: number;
  /** Each request is sent at most once (e.g. DELETE of a given id). */
  once?: boolean;
  /** Collect the `data.id` of each 2xx response (e.g. created records). */
  collectIds?: boolean;
  /** The workerd process serving the Workers, whose CPU time each round measures (Linux). */
  cpuPid?: number;
  out: string;
}

export interface RoundResult {
  target: string;
  requests: number;
  elapsedMs: number;
  latencies: number[];
  statuses: Record<string, number>;
  errors: number;
  timeouts: number;
  /** CPU time the serving workerd used during the round (all its threads), if known. */
  cpuMs?: number;
}

export interface LoadResult {
  rounds: RoundResult[];
  /** Ids the created records' bodies named, per target (`op/worker`): each Worker deletes its own. */
  ids: Record<string, string[]>;
}

interface Instance {
  on(event: 'response', listener: (client: unknown, status: number, bytes: number, ms: number) => void): void;
  on(event: 'done', listener: () => void): void;
  on(event: 'reqError', listener: (error: Error) => void): void;
  stop(): void;
}
type Autocannon = (options: Record<string, unknown>) => Instance;

const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;

/** CPU time (ms) a process has used so far: the run time of all its threads, from /proc (Linux only). */
function cpuTime(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    let ns = 0;
    for (const task of readdirSync(`/proc/${pid}/task`)) {
      try {
        ns += Number(readFileSync(`/proc/${pid}/task/${task}/schedstat`, 'utf8').split(' ')[0]);
      } catch {
        // the thread ended meanwhile
      }
    }
    return ns / 1e6;
  } catch {
    return undefined;
  }
}

/**
 * One autocannon run against `url` for `seconds`, or for exactly `amount`
 * requests when set (capped at `seconds` all the same).
 */
function run(
  spec: LoadSpec,
  url: string,
  limit: { seconds: number; amount?: number },
  next: () => LoadRequest,
  onBody?: (status: number, body: string) => void,
): Promise<Omit<RoundResult, 'target'>> {
  return new Promise((resolve) => {
    const latencies: number[] = [];
    const statuses: Record<string, number> = {};
    let errors = 0;
    let timeouts = 0;
    const cpuBefore = cpuTime(spec.cpuPid);
    const started = performance.now();
    let last = started;
    const instance = autocannon({
      url,
      connections: Math.min(spec.connections, limit.amount ?? Infinity),
      ...(limit.amount === undefined ? { duration: limit.seconds } : { amount: limit.amount }),
      timeout: 10,
      // autocannon only notices the end on a sample tick: keep the ticks short.
      sampleInt: 50,
      requests: [
        {
          method: spec.method,
          headers: spec.headers,
          setupRequest(request: Record<string, unknown>) {
            const item = next();
            return item.body === undefined ? { ...request, path: item.path } : { ...request, path: item.path, body: item.body };
          },
          ...(onBody ? { onResponse: (status: number, body: string) => onBody(status, body) } : {}),
        },
      ],
    });
    const cap = limit.amount === undefined ? undefined : setTimeout(() => instance.stop(), limit.seconds * 1000);
    instance.on('response', (_client, status, _bytes, ms) => {
      last = performance.now();
      statuses[status] = (statuses[status] ?? 0) + 1;
      latencies.push(ms);
    });
    instance.on('reqError', (error) => {
      errors++;
      if (/timed out/.test(error.message)) timeouts++;
    });
    instance.on('done', () => {
      clearTimeout(cap);
      // The measured window ends with the last response, not with autocannon's bookkeeping.
      const cpuAfter = cpuTime(spec.cpuPid);
      const cpuMs = cpuBefore === undefined || cpuAfter === undefined ? undefined : cpuAfter - cpuBefore;
      resolve({ requests: latencies.length, elapsedMs: last - started, latencies, statuses, errors, timeouts, cpuMs });
    });
  });
}

async function main(): Promise<void> {
  const spec = JSON.parse(readFileSync(process.argv[2]!, 'utf8')) as LoadSpec;
  const names = Object.keys(spec.targets);

  const ids: Record<string, string[]> = {};
  const collect = (name: string) =>
    spec.collectIds
      ? (status: number, body: string) => {
          if (status >= 200 && status < 300) {
            const id = /"id":"([0-9a-f-]{36})"/.exec(body)?.[1];
            if (id) (ids[name] ??= []).push(id);
          }
        }
      : undefined;

  // Per target: rotating requests share one cursor; a consumable list is cut
  // into one slice for the warmup and one per round.
  const feeds = Object.fromEntries(
    names.map((name) => {
      const items = spec.targets[name]!.requests;
      const slices = 1 + spec.schedule.filter((s) => s === name).length;
      const share = Math.floor(items.length / slices);
      if (spec.once && share < spec.connections) throw new Error(`${name}: only ${items.length} requests for ${slices} slices`);
      let cursor = 0;
      let slice = 0;
      const rotating = () => items[cursor++ % items.length]!;
      return [
        name,
        () => {
          if (!spec.once) return { next: rotating, amount: undefined };
          const start = slice++ * share;
          let i = start;
          // A stray extra call (autocannon retrying) repeats the slice's last item.
          return { next: () => items[Math.min(i++, start + share - 1)]!, amount: share };
        },
      ];
    }),
  ) as Record<string, () => { next: () => LoadRequest; amount: number | undefined }>;

  for (const name of names) {
    const feed = feeds[name]!();
    if (spec.warmup > 0) await run(spec, spec.targets[name]!.url, { seconds: spec.warmup, amount: feed.amount }, feed.next, collect(name));
  }

  const rounds: RoundResult[] = [];
  for (const name of spec.schedule) {
    const feed = feeds[name]!();
    const result = await run(spec, spec.targets[name]!.url, { seconds: spec.duration, amount: feed.amount }, feed.next, collect(name));
    rounds.push({ target: name, ...result });
    process.stdout.write(`${JSON.stringify({ round: rounds.length, target: name })}\n`);
  }
  writeFileSync(spec.out, JSON.stringify({ rounds, ids } satisfies LoadResult));
}

await main();
