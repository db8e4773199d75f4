;; The WAST runner executing: spectest imports, register, module definitions
;; and instances, get, result patterns (NaN patterns, either, references),
;; traps on actions and on instantiation, link errors. Every command passes
;; (or is "not run" for what execution lacks: the v128 ones at the end).

;; spectest: functions, globals, table, memory
(module $S
  (import "spectest" "print" (func $print))
  (import "spectest" "print_i32" (func $print_i32 (param i32)))
  (import "spectest" "print_i64" (func $print_i64 (param i64)))
  (import "spectest" "print_f32" (func $print_f32 (param f32)))
  (import "spectest" "print_f64" (func $print_f64 (param f64)))
  (import "spectest" "print_i32_f32" (func $print_i32_f32 (param i32 f32)))
  (import "spectest" "print_f64_f64" (func $print_f64_f64 (param f64 f64)))
  (import "spectest" "global_i32" (global $gi32 i32))
  (import "spectest" "global_i64" (global $gi64 i64))
  (import "spectest" "global_f32" (global $gf32 f32))
  (import "spectest" "global_f64" (global $gf64 f64))
  (import "spectest" "table" (table $t 10 20 funcref))
  (import "spectest" "memory" (memory $m 1 2))
  (func (export "prints")
    (call $print)
    (call $print_i32 (i32.const 1))
    (call $print_i64 (i64.const 2))
    (call $print_f32 (f32.const 3))
    (call $print_f64 (f64.const 4))
    (call $print_i32_f32 (i32.const 5) (f32.const 6))
    (call $print_f64_f64 (f64.const 7) (f64.const 8)))
  (func (export "gi32") (result i32) (global.get $gi32))
  (func (export "gi64") (result i64) (global.get $gi64))
  (func (export "gf32") (result f32) (global.get $gf32))
  (func (export "gf64") (result f64) (global.get $gf64))
  (func (export "table_size") (result i32) (table.size $t))
  (func (export "memory_size") (result i32) (memory.size))
  (func (export "memory_grow") (param i32) (result i32) (memory.grow (local.get 0)))
  (global $gg (export "g") (mut i32) (i32.const 5))
  (func (export "set_g") (param i32) (global.set $gg (local.get 0)))
)
(assert_return (invoke "prints"))
(assert_return (invoke "gi32") (i32.const 666))
(assert_return (invoke "gi64") (i64.const 666))
(assert_return (invoke "gf32") (f32.const 666.6))
(assert_return (invoke "gf64") (f64.const 666.6))
(assert_return (invoke "table_size") (i32.const 10))
(assert_return (invoke "memory_size") (i32.const 1))
(assert_return (invoke "memory_grow" (i32.const 1)) (i32.const 1))
(assert_return (invoke "memory_grow" (i32.const 1)) (i32.const -1))
(assert_return (get "g") (i32.const 5))
(invoke "set_g" (i32.const 7))
(assert_return (get $S "g") (i32.const 7))

;; the spectest memory is shared by its importers: it has 2 pages now
(module (import "spectest" "memory" (memory 1)) (func (export "size") (result i32) (memory.size)))
(assert_return (invoke "size") (i32.const 2))

;; register, and imports from registered instances
(register "S" $S)
(module $T
  (import "S" "g" (global $g (mut i32)))
  (import "S" "gi32" (func $gi32 (result i32)))
  (func (export "g") (result i32) (global.get $g))
  (func (export "via") (result i32) (call $gi32)))
(assert_return (invoke $T "g") (i32.const 7))
(assert_return (invoke $T "via") (i32.const 666))
(assert_unlinkable (module (import "S" "nope" (func))) "unknown import")
(assert_unlinkable (module (import "S" "g" (global i32))) "incompatible import type")
(assert_unlinkable (module (import "S" "gi32" (func (result i64)))) "incompatible import type")
(assert_unlinkable (module (import "spectest" "memory" (memory 3))) "incompatible import type")

;; definitions are instantiated anew each time
(module definition $D
  (global (export "c") (mut i32) (i32.const 0))
  (func (export "inc") (result i32)
    (global.set 0 (i32.add (global.get 0) (i32.const 1))) (global.get 0)))
