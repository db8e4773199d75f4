;; Wrong on purpose: the runner must count exactly the failures listed in
;; EXPECTED_FAILURES (here 8) and exit with status 1 (tests/run.sh checks).

;; Passes: a valid module, and a real malformed one.
(module (func (result i32) (i32.const 0)))
(assert_malformed (module binary "\00asm\02\00\00\00") "unknown binary version")

;; Failure 1: this module is valid, so assert_invalid must fail.
(assert_invalid (module (func (result i32) (i32.const 0))) "type mismatch")

;; Failure 2: this binary is well-formed (merely invalid), so assert_malformed
;; must fail: failing validation is not being malformed.
(assert_malformed
  (module binary
    "\00asm\01\00\00\00"
    "\01\05\01\60\00\01\7f"   ;; type 0: [] -> [i32]
    "\03\02\01\00"            ;; func 0: type 0
    "\0a\04\01\02\00\0b"      ;; body: end (no value: invalid, not malformed)
  )
  "unexpected end"
)

;; Failure 3: a module command whose module does not validate.
(module (func (result i32) (i64.const 0)))

;; Failures 4 to 8: execution gives other results than asserted.
(module (func (export "one") (result i32) (i32.const 1)) (func (export "trap") unreachable))
(assert_return (invoke "one") (i32.const 2))
(assert_trap (invoke "one") "unreachable")
(assert_trap (invoke "trap") "integer divide by zero")
(assert_unlinkable (module (import "spectest" "print" (func))) "unknown import")
(assert_return (invoke "one") (i32.const 1) (i32.const 1))
