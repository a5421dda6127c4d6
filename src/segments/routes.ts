/** /api/segments: groups of customers (a customer's segment_id). */
import { resourceRoutes, type Router } from '../http/resource';
import { createSegment, deleteSegment, getSegment, listSegments, updateSegment } from './queries';
import { SegmentCreate, SegmentList, SegmentUpdate } from './schemas';

export const segmentRoutes = (router: Router) =>
  resourceRoutes(router, {
    path: '/api/segments',
    label: 'Segment',
    schemas: { create: SegmentCreate, update: SegmentUpdate, list: SegmentList },
    create: createSegment,
    list: listSegments,
    get: getSegment,
    update: updateSegment,
    remove: deleteSegment,
  });
