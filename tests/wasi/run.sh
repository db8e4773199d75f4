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

# check NAME EXPECTED_STATUS [runner args...] (stdin from $stdin_file if set;
# stdout compared with expected/${expect:-NAME}.stdout)
check() {
    local name=$1 want=$2
    shift 2
    local got status expected="$here/expected/${expect:-$name}.stdout"
    got=$(timeout 60 "${runner[@]}" "$@" <"${stdin_file:-/dev/null}" 2>"$work/$name.stderr")
    status=$?
    if [ "$got" != "$(cat "$expected")" ]; then
        fail "$name" "stdout differs"
        diff <(echo "$got") "$expected" | head -n 10
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

# The environment: only what --env/--inherit-env grant; a later --env wins.
export WASI_TEST_A=fromhost
expect=env_unset check env-not-inherited 1 "$guests/args_env.wasm"
expect=env_host check env-inherit 1 --inherit-env "$guests/args_env.wasm"
expect=env_host check env-pass-host-value 1 --env WASI_TEST_A "$guests/args_env.wasm"
expect=env_override check env-override 1 --inherit-env --env WASI_TEST_A=override "$guests/args_env.wasm"
expect=env_override check env-last-wins 1 --env WASI_TEST_A=first --env WASI_TEST_A=override \
    "$guests/args_env.wasm"
expect=env_unset check env-pass-missing 1 --env WASI_TEST_MISSING "$guests/args_env.wasm"
unset WASI_TEST_A

# A read-only pre-open next to a writable one; nothing below ro/ may change.
for d in ro rw; do
    mkdir -p "$work/rofs/$d/sub" "$work/rofs/$d/empty"
    echo data >"$work/rofs/$d/data.txt"
    echo inner >"$work/rofs/$d/sub/inner.txt"
    echo gone >"$work/rofs/$d/sub/gone.txt"
done
echo untouched >"$work/rofs/neighbour.txt"
ro_snapshot() {
    (cd "$work/rofs" && find . -path ./rw -prune -o -printf '%p %y %s %T@ %C@\n' | sort &&
        find . -path ./rw -prune -o -type f -exec sha256sum {} + | sort)
}
before=$(ro_snapshot)
check readonly 0 --dir-ro "$work/rofs/ro::/ro" --dir "$work/rofs/rw::/rw" "$guests/readonly.wasm"
[ "$before" = "$(ro_snapshot)" ] || fail readonly "something below the read-only pre-open changed"
[ -f "$work/rofs/rw/new.txt" ] && [ -d "$work/rofs/rw/newdir" ] && [ ! -e "$work/rofs/rw/empty" ] ||
    fail readonly "the writable pre-open did not get the changes"

# --max-memory as malloc sees it: NULL near the limit, not before.
expect=alloc_limit check alloc-limit 0 --max-memory 4M "$guests/alloc.wasm" 4
expect=alloc_limit check alloc-limit-16 0 --max-memory 16MiB "$guests/alloc.wasm" 16
expect=alloc_unlimited check alloc-unlimited 0 "$guests/alloc.wasm" 300

# A trap in a C program: exit status 134, the message, and a backtrace with
# the function names of the module's name section, innermost first.
check crash 134 "$guests/crash.wasm"
grep -q '^wasmc: trap: unreachable$' "$work/crash.stderr" &&
    sed -n 's/^ *[0-9]*: 0x[0-9a-f]* - \([^ ]*\) (func [0-9]*)$/\1/p' "$work/crash.stderr" |
    head -n 3 | tr '\n' ' ' | grep -qx 'crash_inner crash_outer __original_main ' ||
    { fail crash "no trap message or backtrace"; cat "$work/crash.stderr"; }

echo "wasi programs: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
