-- Indexes for a society of a few hundred thousand households (issue 14). Every statement that a command,
-- a staff screen, login or the kiosk runs is checked by tests/services/query_plans.rs: EXPLAIN QUERY PLAN must show
-- no full scan of a table that grows with the society, so a new query without its index fails there.

-- The newest credential of a household (admin members, the staff household view).
CREATE INDEX credentials_by_household ON temp_credentials(household_id, id);
-- Live credentials by expiry (expire_due; issue-credentials finds the households whose postcard lapsed).
CREATE INDEX live_credentials_by_expiry ON temp_credentials(expires_at, household_id) WHERE state = 'live';
-- Staff search by a member's name and birth date: the birth date narrows to a handful of rows.
CREATE INDEX members_by_birth_date ON members(birth_date);
-- The terms a household agreed to.
CREATE INDEX terms_by_household ON terms_agreements(household_id, id);
-- The staff audit screen filters by staff ID case-insensitively, as staff IDs are compared.
DROP INDEX audit_by_staff;
CREATE INDEX audit_by_staff ON audit(staff_id COLLATE NOCASE, id);
-- The staff audit screen filtered by an ID that names no household (a staff ID, an unknown ID).
CREATE INDEX audit_by_subject ON audit(subject COLLATE NOCASE, id);
-- Every column that references another table has an index, so that SQLite's foreign-key checks (an
-- account inserted, a household or account deleted by a purge) search instead of scanning the child table.
CREATE INDEX terms_by_account ON terms_agreements(account_id);
CREATE INDEX outbox_by_household ON outbox(household_id);
CREATE INDEX accounts_by_member ON accounts(member_id);
-- The newest audit row of one event (the daily purge asks when it last ran, every `outbox sync` round).
CREATE INDEX audit_by_event ON audit(event, id);
-- admin check: the IDs locked now.
CREATE INDEX locks_locked ON locks(locked_until) WHERE locked_until IS NOT NULL;
-- admin purge (retention): each kind reads only what is past its window, through an index of what is
-- still there to purge, instead of the whole table every day.
CREATE INDEX audit_by_time ON audit(at);
CREATE INDEX reset_codes_by_created ON reset_codes(created_at);
CREATE INDEX outbox_body_due ON outbox(sent_at) WHERE state = 'sent' AND body <> '';
CREATE INDEX credential_hash_due ON temp_credentials(
    (CASE WHEN state IN ('used', 'revoked') THEN coalesce(state_at, issued_at) ELSE expires_at END)
) WHERE password_hash <> '';
-- The staff mail screen: one state, newest first.
CREATE INDEX outbox_by_state ON outbox(state, id);
-- The staff unlock screen: the most recent failures first.
CREATE INDEX locks_by_last_failure ON locks(last_failure_at);

-- postcard_due = 1: the household has neither an account nor a live credential, so `issue-credentials`
-- without --household owes it a postcard. Kept by the triggers below whatever writes the rows, so that
-- finding a few new households reads an index of those few instead of the whole society. (A live
-- credential past its expiry is found through live_credentials_by_expiry.)
ALTER TABLE households ADD COLUMN postcard_due INTEGER NOT NULL DEFAULT 1;
UPDATE households SET postcard_due = 0
 WHERE EXISTS (SELECT 1 FROM accounts a WHERE a.household_id = households.id)
    OR EXISTS (SELECT 1 FROM temp_credentials t WHERE t.household_id = households.id AND t.state = 'live');
CREATE INDEX households_postcard_due ON households(postcard_due) WHERE postcard_due = 1;

CREATE TRIGGER postcard_due_issued AFTER INSERT ON temp_credentials WHEN NEW.state = 'live'
BEGIN
    UPDATE households SET postcard_due = 0 WHERE id = NEW.household_id AND postcard_due <> 0;
END;
CREATE TRIGGER postcard_due_registered AFTER INSERT ON accounts
BEGIN
    UPDATE households SET postcard_due = 0 WHERE id = NEW.household_id AND postcard_due <> 0;
END;
CREATE TRIGGER postcard_due_ended AFTER UPDATE OF state ON temp_credentials
WHEN OLD.state = 'live' AND NEW.state <> 'live'
BEGIN
    UPDATE households SET postcard_due = 1
     WHERE id = NEW.household_id AND postcard_due <> 1
       AND NOT EXISTS (SELECT 1 FROM accounts WHERE household_id = NEW.household_id)
       AND NOT EXISTS (SELECT 1 FROM temp_credentials WHERE household_id = NEW.household_id AND state = 'live');
END;
CREATE TRIGGER postcard_due_credential_deleted AFTER DELETE ON temp_credentials WHEN OLD.state = 'live'
BEGIN
    UPDATE households SET postcard_due = 1
     WHERE id = OLD.household_id AND postcard_due <> 1
       AND NOT EXISTS (SELECT 1 FROM accounts WHERE household_id = OLD.household_id)
       AND NOT EXISTS (SELECT 1 FROM temp_credentials WHERE household_id = OLD.household_id AND state = 'live');
END;
CREATE TRIGGER postcard_due_account_deleted AFTER DELETE ON accounts
BEGIN
    UPDATE households SET postcard_due = 1
     WHERE id = OLD.household_id AND postcard_due <> 1
       AND NOT EXISTS (SELECT 1 FROM temp_credentials WHERE household_id = OLD.household_id AND state = 'live');
END;
