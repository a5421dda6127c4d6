CREATE TABLE `addresses` (
	`id` text PRIMARY KEY NOT NULL,
	`workspace_id` text NOT NULL,
	`customer_id` text NOT NULL,
	`contact_id` text,
	`type` text NOT NULL,
	`name` text,
	`address_line1` text NOT NULL,
	`address_line2` text,
	`city` text NOT NULL,
	`postal_code` text NOT NULL,
	`state` text,
	`country` text NOT NULL,
	`comment` text,
	`id_crm` text,
	`id_erp` text,
	`id_accounting` text,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`customer_id`) REFERENCES `customers`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`contact_id`) REFERENCES `contacts`(`id`) ON UPDATE no action ON DELETE set null
);
--> statement-breakpoint
CREATE INDEX `addresses_workspace_id_idx` ON `addresses` (`workspace_id`,`id`);--> statement-breakpoint
CREATE INDEX `addresses_customer_id_idx` ON `addresses` (`customer_id`,`id`);--> statement-breakpoint
CREATE INDEX `addresses_contact_id_idx` ON `addresses` (`contact_id`,`id`);--> statement-breakpoint
CREATE TABLE `contacts` (
	`id` text PRIMARY KEY NOT NULL,
	`workspace_id` text NOT NULL,
	`customer_id` text NOT NULL,
	`first_name` text NOT NULL,
	`last_name` text NOT NULL,
	`email` text NOT NULL,
	`phone` text,
	`role` text DEFAULT '[]' NOT NULL,
	`id_crm` text,
	`id_erp` text,
	`id_accounting` text,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`customer_id`) REFERENCES `customers`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `contacts_workspace_id_idx` ON `contacts` (`workspace_id`,`id`);--> statement-breakpoint
CREATE INDEX `contacts_customer_id_idx` ON `contacts` (`customer_id`,`id`);--> statement-breakpoint
CREATE TABLE `customer_tax_ids` (
	`customer_id` text NOT NULL,
	`position` integer NOT NULL,
	`workspace_id` text NOT NULL,
	`tax` text NOT NULL,
	`tax_value` text NOT NULL,
	PRIMARY KEY(`customer_id`, `position`),
	FOREIGN KEY (`customer_id`) REFERENCES `customers`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `customer_tax_ids_tax_value_idx` ON `customer_tax_ids` (`workspace_id`,`tax_value`);--> statement-breakpoint
CREATE TABLE `customers` (
	`id` text PRIMARY KEY NOT NULL,
	`workspace_id` text NOT NULL,
	`name` text NOT NULL,
	`name_search` text NOT NULL,
	`type` text NOT NULL,
	`segment_id` text,
	`logo` text,
	`tax_ids` text DEFAULT '[]' NOT NULL,
	`id_crm` text,
	`id_erp` text,
	`id_accounting` text,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`segment_id`) REFERENCES `segments`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `customers_workspace_id_idx` ON `customers` (`workspace_id`,`id`);--> statement-breakpoint
CREATE INDEX `customers_type_idx` ON `customers` (`workspace_id`,`type`,`id`);--> statement-breakpoint
CREATE INDEX `customers_segment_id_idx` ON `customers` (`segment_id`,`id`);--> statement-breakpoint
CREATE INDEX `customers_id_crm_idx` ON `customers` (`workspace_id`,`id_crm`,`id`);--> statement-breakpoint
CREATE INDEX `customers_id_erp_idx` ON `customers` (`workspace_id`,`id_erp`,`id`);--> statement-breakpoint
CREATE INDEX `customers_id_accounting_idx` ON `customers` (`workspace_id`,`id_accounting`,`id`);--> statement-breakpoint
CREATE TABLE `segments` (
	`id` text PRIMARY KEY NOT NULL,
	`workspace_id` text NOT NULL,
	`name` text NOT NULL,
	`reference` text,
	`description` text,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `segments_workspace_id_idx` ON `segments` (`workspace_id`,`id`);