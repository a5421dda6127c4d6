/** AmbioSys (seed 002) request shapes, and how its customer maps onto the canonical one. */
import * as v from 'valibot';
import type { Customer } from '../../customers/fields';
import { f } from '../../model/fields';
import { shape, type Input } from '../../model/resource';
import { object } from '../../model/values';

/** AmbioSys's single `tax_id` is the customer's first tax id, stored under this label. */
export const AMBIOSYS_TAX_LABEL = 'TAX_ID';
/** AmbioSys has no customer type; its customers are created as companies. */
export const AMBIOSYS_CUSTOMER_TYPE = 'company';

export const ambiosysCreate = shape({
  name: f.text().required(),
  legal_name: f.text().blankIsAbsent(),
  tax_id: f.text().blankIsAbsent(),
  contact_origin: f.text(64),
});

export const fromAmbiosys = (input: Input): Input => ({
  name: input.name,
  type: AMBIOSYS_CUSTOMER_TYPE,
  legal_name: input.legal_name ?? null,
  tax_ids: input.tax_id ? [{ tax: AMBIOSYS_TAX_LABEL, tax_value: input.tax_id }] : [],
  contact_origin: input.contact_origin,
});

export const toAmbiosys = (c: Customer) => ({
  customer_id: c.number,
  name: c.name,
  legal_name: c.legal_name,
  tax_id: c.tax_ids[0]?.tax_value ?? null,
  contact_origin: c.contact_origin,
  created_at: c.created_at,
  updated_at: c.updated_at,
});

const integer = (max: number, fallback: string) =>
  v.optional(
    v.pipe(v.string(), v.regex(/^\d{1,6}$/, `Must be an integer from 0 to ${max}`), v.transform(Number), v.maxValue(max, `Must be an integer from 0 to ${max}`)),
    fallback,
  );

/** Pages reach at most this many rows deep (OFFSET has a cost). */
const MAX_DEPTH = 100_000;

export const AmbiosysList = v.pipe(
  object({
    page: integer(MAX_DEPTH, '0'),
    limit: v.pipe(integer(100, '10'), v.minValue(1, 'Must be an integer from 1 to 100')),
    // List screens send `search=` when the box is empty: that is no search.
    search: v.optional(f.text().blankIsAbsent().spec.schema as v.GenericSchema<unknown, string | undefined>),
  }),
  v.forward(
    v.check((q) => q.page * q.limit <= MAX_DEPTH, `page × limit must be at most ${MAX_DEPTH}`),
    ['page'],
  ),
);
export type AmbiosysList = v.InferOutput<typeof AmbiosysList>;
