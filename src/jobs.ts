/**
 * customers-jobs: the second Worker (wrangler.jobs.toml), for the work that
 * runs beside the API Worker's requests: the TaxIds entrypoint the API Worker
 * calls to check typed tax ids, the VIES checks of EU VAT numbers (cron and
 * queue), and webhook delivery (the queue the API Worker fills). Keeping them
 * here keeps the API Worker's bundle to its request path.
 */
import { queueDueChecks, verifyBatch, type TaxIdsEnv } from './tax-ids/vies';
import { consume, consumeDead, type DeliveryEnv } from './webhooks/deliver';

export { TaxIds } from './tax-ids/worker';

export type JobsEnv = DeliveryEnv & TaxIdsEnv;

const queues: Record<string, (batch: MessageBatch<never>, env: JobsEnv) => Promise<void>> = {
  'customers-webhooks': consume,
  'customers-webhooks-dead': consumeDead,
  'customers-tax-id-checks': verifyBatch,
};

const jobs: ExportedHandler<JobsEnv> = {
  async fetch() {
    return Response.json({ error: { code: 'not_found', message: 'This Worker has no HTTP routes' } }, { status: 404 });
  },
  async scheduled(_controller, env) {
    await queueDueChecks(env, Date.now());
  },
  async queue(batch, env) {
    const run = queues[batch.queue];
    if (!run) throw new Error(`no consumer for queue ${batch.queue}`);
    await run(batch as MessageBatch<never>, env);
  },
};

export default jobs;
