#!/usr/bin/env bash
# The scale harness (issue 14): a society of 1,000 to 200,000 households, each figure next to its
# anchor measured in the same run, alternately, printed as a table (figure, value, anchor, ratio,
# target, load). The README's figures come from here.
#
#   scripts/scale.sh                      everything (about 15–30 minutes on 2 cores, most of it the
#                                         200,000-household store's first build and the kiosk run)
#   scripts/scale.sh --runs 3 --sizes 1000,10000 --skip kiosk     a quicker look
#   scripts/scale.sh --help               every option
#
# Anchors, all programs of this repository: the raw argon2id rate of the same crate and parameters on
# all cores (examples/scale/anchors.rs), the plain Python sqlite3 import on the same schema
# (scripts/anchors/import_members.py), the 1,000-household store for the flatness figures, and, for
# mail delivery, the plain single-connection SMTP client of benches/mail_delivery.rs (SCALE_MAIL=0
# leaves that out). Stores are kept in target/scale/ for the next run. KOSMO_KIOSK_BIN measures
# another build of the binary (e.g. an older commit's) with this harness.
set -euo pipefail
cd "$(dirname "$0")/.."

cargo build --release --bin kosmo-kiosk --example scale
export KOSMO_KIOSK_BIN="${KOSMO_KIOSK_BIN:-$PWD/target/release/kosmo-kiosk}"
target/release/examples/scale "$@"

if [[ "${SCALE_MAIL:-1}" != 0 && " $* " != *" --help "* ]]; then
    echo
    echo "== mail delivery against the plain single-connection SMTP client (benches/mail_delivery.rs)"
    cargo bench --bench mail_delivery 2>&1 | grep -E 'ratio' || true
fi
