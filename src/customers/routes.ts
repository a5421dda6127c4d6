/** /api/customers: the canonical (Qwoty) customer routes. */
import { resourceRoutes } from '../http/resource';
import { customer } from './fields';
import { CustomerGet, CustomerList, customerQueries, getCustomer, listCustomers } from './queries';

export const customerRoutes = resourceRoutes({
  path: '/api/customers',
  label: 'Customer',
  schemas: { create: customer.create, update: customer.update, list: CustomerList, get: CustomerGet },
  ...customerQueries,
  get: getCustomer,
  list: listCustomers,
});
