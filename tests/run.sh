#!/usr/bin/env bash
# Runs every test against one build directory and prints the closing line
# "N passed, N failed, N skipped" (skipped = spec commands that need parts of
# wasmc not built yet; never counted as passed). Exit status 1 on any failure.
#   tests/run.sh BUILD_DIR
set -uo pipefail
cd "$(dirname "$0")/.."
build=${1:?usage: tests/run.sh BUILD_DIR}
wasmc="$build/wasmc"
passed=0 failed=0 skipped=0
log=$(mktemp)
trap 'rm -f "$log"' EXIT

# add_counts LABEL: read the last "N passed, N failed[, N skipped]" line of $log
add_counts() {
    local line p f s
    line=$(grep -E '[0-9]+ passed, [0-9]+ failed' "$log" | tail -n 1)
    if [ -z "$line" ]; then
        echo "  $1: no summary line (crashed?)"
        failed=$((failed + 1))
        return
    fi
    p=$(grep -oE '[0-9]+ passed' <<<"$line" | grep -oE '[0-9]+')
    f=$(grep -oE '[0-9]+ failed' <<<"$line" | grep -oE '[0-9]+')
    s=$(grep -oE '[0-9]+ skipped' <<<"$line" | grep -oE '[0-9]+' || echo 0)
    passed=$((passed + p)) failed=$((failed + f)) skipped=$((skipped + s))
}

