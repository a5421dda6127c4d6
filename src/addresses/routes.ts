/** /api/addresses: the canonical address routes. */
import { resourceRoutes } from '../http/resource';
import { listSchema } from '../model/page';
import { address } from './fields';
import { addressQueries } from './queries';

export const addressRoutes = resourceRoutes({
  path: '/api/addresses',
  label: 'Address',
  schemas: { create: address.create, update: address.update, list: listSchema(address.filters) },
  ...addressQueries,
});
