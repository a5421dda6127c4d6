/** Request schemas for /api/segments. */
import * as v from 'valibot';
import { nullable, object, text } from '../http/fields';
import { listSchema } from '../http/pagination';

const fields = {
  reference: nullable(text()),
  description: nullable(text(1000)),
};

export const SegmentCreate = object({ name: text(), ...fields });
export const SegmentUpdate = object({ name: v.optional(text()), ...fields });
export const SegmentList = listSchema({});

export type SegmentCreate = v.InferOutput<typeof SegmentCreate>;
export type SegmentUpdate = v.InferOutput<typeof SegmentUpdate>;
export type SegmentList = v.InferOutput<typeof SegmentList>;
