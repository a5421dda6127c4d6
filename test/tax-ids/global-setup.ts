/** Vitest global setup (Node) for the workers project: the fake VIES (fake-vies.ts), its URL provided as `viesUrl`. */
import type { TestProject } from 'vitest/node';
import { startFakeVies } from './fake-vies.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    viesUrl: string;
  }
}

export default async function setup(project: TestProject) {
  const { url, server } = await startFakeVies();
  project.provide('viesUrl', url);
  return () => new Promise((resolve) => server.close(resolve));
}
