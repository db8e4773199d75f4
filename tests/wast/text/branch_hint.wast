;; (@metadata.code.branch_hint) annotations hint the `if` or `br_if` that
;; follows them; for a folded `if`, the `if` (not its condition).
(module
  (func (export "f") (param i32) (result i32)
    (@metadata.code.branch_hint "\01")
    (if (result i32) (local.get 0)
      (then (i32.const 1))
      (else
        (block (result i32)
          (i32.const 2)
          (local.get 0)
          (@metadata.code.branch_hint "\00")
          br_if 0
          drop
          (i32.const 3))))))

(assert_malformed_custom
  (module quote
    "(func (param i32) local.get 0"
    "  (@metadata.code.branch_hint \"\\00\") (@metadata.code.branch_hint \"\\01\") br_if 0)")
  "@metadata.code.branch_hint annotation: duplicate annotation")
(assert_malformed_custom
  (module quote "(global i32 (@metadata.code.branch_hint \"\\01\") (i32.const 0))")
  "@metadata.code.branch_hint annotation: not in a function")
(assert_malformed_custom
  (module quote "(func (param i32) local.get 0 (@metadata.code.branch_hint \"\\02\") br_if 0)")
  "@metadata.code.branch_hint annotation: invalid value")
