/** The segment, declared once (src/model/resource.ts): a group of customers (a customer's segment_id). */
import { f } from '../model/fields';
import { declare } from '../model/resource';
import { segments } from '../store/schema';

export const segment = declare(segments, {
  name: f.text().required(),
  reference: f.text().nullable(),
  description: f.text(1000).nullable(),
});
