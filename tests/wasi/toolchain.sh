#!/usr/bin/env bash
# Installs what the WASI tests need, only when missing: Debian's clang-19 with
# wasi-libc and the wasm32 compiler runtime (TOOLCHAIN.md), and with --node
# also Node.js and npm (the reference runtime and the package client).
#   tests/wasi/toolchain.sh [--node]
set -euo pipefail
need=()
if ! command -v clang-19 >/dev/null || ! command -v wasm-ld-19 >/dev/null ||
    [ ! -f /usr/lib/wasm32-wasi/libc.a ] ||
    ! ls /usr/lib/llvm-19/lib/clang/19/lib/wasi/libclang_rt.builtins-wasm32.a >/dev/null 2>&1; then
    need+=(clang-19 lld-19 wasi-libc libclang-rt-19-dev-wasm32)
fi
if [ "${1:-}" = --node ]; then
    command -v node >/dev/null || need+=(nodejs)
    command -v npm >/dev/null || need+=(npm)
fi
[ ${#need[@]} -eq 0 ] && exit 0
echo "installing ${need[*]}" >&2
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
$sudo apt-get update -qq
$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
