/** Segment storage; a segment in use is refused deletion by a trigger (409 segment_in_use). */
import { crud } from '../model/crud';
import { segment } from './fields';

export const segmentQueries = crud('segments', segment);
