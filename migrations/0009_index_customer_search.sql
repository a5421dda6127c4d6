-- Searching and counting a large workspace without walking it. The index
-- additions and the `total` column are generated; the rest is hand-written.
ALTER TABLE `workspace_counters` ADD `total` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
CREATE INDEX `customers_name_search_idx` ON `customers` (`workspace_id`,`name_search`,`id`);--> statement-breakpoint
CREATE INDEX `customers_created_at_idx` ON `customers` (`workspace_id`,`created_at`,`id`);--> statement-breakpoint
CREATE INDEX `customers_updated_at_idx` ON `customers` (`workspace_id`,`updated_at`,`id`);--> statement-breakpoint
CREATE INDEX `customers_deleted_at_idx` ON `customers` (`workspace_id`,`deleted_at`);--> statement-breakpoint
CREATE INDEX `customers_source_system_id_idx` ON `customers` (`workspace_id`,`source_system_id`);--> statement-breakpoint
-- The substring search index: FTS5 with the trigram tokenizer, over the
-- folded copies (src/lib/text.ts) of the fields `q`, AmbioSys `search` and
-- Upwell `_like`/`_ilike` match; its own folding (case, diacritics) then
-- applies to copies that are folded already. Contentless: it keeps no copy of
-- the text, only the index. Its rowid is the customer's rowid, which SQLite
-- keeps for a row's lifetime (nothing here runs VACUUM).
CREATE VIRTUAL TABLE `customer_search` USING fts5(
  name, legal_name, email_address, collector_id, source_system, source_system_id, id_crm, id_erp, id_accounting, tax_values,
  tokenize = 'trigram remove_diacritics 1', content = '', contentless_delete = 1
);
--> statement-breakpoint
CREATE TRIGGER `customers_search_insert` AFTER INSERT ON `customers`
BEGIN
  INSERT INTO `customer_search` (rowid, name, legal_name, email_address, collector_id, source_system, source_system_id, id_crm, id_erp, id_accounting, tax_values)
  VALUES (NEW.rowid, NEW.`name_search`, NEW.`legal_name_search`, NEW.`folded` ->> '$.email_address', NEW.`folded` ->> '$.collector_id',
    NEW.`folded` ->> '$.source_system', NEW.`folded` ->> '$.source_system_id', NEW.`folded` ->> '$.id_crm',
    NEW.`folded` ->> '$.id_erp', NEW.`folded` ->> '$.id_accounting',
    (SELECT group_concat(`value`, char(10)) FROM json_each(NEW.`folded`, '$.tax_values')));
END;
--> statement-breakpoint
-- A contentless table can only have all its columns set at once.
CREATE TRIGGER `customers_search_update` AFTER UPDATE OF `name_search`, `legal_name_search`, `folded` ON `customers`
WHEN NEW.`name_search` IS NOT OLD.`name_search` OR NEW.`legal_name_search` IS NOT OLD.`legal_name_search` OR NEW.`folded` IS NOT OLD.`folded`
BEGIN
  DELETE FROM `customer_search` WHERE rowid = OLD.rowid;
  INSERT INTO `customer_search` (rowid, name, legal_name, email_address, collector_id, source_system, source_system_id, id_crm, id_erp, id_accounting, tax_values)
  VALUES (NEW.rowid, NEW.`name_search`, NEW.`legal_name_search`, NEW.`folded` ->> '$.email_address', NEW.`folded` ->> '$.collector_id',
    NEW.`folded` ->> '$.source_system', NEW.`folded` ->> '$.source_system_id', NEW.`folded` ->> '$.id_crm',
    NEW.`folded` ->> '$.id_erp', NEW.`folded` ->> '$.id_accounting',
    (SELECT group_concat(`value`, char(10)) FROM json_each(NEW.`folded`, '$.tax_values')));
END;
--> statement-breakpoint
CREATE TRIGGER `customers_search_delete` AFTER DELETE ON `customers`
BEGIN
  DELETE FROM `customer_search` WHERE rowid = OLD.rowid;
END;
--> statement-breakpoint
-- How many customers each workspace has, for unfiltered counts.
CREATE TRIGGER `customers_count_insert` AFTER INSERT ON `customers`
BEGIN
  INSERT INTO `workspace_counters` (`workspace_id`, `customers`, `total`) VALUES (NEW.`workspace_id`, 0, 1)
  ON CONFLICT (`workspace_id`) DO UPDATE SET `total` = `total` + 1;
END;
--> statement-breakpoint
CREATE TRIGGER `customers_count_delete` AFTER DELETE ON `customers`
BEGIN
  UPDATE `workspace_counters` SET `total` = `total` - 1 WHERE `workspace_id` = OLD.`workspace_id`;
END;
--> statement-breakpoint
-- Backfills. The same INSERT rebuilds the search index, should it ever be needed.
INSERT INTO `customer_search` (rowid, name, legal_name, email_address, collector_id, source_system, source_system_id, id_crm, id_erp, id_accounting, tax_values)
SELECT rowid, `customers`.`name_search`, `customers`.`legal_name_search`, `customers`.`folded` ->> '$.email_address', `customers`.`folded` ->> '$.collector_id',
    `customers`.`folded` ->> '$.source_system', `customers`.`folded` ->> '$.source_system_id', `customers`.`folded` ->> '$.id_crm',
    `customers`.`folded` ->> '$.id_erp', `customers`.`folded` ->> '$.id_accounting',
    (SELECT group_concat(`value`, char(10)) FROM json_each(`customers`.`folded`, '$.tax_values')) FROM `customers`;
--> statement-breakpoint
INSERT OR IGNORE INTO `workspace_counters` (`workspace_id`, `customers`) SELECT DISTINCT `workspace_id`, 0 FROM `customers`;
--> statement-breakpoint
UPDATE `workspace_counters` SET `total` = (SELECT count(*) FROM `customers` WHERE `customers`.`workspace_id` = `workspace_counters`.`workspace_id`);
--> statement-breakpoint
-- A record never moves to another workspace: an import's upsert of an id that
-- another workspace holds is refused, not applied (src/exchange/format.ts).
CREATE TRIGGER `segments_workspace_immutable` BEFORE UPDATE OF `workspace_id` ON `segments`
WHEN NEW.`workspace_id` IS NOT OLD.`workspace_id`
BEGIN SELECT RAISE(ABORT, 'foreign_record'); END;
--> statement-breakpoint
CREATE TRIGGER `customers_workspace_immutable` BEFORE UPDATE OF `workspace_id` ON `customers`
WHEN NEW.`workspace_id` IS NOT OLD.`workspace_id`
BEGIN SELECT RAISE(ABORT, 'foreign_record'); END;
--> statement-breakpoint
CREATE TRIGGER `contacts_workspace_immutable` BEFORE UPDATE OF `workspace_id` ON `contacts`
WHEN NEW.`workspace_id` IS NOT OLD.`workspace_id`
BEGIN SELECT RAISE(ABORT, 'foreign_record'); END;
--> statement-breakpoint
CREATE TRIGGER `addresses_workspace_immutable` BEFORE UPDATE OF `workspace_id` ON `addresses`
WHEN NEW.`workspace_id` IS NOT OLD.`workspace_id`
BEGIN SELECT RAISE(ABORT, 'foreign_record'); END;
