-- kosmo-kiosk schema, version 1. Times are UTC, text `YYYY-MM-DDTHH:MM:SSZ` (sorts as it reads).

CREATE TABLE households (
    id             INTEGER PRIMARY KEY,
    insurer_number TEXT NOT NULL,
    symbol         TEXT NOT NULL,
    number         TEXT NOT NULL,
    created_at     TEXT NOT NULL,
    UNIQUE (insurer_number, symbol, number)
);

CREATE TABLE members (
    id           INTEGER PRIMARY KEY,
    household_id INTEGER NOT NULL REFERENCES households(id),
    name         TEXT NOT NULL,
    birth_date   TEXT NOT NULL,            -- YYYY-MM-DD
    relationship TEXT NOT NULL CHECK (relationship IN ('insured', 'dependent')),
    UNIQUE (household_id, name, birth_date)
);
CREATE INDEX members_by_household ON members(household_id);

CREATE TABLE temp_credentials (
    id            INTEGER PRIMARY KEY,
    household_id  INTEGER NOT NULL REFERENCES households(id),
    temp_id       TEXT NOT NULL COLLATE NOCASE UNIQUE,
    password_hash TEXT NOT NULL,           -- argon2id PHC string
    issued_at     TEXT NOT NULL,
    expires_at    TEXT NOT NULL,
    state         TEXT NOT NULL CHECK (state IN ('live', 'used', 'revoked', 'expired')),
    state_at      TEXT,
    issued_by     TEXT                     -- 'admin' or a staff ID
);
CREATE UNIQUE INDEX one_live_credential_per_household ON temp_credentials(household_id) WHERE state = 'live';

CREATE TABLE accounts (
    id                   INTEGER PRIMARY KEY,
    household_id         INTEGER NOT NULL UNIQUE REFERENCES households(id),
    user_id              TEXT NOT NULL COLLATE NOCASE UNIQUE,
    password_hash        TEXT NOT NULL,    -- argon2id PHC string
    password_set_at      TEXT NOT NULL,
    must_change_password TEXT,             -- NULL, 'expired' (admin) or 'initial' (staff-generated)
    email                TEXT,
    notify_mail          INTEGER NOT NULL CHECK (notify_mail IN (0, 1)),
    registrant           TEXT NOT NULL CHECK (registrant IN ('insured', 'dependent')),
    member_id            INTEGER REFERENCES members(id),
    lang                 TEXT NOT NULL DEFAULT 'ja',
    registered_at        TEXT NOT NULL,
    channel              TEXT NOT NULL CHECK (channel IN ('kiosk', 'staff', 'admin')),
    staff_id             TEXT
);

CREATE TABLE terms_agreements (
    id            INTEGER PRIMARY KEY,
    household_id  INTEGER NOT NULL REFERENCES households(id),
    account_id    INTEGER REFERENCES accounts(id),
    terms_version TEXT NOT NULL,
    lang          TEXT NOT NULL,
    agreed_at     TEXT NOT NULL,
    channel       TEXT NOT NULL
);

-- Consecutive failures per typed ID (temporary, permanent, staff or unknown: unknown IDs are throttled too).
CREATE TABLE locks (
    subject         TEXT PRIMARY KEY COLLATE NOCASE,
    failures        INTEGER NOT NULL DEFAULT 0,
    lock_count      INTEGER NOT NULL DEFAULT 0,
    locked_until    TEXT,
    last_failure_at TEXT
);

CREATE TABLE audit (
    id           INTEGER PRIMARY KEY,
    at           TEXT NOT NULL,
    channel      TEXT NOT NULL CHECK (channel IN ('kiosk', 'staff', 'admin')),
    staff_id     TEXT,
    client_addr  TEXT,
    event        TEXT NOT NULL,
    outcome      TEXT NOT NULL,
    household_id INTEGER REFERENCES households(id),
    subject      TEXT,                     -- the ID acted on; never a password
    detail       TEXT                      -- masked numbers only
);
CREATE INDEX audit_by_household ON audit(household_id, id);
CREATE INDEX audit_by_staff ON audit(staff_id, id);

CREATE TABLE outbox (
    id               INTEGER PRIMARY KEY,
    kind             TEXT NOT NULL,
    recipient        TEXT NOT NULL,
    subject          TEXT NOT NULL,
    body             TEXT NOT NULL,
    lang             TEXT NOT NULL DEFAULT 'ja',
    message_id       TEXT NOT NULL UNIQUE,
    dedupe_key       TEXT NOT NULL UNIQUE,
    household_id     INTEGER REFERENCES households(id),
    state            TEXT NOT NULL CHECK (state IN ('queued', 'sending', 'sent', 'dead')),
    attempts         INTEGER NOT NULL DEFAULT 0,
    created_at       TEXT NOT NULL,
    next_attempt_at  TEXT NOT NULL,
    lease_owner      TEXT,
    lease_expires_at TEXT,
    last_error       TEXT,
    sent_at          TEXT
);
CREATE INDEX outbox_due ON outbox(state, next_attempt_at);

CREATE TABLE staff (
    id              INTEGER PRIMARY KEY,
    staff_id        TEXT NOT NULL COLLATE NOCASE UNIQUE,
    password_hash   TEXT NOT NULL,
    password_set_at TEXT NOT NULL,
    created_at      TEXT NOT NULL,
    disabled        INTEGER NOT NULL DEFAULT 0
);

-- One-time codes for a forgotten password (stored hashed, short-lived, single-use).
CREATE TABLE reset_codes (
    id         INTEGER PRIMARY KEY,
    account_id INTEGER NOT NULL REFERENCES accounts(id),
    code_hash  TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    used_at    TEXT,
    attempts   INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX reset_codes_by_account ON reset_codes(account_id);
