;; v128 values in the interpreter's frames: two slots each, mixed with
;; one-slot values in params, locals, blocks, branches, calls, tail calls,
;; returns that overwrite locals, select, globals and the constant pool.

(module
  (global $g (mut v128) (v128.const i32x4 1 2 3 4))
  (table 2 funcref)
  (elem (i32.const 0) $mix $swap)

  ;; params and results of mixed widths, in both directions
  (func $mix (export "mix") (param i32 v128 i64 v128) (result v128 i64 v128 i32)
    (local.get 3) (local.get 2) (local.get 1) (local.get 0))
  (func $swap (param v128 v128) (result v128 v128) (local.get 1) (local.get 0))

  (func (export "call-mix") (result i32)
    (local v128 v128 i64 i32)
    (call $mix (i32.const 7) (v128.const i32x4 1 2 3 4) (i64.const 9)
               (v128.const i32x4 5 6 7 8))
    (local.set 3) (local.set 0) (local.set 2) (local.set 1)
    (i32.and
      (i32.and (i32.eq (local.get 3) (i32.const 7)) (i64.eq (local.get 2) (i64.const 9)))
      (i32.and (i32x4.all_true (i32x4.eq (local.get 0) (v128.const i32x4 1 2 3 4)))
               (i32x4.all_true (i32x4.eq (local.get 1) (v128.const i32x4 5 6 7 8))))))

  (func (export "indirect") (param v128 v128) (result v128)
    (call_indirect (param v128 v128) (result v128 v128)
      (local.get 0) (local.get 1) (i32.const 1))
    (i32x4.sub))

  ;; results written over the params they are computed from
  (func (export "rot") (param v128 i32 v128) (result i32 v128 v128)
    (local.get 1) (local.get 2) (local.get 0))

  ;; blocks with v128 params/results, br and br_table carrying them
  (func (export "blocks") (param i32) (result v128 i32)
    (block $b (result v128 i32)
      (v128.const i32x4 10 20 30 40)
      (block $c (param v128) (result v128 i32)
        (br_table $b $c $b (i32.const 5) (local.get 0)))
      (drop) (drop) (v128.const i64x2 -1 -1) (i32.const 6)))
  (func (export "loop") (param i32) (result v128)
    (local v128)
    (v128.const i32x4 0 0 0 0)
    (loop $l (param v128) (result v128)
      (i32x4.add (v128.const i32x4 1 1 1 1))
      (local.tee 1)
      (br_if $l (local.tee 0 (i32.sub (local.get 0) (i32.const 1)))))
    (drop)
    (i32x4.add (local.get 1) (v128.const i32x4 0 0 0 100)))
  (func (export "loop-start") (param i32) (result v128)
    (v128.const i32x4 0 0 0 0)
    (loop $l (param v128) (result v128)
      (i32x4.add (v128.const i32x4 1 1 1 1))
      (br_if $l (local.tee 0 (i32.sub (local.get 0) (i32.const 1))))))

  ;; select over v128, typed and untyped
  (func (export "select") (param v128 v128 i32) (result v128)
    (select (local.get 0) (local.get 1) (local.get 2)))
  (func (export "select-t") (param i32) (result v128)
    (select (result v128) (v128.const i32x4 1 1 1 1) (v128.const i32x4 2 2 2 2) (local.get 0)))

  ;; globals
  (func (export "bump") (param v128) (result v128)
    (global.set $g (i32x4.add (global.get $g) (local.get 0)))
    (global.get $g))

  ;; tail calls with v128 arguments that overwrite the caller's locals
  (func $acc (param v128 i32 v128) (result v128)
    (if (result v128) (i32.eqz (local.get 1))
      (then (i32x4.add (local.get 0) (local.get 2)))
      (else (return_call $acc (local.get 2) (i32.sub (local.get 1) (i32.const 1))
                              (i32x4.add (local.get 0) (v128.const i32x4 1 2 3 4))))))
  (func (export "tail") (param i32) (result v128)
    (return_call $acc (v128.const i32x4 0 0 0 0) (local.get 0) (v128.const i32x4 0 0 0 0)))

  ;; extract/replace through locals and constants; lanes of the pool
  (func (export "lanes") (param v128) (result i32)
    (local v128)
    (local.set 1 (i32x4.replace_lane 2 (local.get 0) (i32.const 99)))
    (i32.add (i32x4.extract_lane 2 (local.get 1))
             (i8x16.extract_lane_u 15 (v128.const i8x16 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 200))))

  ;; a constant used in a loop (pooled) and a shift by a constant
  (func (export "pooled") (param i32) (result v128)
    (local v128)
    (loop $l
      (local.set 1 (i32x4.shl (i32x4.add (local.get 1) (v128.const i32x4 1 2 3 4)) (i32.const 1)))
      (br_if $l (local.tee 0 (i32.sub (local.get 0) (i32.const 1)))))
    (local.get 1))
)

(assert_return (invoke "mix" (i32.const 1) (v128.const i32x4 1 2 3 4) (i64.const -5)
                             (v128.const i64x2 7 8))
  (v128.const i64x2 7 8) (i64.const -5) (v128.const i32x4 1 2 3 4) (i32.const 1))
(assert_return (invoke "call-mix") (i32.const 1))
(assert_return (invoke "indirect" (v128.const i32x4 1 2 3 4) (v128.const i32x4 10 20 30 40))
  (v128.const i32x4 9 18 27 36))
(assert_return (invoke "rot" (v128.const i32x4 1 2 3 4) (i32.const 5) (v128.const i32x4 6 7 8 9))
  (i32.const 5) (v128.const i32x4 6 7 8 9) (v128.const i32x4 1 2 3 4))
(assert_return (invoke "blocks" (i32.const 0)) (v128.const i32x4 10 20 30 40) (i32.const 5))
(assert_return (invoke "blocks" (i32.const 1)) (v128.const i64x2 -1 -1) (i32.const 6))
(assert_return (invoke "blocks" (i32.const 9)) (v128.const i32x4 10 20 30 40) (i32.const 5))
(assert_return (invoke "loop" (i32.const 3)) (v128.const i32x4 3 3 3 103))
(assert_return (invoke "loop-start" (i32.const 4)) (v128.const i32x4 4 4 4 4))
(assert_return (invoke "select" (v128.const i32x4 1 2 3 4) (v128.const i32x4 5 6 7 8) (i32.const 0))
  (v128.const i32x4 5 6 7 8))
(assert_return (invoke "select" (v128.const i32x4 1 2 3 4) (v128.const i32x4 5 6 7 8) (i32.const 1))
  (v128.const i32x4 1 2 3 4))
(assert_return (invoke "select-t" (i32.const 0)) (v128.const i32x4 2 2 2 2))
(assert_return (invoke "bump" (v128.const i32x4 1 1 1 1)) (v128.const i32x4 2 3 4 5))
(assert_return (invoke "bump" (v128.const i32x4 1 1 1 1)) (v128.const i32x4 3 4 5 6))
(assert_return (invoke "tail" (i32.const 3)) (v128.const i32x4 3 6 9 12))
(assert_return (invoke "lanes" (v128.const i32x4 1 2 3 4)) (i32.const 299))
(assert_return (invoke "pooled" (i32.const 2)) (v128.const i32x4 6 12 18 24))
