-- The database without what issue #11 added to every customer write: the
-- FTS5 search index's triggers, the counters' totals and the five indexes of
-- migrations/0009. `npm run bench -- --only create,patch,delete --sql
-- bench/variants/without-search-index.sql`, beside the same run without
-- --sql, gives the write cost of #11 on today's code. Writes only: reads that
-- need these indexes would scan, and the search index stops following writes.
-- Left in place: the folded columns of migrations/0007 (the Worker writes
-- them), so the difference slightly understates #11's cost.
DROP TRIGGER `customers_search_insert`;
DROP TRIGGER `customers_search_update`;
DROP TRIGGER `customers_search_delete`;
DROP TRIGGER `customers_count_insert`;
DROP TRIGGER `customers_count_delete`;
DROP INDEX `customers_name_search_idx`;
DROP INDEX `customers_created_at_idx`;
DROP INDEX `customers_updated_at_idx`;
DROP INDEX `customers_deleted_at_idx`;
DROP INDEX `customers_source_system_id_idx`;
