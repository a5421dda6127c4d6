/** Per-request phase timings, exposed to clients as a Server-Timing header. */
export class Timing {
  private readonly phases: [string, number][] = [];

  async measure<T>(phase: string, work: () => Promise<T>): Promise<T> {
    const start = performance.now();
    try {
      return await work();
    } finally {
      this.phases.push([phase, performance.now() - start]);
    }
  }

  header(): string {
    return this.phases.map(([phase, ms]) => `${phase};dur=${ms.toFixed(1)}`).join(', ');
  }
}
