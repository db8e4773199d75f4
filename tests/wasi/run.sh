#!/usr/bin/env bash
# Runs the WASI guest programs end to end and compares stdout and the exit
# status with tests/wasi/expected/, then checks the file system: the files the
# guests made are inside the sandbox, and nothing outside it was created,
# changed or removed. Prints "wasi programs: N passed, N failed".
#   tests/wasi/run.sh WASMC [GUEST_DIR]
# GUEST_DIR defaults to a temp dir filled by tests/wasi/build.sh. The command
# that runs a guest is "$WASMC run"; WASI_RUNNER overrides it (any command
# taking --dir HOST::GUEST, --env K=V, then FILE ARGS...).
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
wasmc=${1:?usage: tests/wasi/run.sh WASMC [GUEST_DIR]}
guests=${2:-}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
if [ -z "$guests" ]; then
    guests="$work/guests"
    "$here/build.sh" "$guests" >/dev/null || { echo "wasi programs: 0 passed, 1 failed"; exit 1; }
fi
read -r -a runner <<<"${WASI_RUNNER:-$wasmc run}"
passed=0 failed=0

fail() {
    echo "FAIL wasi $1: $2"
    failed=$((failed + 1))
}

# check NAME EXPECTED_STATUS [runner args...] (stdin from $stdin_file if set)
check() {
    local name=$1 want=$2
    shift 2
    local got status
    got=$(timeout 60 "${runner[@]}" "$@" <"${stdin_file:-/dev/null}" 2>"$work/$name.stderr")
    status=$?
    if [ "$got" != "$(cat "$here/expected/$name.stdout")" ]; then
        fail "$name" "stdout differs"
        diff <(echo "$got") "$here/expected/$name.stdout" | head -n 10
    elif [ "$status" -ne "$want" ]; then
        fail "$name" "exit status $status, expected $want"
        head -n 5 "$work/$name.stderr"
    else
        passed=$((passed + 1))
    fi
}

# The escape fixture: a sandbox full of links that point out, a secret beside it.
make_escape_tree() {
    local t=$1
    mkdir -p "$t/sandbox/sub" "$t/outside"
    echo secret >"$t/outside/secret.txt"
    ln -s "$t/outside/secret.txt" "$t/sandbox/abs_link"
    ln -s ../outside/secret.txt "$t/sandbox/rel_link"
    ln -s chain2 "$t/sandbox/chain1"
    ln -s rel_link "$t/sandbox/chain2"
    ln -s loop2 "$t/sandbox/loop1"
    ln -s loop1 "$t/sandbox/loop2"
    ln -s ../outside/created "$t/sandbox/dangling"
    ln -s ../outside "$t/sandbox/updir"
}

snapshot() { # everything outside the sandbox: paths, types, sizes, m/ctimes, contents
    (cd "$1" && find . -path ./sandbox -prune -o -printf '%p %y %s %T@ %C@\n' | sort &&
        find . -path ./sandbox -prune -o -type f -exec sha256sum {} + | sort)
}

check hello 0 "$guests/hello.wasm"
check args_env 3 --env WASI_TEST_A=hello "$guests/args_env.wasm" x "y z"
check exit_code 42 "$guests/exit_code.wasm" 42
printf 'abc def\n' >"$work/stdin.txt"
stdin_file="$work/stdin.txt" check stdin_upper 0 "$guests/stdin_upper.wasm"
check clock_random 0 "$guests/clock_random.wasm"

mkdir -p "$work/fs/sandbox" && echo untouched >"$work/fs/neighbour.txt"
before=$(snapshot "$work/fs")
check files 0 --dir "$work/fs/sandbox::/sandbox" "$guests/files.wasm"
[ "$(cat "$work/fs/sandbox/kept.txt" 2>/dev/null)" = kept ] && [ -f "$work/fs/sandbox/dir/c.txt" ] ||
    fail files "the files it made are not in the sandbox"
[ "$before" = "$(snapshot "$work/fs")" ] || fail files "something outside the sandbox changed"

make_escape_tree "$work/esc"
before=$(snapshot "$work/esc")
check escape 0 --dir "$work/esc/sandbox::/sandbox" "$guests/escape.wasm"
[ "$before" = "$(snapshot "$work/esc")" ] || fail escape "something outside the sandbox changed"
for f in made created stolen; do
    [ ! -e "$work/esc/$f" ] && [ ! -e "$work/esc/outside/$f" ] || fail escape "$f appeared outside"
done
[ ! -e "$work/esc/sandbox/stolen" ] && [ ! -e "$work/esc/sandbox/root_link" ] ||
    fail escape "an escape left a trace in the sandbox"

echo "wasi programs: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
