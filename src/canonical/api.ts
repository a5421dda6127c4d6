/**
 * The canonical API (Qwoty's shape, seeds 000 and 001), mounted at /api: its
 * resources' routes, and its error body
 * `{success: false, error, code, issues?, request_id}`.
 */
import { addressRoutes } from '../addresses/routes';
import { contactRoutes } from '../contacts/routes';
import { customerRoutes } from '../customers/routes';
import { eventRoutes } from '../events/routes';
import { exchangeRoutes } from '../exchange/routes';
import { defineApi } from '../http/api';
import { segmentRoutes } from '../segments/routes';
import { webhookRoutes } from '../webhooks/routes';

export const canonicalApi = defineApi({
  name: 'canonical',
  mounts: ['/api'],
  routes: [...customerRoutes, ...contactRoutes, ...addressRoutes, ...segmentRoutes, ...exchangeRoutes, ...eventRoutes, ...webhookRoutes],
  render: (error, requestId) => ({
    success: false,
    error: error.message,
    code: error.code,
    ...(error.issues ? { issues: error.issues } : {}),
    request_id: requestId,
  }),
});
