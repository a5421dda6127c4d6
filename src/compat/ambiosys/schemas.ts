/** AmbioSys (seed 002) request shapes. */
import * as v from 'valibot';
import { object, text } from '../../http/fields';

/** Trimmed; empty after trimming counts as not given. */
const optionalText = v.optional(
  v.pipe(
    v.nullable(v.pipe(v.string('Expected a string'), v.trim(), v.maxLength(255, 'Must be at most 255 characters'))),
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

export const AmbiosysList = object({
  page: integer(100_000, '0'),
  limit: v.pipe(integer(100, '10'), v.minValue(1, 'Must be an integer from 1 to 100')),
  search: v.optional(text()),
});
export type AmbiosysList = v.InferOutput<typeof AmbiosysList>;
