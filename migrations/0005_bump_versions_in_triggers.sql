-- Hand-written. Changes made by the database itself are updates too: they
-- bump version and updated_at, so an If-Match taken before them fails.
-- Epoch milliseconds, as the Worker writes them.
DROP TRIGGER `customers_bill_to_clear`;
--> statement-breakpoint
CREATE TRIGGER `customers_bill_to_clear` AFTER DELETE ON `customers`
BEGIN
  UPDATE `customers` SET `bill_to_customer_id` = NULL, `version` = `version` + 1,
    `updated_at` = max(CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER), `updated_at` + 1)
  WHERE `bill_to_customer_id` = OLD.`id`;
END;
--> statement-breakpoint
-- Unlinks a contact's addresses before the contact goes (the foreign key's
-- ON DELETE SET NULL then finds nothing left to do).
CREATE TRIGGER `contacts_unlink_addresses` BEFORE DELETE ON `contacts`
BEGIN
  UPDATE `addresses` SET `contact_id` = NULL, `version` = `version` + 1,
    `updated_at` = max(CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER), `updated_at` + 1)
  WHERE `contact_id` = OLD.`id`;
END;
--> statement-breakpoint
-- A contact or address stays with the customer it was created for.
CREATE TRIGGER `contacts_customer_immutable` BEFORE UPDATE OF `customer_id` ON `contacts`
WHEN NEW.`customer_id` IS NOT OLD.`customer_id`
BEGIN SELECT RAISE(ABORT, 'invalid_reference:customer_id'); END;
--> statement-breakpoint
CREATE TRIGGER `addresses_customer_immutable` BEFORE UPDATE OF `customer_id` ON `addresses`
WHEN NEW.`customer_id` IS NOT OLD.`customer_id`
BEGIN SELECT RAISE(ABORT, 'invalid_reference:customer_id'); END;
