;; r14 holds memory 0's base at every direct call and direct entry of a module
;; whose memory 0 is guarded (jit_comp.h keep_mem0). A caller reloads it after
;; each call: the callee may have pinned a local in r14 (a function that
;; neither accesses memory nor calls directly) or tail-called into another
;; instance, which returns with that instance's memory in r14.
(module $other
  (memory 1)
  (data (i32.const 0) "\07\00\00\00")
  (func (export "peek") (param i32) (result i32) (i32.load (local.get 0))))
(register "other" $other)

(module
  (type $peek_t (func (param i32) (result i32)))
  (import "other" "peek" (func $peek (type $peek_t)))
  (memory 1)
  (data (i32.const 0) "\2a\00\00\00")
  (table $t 1 funcref)
  (elem (table $t) (i32.const 0) func $peek)
  (elem declare func $peek)

  ;; no memory access, no direct call, many hot locals: r14 may be pinned
  (func $busy (param $n i32) (result i64)
    (local $a i64) (local $b i64) (local $c i64) (local $d i64) (local $e i64)
    (local $f i64) (local $g i64) (local $h i64) (local $i i32)
    (loop $l
      (local.set $a (i64.add (local.get $a) (i64.const 1)))
      (local.set $b (i64.add (local.get $b) (local.get $a)))
      (local.set $c (i64.add (local.get $c) (local.get $b)))
      (local.set $d (i64.xor (local.get $d) (local.get $c)))
      (local.set $e (i64.add (local.get $e) (local.get $d)))
      (local.set $f (i64.sub (local.get $f) (local.get $e)))
      (local.set $g (i64.add (local.get $g) (local.get $f)))
      (local.set $h (i64.add (local.get $h) (local.get $g)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (local.get $n))))
    (drop (call_indirect $t (type $peek_t) (i32.const 0) (i32.const 0)))
    (i64.add (local.get $h) (local.get $a)))

  ;; tail calls into the other instance: returns with its memory in r14
  (func $hop (param $x i32) (result i32)
    (return_call_ref $peek_t (local.get $x) (ref.func $peek)))
  (func $hop2 (param $x i32) (result i32)
    (return_call $peek (local.get $x)))

  ;; no memory access, but direct calls: passes r14 on
  (func $relay (param $x i32) (result i32)
    (i32.add (call $hop (local.get $x)) (call $load (local.get $x))))
  (func $load (param $x i32) (result i32) (i32.load (local.get $x)))

  (func (export "run") (result i32)
    (local $s i32)
    (drop (call $busy (i32.const 10)))
    (local.set $s (i32.load (i32.const 0)))                        ;; 42
    (local.set $s (i32.add (local.get $s) (call $hop (i32.const 0)))) ;; + 7
    (local.set $s (i32.add (local.get $s) (i32.load (i32.const 0)))) ;; + 42
    (local.set $s (i32.add (local.get $s) (call $hop2 (i32.const 0)))) ;; + 7
    (local.set $s (i32.add (local.get $s) (call $load (i32.const 0)))) ;; + 42
    (local.set $s (i32.add (local.get $s) (call $relay (i32.const 0)))) ;; + 7 + 42
    (i32.add (local.get $s) (i32.load (i32.const 0))))                 ;; + 42
)
(assert_return (invoke "run") (i32.const 231))
