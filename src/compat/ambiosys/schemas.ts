/** AmbioSys (seed 002) request shapes. */
import * as v from 'valibot';
import { maxChars, object, text } from '../../http/fields';

/** Trimmed; empty after trimming counts as not given. */
const optionalText = v.optional(
  v.pipe(
    v.nullable(v.pipe(v.string('Expected a string'), v.trim(), maxChars(255))),
    v.transform((s) => s || undefined),
  ),
);

export const AmbiosysCreate = object({
  name: text(),
  legal_name: optionalText,
  tax_id: optionalText,
  contact_origin: v.optional(text(64)),
});

const integer = (max: number, fallback: string) =>
  v.optional(
    v.pipe(
      v.string(),
      v.regex(/^\d{1,6}$/, `Must be an integer from 0 to ${max}`),
      v.transform(Number),
      v.maxValue(max, `Must be an integer from 0 to ${max}`),
    ),
    fallback,
  );

/** Pages reach at most this many rows deep (OFFSET has a cost). */
const MAX_DEPTH = 100_000;

export const AmbiosysList = v.pipe(
  object({
    page: integer(MAX_DEPTH, '0'),
    limit: v.pipe(integer(100, '10'), v.minValue(1, 'Must be an integer from 1 to 100')),
    // List screens send `search=` when the box is empty: that is no search.
    search: optionalText,
  }),
  v.forward(
    v.check((q) => q.page * q.limit <= MAX_DEPTH, `page × limit must be at most ${MAX_DEPTH}`),
    ['page'],
  ),
);
export type AmbiosysList = v.InferOutput<typeof AmbiosysList>;
