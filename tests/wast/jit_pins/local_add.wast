;; Pinned-local fusions and pin choice (jit_compile.c): `local.get a;
;; local.get x; add|sub; local.set|tee b` on pinned locals becomes one add,
;; sub or lea (wrapping like i32/i64 math, the tee leaving the new value),
;; and a loop needing more locals than there are pin registers, whose
;; invariants (written only outside the inner loop) weigh less than the
;; locals it writes, computes the same sums either way.
(module
  (func (export "add32") (param $a i32) (param $x i32) (result i32) (local $b i32)
    (local.set $b (i32.add (local.get $a) (local.get $x)))   ;; lea b, [a + x]
    (local.set $a (i32.add (local.get $a) (local.get $x)))   ;; add a, x
    (local.set $x (i32.add (local.get $a) (local.get $x)))   ;; lea x, [a + x]
    (local.set $a (i32.sub (local.get $a) (local.get $b)))   ;; sub a, b
    (local.set $b (i32.sub (local.get $x) (local.get $b)))   ;; not fused (a != b)
    (i32.add (i32.mul (local.get $a) (i32.const 1000))
             (i32.add (i32.mul (local.get $b) (i32.const 10))
                      (local.tee $x (i32.add (local.get $x) (local.get $x))))))
  (func (export "wrap32") (param $a i32) (param $x i32) (result i32) (local $b i32)
    (local.set $b (i32.add (local.get $a) (local.get $x)))
    (local.set $a (i32.sub (local.get $a) (local.get $x)))
    (i32.xor (local.get $b) (local.get $a)))
  (func (export "wrap64") (param $a i64) (param $x i64) (result i64) (local $b i64)
    (local.set $b (i64.add (local.get $a) (local.get $x)))
    (local.set $a (i64.sub (local.get $a) (local.get $x)))
    (local.set $a (i64.add (local.get $a) (local.get $a)))
    (i64.xor (local.get $b) (local.get $a)))
  (func (export "tee") (param $a i32) (param $x i32) (result i32) (local $b i32)
    (i32.add
      (i32.mul (local.tee $b (i32.add (local.get $a) (local.get $x))) (i32.const 100))
      (i32.add (local.tee $a (i32.sub (local.get $a) (local.get $x))) (local.get $b))))
  ;; an i32 add must not keep the upper half of a 64-bit register
  (func (export "zext") (param $a i32) (param $x i32) (result i64) (local $b i32)
    (local.set $b (i32.add (local.get $a) (local.get $x)))
    (local.set $a (i32.add (local.get $a) (local.get $x)))
    (i64.add (i64.extend_i32_u (local.get $b)) (i64.extend_i32_u (local.get $a))))
  ;; 12 locals in a loop nest: the inner loop reads the invariants $lo..$k4
  ;; (set in the outer loop) and writes $i $j $s $t $u $v
  (func (export "nest") (param $n i32) (result i32)
    (local $o i32) (local $lo i32) (local $k1 i32) (local $k2 i32) (local $k3 i32) (local $k4 i32)
    (local $i i32) (local $j i32) (local $s i32) (local $t i32) (local $u i32) (local $v i32)
    (loop $outer
      (local.set $lo (i32.mul (local.get $o) (i32.const 3)))
      (local.set $k1 (i32.add (local.get $o) (i32.const 1)))
      (local.set $k2 (i32.add (local.get $o) (i32.const 7)))
      (local.set $k3 (i32.xor (local.get $o) (i32.const 0x55)))
      (local.set $k4 (i32.add (local.get $o) (i32.const 11)))
      (local.set $i (local.get $lo))
      (local.set $j (i32.const 0))
      (loop $inner
        (local.set $t (i32.add (local.get $i) (local.get $k1)))
        (local.set $u (i32.lt_u (local.get $t) (local.get $k2)))
        (local.set $v (i32.and (i32.add (local.get $t) (local.get $k3)) (i32.const 0xffff)))
        (local.set $s (i32.add (local.get $s) (local.get $v)))
        (local.set $s (i32.add (local.get $s) (local.get $u)))
        (local.set $j (i32.add (local.get $j) (local.get $u)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br_if $inner (i32.lt_s (local.get $i) (i32.add (local.get $lo) (local.get $k4)))))
      (local.set $s (i32.add (local.get $s) (i32.mul (local.get $j) (i32.const 31))))
      (local.set $o (i32.add (local.get $o) (i32.const 1)))
      (br_if $outer (i32.lt_u (local.get $o) (local.get $n))))
    (local.get $s))
)
(assert_return (invoke "add32" (i32.const 5) (i32.const 3)) (i32.const 52))
(assert_return (invoke "wrap32" (i32.const 0x7fffffff) (i32.const 0x80000002)) (i32.const 4294967292))
(assert_return (invoke "wrap64" (i64.const 0x7fffffffffffffff) (i64.const 3)) (i64.const 0x7ffffffffffffffa))
(assert_return (invoke "tee" (i32.const 10) (i32.const 3)) (i32.const 1320))
(assert_return (invoke "zext" (i32.const 0xffffffff) (i32.const 2)) (i64.const 2))
(assert_return (invoke "nest" (i32.const 1)) (i32.const 1193))
(assert_return (invoke "nest" (i32.const 50)) (i32.const 427983))
