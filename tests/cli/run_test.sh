#!/usr/bin/env bash
# `wasmc run --invoke` end to end: results printed one per line, arguments
# parsed by parameter type, traps on stderr with "wasmc: trap: MESSAGE" and a
# backtrace, exit status 0 / 134 (trap) / 1 (failure) / 2 (usage); the
# options: --fuel, --timeout, --max-memory, --dir, --env, --nan-canonicalization,
# --profile perfmap,
# `--`, --name=value;
# WASI modules (written as WAT here; the C guests are in tests/wasi/):
# proc_exit codes, reactors, a timeout while blocked in a host call.
# Prints "N passed, N failed" for tests/run.sh.
#   tests/cli/run_test.sh BUILD_DIR
set -uo pipefail
cd "$(dirname "$0")/../.."
wasmc="${1:?usage: tests/cli/run_test.sh BUILD_DIR}/wasmc"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
passed=0 failed=0

cat >"$work/m.wat" <<'WAT'
(module
  (func $add (export "add") (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1)))
  (func (export "add64") (param i64 i64) (result i64) (i64.add (local.get 0) (local.get 1)))
  (func (export "half") (param f32) (result f32) (f32.mul (local.get 0) (f32.const 0.5)))
  (func (export "tenth") (result f64) (f64.const 0.1))
  (func (export "fneg") (param f64) (result f64) (f64.neg (local.get 0)))
  (func (export "pair") (param i32) (result i32 i64)
    (local.get 0) (i64.extend_i32_s (local.get 0)))
  (func (export "none"))
  (func $inner (unreachable))
  (func $outer (export "crash") (call $inner))
  (func (export "div") (param i32 i32) (result i32) (i32.div_s (local.get 0) (local.get 1)))
  (func (export "spin") (loop $l (br $l)))
  (func $deep (export "deep") (param i32) (result i32)
    (i32.add (i32.const 1) (call $deep (local.get 0))))
  (memory 1)
  (func (export "oob") (result i32) (i32.load (i32.const 65536)))
)
WAT
cat >"$work/start_trap.wat" <<'WAT'
(module (func $s (unreachable)) (start $s))
WAT
cat >"$work/import.wat" <<'WAT'
(module (import "env" "f" (func)) (func (export "g")))
WAT
cat >"$work/start.wat" <<'WAT'
(module (func (export "_start")) (func (export "main") (result i32) (i32.const 7)))
WAT
printf '\0asm\1\0\0\0\1\5\1\140\0\1\177\3\2\1\0\7\5\1\1f\0\0\n\6\1\4\0\101\52\13' >"$work/answer.wasm"

# check NAME WANT_STATUS WANT_STDOUT WANT_STDERR_SUBSTRING -- ARGS...
check() {
    local name=$1 want_status=$2 want_out=$3 want_err=$4
    shift 5
    "$wasmc" run "$@" >"$work/out" 2>"$work/err"
    local status=$?
    local out
    out=$(cat "$work/out")
    if [ "$status" = "$want_status" ] && [ "$out" = "$want_out" ] &&
        { [ -z "$want_err" ] || grep -qF -- "$want_err" "$work/err"; }; then
        passed=$((passed + 1))
    else
        failed=$((failed + 1))
        echo "FAIL $name: wasmc run $*"
        echo "  status $status (want $want_status), stdout:"
        sed 's/^/    /' "$work/out"
        echo "  want stdout: $want_out; stderr (want '$want_err'):"
        sed 's/^/    /' "$work/err"
    fi
}

