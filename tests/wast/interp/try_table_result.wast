;; A try_table with a one-value block type: the translator's control entry
;; must point at the instruction's own type, not at a copy that dies when the
;; try_table is translated (ASan: stack-use-after-return at the end; found by
;; the differential fuzzer). v128 results take two slots, so a wrong width
;; read there would misplace the value.
(module
  (tag $t (param i32))
  (func (export "plain") (result i32)
    (try_table (result i32) (i32.const 42)))
  (func (export "caught") (result i32)
    (block $h (result i32)
      (try_table (result i32) (catch $t $h)
        (throw $t (i32.const 7)))))
  (func (export "v128") (result i64)
    (block $h
      (return (i64x2.extract_lane 1
        (try_table (result v128) (catch_all $h)
          (v128.const i64x2 1 2)))))
    (i64.const -1))
)
(assert_return (invoke "plain") (i32.const 42))
(assert_return (invoke "caught") (i32.const 7))
(assert_return (invoke "v128") (i64.const 2))
