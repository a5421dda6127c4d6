/** /api/contacts: the canonical contact routes. */
import { resourceRoutes } from '../http/resource';
import { listSchema } from '../model/page';
import { contact } from './fields';
import { contactQueries } from './queries';

export const contactRoutes = resourceRoutes({
  path: '/api/contacts',
  label: 'Contact',
  schemas: { create: contact.create, update: contact.update, list: listSchema(contact.filters) },
  ...contactQueries,
});
