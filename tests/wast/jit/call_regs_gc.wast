;; References passed to direct calls (in argument registers as well as the
;; area, jit_compile.c next_arg_reg) and returned in rax only stay roots: the
;; callee allocates enough to collect while they are live only in frames.
(module
  (type $s (struct (field (mut i32))))
  (func $use (param $a (ref $s)) (param $b (ref null $s)) (param $n i32) (result (ref $s))
    (local $i i32)
    (loop $l
      (drop (struct.new $s (local.get $i)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (local.get $n))))
    (struct.set $s 0 (local.get $a)
      (i32.add (struct.get $s 0 (local.get $a))
               (struct.get $s 0 (ref.as_non_null (local.get $b)))))
    (local.get $a))
  (func (export "run") (param $n i32) (result i32)
    (local $x (ref null $s)) (local $y (ref null $s))
    (local.set $x (struct.new $s (i32.const 5)))
    (local.set $y (struct.new $s (i32.const 7)))
    (struct.get $s 0
      (call $use (call $use (ref.as_non_null (local.get $x)) (local.get $y) (local.get $n))
                 (local.get $x) (local.get $n))))
  (func (export "tail") (param $n i32) (result i32)
    (struct.get $s 0 (call $again (struct.new $s (i32.const 3)) (local.get $n))))
  (func $again (param $a (ref $s)) (param $n i32) (result (ref $s))
    (if (i32.eqz (local.get $n)) (then (return (local.get $a))))
    (drop (struct.new $s (local.get $n)))
    (struct.set $s 0 (local.get $a) (i32.add (struct.get $s 0 (local.get $a)) (i32.const 1)))
    (return_call $again (local.get $a) (i32.sub (local.get $n) (i32.const 1))))
)
(assert_return (invoke "run" (i32.const 200000)) (i32.const 24))
(assert_return (invoke "tail" (i32.const 300000)) (i32.const 300003))
