;; The prologue does not zero numeric locals that every path assigns before
;; any read (jit_compile.c, unset_reads: a definite-assignment pass over
;; blocks, loops, if/else and branches). Each function reads locals that some
;; path leaves unassigned: they must read 0. $dirty leaves nonzero words
;; where the checked frames will be, so a wrongly skipped zero store shows.
(module
  (func $dirty (param $x i64)
    (local i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64)
    (local.set 1 (local.get $x)) (local.set 2 (local.get $x)) (local.set 3 (local.get $x))
    (local.set 4 (local.get $x)) (local.set 5 (local.get $x)) (local.set 6 (local.get $x))
    (local.set 7 (local.get $x)) (local.set 8 (local.get $x)) (local.set 9 (local.get $x))
    (local.set 10 (local.get $x)) (local.set 11 (local.get $x)) (local.set 12 (local.get $x))
    (local.set 13 (local.get $x)) (local.set 14 (local.get $x)) (local.set 15 (local.get $x))
    (local.set 16 (local.get $x)))

  ;; set in one arm of an if only; set in both arms; set after a br_if
  (func $arms (param $p i32) (result i64)
    (local $a i64) (local $b i64) (local $c i64) (local $d i64) (local $e i64)
    (if (local.get $p) (then (local.set $a (i64.const 1))))
    (if (local.get $p)
      (then (local.set $b (i64.const 10)))
      (else (local.set $b (i64.const 20))))
    (block
      (local.set $d (i64.const 1000))                   ;; before the branch: assigned after
      (br_if 0 (local.get $p))
      (local.set $c (i64.const 100)))                   ;; after it: not after the block
    (block
      (block
        (br_if 1 (i32.eqz (local.get $p)))
        (local.set $e (i64.const 10000)))
      (drop (local.get $e)))                            ;; assigned here...
    (i64.add (i64.add (i64.add (local.get $a) (local.get $b))
                      (i64.add (local.get $c) (local.get $d)))
             (local.get $e)))                           ;; ...but not here

  ;; a read in a loop before the set: the first iteration sees 0
  (func $loop (param $n i32) (result i64)
    (local $acc i64) (local $prev i64) (local $i i32)
    (loop $l
      (local.set $acc (i64.add (local.get $acc) (local.get $prev)))
      (local.set $prev (i64.extend_i32_u (local.get $i)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (local.get $n))))
    (local.get $acc))

  ;; br_table: one target skips the set; unreachable code after a br
  (func $table (param $k i32) (result i64)
    (local $a i64) (local $b i64)
    (block $out
      (block $one
        (block $zero
          (br_table $zero $one $out (local.get $k)))
        (local.set $a (i64.const 5))
        (br $out)
        (local.set $b (i64.const 77)))                  ;; unreachable
      (local.set $a (i64.const 6)))
    (i64.add (local.get $a) (local.get $b)))

  ;; every path assigns (not zeroed) next to one that does not
  (func $all (param $p i32) (result i64)
    (local $a i64) (local $b f64) (local $c i32)
    (block
      (local.set $a (i64.const 3))
      (if (local.get $p)
        (then (local.set $b (f64.const 2.5)) (local.set $c (i32.const 4)))
        (else (local.set $b (f64.const 1.5)) (return (i64.const -1)))))
    (i64.add (i64.add (local.get $a) (i64.trunc_f64_s (local.get $b)))
             (i64.extend_i32_u (local.get $c))))

  (func (export "arms") (param i32) (result i64)
    (call $dirty (i64.const 0x5555555555555555)) (call $arms (local.get 0)))
  (func (export "loop") (param i32) (result i64)
    (call $dirty (i64.const 0x5555555555555555)) (call $loop (local.get 0)))
  (func (export "table") (param i32) (result i64)
    (call $dirty (i64.const 0x5555555555555555)) (call $table (local.get 0)))
  (func (export "all") (param i32) (result i64)
    (call $dirty (i64.const 0x5555555555555555)) (call $all (local.get 0)))
)

(assert_return (invoke "arms" (i32.const 0)) (i64.const 1120))
(assert_return (invoke "arms" (i32.const 1)) (i64.const 11011))
(assert_return (invoke "loop" (i32.const 1)) (i64.const 0))
(assert_return (invoke "loop" (i32.const 4)) (i64.const 3))
(assert_return (invoke "table" (i32.const 0)) (i64.const 5))
(assert_return (invoke "table" (i32.const 1)) (i64.const 6))
(assert_return (invoke "table" (i32.const 2)) (i64.const 0))
(assert_return (invoke "all" (i32.const 1)) (i64.const 9))
(assert_return (invoke "all" (i32.const 0)) (i64.const -1))
