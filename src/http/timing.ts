/**
 * Per-request phase timings, exposed to clients as a Server-Timing header
 * (auth, validation, db, serialize). A phase measured twice adds up.
 */
export class Timing {
  private readonly phases = new Map<string, number>();

  private add(phase: string, start: number): void {
    this.phases.set(phase, (this.phases.get(phase) ?? 0) + performance.now() - start);
  }

  async measure<T>(phase: string, work: () => Promise<T>): Promise<T> {
    const start = performance.now();
    try {
      return await work();
    } finally {
      this.add(phase, start);
    }
  }

  time<T>(phase: string, work: () => T): T {
    const start = performance.now();
    try {
      return work();
    } finally {
      this.add(phase, start);
    }
  }

  header(): string {
    return [...this.phases].map(([phase, ms]) => `${phase};dur=${ms.toFixed(1)}`).join(', ');
  }
}
