CREATE TABLE `customer_metadata` (
	`customer_id` text NOT NULL,
	`workspace_id` text NOT NULL,
	`key` text NOT NULL,
	`value` text NOT NULL,
	PRIMARY KEY(`customer_id`, `key`),
	FOREIGN KEY (`customer_id`) REFERENCES `customers`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `customer_metadata_value_idx` ON `customer_metadata` (`workspace_id`,`key`,`value`,`customer_id`);--> statement-breakpoint
-- customer_metadata mirrors customers.metadata (the source of truth), one row per key, so that a
-- `metadata[key]=value` filter is an index lookup. Deleting a customer cascades.
CREATE TRIGGER `customers_metadata_insert` AFTER INSERT ON `customers`
BEGIN
  INSERT INTO `customer_metadata` (`customer_id`, `workspace_id`, `key`, `value`)
  SELECT NEW.`id`, NEW.`workspace_id`, `key`, `value` FROM json_each(NEW.`metadata`);
END;
--> statement-breakpoint
CREATE TRIGGER `customers_metadata_update` AFTER UPDATE OF `metadata` ON `customers`
WHEN NEW.`metadata` IS NOT OLD.`metadata`
BEGIN
  DELETE FROM `customer_metadata` WHERE `customer_id` = NEW.`id`;
  INSERT INTO `customer_metadata` (`customer_id`, `workspace_id`, `key`, `value`)
  SELECT NEW.`id`, NEW.`workspace_id`, `key`, `value` FROM json_each(NEW.`metadata`);
END;
--> statement-breakpoint
-- The customers stored before this migration.
INSERT INTO `customer_metadata` (`customer_id`, `workspace_id`, `key`, `value`)
SELECT c.`id`, c.`workspace_id`, j.`key`, j.`value` FROM `customers` c, json_each(c.`metadata`) j;
