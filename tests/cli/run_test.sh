#!/usr/bin/env bash
# `wasmc run --invoke` end to end: results printed one per line, arguments
# parsed by parameter type, traps on stderr with "wasmc: trap: MESSAGE" and a
# backtrace, exit status 0 / 1 (failure or trap) / 2 (usage), fuel.
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
check pair 0 "$(printf -- '-3\n-3')" "" -- --invoke pair "$m" -3
check none 0 "" "" -- --invoke none "$m"
check trap 1 "" "wasmc: trap: unreachable" -- --invoke crash "$m"
check trap-backtrace 1 "" "(func 7)" -- --invoke crash "$m"
check div-zero 1 "" "wasmc: trap: integer divide by zero" -- --invoke div "$m" 1 0
check div-overflow 1 "" "wasmc: trap: integer overflow" -- --invoke div "$m" -2147483648 -1
check oob 1 "" "wasmc: trap: out of bounds memory access" -- --invoke oob "$m"
check exhaustion 1 "" "wasmc: trap: call stack exhausted" -- --invoke deep "$m" 0
check fuel 1 "" "wasmc: trap: all fuel consumed by WebAssembly" -- --fuel 10000 --invoke spin "$m"
check fuel-enough 0 "5" "" -- --fuel 10000 --invoke add "$m" 2 3
check no-export 1 "" "no exported function 'nope'" -- --invoke nope "$m"
check arg-count 2 "" "takes 2 arguments" -- --invoke add "$m" 1
check arg-bad 2 "" "is not a valid i32" -- --invoke add "$m" 1 x
check arg-range 2 "" "is not a valid i32" -- --invoke add "$m" 1 4294967296
check start-trap 1 "" "wasmc: trap: unreachable" -- "$work/start_trap.wat"
check unknown-import 1 "" "unknown import" -- --invoke g "$work/import.wat"
check no-invoke 0 "" "" -- "$work/start.wat"
check binary 0 "42" "" -- --invoke f "$work/answer.wasm"
check missing-file 1 "" "wasmc run:" -- --invoke f "$work/nothing.wasm"
check usage 2 "" "usage: wasmc run" --
check bad-option 2 "" "bad option" -- --frobnicate "$m"

echo "run_test: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
