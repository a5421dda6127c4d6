-- Hand-written, like 0001. A customer's bill-to customer is another customer
-- of the same workspace; deleting a customer clears it where it was bill-to.
CREATE TRIGGER `customers_bill_to_check_insert` BEFORE INSERT ON `customers`
WHEN NEW.`bill_to_customer_id` IS NOT NULL AND (NEW.`bill_to_customer_id` = NEW.`id` OR NOT EXISTS (
  SELECT 1 FROM `customers` WHERE `id` = NEW.`bill_to_customer_id` AND `workspace_id` = NEW.`workspace_id`))
BEGIN SELECT RAISE(ABORT, 'invalid_reference:bill_to_customer_id'); END;
--> statement-breakpoint
CREATE TRIGGER `customers_bill_to_check_update` BEFORE UPDATE OF `bill_to_customer_id` ON `customers`
WHEN NEW.`bill_to_customer_id` IS NOT NULL AND (NEW.`bill_to_customer_id` = NEW.`id` OR NOT EXISTS (
  SELECT 1 FROM `customers` WHERE `id` = NEW.`bill_to_customer_id` AND `workspace_id` = NEW.`workspace_id`))
BEGIN SELECT RAISE(ABORT, 'invalid_reference:bill_to_customer_id'); END;
--> statement-breakpoint
CREATE TRIGGER `customers_bill_to_clear` AFTER DELETE ON `customers`
BEGIN
  UPDATE `customers` SET `bill_to_customer_id` = NULL WHERE `bill_to_customer_id` = OLD.`id`;
END;