m="$work/m.wat"
check add 0 "5" "" -- --invoke add "$m" 2 3
check add-negative 0 "-7" "" -- --invoke add "$m" -10 3
check add-hex 0 "31" "" -- --invoke add "$m" 0x10 0xf
check add-wraps 0 "-2147483648" "" -- --invoke add "$m" 2147483647 1
check add-unsigned 0 "-1" "" -- --invoke add "$m" 4294967295 0
check add64 0 "-9223372036854775808" "" -- --invoke add64 "$m" 9223372036854775807 1
check half 0 "1.25" "" -- --invoke half "$m" 2.5
check half-inf 0 "inf" "" -- --invoke half "$m" inf
check half-nan 0 "nan" "" -- --invoke half "$m" nan
check half-hex 0 "0.5" "" -- --invoke half "$m" 0x1p0
check tenth 0 "0.1" "" -- --invoke tenth "$m"
check fneg 0 "-1.5" "" -- --invoke fneg "$m" 1.5
check nan-payload 0 "-nan:0x600001" "" -- --invoke half "$m" -nan:0x600001
check nan-canonical 0 "nan" "" -- --nan-canonicalization --invoke half "$m" -nan:0x600001
check nan-canonical-interp 0 "nan" "" -- --tier interp --nan-canonicalization --invoke half "$m" -nan:0x600001
check nan-canonical-neg 0 "-nan:0x600001" "" -- --nan-canonicalization --invoke fneg "$m" nan:0x600001
check nan-canonical-value 2 "" "'--nan-canonicalization' takes no value" -- --nan-canonicalization=1 --invoke half "$m" 1
check pair 0 "$(printf -- '-3\n-3')" "" -- --invoke pair "$m" -3
check none 0 "" "" -- --invoke none "$m"
check trap 134 "" "wasmc: trap: unreachable" -- --invoke crash "$m"
check trap-backtrace 134 "" "(func 7)" -- --invoke crash "$m"
check div-zero 134 "" "wasmc: trap: integer divide by zero" -- --invoke div "$m" 1 0
check div-overflow 134 "" "wasmc: trap: integer overflow" -- --invoke div "$m" -2147483648 -1
check oob 134 "" "wasmc: trap: out of bounds memory access" -- --invoke oob "$m"
check exhaustion 134 "" "wasmc: trap: call stack exhausted" -- --invoke deep "$m" 0
check fuel 134 "" "wasmc: trap: all fuel consumed by WebAssembly" -- --fuel 10000 --invoke spin "$m"
check fuel-enough 0 "5" "" -- --fuel 10000 --invoke add "$m" 2 3
check no-export 1 "" "no exported function 'nope'" -- --invoke nope "$m"
check arg-count 2 "" "takes 2 arguments" -- --invoke add "$m" 1
check arg-bad 2 "" "is not a valid i32" -- --invoke add "$m" 1 x
check arg-range 2 "" "is not a valid i32" -- --invoke add "$m" 1 4294967296
check start-trap 134 "" "wasmc: trap: unreachable" -- "$work/start_trap.wat"
check unknown-import 1 "" "unknown import" -- --invoke g "$work/import.wat"
check no-invoke 0 "" "" -- "$work/start.wat"
check binary 0 "42" "" -- --invoke f "$work/answer.wasm"
check missing-file 1 "" "wasmc run:" -- --invoke f "$work/nothing.wasm"
check usage 2 "" "usage: wasmc run" --
check bad-option 2 "" "unknown option '--frobnicate'" -- --frobnicate "$m"

# ---- trap output: the message, then the backtrace, innermost frame first;
# functions named by their text $ids, else by their export ----
"$wasmc" run --invoke crash "$m" 2>"$work/err"
if [ $? -eq 134 ] && [ "$(sed -n 1p "$work/err")" = "wasmc: trap: unreachable" ] &&
    [ "$(sed -n 2p "$work/err")" = "wasm backtrace:" ] &&
    grep -qE '^ +0: 0x[0-9a-f]{6} - inner \(func 7\)$' "$work/err" &&
    grep -qE '^ +1: 0x[0-9a-f]{6} - outer \(func 8\)$' "$work/err" &&
    [ "$(wc -l <"$work/err")" -eq 4 ] &&
    { "$wasmc" run --invoke div "$m" 1 0 2>"$work/err2"; [ $? -eq 134 ]; } &&
    grep -qE '^ +0: 0x[0-9a-f]{6} - <export "div"> \(func 9\)$' "$work/err2"; then
    passed=$((passed + 1))
else
    failed=$((failed + 1))
    echo "FAIL trap-output:"
    sed 's/^/    /' "$work/err"
fi

# ---- --timeout (epoch interruption), --fuel, --max-memory ----
cat >"$work/spin_start.wat" <<'WAT'
(module (func $spin (loop $l (br $l))) (start $spin))
WAT
cat >"$work/spin_main.wat" <<'WAT'
(module (func $spin (loop $l (br $l))) (func (export "_start") (call $spin)))
WAT
cat >"$work/grow.wat" <<'WAT'
(module (memory 2)
  (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0)))
  (func (export "size") (result i32) (memory.size)))
WAT
check timeout 134 "" "wasmc: trap: interrupt" -- --timeout 200ms --invoke spin "$m"
check timeout-note 134 "" "wasmc: the --timeout of 200ms elapsed" -- --timeout 200ms --invoke spin "$m"
check timeout-start 134 "" "wasmc: trap: interrupt" -- --timeout 0.2s "$work/spin_start.wat"
check timeout-_start 134 "" "wasmc: trap: interrupt" -- --timeout=300ms "$work/spin_main.wat"
check timeout-not-reached 0 "5" "" -- --timeout 1m --invoke add "$m" 2 3
start=$(date +%s%N)
"$wasmc" run --timeout 300ms --invoke spin "$m" 2>/dev/null
elapsed=$((($(date +%s%N) - start) / 1000000))
if [ "$elapsed" -ge 250 ] && [ "$elapsed" -lt 5000 ]; then
    passed=$((passed + 1))
