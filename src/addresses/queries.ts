/** Address storage: the customer must be in the same workspace and the contact, if any, a contact of it (triggers). */
import { crud } from '../model/crud';
import { address } from './fields';

export const addressQueries = crud('addresses', address);
