/** A webhook endpoint, declared once (src/model/resource.ts): where a workspace's events are delivered. */
import { EVENT_TYPES, OBJECT_TYPES } from '../events/sources';
import { f } from '../model/fields';
import { declare } from '../model/resource';
import { webhookEndpoints } from '../store/schema';

/** What an endpoint may subscribe to: an event type, every event of an object (`customer.*`), or every event (`*`). */
export const SUBSCRIBABLE = ['*', ...OBJECT_TYPES.map((name) => `${name}.*`), ...EVENT_TYPES] as const;
export const MAX_ENDPOINTS = 16;

export const endpoint = declare(webhookEndpoints, {
  url: f.url().required(),
  // At least one: an endpoint that takes nothing is a mistake, not a configuration (disable it instead).
  event_types: f.list<string>({ type: 'enum', values: SUBSCRIBABLE }, 'event types', 20, true, 1).default(['*']),
  description: f.text(500).nullable(),
  // Enabling an endpoint by hand clears why the service had disabled it, and its failure streak.
  enabled: f.boolean().default(true).clears('disabled_reason', 'failing_since'),
  disabled_reason: f.text(500).nullable().readOnly(),
});

/** Whether an endpoint subscribed to `types` takes an event of `type`. */
export const takes = (types: readonly string[], type: string) =>
  types.some((t) => t === '*' || t === type || (t.endsWith('.*') && type.startsWith(t.slice(0, -1))));
