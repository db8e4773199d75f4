;; Direct calls pass the first six integer and six f32/f64 arguments in
;; registers as well as in the argument area, enter past the function's start
;; (which loads the registers from the area for func refs, the array entry and
;; other modules), and a single integer or reference result comes back in rax
;; only (jit_compile.c: next_arg_reg, general_entry, move_args, emit_return).
;; Each callee uses its parameters in a loop so that they are pinned; every
;; way in must give the same answer.
(module $m
  (type $mix (func (param i32 i64 f32 f64 i32 i64 f64 f32 i32 i64 f64 f64 i32 i32 f64 f32)
                   (result i64)))
  (type $two (func (param i32 i32) (result i32)))
  (type $vec (func (param i32 v128 i64 v128 f64) (result v128 i64)))
  (table $t 4 funcref)
  (elem (table $t) (i32.const 0) func $mix $swap $vec $sum3)

  ;; 16 parameters: 8 integers (six in registers), 8 floats (six in registers)
  (func $mix (export "mix") (type $mix)
    (local $i i32) (local $acc i64) (local $f f64)
    (loop $l
      (local.set $acc (i64.add (local.get $acc)
        (i64.add (i64.add (i64.extend_i32_u (local.get 0)) (local.get 1))
                 (i64.add (i64.extend_i32_u (local.get 4)) (local.get 5)))))
      (local.set $acc (i64.add (local.get $acc)
        (i64.add (i64.add (i64.extend_i32_u (local.get 8)) (local.get 9))
                 (i64.extend_i32_u (i32.sub (local.get 12) (local.get 13))))))
      (local.set $f (f64.add (local.get $f)
        (f64.add (f64.add (f64.promote_f32 (local.get 2)) (local.get 3))
                 (f64.add (local.get 6) (f64.promote_f32 (local.get 7))))))
      (local.set $f (f64.add (local.get $f)
        (f64.add (f64.add (local.get 10) (local.get 11))
                 (f64.add (local.get 14) (f64.promote_f32 (local.get 15))))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (i32.const 3))))
    (i64.add (local.get $acc) (i64.trunc_f64_s (local.get $f))))

  ;; the argument registers cross: a's register is b's pin and so on
  (func $swap (type $two)
    (local $k i32)
    (loop $l
      (local.set 0 (i32.xor (local.get 0) (local.get 1)))
      (local.set 1 (i32.xor (local.get 1) (local.get 0)))
      (local.set 0 (i32.xor (local.get 0) (local.get 1)))
      (local.set $k (i32.add (local.get $k) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $k) (i32.const 3))))
    (i32.sub (i32.mul (local.get 0) (i32.const 100)) (local.get 1)))

  (func $sum3 (type $two)
    (i32.add (local.get 0) (local.get 1)))

  ;; v128 arguments stay in memory; the f64 after them is still in a register
  (func $vec (type $vec)
    (local $i i32)
    (loop $l
      (local.set 1 (i32x4.add (local.get 1) (local.get 3)))
      (local.set 2 (i64.add (local.get 2) (i64.extend_i32_u (local.get 0))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (i32.const 2))))
    (local.get 1)
    (i64.add (local.get 2) (i64.trunc_f64_s (local.get 4))))

  (func $args_mix (result i64)
    (call $mix (i32.const 1) (i64.const 2) (f32.const 3) (f64.const 4) (i32.const 5)
               (i64.const 6) (f64.const 7) (f32.const 8) (i32.const 9) (i64.const 10)
               (f64.const 11) (f64.const 12) (i32.const 20) (i32.const 7) (f64.const 15)
               (f32.const 16)))

  (func (export "direct") (result i64) (call $args_mix))
  (func (export "indirect") (result i64)
    (call_indirect $t (type $mix)
      (i32.const 1) (i64.const 2) (f32.const 3) (f64.const 4) (i32.const 5)
      (i64.const 6) (f64.const 7) (f32.const 8) (i32.const 9) (i64.const 10)
      (f64.const 11) (f64.const 12) (i32.const 20) (i32.const 7) (f64.const 15)
      (f32.const 16) (i32.const 0)))
  (func (export "ref") (result i64)
    (call_ref $mix
      (i32.const 1) (i64.const 2) (f32.const 3) (f64.const 4) (i32.const 5)
      (i64.const 6) (f64.const 7) (f32.const 8) (i32.const 9) (i64.const 10)
      (f64.const 11) (f64.const 12) (i32.const 20) (i32.const 7) (f64.const 15)
      (f32.const 16) (ref.func $mix)))
  (func (export "tail") (result i64)
    (return_call $mix
      (i32.const 1) (i64.const 2) (f32.const 3) (f64.const 4) (i32.const 5)
      (i64.const 6) (f64.const 7) (f32.const 8) (i32.const 9) (i64.const 10)
      (f64.const 11) (f64.const 12) (i32.const 20) (i32.const 7) (f64.const 15)
      (f32.const 16)))

  ;; arguments from registers, pinned locals and slots, in crossing orders
  (func (export "swap") (param $a i32) (param $b i32) (result i32)
    (local $x i32) (local $y i32) (local $i i32)
    (loop $l
      (local.set $x (i32.add (local.get $a) (local.get $i)))
      (local.set $y (i32.add (local.get $b) (local.get $i)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (i32.const 2))))
    (i32.add
      (i32.add (call $swap (local.get $y) (local.get $x))
               (call $swap (local.get $x) (i32.add (local.get $y) (i32.const 1))))
      (call $sum3 (call $sum3 (local.get $a) (local.get $b))
                  (call $swap (local.get $b) (local.get $a)))))

  (func (export "vec") (result i64)
    (local $r i64) (local $v v128)
    (call $vec (i32.const 3) (v128.const i32x4 1 2 3 4) (i64.const 100)
               (v128.const i32x4 10 20 30 40) (f64.const 0.5))
    (local.set $r)
    (local.set $v)
    (i64.add (local.get $r) (i64.extend_i32_u (i32x4.extract_lane 3 (local.get $v)))))

  ;; deep direct recursion through a function with register parameters
  (func $down (param $n i32) (param $acc i64) (result i64)
    (if (result i64) (i32.eqz (local.get $n))
      (then (local.get $acc))
      (else (i64.add (call $down (i32.sub (local.get $n) (i32.const 1))
                                 (i64.add (local.get $acc) (i64.const 1)))
                     (i64.const 1)))))
  (func (export "down") (param i32) (result i64) (call $down (local.get 0) (i64.const 0)))

  ;; tail calls with register arguments run in constant stack
  (func $count (param $n i32) (param $acc i64) (result i64)
    (if (i32.eqz (local.get $n)) (then (return (local.get $acc))))
    (return_call $count (i32.sub (local.get $n) (i32.const 1))
                        (i64.add (local.get $acc) (i64.extend_i32_u (local.get $n)))))
  (func (export "count") (param i32) (result i64) (call $count (local.get 0) (i64.const 0)))
  (func $ping (param $n i32) (param $x f64) (result f64)
    (if (i32.eqz (local.get $n)) (then (return (local.get $x))))
    (return_call_indirect $t2 (type $fx)
      (i32.sub (local.get $n) (i32.const 1)) (f64.add (local.get $x) (f64.const 1))
      (i32.and (local.get $n) (i32.const 1))))
  (type $fx (func (param i32 f64) (result f64)))
  (table $t2 2 funcref)
  (elem (table $t2) (i32.const 0) func $ping $ping)
  (func (export "ping") (param i32) (result f64) (call $ping (local.get 0) (f64.const 0)))
)

