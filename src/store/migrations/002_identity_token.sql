-- The identity check (STEP3) leaves a one-session token on the postcard's credential; registration
-- (STEP4's [実行]) is accepted only with the token of the latest successful check. Stored as a hash.
ALTER TABLE temp_credentials ADD COLUMN identity_token_hash TEXT;