else
    failed=$((failed + 1))
    echo "FAIL timeout-duration: --timeout 300ms stopped after $elapsed ms"
fi
check fuel-start 134 "" "wasmc: trap: all fuel consumed by WebAssembly" -- --fuel 1000 "$work/spin_main.wat"
check fuel-equals 134 "" "all fuel consumed" -- --fuel=500 "$work/spin_start.wat"
check fuel-zero 134 "" "all fuel consumed" -- --fuel 0 --invoke add "$m" 1 2
check max-memory-grow 0 "2" "" -- --max-memory 256K --invoke grow "$work/grow.wat" 2
check max-memory-fail 0 "-1" "" -- --max-memory 256K --invoke grow "$work/grow.wat" 3
check max-memory-pages 0 "-1" "" -- --max-memory 200000 --invoke grow "$work/grow.wat" 2
check max-memory-mib 0 "2" "" -- --max-memory 1M --invoke grow "$work/grow.wat" 14
check max-memory-mib-fail 0 "-1" "" -- --max-memory 1MiB --invoke grow "$work/grow.wat" 15
check max-memory-none 0 "2" "" -- --invoke grow "$work/grow.wat" 100
check max-memory-min 1 "" "exceeds the store's limit of 1 pages" -- --max-memory 64K --invoke size "$work/grow.wat"

# ---- option syntax ----
check end-of-options 0 "5" "" -- --invoke add -- "$m" 2 3
check equals-form 0 "5" "" -- --invoke=add --fuel=100 "$m" 2 3
check args-after-file 0 "5" "" -- --invoke add "$m" 2 3
check bad-fuel 2 "" "bad value for '--fuel'" -- --fuel -1 "$m"
check bad-timeout 2 "" "bad value for '--timeout'" -- --timeout 5parsecs "$m"
check bad-timeout-zero 2 "" "bad value for '--timeout'" -- --timeout 0 "$m"
check bad-max-memory 2 "" "bad value for '--max-memory'" -- --max-memory 1T "$m"
check missing-value 2 "" "option '--dir' needs a value" -- --dir
check bad-dir 2 "" "bad value for '--dir'" -- --dir ::/x "$m"
check flag-value 2 "" "'--inherit-env' takes no value" -- --inherit-env=1 "$m"
check no-file 2 "" "no FILE given" -- --fuel 5
"$wasmc" run --help >"$work/out" 2>&1
status=$?
missing=""
for opt in --dir --dir-ro --env --inherit-env --invoke --fuel --max-memory --timeout --argv0 "exit status"; do
    grep -qF -- "$opt" "$work/out" || missing="$missing $opt"
done
if [ $status -eq 0 ] && [ -z "$missing" ]; then
    passed=$((passed + 1))
else
    failed=$((failed + 1))
    echo "FAIL help: status $status, missing:$missing"
fi