echo "== unit tests"
for t in "$build"/tests/*_test; do
    [ -x "$t" ] || continue
    "$t" >"$log" 2>&1
    status=$?
    tail -n 1 "$log"
    add_counts "$(basename "$t")"
    if [ $status -ne 0 ] && ! grep -qE '[1-9][0-9]* failed' "$log"; then
        cat "$log"
        failed=$((failed + 1))
    fi
    grep -E '^FAIL|FAILED' "$log" | head -n 20
done

echo "== spec test suite and round trips"
"$wasmc" wast --roundtrip >"$log" 2>&1
cat "$log" | grep -vE ': [0-9]+ passed, 0 failed' | tail -n 60
add_counts "spec suite"

echo "== component-model test suite"
suite=${WASMC_TESTSUITE:-../shared/testsuite}
"$wasmc" wast "$suite/component-model" >"$log" 2>&1
grep -vE ': [0-9]+ passed, 0 failed' "$log" | tail -n 60
add_counts "component-model suite"

echo "== wasmtime's misc test suite"
# Top level and every folder. The commands listed in
# tests/wasmtime-misc.deviations expect wasmtime's own choices where the spec
# differs (table.grow traps instead of returning -1, data segment traps
# reported as link errors, other wordings): they are reported not run.
misc=${WASMC_TESTSUITE:-../shared/testsuite}/wasmtime-misc
deviations=(--deviations tests/wasmtime-misc.deviations)
"$wasmc" wast "${deviations[@]}" "$misc"/*.wast "$misc"/function-references "$misc"/gc \
    "$misc"/memory64 "$misc"/multi-memory "$misc"/simd "$misc"/tail-call "$misc"/winch \
    >"$log" 2>&1
grep -vE ': [0-9]+ passed, 0 failed' "$log" | tail -n 12
add_counts "wasmtime-misc"

echo "== our own WAST regressions"
"$wasmc" wast --roundtrip tests/wast >"$log" 2>&1
grep -vE ': [0-9]+ passed, 0 failed' "$log" | tail -n 20
add_counts "tests/wast"

echo "== the other tier: every script again on the interpreter; SIMD levels of the JIT"
# The stages above ran the default tier: the JIT where it runs (x86-64 with
# SSE4.1), else the interpreter. Here the same scripts run on the
# interpreter, the reference the JIT is held to (GC and exceptions included).
suite=${WASMC_TESTSUITE:-../shared/testsuite}
if ! "$wasmc" wast --tier jit tests/wast/simd 2>&1 | grep -q 'unavailable tier'; then
    mapfile -t all_files < <({
        find "$suite/core" "$suite/wasmtime-misc/simd" tests/wast -name '*.wast'
        find "$suite/wasmtime-misc" -maxdepth 1 -name '*.wast'
        find "$suite"/wasmtime-misc/{function-references,gc,memory64,multi-memory,tail-call,winch} \
            -name '*.wast'
    } | sort)
    "$wasmc" wast --tier interp "${deviations[@]}" "${all_files[@]}" "$suite/component-model" \
        >"$log" 2>&1
    grep -vE ': [0-9]+ passed, 0 failed' "$log" | tail -n 20
    add_counts "interpreter tier"
    # SIMD lowers to AVX, SSE4.1/SSSE3 or SSE2 forms by the CPU's features: run
    # the SIMD scripts again with the level capped (WASMC_JIT_SSE, see jit_int.h)
    # so each path is tested on any machine.
    mapfile -t simd_files < <(printf '%s\n' "${all_files[@]}" |
        grep -E '/(simd|relaxed)_[^/]*\.wast$|/simd/')
    for level in 3 1 0; do
        WASMC_JIT_SSE=$level "$wasmc" wast --tier jit "${simd_files[@]}" >"$log" 2>&1
        grep -vE ': [0-9]+ passed, 0 failed' "$log" | tail -n 20
        add_counts "jit tier, SIMD level $level"
    done
    echo "real programs on the interpreter:"
    WASMC_TIER=interp tests/wasi/real_programs.sh "$wasmc" >"$log" 2>&1
    grep -vE '^(ok|building|installing) ' "$log" | tail -n 40
    add_counts "real programs, interpreter"
else
    echo "(the JIT is not available here: the default tier was the interpreter)"
fi

echo "== the runner reports failures"
# tests/wast-failing holds scripts whose assertions are wrong on purpose: the
# runner must count each as failed and exit 1.
"$wasmc" wast tests/wast-failing >"$log" 2>&1
status=$?
expected=$(cat tests/wast-failing/EXPECTED_FAILURES 2>/dev/null || echo missing)
got=$(grep -oE '[0-9]+ failed' "$log" | tail -n 1 | grep -oE '[0-9]+')
if [ $status -eq 1 ] && [ "$got" = "$expected" ]; then
    passed=$((passed + 1))
    echo "ok: $got failures reported, exit 1"
else
    failed=$((failed + 1))
    echo "FAIL: expected $expected failures and exit 1, got '${got:-none}' and exit $status"
fi

echo "== the runner's --deviations"
# tests/wast-deviations: a listed wrong assertion is not run (1 skipped, not
# failed), a listed line without a command fails, an entry for another
# script does not apply; without the list the wrong assertion fails.
"$wasmc" wast --deviations tests/wast-deviations/deviations.txt tests/wast-deviations \
    >"$log" 2>&1
status=$?
summary=$(tail -n 1 "$log")
plain=$("$wasmc" wast tests/wast-deviations 2>&1 | tail -n 1)
if [ $status -eq 1 ] && [ "$summary" = "3 passed, 1 failed, 1 skipped" ] &&
    grep -q 'script.wast:12:0: script: --deviations names a line with no command' "$log" &&
    [ "$plain" = "3 passed, 1 failed, 0 skipped" ]; then
    passed=$((passed + 1))
    echo "ok: listed command not run, stale entry failed"
else
    failed=$((failed + 1))
    echo "FAIL: got '$summary' (exit $status) with the list, '$plain' without"
fi

echo "== wasmc run"
tests/cli/run_test.sh "$build" >"$log" 2>&1
grep -vE '^run_test:' "$log" | tail -n 40
tail -n 1 "$log"
add_counts "tests/cli/run_test.sh"

echo "== WASI programs (C guests built with clang-19 and wasi-libc; sandbox escapes)"
tests/wasi/run.sh "$wasmc" >"$log" 2>&1
cat "$log" | tail -n 40
add_counts "tests/wasi/run.sh"

echo "== real programs under WASI: SQLite and Flite"
tests/wasi/real_programs.sh "$wasmc" >"$log" 2>&1
grep -vE '^(ok|building|installing) ' "$log" | tail -n 40
add_counts "tests/wasi/real_programs.sh"

echo "== embedding API: headers, symbols, C examples, install"
# (the API test programs tests/capi/*_test ran with the unit tests above)
tests/capi/run.sh "$build" >"$log" 2>&1
grep -vE '^ok ' "$log" | tail -n 60
add_counts "tests/capi/run.sh"

echo "== fuzz corpus replay"
for replay in "$build"/fuzz/*_fuzz_replay; do
    [ -x "$replay" ] || continue
    name=$(basename "$replay")
    corpus=tests/fuzz/corpus/${name%_fuzz_replay}
    # a corpus with no inputs replays nothing, so it is no test
    [ -n "$(ls -A "$corpus" 2>/dev/null)" ] || continue
    if "$replay" "$corpus" >"$log" 2>&1; then
        passed=$((passed + 1))
        echo "$name: $(tail -n 1 "$log")"
    else
        failed=$((failed + 1))
        echo "FAIL $name"
        tail -n 30 "$log"
    fi
done

echo
echo "$passed passed, $failed failed, $skipped skipped"
[ $failed -eq 0 ]
