/** Valibot at the boundary: a failed parse becomes a 400 listing every issue by path. */
import * as v from 'valibot';
import { ApiError } from './errors';

export function parse<S extends v.GenericSchema>(schema: S, input: unknown, message = 'Invalid request body'): v.InferOutput<S> {
  const result = v.safeParse(schema, input);
  if (result.success) return result.output;
  const issues = result.issues.map((issue) => ({ path: v.getDotPath(issue) ?? '', message: issue.message }));
  throw new ApiError('validation_error', `${message}: ${issues.map((i) => i.path || i.message).join(', ')}`, issues);
}