(module instance $D1 $D)
(module instance $D2 $D)
(assert_return (invoke $D1 "inc") (i32.const 1))
(assert_return (invoke $D1 "inc") (i32.const 2))
(assert_return (invoke $D2 "inc") (i32.const 1))

;; result patterns
(module
  (func (export "nan32") (result f32) (f32.div (f32.const 0) (f32.const 0)))
  (func (export "nan64") (result f64) (f64.div (f64.const 0) (f64.const 0)))
  (func (export "neg_zero") (result f64) (f64.const -0))
  (func (export "id32") (param f32) (result f32) (local.get 0))
  (func (export "multi") (result i32 i64 f32) (i32.const 1) (i64.const 2) (f32.const 3))
  (func (export "ext") (param externref) (result externref) (local.get 0))
  (func (export "null_func") (result funcref) (ref.null func))
  (func $f (export "func") (result funcref) (ref.func $f))
  (func (export "is_null") (param externref) (result i32) (ref.is_null (local.get 0)))
)
(assert_return (invoke "nan32") (f32.const nan:canonical))
(assert_return (invoke "nan32") (f32.const nan:arithmetic))
(assert_return (invoke "nan64") (f64.const nan:canonical))
(assert_return (invoke "id32" (f32.const nan:0x200000)) (f32.const nan:0x200000))
(assert_return (invoke "id32" (f32.const -nan:0x7fffff)) (f32.const -nan:0x7fffff))
(assert_return (invoke "neg_zero") (f64.const -0))
(assert_return (invoke "multi") (i32.const 1) (i64.const 2) (f32.const 3))
(assert_return (invoke "multi") (either (i32.const 0) (i32.const 1)) (i64.const 2) (f32.const 3))
(assert_return (invoke "ext" (ref.extern 1)) (ref.extern 1))
(assert_return (invoke "ext" (ref.null extern)) (ref.null extern))
(assert_return (invoke "ext" (ref.null extern)) (ref.null))
(assert_return (invoke "ext" (ref.extern 2)) (ref.extern))
(assert_return (invoke "is_null" (ref.extern 2)) (i32.const 0))
(assert_return (invoke "null_func") (ref.null func))
(assert_return (invoke "func") (ref.func))

;; traps on actions and on instantiation
(module
  (memory 1)
  (func (export "div") (param i32) (result i32) (i32.div_u (i32.const 1) (local.get 0)))
  (func (export "load") (param i32) (result i32) (i32.load (local.get 0))))
(assert_trap (invoke "div" (i32.const 0)) "integer divide by zero")
(assert_return (invoke "div" (i32.const 1)) (i32.const 1))
(assert_trap (invoke "load" (i32.const 65535)) "out of bounds memory access")
(assert_trap (module (memory 1) (data (i32.const 65536) "x")) "out of bounds memory access")

;; an instantiation trap keeps the writes made before it (spec: linking.wast)
(module $M (memory (export "mem") 1) (func (export "peek") (result i32) (i32.load8_u (i32.const 0))))
(register "M" $M)
(assert_trap
  (module
    (import "M" "mem" (memory 1))
    (data (i32.const 0) "\2a")
    (func $s unreachable)
    (start $s))
  "unreachable")
(assert_return (invoke $M "peek") (i32.const 42))

;; GC types alone run: without GC instructions their values are null
(module
  (type $s (struct (field i32)))
  (func (export "any") (param anyref) (result anyref) (local.get 0))
  (func (export "s") (result (ref null $s)) (ref.null $s)))
(assert_return (invoke "any" (ref.null any)) (ref.null any))
(assert_return (invoke "s") (ref.null))

;; what execution lacks is not run, never failed: v128 values
(module (func (export "v") (param v128) (result v128) (local.get 0)))
(assert_return (invoke "v" (v128.const i32x4 1 2 3 4)) (v128.const i32x4 1 2 3 4))
(module (func (export "i31") (result i32) (i31.get_s (ref.i31 (i32.const 1)))))
(assert_return (invoke "i31") (i32.const 1))
