/** /api/customers: the canonical (Qwoty) customer API. */
import { resourceRoutes, type Router } from '../http/resource';
import { createCustomer, deleteCustomer, getCustomer, listCustomers, updateCustomer } from './queries';
import { CustomerCreate, CustomerList, CustomerUpdate } from './schemas';

export const customerRoutes = (router: Router) =>
  resourceRoutes(router, {
    path: '/api/customers',
    label: 'Customer',
    schemas: { create: CustomerCreate, update: CustomerUpdate, list: CustomerList },
    create: createCustomer,
    list: listCustomers,
    get: getCustomer,
    update: updateCustomer,
    remove: deleteCustomer,
  });
