#!/usr/bin/env bash
# Runs every fuzz target for SECONDS (default 600) one after the other, from seeded corpora,
# and prints each target's executions and findings. Needs `cargo install cargo-fuzz`.
set -uo pipefail
cd "$(dirname "$0")"
SECONDS_EACH="${1:-600}"
python3 seed_corpora.py >/dev/null
mkdir -p logs
for target in $(sed -n 's/^name = "\([a-z_]*\)"$/\1/p' Cargo.toml | grep -v veeam-em-fuzz); do
    cargo fuzz run "$target" --sanitizer none -O "corpus/$target" -- \
        -max_total_time="$SECONDS_EACH" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
        > "logs/$target.log" 2>&1
    status=$?
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "logs/$target.log" | tail -1)
    crashes=$(ls "artifacts/$target" 2>/dev/null | wc -l)
    echo "target=$target seconds=$SECONDS_EACH exit=$status executions=${execs:-?} artifacts=$crashes"
done
