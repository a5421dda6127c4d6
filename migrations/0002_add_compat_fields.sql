ALTER TABLE `customers` ADD `number` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `customers` ADD `legal_name` text;--> statement-breakpoint
ALTER TABLE `customers` ADD `contact_origin` text DEFAULT 'WEB_FORM' NOT NULL;--> statement-breakpoint
ALTER TABLE `customers` ADD `email_address` text;--> statement-breakpoint
ALTER TABLE `customers` ADD `cc_email_addresses` text DEFAULT '[]' NOT NULL;--> statement-breakpoint
ALTER TABLE `customers` ADD `bill_to_customer_id` text;--> statement-breakpoint
ALTER TABLE `customers` ADD `collector_id` text;--> statement-breakpoint
ALTER TABLE `customers` ADD `metadata` text DEFAULT '{}' NOT NULL;--> statement-breakpoint
ALTER TABLE `customers` ADD `source_system` text;--> statement-breakpoint
ALTER TABLE `customers` ADD `source_system_id` text;--> statement-breakpoint
ALTER TABLE `customers` ADD `due_option` integer;--> statement-breakpoint
ALTER TABLE `customers` ADD `email_settings` text;--> statement-breakpoint
ALTER TABLE `customers` ADD `integration_settings` text;--> statement-breakpoint
ALTER TABLE `customers` ADD `addresses_last_updated_at` integer;--> statement-breakpoint
ALTER TABLE `customers` ADD `contacts_last_updated_at` integer;--> statement-breakpoint
ALTER TABLE `customers` ADD `deleted_at` integer;--> statement-breakpoint
-- Reviewed: existing customers get their per-workspace numbers in creation
-- order before the unique index is built.
UPDATE `customers` SET `number` = (
  SELECT count(*) FROM `customers` AS `c`
  WHERE `c`.`workspace_id` = `customers`.`workspace_id` AND `c`.`id` <= `customers`.`id`);--> statement-breakpoint
CREATE UNIQUE INDEX `customers_number_idx` ON `customers` (`workspace_id`,`number`);--> statement-breakpoint
CREATE UNIQUE INDEX `customers_source_idx` ON `customers` (`workspace_id`,`source_system`,`source_system_id`);--> statement-breakpoint
CREATE INDEX `customers_bill_to_idx` ON `customers` (`bill_to_customer_id`);