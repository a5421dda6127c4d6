-- The column additions are generated; the backfills and triggers are
-- hand-written. Case- and accent-insensitive matching that is Unicode-aware:
-- SQLite's lower() and LIKE fold ASCII only, so the Worker stores folded
-- copies (src/lib/text.ts fold()) of the text it matches on. `folded` holds
-- those of the customer's other text fields and of its tax values, and
-- customer_tax_ids.tax_value_search takes each tax value's from it.
ALTER TABLE `customer_tax_ids` ADD `tax_value_search` text;--> statement-breakpoint
ALTER TABLE `customers` ADD `folded` text DEFAULT '{}' NOT NULL;--> statement-breakpoint
-- Backfill: the database folds ASCII only, so existing rows are folded that
-- far; the Worker folds fully each time it writes a field.
UPDATE `customers` SET `folded` = json_object(
  'email_address', lower(`email_address`), 'collector_id', lower(`collector_id`),
  'source_system', lower(`source_system`), 'source_system_id', lower(`source_system_id`),
  'id_crm', lower(`id_crm`), 'id_erp', lower(`id_erp`), 'id_accounting', lower(`id_accounting`),
  'tax_values', (SELECT json_group_array(lower(`value` ->> 'tax_value')) FROM json_each(`customers`.`tax_ids`)));
--> statement-breakpoint
UPDATE `customer_tax_ids` SET `tax_value_search` = lower(`tax_value`);
--> statement-breakpoint
DROP TRIGGER `customers_tax_ids_insert`;
--> statement-breakpoint
DROP TRIGGER `customers_tax_ids_update`;
--> statement-breakpoint
CREATE TRIGGER `customers_tax_ids_insert` AFTER INSERT ON `customers`
BEGIN
  INSERT INTO `customer_tax_ids` (`customer_id`, `position`, `workspace_id`, `tax`, `tax_value`, `tax_value_search`)
  SELECT NEW.`id`, `key`, NEW.`workspace_id`, `value` ->> 'tax', `value` ->> 'tax_value',
    coalesce(json_extract(NEW.`folded`, '$.tax_values[' || `key` || ']'), lower(`value` ->> 'tax_value'))
  FROM json_each(NEW.`tax_ids`);
END;
--> statement-breakpoint
CREATE TRIGGER `customers_tax_ids_update` AFTER UPDATE OF `tax_ids` ON `customers`
WHEN NEW.`tax_ids` IS NOT OLD.`tax_ids`
BEGIN
  DELETE FROM `customer_tax_ids` WHERE `customer_id` = NEW.`id`;
  INSERT INTO `customer_tax_ids` (`customer_id`, `position`, `workspace_id`, `tax`, `tax_value`, `tax_value_search`)
  SELECT NEW.`id`, `key`, NEW.`workspace_id`, `value` ->> 'tax', `value` ->> 'tax_value',
    coalesce(json_extract(NEW.`folded`, '$.tax_values[' || `key` || ']'), lower(`value` ->> 'tax_value'))
  FROM json_each(NEW.`tax_ids`);
END;
