#!/usr/bin/env bash
# Runs the examples against one build directory:
#   - each examples/*.wat: wasmc validates it and prints it back as text;
#   - `wasmc run` on a WASI command (hello_wasi.wat) and on exports of sum.wat;
#   - each examples/*.c (built by CMake as BUILD/examples/NAME): runs it and
#     compares its output with examples/NAME.expected.
# With WASMC_VALGRIND=1 each C example also runs under
# `valgrind --leak-check=full --error-exitcode=1` (suppressions:
# tests/capi/valgrind.supp). Prints "N passed, N failed"; exit 1 on failure.
#   scripts/run-examples.sh [BUILD_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
passed=0 failed=0
out=$(mktemp)
trap 'rm -f "$out"' EXIT

# check NAME EXPECTED COMMAND...: run COMMAND, compare its stdout with EXPECTED.
check() {
    local name=$1 expected=$2
    shift 2
    if "$@" >"$out" 2>&1 && [ "$(cat "$out")" = "$expected" ]; then
        echo "ok $name"
        passed=$((passed + 1))
    else
        echo "FAIL $name: expected '$expected', got:"
        head -n 20 "$out"
        failed=$((failed + 1))
    fi
}

for example in examples/*.wat; do
    check "validate $example" "$example: ok" "$build/wasmc" validate "$example"
    "$build/wasmc" print "$example" >/dev/null
done
echo "-- wasmc run"
"$build/wasmc" run examples/hello_wasi.wat
check "run hello_wasi" "Hello from WebAssembly!" "$build/wasmc" run examples/hello_wasi.wat
"$build/wasmc" run --invoke fib examples/sum.wat 30
check "run fib(30)" "832040" "$build/wasmc" run --invoke fib examples/sum.wat 30
check "run greeting_sum" "1727" "$build/wasmc" run --invoke greeting_sum examples/sum.wat
check "run sum_bytes" "0" "$build/wasmc" run --invoke sum_bytes examples/sum.wat 0 0
for source in examples/*.c; do
    name=$(basename "$source" .c)
    program="$build/examples/$name"
    if [ ! -x "$program" ]; then
        echo "FAIL $name: $program not built"
        failed=$((failed + 1))
        continue
    fi
    if "$program" >"$out" 2>&1 && diff -u "examples/$name.expected" "$out"; then
        echo "ok $name"
        passed=$((passed + 1))
    else
        echo "FAIL $name: output differs from examples/$name.expected (or exit status not 0)"
        failed=$((failed + 1))
    fi
    if [ "${WASMC_VALGRIND:-0}" = 1 ]; then
        if valgrind -q --leak-check=full --error-exitcode=1 \
            --suppressions=tests/capi/valgrind.supp "$program" >/dev/null 2>"$out"; then
            echo "ok $name under valgrind"
            passed=$((passed + 1))
        else
            echo "FAIL $name under valgrind"
            head -n 30 "$out"
            failed=$((failed + 1))
        fi
    fi
done
echo "examples: $passed passed, $failed failed"
[ $failed -eq 0 ]
