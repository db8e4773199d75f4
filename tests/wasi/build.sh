#!/usr/bin/env bash
# Builds the WASI guest programs (tests/wasi/*.c) with Debian's clang-19 and
# wasi-libc into OUT_DIR/<name>.wasm, installing the toolchain when missing.
#   tests/wasi/build.sh OUT_DIR
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=${1:?usage: tests/wasi/build.sh OUT_DIR}
mkdir -p "$out"

if ! command -v clang-19 >/dev/null || ! command -v wasm-ld-19 >/dev/null ||
    [ ! -f /usr/lib/wasm32-wasi/libc.a ] ||
    ! ls /usr/lib/llvm-19/lib/clang/19/lib/wasi/libclang_rt.builtins-wasm32.a >/dev/null 2>&1; then
    echo "installing clang-19 and wasi-libc" >&2
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    $sudo apt-get update -qq
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
        clang-19 lld-19 wasi-libc libclang-rt-19-dev-wasm32 >/dev/null
fi

for src in "$here"/*.c; do
    name=$(basename "$src" .c)
    clang-19 --target=wasm32-wasi --sysroot=/usr -O2 -Wall -Wextra -Wno-unused-result \
        "$src" -o "$out/$name.wasm"
done
echo "built $(ls "$out"/*.wasm | wc -l) WASI programs in $out"
