#!/usr/bin/env bash
# Each public header compiles alone (as the only include of a translation
# unit) as C99 and as C++ (gcc and clang when present), warning-free under
# -Wall -Wextra -pedantic.
#   tests/capi/headers.sh
set -uo pipefail
cd "$(dirname "$0")/../.."
status=0 checked=0
compilers=()
for c in "cc -std=c99 -x c" "cc -std=c11 -x c" "c++ -std=c++11 -x c++" "clang -std=c99 -x c" \
    "clang++ -std=c++17 -x c++"; do
    command -v "${c%% *}" >/dev/null && compilers+=("$c")
done
unit=$(mktemp)
trap 'rm -f "$unit"' EXIT
for header in include/wasm.h include/wasmc.h include/wasmc/*.h; do
    printf '#include "%s"\nint main(void) { return 0; }\n' "${header#include/}" >"$unit"
    for c in "${compilers[@]}"; do
        # shellcheck disable=SC2086
        if ! $c -Wall -Wextra -pedantic -Werror -fsyntax-only -Iinclude "$unit"; then
            echo "FAIL: $header with '$c'"
            status=1
        fi
        checked=$((checked + 1))
    done
done
[ $status -eq 0 ] && echo "ok: $checked header compilations (${#compilers[@]} compilers)"
exit $status
