;; Commutative integer ops (add, and, or, xor) whose left operand is in
;; memory (an unpinned local or a spilled slot) and right operand in a
;; register take the memory operand directly (jit_lower.c, lower_alu); sub
;; must keep its order.
(module
  (func $id32 (param i32) (result i32) (local.get 0))
  (func $id64 (param i64) (result i64) (local.get 0))
  (func (export "local32") (param $p i32) (param $q i32) (result i32)
    (i32.add (i32.mul (i32.add (local.get $p) (i32.mul (local.get $q) (i32.const 3))) (i32.const 1000))
             (i32.xor (local.get $p) (i32.add (local.get $q) (i32.const 1)))))
  (func (export "local64") (param $p i64) (param $q i64) (result i64)
    (i64.xor (i64.or (local.get $p) (i64.shl (local.get $q) (i64.const 40)))
             (i64.and (local.get $p) (i64.add (local.get $q) (i64.const 0x100000000)))))
  (func (export "slot32") (param $p i32) (param $q i32) (result i32)
    (i32.add
      (i32.mul (i32.add (call $id32 (local.get $p)) (call $id32 (local.get $q))) (i32.const 1000))
      (i32.sub (call $id32 (local.get $p)) (call $id32 (local.get $q)))))
  (func (export "slot64") (param $p i64) (param $q i64) (result i64)
    (i64.add
      (i64.xor (call $id64 (local.get $p)) (call $id64 (local.get $q)))
      (i64.sub (call $id64 (local.get $p)) (call $id64 (local.get $q)))))
  (func (export "and32") (param $p i32) (param $q i32) (result i32)
    (i32.or (i32.and (local.get $p) (i32.shr_u (local.get $q) (i32.const 4)))
            (i32.and (call $id32 (local.get $q)) (call $id32 (i32.const 0xff00)))))
)
(assert_return (invoke "local32" (i32.const 7) (i32.const 5)) (i32.const 22001))
(assert_return (invoke "local64" (i64.const 0x123456789) (i64.const 0xff)) (i64.const 0xff0023456700))
(assert_return (invoke "slot32" (i32.const 7) (i32.const 5)) (i32.const 12002))
(assert_return (invoke "slot32" (i32.const 5) (i32.const 7)) (i32.const 11998))
(assert_return (invoke "slot64" (i64.const 0x100000003) (i64.const 0x10)) (i64.const 0x200000006))
(assert_return (invoke "and32" (i32.const 0xf0f0) (i32.const 0xabcd0)) (i32.const 0xbcc0))
