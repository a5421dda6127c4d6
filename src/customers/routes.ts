/** /api/customers: the canonical (Qwoty) customer routes, and the lookup and upsert by an external id. */
import type { RouteDef } from '../http/api';
import { ApiError, invalid, notFound } from '../http/errors';
import { resourceRoutes } from '../http/resource';
import { ok } from '../http/responses';
import { route } from '../http/route';
import type { Input } from '../model/resource';
import type { TaxId } from '../store/schema';
import { LABEL_TYPES } from '../tax-ids/types';
import type { TaxIds } from '../tax-ids/worker';
import { ByExternalBody, ByExternalGet, ByExternalPut, getByExternal, keyConflict, putByExternal } from './external';
import { customer } from './fields';
import { CustomerGet, CustomerList, customerQueries, getCustomer, listCustomers, setArchived } from './queries';

/**
 * Typed tax ids on the way in: entries with a `type`, or with a label that
 * names one (src/tax-ids/types.ts), go to the jobs Worker over the TAX_IDS
 * service binding, which checks and normalises them (an EU VAT number comes
 * back pending its VIES check). One call per write that has such entries;
 * untyped entries never make one.
 */
async function checkTaxIds(env: Env, body: Input): Promise<void> {
  const taxIds = body.tax_ids as TaxId[] | undefined;
  if (!taxIds?.some((t) => t.type || Object.hasOwn(LABEL_TYPES, t.tax.toUpperCase()))) return;
  const results = await (env.TAX_IDS as unknown as Service<TaxIds>).check(taxIds);
  const issues = results.flatMap((result, i) => (result && 'error' in result ? [{ path: `tax_ids.${i}.tax_value`, message: result.error }] : []));
  if (issues.length > 0) throw invalid('Invalid request body', issues);
  body.tax_ids = taxIds.map((t, i) => ({ ...t, ...results[i] }));
}

const BY_EXTERNAL_ID = '/api/customers/by_external_id';

export const customerRoutes: RouteDef[] = [
  ...resourceRoutes({
    path: '/api/customers',
    label: 'Customer',
    schemas: { create: customer.create, update: customer.update, list: CustomerList, get: CustomerGet },
    ...customerQueries,
    prepare: checkTaxIds,
    get: getCustomer,
    list: listCustomers,
  }),
  ...(['archive', 'restore'] as const).map(
    (action): RouteDef => ({
      method: 'POST',
      path: `/api/customers/:id/${action}`,
      handler: route('write', { id: 'Customer' }, async (ctx, { id }) => {
        const done = await ctx.write(() => setArchived(ctx.workspaceId, id, action === 'archive'));
        if (!done) throw notFound('Customer');
        return ok(done);
      }),
    }),
  ),
  {
    method: 'GET',
    path: BY_EXTERNAL_ID,
    handler: route('read', { query: ByExternalGet }, async (ctx, { query }) => {
      const found = await ctx.query((db) => getByExternal(db, ctx.workspaceId, query));
      if (!found) throw notFound('Customer');
      return ok(found);
    }),
  },
  {
    method: 'PUT',
    path: BY_EXTERNAL_ID,
    handler: route('write', { query: ByExternalPut, body: ByExternalBody }, async (ctx, { query, body, ifMatch }) => {
      // A create cannot be conditional on a version: a conditional update goes through PATCH /api/customers/{id}.
      if (ifMatch) throw new ApiError('validation_error', 'If-Match is not taken here', { issues: [{ path: 'If-Match', message: 'Not taken by this route' }] });
      const conflict = keyConflict(query, body);
      if (conflict) throw new ApiError('validation_error', `Invalid request body: ${conflict}`, { issues: [{ path: conflict, message: 'Must be the query’s' }] });
      await checkTaxIds(ctx.env, body);
      const { value, created } = await ctx.write(() => putByExternal(ctx.workspaceId, query, body));
      return ok(value, created ? 201 : 200);
    }),
  },
];
