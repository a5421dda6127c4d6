/**
 * Webhooks end to end, in Node: a real `wrangler dev` (local D1, KV, Queues,
 * the cron through --test-scheduled) delivering to a real HTTP receiver in
 * this process, whose answer per path each test sets. Every delivery's
 * signature is checked with the `standardwebhooks` package (the reference
 * implementation of the specification), never with the Worker's own code.
 *
 * The servers, the receiver and the helpers are in ./webhook-harness.ts.
 * Each test has a workspace of its own, so endpoints and deliveries never
 * cross.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  api,
  arrivals,
  at,
  ATTEMPT_TIMEOUT_MS,
  base,
  behaviourErrors,
  behaviours,
  call,
  create,
  customerOf,
  deliveries,
  deliveryRow,
  dev,
  DISABLE_AFTER_S,
  hanging,
  ISO,
  receiverBase,
  scheduled,
  SECRETS_KEY,
  settled,
  setUp,
  shownSecrets,
  SIGNATURE,
  sleep,
  storedSecret,
  strict,
  strictBase,
  subscribe,
  sweep,
  tearDown,
  tokens,
  until,
  UUID,
  verify,
  type Json,
} from './webhook-harness.ts';

beforeAll(setUp, 180_000);
afterAll(tearDown, 30_000);

// ---------------------------------------------------------------- the tests

describe('webhook delivery (wrangler dev, local queues)', () => {
  it('delivers a write\'s event to the endpoint, signed, and records the delivery', async () => {
    behaviours.set('/ok', () => ({ status: 200, body: 'thanks' }));
    const subscription = await subscribe('delivery', '/ok');
    expect(subscription.secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(subscription.endpoint).toMatchObject({ url: `${receiverBase}/ok`, enabled: true, disabled_reason: null, event_types: ['*'] });
    const customer = await customerOf(subscription.token, 'Acme Corporation');

    const [got] = await arrivals('/ok', 1);
    const payload = verify(got!, subscription.secret);
    const eventId = got!.headers['webhook-id']!;
    expect(got!.headers).toMatchObject({
      'content-type': 'application/json',
      'webhook-id': expect.stringMatching(UUID),
      'webhook-timestamp': expect.stringMatching(/^\d+$/),
      'webhook-signature': expect.stringMatching(SIGNATURE),
    });
    expect(Math.abs(Number(got!.headers['webhook-timestamp']) - got!.at / 1000)).toBeLessThan(60);

    // The event as the API shows it, the record as its create returned it.
    const event = await api(subscription.token, 'GET', `/api/events/${eventId}`);
    expect(event.status).toBe(200);
    expect(payload).toEqual({ event_type: 'customer.created', id: customer.id, event: event.body.data });
    expect(event.body.data).toMatchObject({ id: eventId, type: 'customer.created', object_id: customer.id, data: { object: customer } });
    expect(event.body.data.data).not.toHaveProperty('previous_attributes');
    const feed = await api(subscription.token, 'GET', '/api/events');
    expect(feed.body.data.map((e: Json) => e.id)).toEqual([eventId]);

    const delivery = await settled(subscription, 'succeeded');
    expect(delivery).toEqual(deliveryRow(subscription, eventId, { status: 'succeeded', attempt: 1, response_status: 200, response_excerpt: 'thanks' }));
    expect(delivery.duration_ms).toBeGreaterThanOrEqual(0);
    expect(at('/ok')).toHaveLength(1);

    // At rest, the signing secret is sealed with WEBHOOK_SECRETS_KEY, the --var given to wrangler dev.
    expect(await storedSecret(subscription.endpoint.id)).toBe(subscription.secret);
  });

  it('retries a failed attempt after WEBHOOK_RETRY_DELAYS[0] seconds, with the same webhook-id', async () => {
    let duringRetry: Json[] | undefined;
    const subscription = await subscribe('retry', '/flaky');
    behaviours.set('/flaky', async (n) => {
      if (n === 1) return { status: 500, body: 'E'.repeat(1000) };
      duringRetry = await deliveries(subscription); // what the first attempt recorded
      return { status: 200, body: 'ok' };
    });
    const customer = await customerOf(subscription.token, 'Flaky Receiver Ltd');

    const [first, second] = await arrivals('/flaky', 2);
    const eventId = first!.headers['webhook-id']!;
    expect(second!.headers['webhook-id']).toBe(eventId);
    expect(second!.body).toBe(first!.body);
    expect(second!.at - first!.at).toBeGreaterThanOrEqual(900);
    for (const got of [first!, second!]) expect(verify(got, subscription.secret)).toMatchObject({ event_type: 'customer.created', id: customer.id });

    expect(await until('the receiver\'s look at the delivery', () => duringRetry)).toEqual([
      deliveryRow(subscription, eventId, {
        status: 'failed',
        attempt: 1,
        response_status: 500,
        // An excerpt of the answer only: its first 200 characters.
        response_excerpt: 'E'.repeat(200),
        next_retry_at: expect.stringMatching(ISO),
      }),
    ]);
    const delivery = await settled(subscription, 'succeeded');
    expect(delivery).toEqual(deliveryRow(subscription, eventId, { status: 'succeeded', attempt: 2, response_status: 200, response_excerpt: 'ok' }));
    expect(at('/flaky')).toHaveLength(2);
  });

  it('keeps an excerpt of the answer without waiting for the rest of it', async () => {
    behaviours.set('/stream', () => ({ status: 200, body: `${'S'.repeat(300)}`, endless: true }));
    const subscription = await subscribe('stream', '/stream');
    await customerOf(subscription.token, 'Streaming Receiver Ltd');
    const [got] = await arrivals('/stream', 1);
    const delivery = await settled(subscription, 'succeeded');
    expect(delivery).toEqual(
      deliveryRow(subscription, got!.headers['webhook-id']!, { status: 'succeeded', attempt: 1, response_status: 200, response_excerpt: 'S'.repeat(200) }),
    );
    // Not held until the attempt's timeout by a body that does not end (nor by one of gigabytes): the Worker hung up.
    expect(delivery.duration_ms).toBeLessThan(ATTEMPT_TIMEOUT_MS / 2);
    await until('the endless answer closed', () => hanging.size === 0);
  });

  it('marks a delivery dead once WEBHOOK_RETRY_DELAYS is exhausted, and stops', async () => {
    behaviours.set('/down', () => ({ status: 500, body: 'D'.repeat(1000) }));
    const subscription = await subscribe('dead', '/down');
    await customerOf(subscription.token, 'Down Receiver Ltd');

    // "1,1": the first attempt and one retry per delay, 3 in all.
    const delivery = await settled(subscription, 'dead');
    const tries = at('/down');
    expect(tries).toHaveLength(3);
    const eventId = tries[0]!.headers['webhook-id']!;
    for (const got of tries) {
      expect(got.headers['webhook-id']).toBe(eventId);
      verify(got, subscription.secret);
    }
    expect(delivery).toEqual(
      deliveryRow(subscription, eventId, { status: 'dead', attempt: 3, response_status: 500, response_excerpt: 'D'.repeat(200) }),
    );
    // Nothing more comes: longer than a retry delay and a batch timeout.
    await sleep(3_000);
    expect(at('/down')).toHaveLength(3);
    // (The dead-letter consumer marks it dead again, which may move updated_at: nothing else changes.)
    expect(await deliveries(subscription)).toEqual([{ ...delivery, updated_at: expect.stringMatching(ISO) }]);
    // A few seconds of failure are far from WEBHOOK_DISABLE_AFTER_SECONDS: still enabled.
    const endpoint = await api(subscription.token, 'GET', `/api/webhook_endpoints/${subscription.endpoint.id}`);
    expect(endpoint.body.data).toMatchObject({ enabled: true, disabled_reason: null });
  });

  it('redelivers an event on request, with the same webhook-id and body', async () => {
    behaviours.set('/again', () => ({ status: 200, body: 'again' }));
    const subscription = await subscribe('redeliver', '/again');
    await customerOf(subscription.token, 'Redelivered Ltd');
    const [first] = await arrivals('/again', 1);
    const eventId = first!.headers['webhook-id']!;
    const before = await settled(subscription, 'succeeded');

    const redelivered = await api(subscription.token, 'POST', `/api/events/${eventId}/redeliver`);
    expect(redelivered).toEqual({ status: 202, body: { success: true, data: { event_id: eventId, queued: true } } });
    const [, second] = await arrivals('/again', 2);
    expect(second!.headers['webhook-id']).toBe(eventId);
    expect(second!.body).toBe(first!.body);
    expect(verify(second!, subscription.secret)).toEqual(verify(first!, subscription.secret));

    // The same delivery, its attempts started over.
    const after = await until('the redelivery recorded', async () => {
      const [row] = await deliveries(subscription);
      return row.updated_at > before.updated_at && row.status === 'succeeded' && row;
    });
    expect(after).toEqual({ ...before, updated_at: after.updated_at, duration_ms: expect.any(Number) });

    // Only the workspace's own events, only events that exist.
    expect((await api(tokens.other.token, 'POST', `/api/events/${eventId}/redeliver`)).status).toBe(404);
    expect((await api(subscription.token, 'POST', `/api/events/${randomUUID()}/redeliver`)).status).toBe(404);
    await sleep(1_500);
    expect(at('/again')).toHaveLength(2);
  });

  it('signs with the new and the previous secret after a rotation', async () => {
    behaviours.set('/rotate', () => ({ status: 200 }));
    const subscription = await subscribe('rotation', '/rotate');
    const old = subscription.secret;
    await customerOf(subscription.token, 'Before Rotation');
    const [first] = await arrivals('/rotate', 1);
    expect(first!.headers['webhook-signature']).toMatch(SIGNATURE);
    verify(first!, old);

    const rotated = await api(subscription.token, 'POST', `/api/webhook_endpoints/${subscription.endpoint.id}/rotate_secret`);
    expect(rotated.status).toBe(200);
    const fresh = rotated.body.data.secret;
    shownSecrets.push(fresh);
    expect(fresh).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(fresh).not.toBe(old);
    expect(rotated.body.data).toMatchObject({ id: subscription.endpoint.id, url: subscription.endpoint.url });
    expect(() => verify(first!, fresh)).toThrow(/No matching signature/);

    const after = await customerOf(subscription.token, 'After Rotation');
    const [, second] = await arrivals('/rotate', 2);
    const signatures = second!.headers['webhook-signature']!.split(' ');
    expect(signatures).toHaveLength(2);
    for (const signature of signatures) expect(signature).toMatch(SIGNATURE);
    expect(verify(second!, fresh)).toMatchObject({ event_type: 'customer.created', id: after.id });
    expect(verify(second!, old)).toMatchObject({ event_type: 'customer.created', id: after.id });
    expect(() => verify(second!, `whsec_${randomBytes(32).toString('base64')}`)).toThrow(/No matching signature/);
    // The secrets are never shown again.
    const shown = await api(subscription.token, 'GET', `/api/webhook_endpoints/${subscription.endpoint.id}`);
    expect(JSON.stringify(shown.body)).not.toContain(fresh.slice(6));
    expect(JSON.stringify(shown.body)).not.toContain(old.slice(6));
  });

  it('gives up an attempt after the timeout, records it, and retries', async () => {
    let duringRetry: Json[] | undefined;
    const subscription = await subscribe('timeout', '/slow');
    behaviours.set('/slow', async (n) => {
      if (n === 1) return 'hang';
      duringRetry = await deliveries(subscription);
      return { status: 204 };
    });
    // Another workspace's receiver, answering at once, written to right after: its delivery must not wait for the hung one.
    behaviours.set('/neighbour', () => ({ status: 200 }));
    const neighbour = await subscribe('neighbour', '/neighbour');
    await customerOf(subscription.token, 'Slow Receiver Ltd');
    await customerOf(neighbour.token, 'Neighbour Ltd');

    const [first] = await arrivals('/slow', 1);
    const [next] = await arrivals('/neighbour', 1);
    verify(next!, neighbour.secret);
    expect(next!.at - first!.at, 'the neighbour\'s delivery waited for the hung attempt').toBeLessThan(ATTEMPT_TIMEOUT_MS / 2);

    const [, second] = await arrivals('/slow', 2, ATTEMPT_TIMEOUT_MS + 20_000);
    const eventId = first!.headers['webhook-id']!;
    expect(second!.headers['webhook-id']).toBe(eventId);
    expect(second!.at - first!.at).toBeGreaterThanOrEqual(ATTEMPT_TIMEOUT_MS);
    verify(second!, subscription.secret);
    // The Worker hung up on the first request rather than leave it open.
    await until('the hung request closed', () => hanging.size === 0);

    expect(await until('the receiver\'s look at the delivery', () => duringRetry)).toEqual([
      deliveryRow(subscription, eventId, {
        status: 'failed',
        attempt: 1,
        response_status: null,
        error: `timeout after ${ATTEMPT_TIMEOUT_MS} ms`,
        next_retry_at: expect.stringMatching(ISO),
      }),
    ]);
    expect(duringRetry![0].duration_ms).toBeGreaterThanOrEqual(ATTEMPT_TIMEOUT_MS - 100);
    expect(duringRetry![0].duration_ms).toBeLessThan(ATTEMPT_TIMEOUT_MS + 5_000);
    const delivery = await settled(subscription, 'succeeded');
    expect(delivery).toEqual(deliveryRow(subscription, eventId, { status: 'succeeded', attempt: 2, response_status: 204, response_excerpt: '' }));
  }, 60_000);

  it('disables an endpoint whose deliveries all failed for WEBHOOK_DISABLE_AFTER_SECONDS', async () => {
    behaviours.set('/broken', () => ({ status: 503, body: 'unavailable' }));
    const subscription = await subscribe('disable', '/broken');
    await customerOf(subscription.token, 'First Failure');
    const [first] = await arrivals('/broken', 1);
    await settled(subscription, 'dead');
    expect(at('/broken')).toHaveLength(3);

    // Past the threshold since the first failure, the next failure disables the endpoint.
    await sleep(Math.max(0, first!.at + DISABLE_AFTER_S * 1000 + 500 - Date.now()));
    await customerOf(subscription.token, 'Last Failure');
    const [latest] = await until('the second delivery, dead', async () => {
      const rows = await deliveries(subscription);
      return rows.length === 2 && rows[0].status === 'dead' && rows;
    });
    expect(at('/broken')).toHaveLength(4);
    expect(latest).toEqual(
      deliveryRow(subscription, at('/broken')[3]!.headers['webhook-id']!, { status: 'dead', attempt: 1, response_status: 503, response_excerpt: 'unavailable' }),
    );
    const endpoint = (await api(subscription.token, 'GET', `/api/webhook_endpoints/${subscription.endpoint.id}`)).body.data;
    expect(endpoint).toMatchObject({ enabled: false, disabled_reason: expect.stringMatching(/^Every delivery failed since \d{4}-\d\d-\d\dT[\d:.]+Z$/) });
    const since = Date.parse(/since (\S+)$/.exec(endpoint.disabled_reason)![1]!);
    expect(since).toBeLessThanOrEqual(first!.at);
    expect(first!.at - since).toBeLessThan(5_000);

    // Disabled: no more deliveries.
    await customerOf(subscription.token, 'While Disabled');
    await sleep(2_500);
    expect(at('/broken')).toHaveLength(4);
    expect(await deliveries(subscription)).toHaveLength(2);

    // Enabled again by hand: the reason is cleared.
    const enabled = await api(subscription.token, 'PATCH', `/api/webhook_endpoints/${subscription.endpoint.id}`, { enabled: true });
    expect(enabled.status, JSON.stringify(enabled.body)).toBe(200);
    expect(enabled.body.data).toMatchObject({ enabled: true, disabled_reason: null });
  }, 60_000);

  it('the cron queues the events no request queued (a local import), after their 30 s of grace', async () => {
    const { subscription, customer, importedAt } = sweep;
    expect(sweep.earlyCron).toMatch(/scheduled/i);
    // The early cron run (right after the import) left the young event alone.
    expect(at('/sweep')).toHaveLength(1);
    const updated = await until('the import\'s event in the feed', async () => {
      const feed = await api(subscription.token, 'GET', '/api/events');
      return feed.body.data.find((e: Json) => e.type === 'customer.updated');
    });
    expect(updated).toMatchObject({ object_id: customer.id, api: 'import', data: { previous_attributes: { name: 'Before import' } } });

    await sleep(Math.max(0, importedAt + 31_000 - Date.now()));
    const ran = await scheduled(base);
    expect(ran.status).toBe(200);
    const [, got] = await arrivals('/sweep', 2);
    expect(got!.headers['webhook-id']).toBe(updated.id);
    expect(verify(got!, subscription.secret)).toEqual({ event_type: 'customer.updated', id: customer.id, event: updated });
    expect(updated.data.object).toMatchObject({ id: customer.id, name: 'After import' });
    const rows = await until('both deliveries succeeded', async () => {
      const all = await deliveries(subscription);
      return all.length === 2 && all.every((d) => d.status === 'succeeded') && all;
    });
    expect(rows.map((d: Json) => d.event_id)).toEqual([updated.id, at('/sweep')[0]!.headers['webhook-id']]);

    // Swept once: a second run finds nothing left.
    expect((await scheduled(base)).status).toBe(200);
    await sleep(2_000);
    expect(at('/sweep')).toHaveLength(2);
  }, 60_000);
});

describe('webhook targets (wrangler dev with the deployed defaults)', () => {
  it('refuses local, private and non-https targets with a 400 naming url', async () => {
    const { token } = tokens.refused;
    const refused = [
      `${receiverBase}/ok`, // http, and loopback
      'http://hooks.example.com/customers', // http
      'https://127.0.0.1/hook',
      'https://localhost/hook',
      'https://api.localhost/hook',
      'https://10.1.2.3/hook',
      'https://192.168.0.10/hook',
      'https://169.254.169.254/latest/meta-data',
      'https://[::1]/hook',
      'https://[::ffff:127.0.0.1]/hook',
    ];
    for (const url of refused) {
      const response = await call(strictBase, token, 'POST', '/api/webhook_endpoints', { url });
      expect({ url, status: response.status, body: response.body }).toEqual({
        url,
        status: 400,
        body: {
          success: false,
          code: 'validation_error',
          error: expect.stringMatching(/url/i),
          issues: [{ path: 'url', message: expect.stringMatching(/\S/) }],
          request_id: expect.stringMatching(UUID),
        },
      });
    }
    // A public https target is taken; moving it somewhere local is refused too.
    const created = await call(strictBase, token, 'POST', '/api/webhook_endpoints', { url: 'https://hooks.example.com/customers' });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const moved = await call(strictBase, token, 'PATCH', `/api/webhook_endpoints/${created.body.data.id}`, { url: 'https://localhost/hook' });
    expect(moved.status).toBe(400);
    expect(moved.body.issues).toEqual([{ path: 'url', message: expect.stringMatching(/\S/) }]);
    const listed = await call(strictBase, token, 'GET', '/api/webhook_endpoints');
    expect(listed.body.data.map((e: Json) => e.url)).toEqual(['https://hooks.example.com/customers']);
  });

  it('never writes a signing secret or the key that seals them to its logs', async () => {
    expect(shownSecrets.length).toBeGreaterThan(5);
    expect(dev!.output).toContain('"level":"info"');
    for (const logged of [dev!.output, strict!.output]) {
      for (const secret of [...shownSecrets, SECRETS_KEY]) {
        expect(logged.includes(secret), 'a secret in the log').toBe(false);
        expect(logged.includes(secret.replace(/^whsec_/, '')), 'a secret in the log').toBe(false);
      }
    }
  });
});

afterEach(() => {
  const errors = behaviourErrors.splice(0);
  expect(errors, 'assertions made by the receiver mid-delivery').toEqual([]);
});
