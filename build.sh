#!/usr/bin/env bash
# The project's one entry point (see README):
#   ./build.sh            build build/wasmc and libwasmc (Release)
#   ./build.sh example    build, then run wasmc on the examples
#   ./build.sh test       build, then run every test (unit, spec suite, round trips)
#   ./build.sh sanitize   the same tests in an ASan+UBSan build (build-asan/)
#   ./build.sh fuzz [SECONDS]  build the libFuzzer targets (build-fuzz/) and run each
#   ./build.sh install PREFIX  build, then install headers, libraries, pkg-config
#                              and CMake package files under PREFIX
#   ./build.sh bench [--quick] [--callgrind] [...]  build, then run the benchmarks
#                         (bench/run.py; see bench/README.md)
set -euo pipefail
cd "$(dirname "$0")"
JOBS=${JOBS:-$(nproc 2>/dev/null || echo 2)}

configure_and_build() { # dir, extra cmake args...
    local dir=$1
    shift
    if [ ! -f "$dir/build.ninja" ]; then
        cmake -S . -B "$dir" -G Ninja "$@" >/dev/null
    fi
    cmake --build "$dir" -j "$JOBS"
}

scripts/install-deps.sh
case "${1:-build}" in
build) configure_and_build build ;;
example)
    configure_and_build build >/dev/null
    scripts/run-examples.sh build
    ;;
test)
    configure_and_build build >/dev/null
    tests/run.sh build
    ;;
sanitize)
    configure_and_build build-asan -DCMAKE_BUILD_TYPE=Debug -DWASMC_SANITIZE=ON >/dev/null
    tests/run.sh build-asan
    ;;
fuzz)
    CC=clang configure_and_build build-fuzz -DCMAKE_BUILD_TYPE=Debug -DWASMC_FUZZ=ON \
        -DWASMC_TESTS=OFF >/dev/null
    tests/fuzz/run.sh build-fuzz "${2:-60}"
    ;;
bench)
    # the harness's time budget counts from here: building wasmc is part of the run
    export WASMC_BENCH_T0=${WASMC_BENCH_T0:-$(date +%s.%N)}
    # a broken tree must not stop the native/V8 columns: wasmc is then "not available"
    configure_and_build build >/dev/null || echo "build.sh: build failed; benchmarking without a fresh wasmc" >&2
    shift
    python3 bench/run.py --build-dir build "$@"
    ;;
install)
    [ -n "${2:-}" ] || { echo "usage: ./build.sh install PREFIX" >&2; exit 2; }
    configure_and_build build >/dev/null
    cmake --install build --prefix "$2"
    ;;
*)
    echo "usage: ./build.sh [build|example|test|sanitize|fuzz [SECONDS]|bench [--quick|--callgrind]|install PREFIX]" >&2
    exit 2
    ;;
esac