# ---- WASI modules written as WAT ----
cat >"$work/wasi.wat" <<'WAT'
(module
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (import "wasi_snapshot_preview1" "fd_write" (func $write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_read" (func $read (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 16) "hi\n")
  (func (export "_start")
    (i32.store (i32.const 0) (i32.const 16))
    (i32.store (i32.const 4) (i32.const 3))
    (drop (call $write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))
    (call $exit (i32.const 3)))
  (func (export "exit_with") (param i32) (call $exit (local.get 0)))
  (func (export "read_stdin") (result i32)
    (i32.store (i32.const 0) (i32.const 100))
    (i32.store (i32.const 4) (i32.const 10))
    (drop (call $read (i32.const 0) (i32.const 0) (i32.const 1) (i32.const 8)))
    (i32.load (i32.const 8)))
  (func (export "crash") (unreachable)))
WAT
cat >"$work/wasi_start_exit.wat" <<'WAT'
(module
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (func $s (call $exit (i32.const 5))) (start $s))
WAT
cat >"$work/reactor.wat" <<'WAT'
(module
  (global $g (mut i32) (i32.const 0))
  (func (export "_initialize") (global.set $g (i32.const 5)))
  (func (export "get") (result i32) (global.get $g)))
WAT
w="$work/wasi.wat"
check wasi-start 3 "hi" "" -- "$w"
check wasi-exit-0 0 "" "" -- --invoke exit_with "$w" 0
check wasi-exit-42 42 "" "" -- --invoke exit_with "$w" 42
check wasi-exit-255 255 "" "" -- --invoke exit_with "$w" 255
check wasi-exit-low-bits 1 "" "" -- --invoke exit_with "$w" 257
check wasi-exit-in-start 5 "" "" -- "$work/wasi_start_exit.wat"
check wasi-trap 134 "" "wasmc: trap: unreachable" -- --invoke crash "$w"
check wasi-read-stdin 0 "0" "" -- --invoke read_stdin "$w"
check wasi-dir-missing 1 "" "cannot pre-open directory '$work/nothing'" -- --dir "$work/nothing" "$w"
check wasi-dir-ok 3 "hi" "" -- --dir "$work::/w" --dir-ro "$work::/r" --env A=1 "$w"
check reactor 0 "5" "" -- --invoke get "$work/reactor.wat"
check reactor-init 0 "" "" -- "$work/reactor.wat"
# a guest blocked in a host call cannot see the epoch: the watchdog ends it
start=$(date +%s%N)
mkfifo "$work/fifo"
exec 8<>"$work/fifo" # a writer that never writes: reads block
"$wasmc" run --timeout 200ms --invoke read_stdin "$w" <"$work/fifo" >"$work/out" 2>"$work/err"
status=$?
exec 8>&-
elapsed=$((($(date +%s%N) - start) / 1000000))
if [ $status -eq 134 ] && grep -qF "did not stop within 1s of its --timeout 200ms" "$work/err" &&
    [ "$elapsed" -lt 5000 ]; then
    passed=$((passed + 1))
else
    failed=$((failed + 1))
    echo "FAIL timeout-blocked: status $status after $elapsed ms"
    sed 's/^/    /' "$work/err"
fi

# an exception no handler takes: a trap whose backtrace starts at the throw,
# the same on both tiers
cat >"$work/throw.wat" <<'WAT'
(module
  (tag $t (param i32))
  (func $thrower (throw $t (i32.const 7)))
  (func $mid (export "go") (call $thrower)))
WAT
for tier in jit interp; do
    "$wasmc" run --tier $tier --invoke go "$work/throw.wat" 2>"$work/err"
    status=$?
    if [ $status -eq 134 ] && [ "$(sed -n 1p "$work/err")" = "wasmc: trap: uncaught exception" ] &&
        grep -qE '^ +0: 0x[0-9a-f]{6} - thrower \(func 0\)$' "$work/err" &&
        grep -qE '^ +1: 0x[0-9a-f]{6} - mid \(func 1\)$' "$work/err"; then
        passed=$((passed + 1))
    elif [ $tier = jit ] && grep -q "unavailable tier" "$work/err"; then
        :
    else
        failed=$((failed + 1))
        echo "FAIL uncaught-backtrace ($tier): status $status"
        sed 's/^/    /' "$work/err"
    fi
done

# --profile perfmap: one "START SIZE wasm[INDEX]:NAME" line per compiled
# function in /tmp/perf-PID.map (the JIT; the interpreter writes none)
check bad-profile 2 "" "bad value for '--profile'" -- --profile vtune --invoke add "$m" 1 2
perfmap_run() { # TIER: prints the map's lines, removes the map
    local pid
    pid=$(bash -c 'echo $$ >"$0"; exec "$@" >/dev/null 2>&1' "$work/pid" "$wasmc" run \
        --tier "$1" --profile perfmap --invoke add "$m" 1 2; cat "$work/pid")
    cat "/tmp/perf-$pid.map" 2>/dev/null
    rm -f "/tmp/perf-$pid.map"
}
if "$wasmc" run --tier jit --invoke add "$m" 1 2 >/dev/null 2>&1; then
    map=$(perfmap_run jit)
    lines=$(grep -cE '^[0-9a-f]+ [0-9a-f]+ wasm\[[0-9]+\]' <<<"$map")
    if [ "$lines" -eq 13 ] && grep -qE '^[0-9a-f]+ [0-9a-f]*[1-9a-f][0-9a-f]* wasm\[0\]:add$' <<<"$map" &&
        grep -qE ' wasm\[8\]:outer$' <<<"$map" && [ -z "$(perfmap_run interp)" ]; then
        passed=$((passed + 1))
    else
        failed=$((failed + 1))
        echo "FAIL perfmap: $lines lines"
        sed 's/^/    /' <<<"$map"
    fi
fi

echo "run_test: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
