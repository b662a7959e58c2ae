#!/usr/bin/env bash
# The first refusal in a new process, of every kind, against each other (issue 8 item 4): the login
# form (unknown ID, wrong postcard or account password, locked ID, used postcard), staff login, and the
# two halves of パスワードを忘れた方. Each kind is timed as the one call of a fresh process (each SSH session
# and each kiosk start is one), then in steady state; the medians of each form must lie within 10 % of
# each other. Exits 1 otherwise. Criterion's `refusal_first_try` group in benches/registration.rs
# measures the same fresh-process calls; this script gives the medians side by side and the verdict.
#
#   scripts/first-try-timing.sh [ROUNDS] [--cpu]   (default 21 rounds; about 3 minutes after the build)
#
# The verdict is on the wall time of the call, what a caller can time: every refusal is answered no
# sooner than [lockout] refusal_floor_ms after the request (src/services/pace.rs). It also fails when a
# kind's work outran the floor in more than a tenth of its calls (the floor is too low for the machine).
# The CPU time of each call (the work, a few percent apart between kinds on a first try) is printed;
# --cpu judges it too.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --example first_try
exec target/release/examples/first_try "$@"
