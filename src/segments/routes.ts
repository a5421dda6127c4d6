/** /api/segments: the canonical segment routes. */
import { resourceRoutes } from '../http/resource';
import { syncedListSchema } from '../model/page';
import { segment } from './fields';
import { segmentQueries } from './queries';

export const segmentRoutes = resourceRoutes({
  path: '/api/segments',
  label: 'Segment',
  schemas: { create: segment.create, update: segment.update, list: syncedListSchema(segment.filters) },
  ...segmentQueries,
});
