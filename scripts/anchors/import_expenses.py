#!/usr/bin/env python3
"""The anchor of the expenses import (benches/expenses.rs): the plain Python sqlite3 insert of the
same rows into the same tables of a store the kiosk created, in one transaction, without any check,
grouping, replacement, purge or mail. Households and members are read into dicts before the clock
starts. Prints `rows N cpu S wall W` (CPU and wall seconds of the insert alone).

    import_expenses.py STORE.db EXPENSES.csv
"""
import csv
import sqlite3
import sys
import time


def main():
    db, path = sys.argv[1], sys.argv[2]
    c = sqlite3.connect(db, isolation_level=None)
    c.execute("PRAGMA foreign_keys=ON")
    c.execute("PRAGMA synchronous=FULL")
    households = {
        f"{i}-{s}-{n}": hid
        for hid, i, s, n in c.execute("SELECT id, insurer_number, symbol, number FROM households")
    }
    members = {
        (hid, name): mid for mid, hid, name in c.execute("SELECT id, household_id, name FROM members")
    }
    insert = (
        "INSERT INTO expenses (household_id, month, member_id, provider, category, days, total, paid)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
    )
    cpu, wall = time.process_time(), time.perf_counter()
    rows = 0
    c.execute("BEGIN IMMEDIATE")
    with open(path, encoding="utf-8", newline="") as f:
        reader = csv.reader(f)
        next(reader)
        for household, month, patient, provider, category, days, total, paid in reader:
            hid = households[household]
            c.execute(
                insert,
                (hid, month, members[(hid, patient)], provider, category, int(days), int(total), int(paid)),
            )
            rows += 1
    c.execute("COMMIT")
    print(f"rows {rows} cpu {time.process_time() - cpu:.3f} wall {time.perf_counter() - wall:.3f}")


if __name__ == "__main__":
    main()
