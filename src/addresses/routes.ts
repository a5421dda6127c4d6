/** /api/addresses: billing and shipping addresses of a customer. */
import { resourceRoutes, type Router } from '../http/resource';
import { createAddress, deleteAddress, getAddress, listAddresses, updateAddress } from './queries';
import { AddressCreate, AddressList, AddressUpdate } from './schemas';

export const addressRoutes = (router: Router) =>
  resourceRoutes(router, {
    path: '/api/addresses',
    label: 'Address',
    schemas: { create: AddressCreate, update: AddressUpdate, list: AddressList },
    create: createAddress,
    list: listAddresses,
    get: getAddress,
    update: updateAddress,
    remove: deleteAddress,
  });