(assert_return (invoke "mix" (i32.const 1) (i64.const 2) (f32.const 3) (f64.const 4)
  (i32.const 5) (i64.const 6) (f64.const 7) (f32.const 8) (i32.const 9) (i64.const 10)
  (f64.const 11) (f64.const 12) (i32.const 20) (i32.const 7) (f64.const 15) (f32.const 16))
  (i64.const 366))
(assert_return (invoke "direct") (i64.const 366))
(assert_return (invoke "indirect") (i64.const 366))
(assert_return (invoke "ref") (i64.const 366))
(assert_return (invoke "tail") (i64.const 366))
(assert_return (invoke "swap" (i32.const 5) (i32.const 9)) (i32.const 2189))
(assert_return (invoke "vec") (i64.const 190))
(assert_return (invoke "down" (i32.const 10000)) (i64.const 20000))
(assert_exhaustion (invoke "down" (i32.const 100000000)) "call stack exhausted")
(assert_return (invoke "count" (i32.const 1000000)) (i64.const 500000500000))
(assert_return (invoke "ping" (i32.const 1000001)) (f64.const 1000001))

;; another module calls in through the start and the array entry
(register "m" $m)
(module
  (type $mix (func (param i32 i64 f32 f64 i32 i64 f64 f32 i32 i64 f64 f64 i32 i32 f64 f32)
                   (result i64)))
  (import "m" "mix" (func $mix (type $mix)))
  (func (export "via_import") (result i64)
    (call $mix (i32.const 1) (i64.const 2) (f32.const 3) (f64.const 4) (i32.const 5)
               (i64.const 6) (f64.const 7) (f32.const 8) (i32.const 9) (i64.const 10)
               (f64.const 11) (f64.const 12) (i32.const 20) (i32.const 7) (f64.const 15)
               (f32.const 16)))
  (func (export "tail_import") (result i64)
    (return_call $mix (i32.const 1) (i64.const 2) (f32.const 3) (f64.const 4) (i32.const 5)
               (i64.const 6) (f64.const 7) (f32.const 8) (i32.const 9) (i64.const 10)
               (f64.const 11) (f64.const 12) (i32.const 20) (i32.const 7) (f64.const 15)
               (f32.const 16))))
(assert_return (invoke "via_import") (i64.const 366))
(assert_return (invoke "tail_import") (i64.const 366))
