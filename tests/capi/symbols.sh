#!/usr/bin/env bash
# Every function declared in include/wasm.h and include/wasmc.h (and
# include/wasmc/*.h) is exported by BUILD/libwasmc.so, and the library exports
# nothing else but wasm_* / wasmc_* symbols.
#   tests/capi/symbols.sh BUILD_DIR
set -uo pipefail
cd "$(dirname "$0")/../.."
build=${1:?usage: tests/capi/symbols.sh BUILD_DIR}
lib="$build/libwasmc.so"
declared=$(mktemp) exported=$(mktemp)
trap 'rm -f "$declared" "$exported"' EXIT

# Preprocess the headers (macros such as WASM_DECLARE_VEC expand), split into
# statements, keep the exported declarations and take each one's name: the
# identifier before its first parenthesis once the attribute is gone.
cc -E -P -Iinclude include/wasmc.h | tr '\n' ' ' | sed 's/;/;\n/g' |
    grep 'visibility *( *"default" *)' |
    sed -E 's/__attribute__ *\(\( *visibility *\( *"default" *\) *\)\)//g' |
    sed -nE 's/^[^(]*[^A-Za-z0-9_]((wasm|wasmc)_[A-Za-z0-9_]+) *\(.*/\1/p' | sort -u >"$declared"
nm -D --defined-only "$lib" | awk '$2 ~ /^[TWDBRVi]$/ {print $3}' | sort -u >"$exported"

status=0
n_declared=$(wc -l <"$declared")
if [ "$n_declared" -lt 300 ]; then
    echo "FAIL: only $n_declared declarations found in the headers (extraction broken?)"
    status=1
fi
missing=$(comm -23 "$declared" "$exported")
if [ -n "$missing" ]; then
    echo "FAIL: declared but not exported by $lib:"
    sed 's/^/  /' <<<"$missing"
    status=1
fi
foreign=$(grep -vE '^(wasm|wasmc)_' "$exported")
if [ -n "$foreign" ]; then
    echo "FAIL: exported symbols outside wasm_*/wasmc_*:"
    sed 's/^/  /' <<<"$foreign" | head -n 40
    status=1
fi
undeclared=$(comm -13 "$declared" "$exported")
if [ -n "$undeclared" ]; then
    echo "FAIL: exported but declared in no public header:"
    sed 's/^/  /' <<<"$undeclared"
    status=1
fi
[ $status -eq 0 ] && echo "ok: $n_declared declared functions, all exported; nothing else exported"
exit $status
