#!/usr/bin/env bash
# The embedding API's script checks against one build directory: headers
# compile alone (C99, C++), the symbol check, every public function called by
# a test or example, the C examples (output
# asserted; also under valgrind when installed), and the install test. The
# API test programs themselves (tests/capi/*_test.c) are BUILD/tests/*_test
# and run with the unit tests. Prints "N passed, N failed".
#   tests/capi/run.sh BUILD_DIR
set -uo pipefail
cd "$(dirname "$0")/../.."
build=${1:?usage: tests/capi/run.sh BUILD_DIR}
passed=0 failed=0
log=$(mktemp)
trap 'rm -f "$log"' EXIT

step() { # name, command...
    local name=$1
    shift
    if "$@" >"$log" 2>&1; then
        passed=$((passed + 1))
        echo "ok $name: $(tail -n 1 "$log")"
    else
        failed=$((failed + 1))
        echo "FAIL $name"
        grep -A 30 '^FAIL' "$log" | head -n 60
    fi
}

step headers tests/capi/headers.sh
step symbols tests/capi/symbols.sh "$build"
step coverage tests/capi/coverage.sh
valgrind=0
command -v valgrind >/dev/null && ! grep -q '^WASMC_SANITIZE:BOOL=ON' "$build/CMakeCache.txt" &&
    valgrind=1
WASMC_VALGRIND=$valgrind step examples scripts/run-examples.sh "$build"
[ $valgrind = 1 ] || echo "note: C examples not run under valgrind (sanitizer build or no valgrind)"
step install tests/capi/install_test.sh "$build"
echo "capi: $passed passed, $failed failed"
[ $failed -eq 0 ]
