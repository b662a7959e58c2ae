-- A success forgives only the failures of what it proved (issue 8): the lock table keeps, within the
-- total `failures`, how many were identity checks and how many reset requests or codes. Rows written
-- before this migration count as password failures.
ALTER TABLE locks ADD COLUMN identity_failures INTEGER NOT NULL DEFAULT 0;
ALTER TABLE locks ADD COLUMN reset_failures INTEGER NOT NULL DEFAULT 0;
