/** /api/contacts: people at a customer. */
import { resourceRoutes, type Router } from '../http/resource';
import { createContact, deleteContact, getContact, listContacts, updateContact } from './queries';
import { ContactCreate, ContactList, ContactUpdate } from './schemas';

export const contactRoutes = (router: Router) =>
  resourceRoutes(router, {
    path: '/api/contacts',
    label: 'Contact',
    schemas: { create: ContactCreate, update: ContactUpdate, list: ContactList },
    create: createContact,
    list: listContacts,
    get: getContact,
    update: updateContact,
    remove: deleteContact,
  });
