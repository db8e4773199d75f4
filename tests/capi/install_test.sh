#!/usr/bin/env bash
# Installs BUILD into a temporary prefix and builds the hello example against
# the installed copy only: with `cc $(pkg-config --cflags --libs wasmc)`, and
# with a small CMake project using find_package(wasmc) (shared and static
# libraries); runs each and checks its output. Prints "N passed, N failed".
#   tests/capi/install_test.sh BUILD_DIR
set -uo pipefail
cd "$(dirname "$0")/../.."
root=$(pwd)
build=$(cd "${1:?usage: tests/capi/install_test.sh BUILD_DIR}" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
prefix="$work/prefix"
passed=0 failed=0
check() { # name, command...
    local name=$1
    shift
    if "$@" >"$work/log" 2>&1; then
        echo "ok install: $name"
        passed=$((passed + 1))
    else
        echo "FAIL install: $name"
        tail -n 30 "$work/log"
        failed=$((failed + 1))
    fi
}

# A sanitized library needs sanitized programs.
flags=""
grep -q '^WASMC_SANITIZE:BOOL=ON' "$build/CMakeCache.txt" 2>/dev/null &&
    flags="-fsanitize=address,undefined"

check "cmake --install" cmake --install "$build" --prefix "$prefix"
for f in include/wasm.h include/wasmc.h include/wasmc/linker.h lib/libwasmc.a lib/libwasmc.so \
    lib/pkgconfig/wasmc.pc lib/cmake/wasmc/wasmcConfig.cmake; do
    check "installed $f" test -e "$prefix/$f"
done
cp examples/hello.c "$work/app.c"

# pkg-config, flags before and after the source.
pc_flags() {
    PKG_CONFIG_PATH="$prefix/lib/pkgconfig" pkg-config --cflags --libs wasmc
}
run_expect() { # program, expected file
    LD_LIBRARY_PATH="$prefix/lib" "$1" >"$work/out" 2>&1 && diff -u "$2" "$work/out"
}
if command -v pkg-config >/dev/null; then
    # shellcheck disable=SC2046
    check "cc \$(pkg-config --cflags --libs wasmc) app.c" \
        cc $flags $(pc_flags) "$work/app.c" -o "$work/app_pc"
    check "run it" run_expect "$work/app_pc" "$root/examples/hello.expected"
    # shellcheck disable=SC2046
    check "cc app.c \$(pkg-config --cflags --libs wasmc)" \
        cc $flags "$work/app.c" $(pc_flags) -o "$work/app_pc2"
    check "run it" run_expect "$work/app_pc2" "$root/examples/hello.expected"
else
    echo "skip: pkg-config not installed"
fi

# find_package(wasmc)
mkdir -p "$work/project"
cp "$work/app.c" "$work/project/app.c"
cat >"$work/project/CMakeLists.txt" <<'CMAKE'
cmake_minimum_required(VERSION 3.18)
project(app C)
find_package(wasmc REQUIRED)
add_executable(app app.c)
target_link_libraries(app PRIVATE wasmc::wasmc)
add_executable(app_static app.c)
target_link_libraries(app_static PRIVATE wasmc::wasmc_static)
CMAKE
check "find_package(wasmc): configure" cmake -S "$work/project" -B "$work/project/build" \
    -DCMAKE_PREFIX_PATH="$prefix" -DCMAKE_C_FLAGS="$flags" -DCMAKE_EXE_LINKER_FLAGS="$flags"
check "find_package(wasmc): build" cmake --build "$work/project/build"
check "run the find_package build (shared)" run_expect "$work/project/build/app" "$root/examples/hello.expected"
check "run the find_package build (static)" run_expect "$work/project/build/app_static" \
    "$root/examples/hello.expected"

echo "install: $passed passed, $failed failed"
[ $failed -eq 0 ]
