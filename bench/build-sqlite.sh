#!/usr/bin/env bash
# Builds SQLite for wasm32-wasi as a large real-world module for the decode
# benchmark (about 1 MB of code). Sources come from the npm package
# better-sqlite3 (its bundled amalgamation); the toolchain is Debian's
# clang-19 + wasi-libc. Output: bench/.work/sqlite.wasm
set -euo pipefail
cd "$(dirname "$0")"
work=.work
mkdir -p "$work"
if ! command -v clang-19 >/dev/null || [ ! -d /usr/lib/wasm32-wasi ]; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq clang-19 lld-19 wasi-libc \
        libclang-rt-19-dev-wasm32 >/dev/null
fi
if [ ! -f "$work/node_modules/better-sqlite3/deps/sqlite3/sqlite3.c" ]; then
    (cd "$work" && npm install --silent --ignore-scripts --no-audit --no-fund better-sqlite3 >/dev/null)
fi
src="$work/node_modules/better-sqlite3/deps/sqlite3"
cat >"$work/sqlite_main.c" <<'C'
#include <stdio.h>
#include "sqlite3.h"
int main(void) {
    sqlite3 *db;
    if (sqlite3_open(":memory:", &db) != SQLITE_OK) return 1;
    sqlite3_exec(db, "create table t(x); insert into t values(1),(2),(3);", 0, 0, 0);
    sqlite3_close(db);
    return 0;
}
C
clang-19 --target=wasm32-wasi --sysroot=/usr -O2 -I"$src" \
    -DSQLITE_THREADSAFE=0 -DSQLITE_OMIT_LOAD_EXTENSION -DSQLITE_OMIT_WAL \
    -D_WASI_EMULATED_MMAN -D_WASI_EMULATED_GETPID \
    "$src/sqlite3.c" "$work/sqlite_main.c" -o "$work/sqlite.wasm" \
    -lwasi-emulated-mman -lwasi-emulated-getpid -lm
ls -l "$work/sqlite.wasm"
