/** customers-worker: the three APIs, each mounted at its paths with its own error dialect; webhook delivery and the scheduled jobs. */
import { canonicalApi } from './canonical/api';
import { ambiosysApi } from './compat/ambiosys/api';
import { upwellApi } from './compat/upwell/api';
import { createApp } from './http/app';
import { database } from './store/client';
import { consume, consumeDead } from './webhooks/deliver';
import { purgeEvents, sweepEvents } from './webhooks/schedule';

export default createApp({
  apis: [canonicalApi, ambiosysApi, upwellApi],
  fallback: canonicalApi,
  queues: { 'customers-webhooks': consume, 'customers-webhooks-dead': consumeDead },
  jobs: [(env, now) => sweepEvents(database(env.DB), env.WEBHOOKS, now), (env, now) => purgeEvents(database(env.DB), env, now)],
});
