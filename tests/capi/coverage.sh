#!/usr/bin/env bash
# Every function declared in the public headers is called somewhere in the
# API tests (tests/capi/*_test.c) or the C examples (examples/*.c).
#   tests/capi/coverage.sh
set -uo pipefail
cd "$(dirname "$0")/../.."
declared=$(cc -E -P -Iinclude include/wasmc.h | tr '\n' ' ' | sed 's/;/;\n/g' |
    grep 'visibility *( *"default" *)' |
    sed -E 's/__attribute__ *\(\( *visibility *\( *"default" *\) *\)\)//g' |
    sed -nE 's/^[^(]*[^A-Za-z0-9_]((wasm|wasmc)_[A-Za-z0-9_]+) *\(.*/\1/p' | sort -u)
# Names used directly, plus those the tests reach through a macro over a
# vector kind (EMPTY_VEC_CHECK(kind) calls every wasm_<kind>_vec_* function).
used=$(cat tests/capi/*_test.c tests/capi/*.h examples/*.c | grep -oE '\b(wasm|wasmc)_[A-Za-z0-9_]+' | sort -u)
vec_kinds=$(grep -ohE 'EMPTY_VEC_CHECK\(([a-z]+)\)' tests/capi/*_test.c | sed -E 's/.*\((.*)\)/\1/')
for k in $vec_kinds; do
    used+=$'\n'"wasm_${k}_vec_new_empty"$'\n'"wasm_${k}_vec_new_uninitialized"
    used+=$'\n'"wasm_${k}_vec_copy"$'\n'"wasm_${k}_vec_delete"
done
missing=$(comm -23 <(echo "$declared") <(echo "$used" | sort -u))
if [ -n "$missing" ]; then
    echo "FAIL: public functions no test or example calls:"
    sed 's/^/  /' <<<"$missing"
    exit 1
fi
echo "ok: all $(echo "$declared" | wc -l) public functions are called by the tests or examples"
