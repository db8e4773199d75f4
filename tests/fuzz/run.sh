#!/usr/bin/env bash
# Runs every libFuzzer target for a bounded time, seeded from the committed
# corpus plus the spec suite's modules (dumped by `wasmc wast --dump`).
# Counts each target as one test: passed when it ran its time without a finding.
#   tests/fuzz/run.sh BUILD_DIR SECONDS
set -uo pipefail
cd "$(dirname "$0")/../.."
build=${1:?usage: tests/fuzz/run.sh BUILD_DIR SECONDS}
seconds=${2:-60}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
passed=0 failed=0

# Seeds: every module of the suite as .wasm and as printed .wat, and the
# smaller .wast scripts themselves.
suite=${WASMC_TESTSUITE:-../shared/testsuite}
mkdir -p "$work/seeds/decode" "$work/seeds/wat" "$work/seeds/wast"
if [ -d "$suite/core" ]; then
    mkdir -p "$work/dump"
    find "$suite/core" -name '*.wast' -print0 | xargs -0 "$build/fuzz/fuzz_seeds" "$work/dump" >/dev/null
    find "$work/dump" -name '*.wasm' -size -64k -exec cp {} "$work/seeds/decode/" \; 2>/dev/null
    find "$work/dump" -name '*.wat' -size -64k -exec cp {} "$work/seeds/wat/" \; 2>/dev/null
    find "$suite/core" -name '*.wast' -size -32k -exec cp {} "$work/seeds/wast/" \;
fi
# exec_fuzz and diff_fuzz run the decoder's seeds; targets without seeds of
# their own start from their committed corpus alone.
ln -s "$work/seeds/decode" "$work/seeds/exec"
ln -s "$work/seeds/decode" "$work/seeds/diff"

for target in "$build"/fuzz/*_fuzz; do
    name=$(basename "$target")
    kind=${name%_fuzz}
    corpus="$work/corpus-$kind"
    # new units go to $corpus; the committed corpus and the seeds are only read
    mkdir -p "$corpus" "$work/seeds/$kind"
    inputs=("$corpus")
    [ -d "tests/fuzz/corpus/$kind" ] && inputs+=("tests/fuzz/corpus/$kind")
    inputs+=("$work/seeds/$kind")
    echo "-- $name: ${seconds}s"
    if "$target" -max_total_time="$seconds" -max_len=65536 -timeout=10 -rss_limit_mb=2048 \
        -print_final_stats=1 -artifact_prefix="$work/" "${inputs[@]}" >"$work/$name.log" 2>&1; then
        passed=$((passed + 1))
        grep -E 'stat::number_of_executed_units|Done [0-9]+ runs' "$work/$name.log" | tail -n 2
    else
        failed=$((failed + 1))
        tail -n 40 "$work/$name.log"
        for crash in "$work"/crash-* "$work"/leak-* "$work"/timeout-* "$work"/oom-*; do
            [ -e "$crash" ] || continue
            echo "finding: $crash (base64 follows)"
            base64 -w0 "$crash"
            echo
        done
    fi
done
echo "$passed passed, $failed failed"
[ $failed -eq 0 ]
