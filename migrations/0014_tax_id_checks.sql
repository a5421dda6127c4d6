CREATE TABLE `tax_id_checks` (
	`customer_id` text NOT NULL,
	`tax_value` text NOT NULL,
	`workspace_id` text NOT NULL,
	`attempts` integer DEFAULT 0 NOT NULL,
	`next_attempt_at` integer NOT NULL,
	PRIMARY KEY(`customer_id`, `tax_value`),
	FOREIGN KEY (`customer_id`) REFERENCES `customers`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `tax_id_checks_due_idx` ON `tax_id_checks` (`next_attempt_at`);--> statement-breakpoint
-- tax_id_checks follows customers.tax_ids (the source of truth): a row per EU VAT number whose
-- VIES check is pending or unavailable (to retry); a number verified, unverified, changed or
-- removed loses its row. (Unreleased when written: edited in place before any deploy.) The tax-ids Worker works through the rows that are due.
CREATE TRIGGER `customers_tax_id_checks_insert` AFTER INSERT ON `customers`
WHEN instr(NEW.`tax_ids`, '"verification"') > 0
BEGIN
  INSERT OR IGNORE INTO `tax_id_checks` (`customer_id`, `tax_value`, `workspace_id`, `next_attempt_at`)
  SELECT NEW.`id`, json_extract(`value`, '$.tax_value'), NEW.`workspace_id`, NEW.`updated_at`
  FROM json_each(NEW.`tax_ids`) WHERE json_extract(`value`, '$.verification.status') = 'pending';
END;
--> statement-breakpoint
CREATE TRIGGER `customers_tax_id_checks_update` AFTER UPDATE OF `tax_ids` ON `customers`
WHEN NEW.`tax_ids` IS NOT OLD.`tax_ids`
BEGIN
  DELETE FROM `tax_id_checks` WHERE `customer_id` = NEW.`id` AND `tax_value` NOT IN (
    SELECT json_extract(`value`, '$.tax_value') FROM json_each(NEW.`tax_ids`)
    WHERE json_extract(`value`, '$.verification.status') IN ('pending', 'unavailable'));
  -- A number that became pending (new, or sent again after it was unavailable) starts its checks afresh:
  -- due now, attempts from 0. One pending before is left as it is (it may be leased to a check under way).
  INSERT INTO `tax_id_checks` (`customer_id`, `tax_value`, `workspace_id`, `next_attempt_at`)
  SELECT NEW.`id`, json_extract(`value`, '$.tax_value'), NEW.`workspace_id`, NEW.`updated_at`
  FROM json_each(NEW.`tax_ids`) WHERE json_extract(`value`, '$.verification.status') = 'pending'
    AND json_extract(`value`, '$.tax_value') NOT IN (
      SELECT json_extract(`value`, '$.tax_value') FROM json_each(OLD.`tax_ids`) WHERE json_extract(`value`, '$.verification.status') = 'pending')
  ON CONFLICT (`customer_id`, `tax_value`) DO UPDATE SET `attempts` = 0, `next_attempt_at` = excluded.`next_attempt_at`;
END;
