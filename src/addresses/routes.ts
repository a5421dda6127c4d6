/** /api/addresses: the canonical address routes. */
import { resourceRoutes } from '../http/resource';
import { syncedListSchema } from '../model/page';
import { address } from './fields';
import { addressQueries } from './queries';

export const addressRoutes = resourceRoutes({
  path: '/api/addresses',
  label: 'Address',
  schemas: { create: address.create, update: address.update, list: syncedListSchema(address.filters) },
  ...addressQueries,
});
