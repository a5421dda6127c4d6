/** The resources whose writes are events, by the name their event types start with. */
import { address } from '../addresses/fields';
import { contact } from '../contacts/fields';
import { customer } from '../customers/fields';
import { segment } from '../segments/fields';
import type { EventSource } from './triggers';

export const EVENT_SOURCES = [
  { name: 'customer', declared: customer },
  {
    name: 'contact',
    declared: contact,
    // As relatedIds() reads them: the contact's addresses, oldest first.
    computed: {
      address_ids: (row: string) => `(SELECT json_group_array(\`id\`) FROM (SELECT \`id\` FROM \`addresses\` WHERE \`contact_id\` = ${row}.\`id\` ORDER BY \`id\`))`,
    },
  },
  { name: 'address', declared: address },
  { name: 'segment', declared: segment },
] as unknown as EventSource[];

export const OBJECT_TYPES = EVENT_SOURCES.map((s) => s.name);
export const EVENT_TYPES = OBJECT_TYPES.flatMap((name) => ['created', 'updated', 'deleted'].map((what) => `${name}.${what}`));
