-- Hand-written (drizzle-kit cannot express triggers). Each RAISE message is a
-- stable token that src/http/errors.ts maps to an API error, so a rule broken
-- anywhere in a statement or batch aborts and rolls back the whole write.

-- A customer's segment must belong to the customer's workspace.
CREATE TRIGGER `customers_segment_check_insert` BEFORE INSERT ON `customers`
WHEN NEW.`segment_id` IS NOT NULL AND NOT EXISTS (
  SELECT 1 FROM `segments` WHERE `id` = NEW.`segment_id` AND `workspace_id` = NEW.`workspace_id`)
BEGIN SELECT RAISE(ABORT, 'invalid_reference:segment_id'); END;
--> statement-breakpoint
CREATE TRIGGER `customers_segment_check_update` BEFORE UPDATE OF `segment_id` ON `customers`
WHEN NEW.`segment_id` IS NOT NULL AND NOT EXISTS (
  SELECT 1 FROM `segments` WHERE `id` = NEW.`segment_id` AND `workspace_id` = NEW.`workspace_id`)
BEGIN SELECT RAISE(ABORT, 'invalid_reference:segment_id'); END;
--> statement-breakpoint
CREATE TRIGGER `segments_in_use_check` BEFORE DELETE ON `segments`
WHEN EXISTS (SELECT 1 FROM `customers` WHERE `segment_id` = OLD.`id`)
BEGIN SELECT RAISE(ABORT, 'segment_in_use'); END;
--> statement-breakpoint

-- customer_tax_ids mirrors customers.tax_ids (the source of truth) so that the
-- tax_value filter is an index lookup.
CREATE TRIGGER `customers_tax_ids_insert` AFTER INSERT ON `customers`
BEGIN
  INSERT INTO `customer_tax_ids` (`customer_id`, `position`, `workspace_id`, `tax`, `tax_value`)
  SELECT NEW.`id`, `key`, NEW.`workspace_id`, `value` ->> 'tax', `value` ->> 'tax_value'
  FROM json_each(NEW.`tax_ids`);
END;
--> statement-breakpoint
CREATE TRIGGER `customers_tax_ids_update` AFTER UPDATE OF `tax_ids` ON `customers`
WHEN NEW.`tax_ids` IS NOT OLD.`tax_ids`
BEGIN
  DELETE FROM `customer_tax_ids` WHERE `customer_id` = NEW.`id`;
  INSERT INTO `customer_tax_ids` (`customer_id`, `position`, `workspace_id`, `tax`, `tax_value`)
  SELECT NEW.`id`, `key`, NEW.`workspace_id`, `value` ->> 'tax', `value` ->> 'tax_value'
  FROM json_each(NEW.`tax_ids`);
END;
--> statement-breakpoint

-- Contacts and addresses belong to a customer of their own workspace; an
-- address's contact must be a contact of the same customer.
CREATE TRIGGER `contacts_customer_check_insert` BEFORE INSERT ON `contacts`
WHEN NOT EXISTS (
  SELECT 1 FROM `customers` WHERE `id` = NEW.`customer_id` AND `workspace_id` = NEW.`workspace_id`)
BEGIN SELECT RAISE(ABORT, 'invalid_reference:customer_id'); END;
--> statement-breakpoint
CREATE TRIGGER `addresses_customer_check_insert` BEFORE INSERT ON `addresses`
WHEN NOT EXISTS (
  SELECT 1 FROM `customers` WHERE `id` = NEW.`customer_id` AND `workspace_id` = NEW.`workspace_id`)
BEGIN SELECT RAISE(ABORT, 'invalid_reference:customer_id'); END;
--> statement-breakpoint
CREATE TRIGGER `addresses_contact_check_insert` BEFORE INSERT ON `addresses`
WHEN NEW.`contact_id` IS NOT NULL AND NOT EXISTS (
  SELECT 1 FROM `contacts` WHERE `id` = NEW.`contact_id` AND `customer_id` = NEW.`customer_id`)
BEGIN SELECT RAISE(ABORT, 'invalid_reference:contact_id'); END;
--> statement-breakpoint
CREATE TRIGGER `addresses_contact_check_update` BEFORE UPDATE OF `contact_id` ON `addresses`
WHEN NEW.`contact_id` IS NOT NULL AND NOT EXISTS (
  SELECT 1 FROM `contacts` WHERE `id` = NEW.`contact_id` AND `customer_id` = NEW.`customer_id`)
BEGIN SELECT RAISE(ABORT, 'invalid_reference:contact_id'); END;
