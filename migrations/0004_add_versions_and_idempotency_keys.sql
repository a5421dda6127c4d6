CREATE TABLE `idempotency_keys` (
	`workspace_id` text NOT NULL,
	`key` text NOT NULL,
	`fingerprint` text NOT NULL,
	`result` text,
	`created_at` integer NOT NULL,
	`expires_at` integer NOT NULL,
	PRIMARY KEY(`workspace_id`, `key`)
);
--> statement-breakpoint
CREATE INDEX `idempotency_keys_expires_at_idx` ON `idempotency_keys` (`expires_at`);--> statement-breakpoint
CREATE TABLE `workspace_counters` (
	`workspace_id` text PRIMARY KEY NOT NULL,
	`customers` integer NOT NULL
);
--> statement-breakpoint
ALTER TABLE `addresses` ADD `version` integer DEFAULT 1 NOT NULL;--> statement-breakpoint
ALTER TABLE `contacts` ADD `version` integer DEFAULT 1 NOT NULL;--> statement-breakpoint
ALTER TABLE `customers` ADD `legal_name_search` text;--> statement-breakpoint
ALTER TABLE `customers` ADD `version` integer DEFAULT 1 NOT NULL;--> statement-breakpoint
ALTER TABLE `segments` ADD `version` integer DEFAULT 1 NOT NULL;--> statement-breakpoint
-- Reviewed: backfills for existing rows. SQLite's lower() folds ASCII only;
-- rows written from now on get a Unicode lower-casing from the Worker.
UPDATE `customers` SET `legal_name_search` = lower(`legal_name`) WHERE `legal_name` IS NOT NULL;--> statement-breakpoint
INSERT INTO `workspace_counters` (`workspace_id`, `customers`)
  SELECT `workspace_id`, max(`number`) FROM `customers` GROUP BY `workspace_id`;
