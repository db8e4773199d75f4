;; A loop tail of two in-place increments (an INC2 on the interpreter) then
;; an in-place increment of a third local that a br_if or an if tests (one
;; increment-and-branch op), as in a byte-copy loop. Each case checks the
;; taken and the not-taken path and the three locals after the loop.

(module
  (memory 1)
  (data (i32.const 0) "abcdefgh")
  ;; copy n bytes: d, s advance, n counts down; returns d * 2^20 + s * 2^10 + n
  (func (export "copy") (param $d i32) (param $s i32) (param $n i32) (result i32)
    (loop $l
      (i32.store8 (local.get $d) (i32.load8_u (local.get $s)))
      (local.set $d (i32.add (local.get $d) (i32.const 1)))
      (local.set $s (i32.add (local.get $s) (i32.const 1)))
      (br_if $l (local.tee $n (i32.add (local.get $n) (i32.const -1)))))
    (i32.add (i32.add (i32.shl (local.get $d) (i32.const 20)) (i32.shl (local.get $s) (i32.const 10)))
             (local.get $n)))
  ;; the count is one of the incremented locals (applied in order: +3, +5, -7;
  ;; the translator may merge the two adds of $a)
  (func (export "same") (param $a i32) (param $b i32) (result i32)
    (local $k i32)
    (block $out
      (loop $l
        (local.set $k (i32.add (local.get $k) (i32.const 1)))
        (br_if $out (i32.ge_u (local.get $k) (i32.const 100)))
        (local.set $a (i32.add (local.get $a) (i32.const 3)))
        (local.set $b (i32.add (local.get $b) (i32.const 5)))
        (br_if $l (local.tee $a (i32.add (local.get $a) (i32.const -7))))))
    (i32.add (i32.mul (local.get $k) (i32.const 1000000))
             (i32.add (i32.mul (local.get $a) (i32.const 1000)) (local.get $b))))
  ;; an `if` on the third local: the branch to the else arm is the negated op
  (func (export "if") (param $x i32) (param $y i32) (param $n i32) (result i32)
    (local.set $x (i32.add (local.get $x) (i32.const 2)))
    (local.set $y (i32.add (local.get $y) (i32.const -2)))
    (if (result i32) (local.tee $n (i32.add (local.get $n) (i32.const 1)))
      (then (i32.add (i32.mul (local.get $x) (local.get $y)) (local.get $n)))
      (else (i32.sub (local.get $x) (local.get $y)))))
  (func (export "bytes") (param i32) (result i64) (i64.load (local.get 0)))
)
(assert_return (invoke "copy" (i32.const 100) (i32.const 0) (i32.const 8))
               (i32.const 0x06C02000))
(assert_return (invoke "bytes" (i32.const 100)) (i64.const 0x6867666564636261))
(assert_return (invoke "copy" (i32.const 200) (i32.const 3) (i32.const 1))
               (i32.const 0x0C901000))
(assert_return (invoke "bytes" (i32.const 200)) (i64.const 0x64))
;; a count of 0 wraps: it runs until the copy leaves the memory
(assert_trap (invoke "copy" (i32.const 65530) (i32.const 0) (i32.const 0))
             "out of bounds memory access")
;; a starts at 4: +3 -7 = -4 per round, zero after one round
(assert_return (invoke "same" (i32.const 4) (i32.const 10)) (i32.const 1000015))
;; a starts at 8: zero after two rounds
(assert_return (invoke "same" (i32.const 8) (i32.const 0)) (i32.const 2000010))
;; a never reaches zero: the guard on k ends the loop after 99 rounds
(assert_return (invoke "same" (i32.const 1) (i32.const 0)) (i32.const 99605495))
(assert_return (invoke "if" (i32.const 1) (i32.const 5) (i32.const 0)) (i32.const 10))
(assert_return (invoke "if" (i32.const 1) (i32.const 5) (i32.const -1)) (i32.const 0))
