/**
 * Vitest global setup (Node) for the workers project: serves the D1 limits
 * check to the tests running inside workerd. Each test file (its own isolated
 * storage) gets its own shadow database, named by the session id it sends.
 * POST /replay {session, trips} -> {violations}
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TestProject } from 'vitest/node';
import type { RoundTrip } from './limits.ts';
import { migratedImage, Shadow } from './shadow.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    d1LimitsUrl: string;
  }
}

export default async function setup(project: TestProject) {
  const image = migratedImage();
  const shadows = new Map<string, Shadow>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      try {
        const { session, trips } = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { session: string; trips: RoundTrip[] };
        let shadow = shadows.get(session);
        if (!shadow) shadows.set(session, (shadow = new Shadow(image)));
        res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ violations: shadow.replay(trips) }));
      } catch (error) {
        res.writeHead(500).end(String((error as Error).stack));
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  project.provide('d1LimitsUrl', `http://127.0.0.1:${(server.address() as AddressInfo).port}/replay`);
  return async () => {
    for (const shadow of shadows.values()) shadow.close();
    await new Promise((resolve) => server.close(resolve));
  };
}
