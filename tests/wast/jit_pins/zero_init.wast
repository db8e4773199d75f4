;; The prologue does not zero numeric locals whose first access is a
;; local.set/tee in the body's opening straight-line code (jit_compile.c,
;; zero_free_words); every other local must still read 0 before its first
;; write. $dirty leaves nonzero words where $check's frame will be, so a
;; wrongly skipped zero store reads them.
(module
  (func $dirty (param $x i64)
    (local i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64)
    (local.set 1 (local.get $x)) (local.set 2 (local.get $x)) (local.set 3 (local.get $x))
    (local.set 4 (local.get $x)) (local.set 5 (local.get $x)) (local.set 6 (local.get $x))
    (local.set 7 (local.get $x)) (local.set 8 (local.get $x)) (local.set 9 (local.get $x))
    (local.set 10 (local.get $x)) (local.set 11 (local.get $x)) (local.set 12 (local.get $x))
    (local.set 13 (local.get $x)) (local.set 14 (local.get $x)) (local.set 15 (local.get $x))
    (local.set 16 (local.get $x)))
  (func $check (param $p i32) (result i64)
    (local $a i64) (local $b i64) (local $c i64) (local $d f64) (local $e i32) (local $f i64)
    (local $g i64) (local $h i64)
    (local.set $a (i64.const 7))                          ;; set first: not zeroed
    (local.set $b (i64.add (local.get $b) (i64.const 1))) ;; read first: 0 + 1
    (local.set $g (i64.add (local.get $h) (i64.const 5))) ;; $h read first (unpinned)...
    (local.set $h (i64.const 9))                          ;; ...then set: still zeroed
    (block
      (br_if 0 (local.get $p))
      (local.set $c (i64.const 100))                      ;; set first, but in a block
      (local.set $e (i32.const 3)))
    (i64.add
      (i64.add (i64.add (local.get $a) (local.get $b)) (i64.add (local.get $c) (local.get $g)))
      (i64.add (i64.add (i64.trunc_f64_s (local.get $d)) (i64.extend_i32_u (local.get $e)))
               (local.get $f))))
  (func (export "run") (param $p i32) (result i64)
    (call $dirty (i64.const 0x40000000))
    (call $check (local.get $p)))
)
(assert_return (invoke "run" (i32.const 1)) (i64.const 13))
(assert_return (invoke "run" (i32.const 0)) (i64.const 116))
