-- Medical expenses (医療費) and benefit decisions (支給決定), imported from the society's files by
-- `admin import-expenses` and `admin import-benefits` (issue 16). Members see what lies in the window
-- (`[expenses] window_months`); every import deletes what lies before it.

-- One row per import: which file, how many rows, when. Rows keep the batch that last replaced them.
CREATE TABLE import_batches (
    id          INTEGER PRIMARY KEY,
    kind        TEXT NOT NULL CHECK (kind IN ('expenses', 'benefits')),
    file_name   TEXT NOT NULL,
    rows        INTEGER NOT NULL DEFAULT 0,
    imported_at TEXT NOT NULL
);

-- What an import replaces: one group per household and period (expenses: the month of treatment,
-- `YYYY-MM`; decisions: the decision date, `YYYY-MM-DD`). A file that holds a group replaces all of
-- its rows. `digest` is an order-free sum of the rows' hashes, `prev_digest` the digest before the
-- batch that last replaced the group (NULL: the group is new), so that the households whose data an
-- import changed are those with a group of that batch whose digest moved: they get the notice mail
-- (the import remembers which households it touched and reads their groups by the primary key).
CREATE TABLE import_groups (
    kind         TEXT NOT NULL CHECK (kind IN ('expenses', 'benefits')),
    household_id INTEGER NOT NULL REFERENCES households(id),
    period       TEXT NOT NULL,
    rows         INTEGER NOT NULL,
    digest       INTEGER NOT NULL,
    prev_digest  INTEGER,
    batch_id     INTEGER NOT NULL REFERENCES import_batches(id),
    PRIMARY KEY (kind, household_id, period)
) WITHOUT ROWID;
-- The window purge: the groups before the window.
CREATE INDEX import_groups_by_period ON import_groups(kind, period);

-- 医療費: one row per patient, provider and category in a month of treatment. Members are never
-- deleted, so member_id needs no index for the foreign-key check.
CREATE TABLE expenses (
    id           INTEGER PRIMARY KEY,
    household_id INTEGER NOT NULL REFERENCES households(id),
    month        TEXT NOT NULL,
    member_id    INTEGER NOT NULL REFERENCES members(id),
    provider     TEXT NOT NULL,
    category     TEXT NOT NULL
        CHECK (category IN ('inpatient', 'outpatient', 'pharmacy', 'dental', 'visiting')),
    days         INTEGER NOT NULL CHECK (days BETWEEN 0 AND 31),
    total        INTEGER NOT NULL CHECK (total >= 0),
    paid         INTEGER NOT NULL CHECK (paid BETWEEN 0 AND total)
);
-- A household's months with their sums (covering), a month's rows, replacing and purging a month.
CREATE INDEX expenses_by_household ON expenses(household_id, month, paid, total);

-- 支給決定: one row per decision; `kind` is a code of `[benefits] kinds`; `paid_on` NULL when the
-- payment date is not known yet.
CREATE TABLE benefits (
    id           INTEGER PRIMARY KEY,
    household_id INTEGER NOT NULL REFERENCES households(id),
    decided_on   TEXT NOT NULL,
    kind         TEXT NOT NULL,
    amount       INTEGER NOT NULL CHECK (amount > 0),
    paid_on      TEXT
);
CREATE INDEX benefits_by_household ON benefits(household_id, decided_on);
