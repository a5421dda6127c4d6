-- Hand-written. An address's contact must be in the address's own workspace
-- too: without it, another workspace's linked customer/contact pair answered
-- differently from unknown ids, which told a caller that the pair exists.
DROP TRIGGER `addresses_contact_check_insert`;
--> statement-breakpoint
DROP TRIGGER `addresses_contact_check_update`;
--> statement-breakpoint
CREATE TRIGGER `addresses_contact_check_insert` BEFORE INSERT ON `addresses`
WHEN NEW.`contact_id` IS NOT NULL AND NOT EXISTS (
  SELECT 1 FROM `contacts` WHERE `id` = NEW.`contact_id` AND `customer_id` = NEW.`customer_id`
    AND `workspace_id` = NEW.`workspace_id`)
BEGIN SELECT RAISE(ABORT, 'invalid_reference:contact_id'); END;
--> statement-breakpoint
CREATE TRIGGER `addresses_contact_check_update` BEFORE UPDATE OF `contact_id` ON `addresses`
WHEN NEW.`contact_id` IS NOT NULL AND NOT EXISTS (
  SELECT 1 FROM `contacts` WHERE `id` = NEW.`contact_id` AND `customer_id` = NEW.`customer_id`
    AND `workspace_id` = NEW.`workspace_id`)
BEGIN SELECT RAISE(ABORT, 'invalid_reference:contact_id'); END;
