/** /api/contacts: the canonical contact routes. */
import { resourceRoutes } from '../http/resource';
import { syncedListSchema } from '../model/page';
import { contact } from './fields';
import { contactQueries } from './queries';

export const contactRoutes = resourceRoutes({
  path: '/api/contacts',
  label: 'Contact',
  schemas: { create: contact.create, update: contact.update, list: syncedListSchema(contact.filters) },
  ...contactQueries,
});
