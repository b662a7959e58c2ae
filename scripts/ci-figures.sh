#!/usr/bin/env bash
# The README's test count and CI time, from a run: clones this repository's HEAD into a temporary
# folder, runs .ci/run there with `time`, counts the tests that passed (unit tests in src/ and the
# integration suites in tests/, ignored entry points left out) and prints the README's table row.
#
#   scripts/ci-figures.sh            a clean clone (compiles everything: the CI figure)
#   scripts/ci-figures.sh --here     this worktree (warm target/: how long the tests themselves take)
set -euo pipefail
cd "$(dirname "$0")/.."

if [[ "${1:-}" == "--here" ]]; then
    dir=$PWD
else
    dir=$(mktemp -d)
    trap 'rm -rf "$dir"' EXIT
    git clone -q --no-hardlinks . "$dir"
fi
log=$(mktemp)
start=$(date +%s)
(cd "$dir" && .ci/run) >"$log" 2>&1 || { tail -40 "$log"; echo "ci-figures: .ci/run failed" >&2; exit 1; }
secs=$(( $(date +%s) - start ))
# "Running unittests src/lib.rs" opens the unit tests; "Running tests/<suite>/main.rs" each suite.
read -r unit integration < <(awk '
    /Running unittests src\/lib.rs/ { part = "unit"; next }
    /Running (unittests|tests\/|benches\/)/ { part = "other"; if ($2 ~ /^tests\//) part = "integration"; next }
    /^test result: ok\./ { n = $4; if (part == "unit") u += n; else if (part == "integration") i += n }
    END { print u + 0, i + 0 }' "$log")
echo "when: $(date -u +%Y-%m-%dT%H:%MZ), commit $(git rev-parse --short HEAD), load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "| \`.ci/run\` from a clean clone (fmt, clippy, $unit unit + $integration integration tests) | $secs s | \`scripts/ci-figures.sh\` |"
rm -f "$log"
