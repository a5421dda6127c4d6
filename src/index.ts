/** customers-worker: assembles the routes into the Worker's fetch handler. */
import { IttyRouter, type IRequest } from 'itty-router';
import { addressRoutes } from './addresses/routes';
import { ambiosysRoutes } from './compat/ambiosys/routes';
import { upwellRoutes } from './compat/upwell/routes';
import { contactRoutes } from './contacts/routes';
import { customerRoutes } from './customers/routes';
import { createHandler } from './http/app';
import type { BaseContext } from './http/context';
import { segmentRoutes } from './segments/routes';

const router = IttyRouter<IRequest, [BaseContext], Response>();
// Compatibility routes first: /api/customers/getCustomers must not be taken for /api/customers/:id.
ambiosysRoutes(router);
upwellRoutes(router);
customerRoutes(router);
contactRoutes(router);
addressRoutes(router);
segmentRoutes(router);

export default createHandler(router);
