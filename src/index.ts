/** customers-worker: assembles the routes into the Worker's fetch handler. */
import { IttyRouter, type IRequest } from 'itty-router';
import { createHandler } from './http/app';
import type { BaseContext } from './http/context';
import { customerRoutes } from './customers/routes';

const router = IttyRouter<IRequest, [BaseContext], Response>();
customerRoutes(router);

export default createHandler(router);
