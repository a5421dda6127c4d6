/** Valibot at the boundary: a failed parse becomes a 400 listing every issue by path. */
import * as v from 'valibot';
import { invalid, type Issue } from './errors';

type AnySchema = v.GenericSchema & {
  wrapped?: AnySchema;
  entries?: Record<string, AnySchema>;
  item?: AnySchema;
  pipe?: AnySchema[];
  operation?: (value: unknown) => unknown;
};

const WRAPPERS = new Set(['optional', 'nullable', 'nullish', 'exact_optional']);

/**
 * Valibot's strictObject stops at the first unknown key; clients deserve to
 * hear about all of them, at any depth.
 */
function unknownFields(schema: AnySchema, value: unknown, path: (string | number)[], out: Issue[]): void {
  while (WRAPPERS.has(schema.type) && schema.wrapped) schema = schema.wrapped;
  // An object schema sits inside a pipe behind the plain-object check (fields.ts object()), or behind a
  // transform that reshapes the input first (the customer list gathers `metadata[key]` parameters).
  const steps = schema.pipe ?? [];
  const at = steps.findIndex((step) => objectIn(step));
  for (const step of steps.slice(0, Math.max(at, 0))) if (step.type === 'transform' && step.operation) value = step.operation(value);
  schema = objectIn(schema) ?? schema;
  if (schema.type === 'strict_object' && schema.entries && typeof value === 'object' && value && !Array.isArray(value)) {
    for (const [key, item] of Object.entries(value)) {
      const entry = Object.hasOwn(schema.entries, key) ? schema.entries[key] : undefined;
      if (entry) unknownFields(entry, item, [...path, key], out);
      else out.push({ path: [...path, key].join('.'), message: 'Unknown field' });
    }
  } else if (schema.type === 'array' && schema.item && Array.isArray(value)) {
    value.forEach((item, i) => unknownFields(schema.item!, item, [...path, i], out));
  }
}

function objectIn(schema: AnySchema): AnySchema | undefined {
  if (schema.type === 'strict_object') return schema;
  for (const step of schema.pipe ?? []) {
    const found = step !== schema ? objectIn(step) : undefined;
    if (found) return found;
  }
  return undefined;
}

function describe(issue: v.BaseIssue<unknown>): Issue {
  const path = v.getDotPath(issue) ?? '';
  if (issue.kind === 'schema' && issue.type === 'strict_object' && issue.input === undefined) {
    return { path, message: 'Required' };
  }
  return { path, message: issue.message };
}

export function parse<S extends v.GenericSchema>(schema: S, input: unknown, message = 'Invalid request body'): v.InferOutput<S> {
  const result = v.safeParse(schema, input);
  if (result.success) return result.output;
  const unknown: Issue[] = [];
  unknownFields(schema as AnySchema, input, [], unknown);
  const all = [...result.issues.filter((i) => !(i.type === 'strict_object' && i.expected === 'never')).map(describe), ...unknown];
  const issues = all.filter((issue, i) => all.findIndex((o) => o.path === issue.path && o.message === issue.message) === i);
  throw invalid(message, issues);
}
