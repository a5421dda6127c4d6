/** Contact storage: a contact's customer must be in the same workspace (trigger). */
import { crud } from '../model/crud';
import { contact } from './fields';

// Addresses linked to a deleted contact keep existing with contact_id = null (a trigger unlinks them).
export const contactQueries = crud('contacts', contact);
