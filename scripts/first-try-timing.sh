#!/usr/bin/env bash
# The first refusal in a new process, of every kind, against each other (issue 8 item 4): the login
# form (unknown ID, wrong postcard or account password, locked ID, used postcard), staff login, and the
# two halves of パスワードを忘れた方. Each kind is timed as the one call of a fresh process (each SSH session
# and each kiosk start is one), then in steady state; the medians of each form must lie within 10 % of
# each other. Exits 1 otherwise. Criterion's `first_try` group in benches/registration.rs measures the
# same fresh-process calls; this script gives the medians side by side and the verdict.
#
#   scripts/first-try-timing.sh [ROUNDS] [--wall]   (default 31 rounds; about 1 minute after the build)
#
# The verdict is on the CPU time of the call (the work it does), which load from other processes does
# not blur; --wall also judges the wall time, for a quiet machine. Both are printed.
#
# On a machine that others are building on, the spreads wander: run it twice, or on a quiet machine.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --example first_try
exec target/release/examples/first_try "$@"
