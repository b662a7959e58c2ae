#!/usr/bin/env bash
# Sessions one host serves (docs/scaling.md): [実行] pressed at once on 1–32 kiosk sessions (p50/p99
# against one argon2id hash measured in the same run) and the memory of idle sessions, with the
# release binary in pseudo-terminals (examples/sessions.rs). About 2–4 minutes on 2 cores.
#
#   scripts/sessions.sh
#   SESSIONS_LEVELS=1,8,32 SESSIONS_ROUNDS=5 SESSIONS_IDLE=60 scripts/sessions.sh
#
# Linux only (/proc/<pid>/smaps_rollup, /proc/meminfo). Repeat it: the machine is shared, and the
# load average of each level is printed beside its figures.
set -euo pipefail
cd "$(dirname "$0")/.."

cargo build --release --bin kosmo-kiosk --example sessions
KOSMO_KIOSK_BIN="$PWD/target/release/kosmo-kiosk" target/release/examples/sessions
