#!/usr/bin/env bash
# Builds the WASI guest programs (tests/wasi/*.c) with Debian's clang-19 and
# wasi-libc into OUT_DIR/<name>.wasm, installing the toolchain when missing.
#   tests/wasi/build.sh OUT_DIR
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=${1:?usage: tests/wasi/build.sh OUT_DIR}
mkdir -p "$out"

"$here/toolchain.sh"

for src in "$here"/*.c; do
    name=$(basename "$src" .c)
    clang-19 --target=wasm32-wasi --sysroot=/usr -O2 -Wall -Wextra -Wno-unused-result \
        "$src" -o "$out/$name.wasm"
done
echo "built $(ls "$out"/*.wasm | wc -l) WASI programs in $out"
