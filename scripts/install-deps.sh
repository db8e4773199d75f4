#!/usr/bin/env bash
# Installs the system packages the build and tests need, only when missing:
# a C compiler, CMake, Ninja, and clang with its sanitizer/libFuzzer runtime.
set -euo pipefail
need=()
command -v cc >/dev/null || need+=(gcc libc6-dev)
command -v cmake >/dev/null || need+=(cmake)
command -v ninja >/dev/null || need+=(ninja-build)
command -v clang >/dev/null || need+=(clang)
command -v python3 >/dev/null || need+=(python3)
command -v c++ >/dev/null || need+=(g++)          # C++ compile check of the public headers
command -v pkg-config >/dev/null || need+=(pkg-config) # install test
command -v valgrind >/dev/null || need+=(valgrind)     # leak checks of the examples
# libFuzzer and the sanitizer runtimes for clang
if command -v clang >/dev/null; then
    rt_dir=$(clang -print-resource-dir 2>/dev/null)/lib/linux
    ls "$rt_dir"/libclang_rt.fuzzer-x86_64.a >/dev/null 2>&1 || need+=(libclang-rt-14-dev)
else
    need+=(libclang-rt-14-dev)
fi
if [ ${#need[@]} -gt 0 ]; then
    echo "installing: ${need[*]}"
    SUDO=""
    [ "$(id -u)" -eq 0 ] || SUDO="sudo"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}" >/dev/null
fi
