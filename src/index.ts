/** customers-worker: the three APIs, each mounted at its paths with its own error dialect, and the scheduled jobs (webhook delivery and tax-id checks run in the jobs Worker, src/jobs.ts). */
import { canonicalApi } from './canonical/api';
import { ambiosysApi } from './compat/ambiosys/api';
import { upwellApi } from './compat/upwell/api';
import { createApp } from './http/app';
import { database } from './store/client';
import { purgeEvents, sweepEvents } from './webhooks/schedule';

export default createApp({
  apis: [canonicalApi, ambiosysApi, upwellApi],
  fallback: canonicalApi,
  jobs: [(env, now) => sweepEvents(database(env.DB), env.WEBHOOKS, now), (env, now) => purgeEvents(database(env.DB), env, now)],
});
