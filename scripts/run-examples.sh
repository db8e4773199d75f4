#!/usr/bin/env bash
# Runs the examples against one build directory:
#   - each examples/*.wat: wasmc validates it and prints it back as text;
#   - each examples/*.c (built by CMake as BUILD/examples/NAME): runs it and
#     compares its output with examples/NAME.expected.
# With WASMC_VALGRIND=1 each C example also runs under
# `valgrind --leak-check=full --error-exitcode=1` (suppressions:
# tests/capi/valgrind.supp). Prints "N passed, N failed"; exit 1 on failure.
#   scripts/run-examples.sh [BUILD_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
for example in examples/*.wat; do
    "$build/wasmc" validate "$example"
    "$build/wasmc" print "$example"
done

passed=0 failed=0
out=$(mktemp)
trap 'rm -f "$out"' EXIT
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
