#!/usr/bin/env python3
"""Anchor for `kosmo-kiosk admin import-members`: a plain Python `sqlite3` script doing the same
per-row work on the same schema, so that the Rust import can be compared with it in one run.

    python3 scripts/anchors/import_members.py STORE.db MEMBERS.csv

STORE.db must be a store the kiosk created (same schema and pragmas: WAL, synchronous=FULL,
foreign_keys=ON). The work per row is the Rust import's: NFKC and trim of each field, the insurer
number's check digit, the symbol and number rules, name length, a real past birth date, the
relationship; the household looked up by its key (once per run of rows of one household) and added
when new; the member added unless already present. Then every household touched must have exactly
one insured person, an audit row is written, and the one `BEGIN IMMEDIATE` transaction commits.
The CSV is streamed (csv.reader over the open file). Prints `rows N seconds S`.
"""
import csv
import datetime
import sqlite3
import sys
import time
import unicodedata

COLUMNS = ["insurer_number", "symbol", "number", "name", "birth_date", "relationship"]


def norm(s):
    return unicodedata.normalize("NFKC", s).strip()


def check_digit(first7):
    total = 0
    for i, ch in enumerate(reversed(first7)):
        p = int(ch) * (2 if i % 2 == 0 else 1)
        total += p // 10 + p % 10
    return (10 - total % 10) % 10


def fail(line, what):
    sys.exit(f"line {line}: {what}; nothing was imported")


def main(db_path, csv_path):
    started = time.perf_counter()
    db = sqlite3.connect(db_path, isolation_level=None)
    db.execute("PRAGMA busy_timeout = 30000")
    db.execute("PRAGMA synchronous = FULL")
    db.execute("PRAGMA foreign_keys = ON")
    now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    today = datetime.date.today()
    rows = added_h = added_m = unchanged = 0
    touched = {}
    db.execute("BEGIN IMMEDIATE")
    try:
        with open(csv_path, newline="", encoding="utf-8-sig") as f:
            reader = csv.reader(f)
            header = [h.strip().lower() for h in next(reader)]
            idx = [header.index(c) for c in COLUMNS]
            last_key, last_id = None, None
            line = 1
            for rec in reader:
                line = reader.line_num
                if all(not x.strip() for x in rec):
                    continue
                vals = [norm(rec[i]) if i < len(rec) else "" for i in idx]
                insurer, symbol, number, name, birth, rel = vals
                ins = insurer.replace("-", "").replace(" ", "")
                if len(ins) != 8 or not ins.isdigit() or not ins.isascii():
                    fail(line, "the insurer number is not 8 digits")
                if int(ins[7]) != check_digit(ins[:7]):
                    fail(line, "the insurer number's check digit is wrong")
                if not (1 <= len(symbol) <= 10 and symbol.isalnum()):
                    fail(line, "bad symbol")
                if not (1 <= len(number) <= 10 and number.isdigit() and number.isascii()):
                    fail(line, "bad number")
                if not name or len(name) > 100:
                    fail(line, "the name is empty or longer than 100 characters")
                try:
                    bd = datetime.date.fromisoformat(birth)
                except ValueError:
                    fail(line, f'birth_date "{birth}" is not a date as YYYY-MM-DD')
                if bd > today:
                    fail(line, "birth_date is in the future")
                rel = rel.lower()
                if rel not in ("insured", "dependent"):
                    fail(line, "relationship must be insured or dependent")
                rows += 1
                key = (ins, symbol, number)
                if key == last_key:
                    hid = last_id
                else:
                    r = db.execute(
                        "SELECT id FROM households WHERE insurer_number = ? AND symbol = ? AND number = ?",
                        key,
                    ).fetchone()
                    if r is None:
                        db.execute(
                            "INSERT INTO households (insurer_number, symbol, number, created_at) VALUES (?, ?, ?, ?)",
                            (ins, symbol, number, now),
                        )
                        hid = db.execute("SELECT last_insert_rowid()").fetchone()[0]
                        added_h += 1
                    else:
                        hid = r[0]
                    last_key, last_id = key, hid
                t = touched.setdefault(hid, [line, []])
                if rel == "insured" and len(t[1]) < 2:
                    t[1].append(line)
                cur = db.execute(
                    "INSERT INTO members (household_id, name, birth_date, relationship) VALUES (?, ?, ?, ?) "
                    "ON CONFLICT(household_id, name, birth_date) DO NOTHING",
                    (hid, name, bd.isoformat(), rel),
                )
                if cur.rowcount > 0:
                    added_m += 1
                else:
                    unchanged += 1
        for hid, (first, insured_lines) in touched.items():
            n = db.execute(
                "SELECT count(*) FROM members WHERE household_id = ? AND relationship = 'insured'",
                (hid,),
            ).fetchone()[0]
            if n != 1:
                fail(insured_lines[1] if n > 1 and len(insured_lines) > 1 else first,
                     f"household would have {n} insured persons; it needs exactly one")
        db.execute(
            "INSERT INTO audit (at, channel, staff_id, client_addr, event, outcome, household_id, subject, detail) "
            "VALUES (?, 'admin', NULL, NULL, 'import_members', 'ok', NULL, NULL, ?)",
            (now, f"rows {rows} households_added {added_h} members_added {added_m}"),
        )
        db.execute("COMMIT")
    except BaseException:
        db.execute("ROLLBACK")
        raise
    print(f"rows {rows} households_added {added_h} members_added {added_m} "
          f"unchanged {unchanged} seconds {time.perf_counter() - started:.4f}")


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2])
