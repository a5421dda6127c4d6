/**
 * Hands a write's events to the delivery queue after the response. A failed
 * hand-off loses nothing: the scheduled sweep queues every event still
 * undispatched (src/webhooks/schedule.ts). Logged, never thrown.
 */
/** A queue message: an event to fan out to the endpoints that take it, or one delivery to attempt. */
export type EventMessage = { event: string; redeliver?: true } | { delivery: string };

export function dispatch(queue: Queue<EventMessage> | undefined, waitUntil: (promise: Promise<unknown>) => void, requestId: string, eventIds: string[]): void {
  if (eventIds.length === 0 || !queue) return;
  const messages = eventIds.map((event) => ({ body: { event }, contentType: 'json' as const }));
  waitUntil(
    queue.sendBatch(messages).catch((error: unknown) => {
      console.error(JSON.stringify({ level: 'error', request_id: requestId, message: 'queueing events failed; the sweep will queue them', error: String(error) }));
    }),
  );
}

/** Queues an event again for every endpoint that takes it now, as new attempts (POST /api/events/{id}/redeliver). */
export async function redeliver(queue: Queue<EventMessage> | undefined, eventId: string): Promise<void> {
  if (!queue) throw new Error('The WEBHOOKS queue is not bound');
  await queue.send({ event: eventId, redeliver: true }, { contentType: 'json' });
}
