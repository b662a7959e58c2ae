#!/usr/bin/env bash
# Measures the kiosk's figures (docs/screens.md): start-up, idle CPU, key press to redrawn
# frame, [実行] to the done screen and peak memory, on the release binary in an 80×24
# pseudo-terminal (examples/measure.rs), then the criterion benchmark of App::handle + draw.
#
#   scripts/measure.sh            everything (about 3 minutes after the build)
#   scripts/measure.sh --no-bench only the pseudo-terminal figures
#
# MEASURE_IDLE_SECS (default 30) and MEASURE_KEYS (default 200) tune the pseudo-terminal run.
# Linux only (reads /proc/<pid>/stat and /proc/<pid>/status).
set -euo pipefail
cd "$(dirname "$0")/.."

cargo build --release --bin kosmo-kiosk --example measure
echo "== the real binary in a pseudo-terminal (examples/measure.rs)"
KOSMO_KIOSK_BIN="$PWD/target/release/kosmo-kiosk" target/release/examples/measure

if [[ "${1:-}" != "--no-bench" ]]; then
    echo "== App::handle of a key + draw to a TestBackend 80x24, and [実行] to done (benches/tui.rs)"
    cargo bench --bench tui 2>&1 | grep -E '^(key_to_frame|execute_to_done)|time:'
fi
