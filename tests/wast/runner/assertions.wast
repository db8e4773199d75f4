;; The WAST runner's own regression script: every command here must pass (or
;; be "not run" where execution is needed). Checks that assert_malformed /
;; assert_invalid are told apart: malformed = rejected by the text parser or
;; the decoder, invalid = decodes, then fails validation.

(module $m1 (func (export "f") (result i32) (i32.const 1)))
(module binary "\00asm" "\01\00\00\00")
(module $named binary "\00asm\01\00\00\00")
(module quote "(func (result i32) (i32.const 7))")
(module definition $def (memory 1))

;; Binary: rejected by the decoder.
(assert_malformed (module binary "") "unexpected end")
(assert_malformed (module binary "\00asm") "unexpected end")
(assert_malformed (module binary "\00asx\01\00\00\00") "magic header not detected")
(assert_malformed (module binary "\00asm\02\00\00\00") "unknown binary version")
(assert_malformed (module binary "\00asm\01\00\00\00\0e\01\00") "malformed section id")

;; Text: rejected by the text parser.
(assert_malformed (module quote "(func (i32.nonsense))") "unknown operator")
(assert_malformed (module quote "(func (result i32) (i32.const 0x100000000))")
  "constant out of range")
(assert_malformed (module quote "(func $f) (func $f)") "duplicate func")

;; Decodes, fails validation.
(assert_invalid (module (func (result i32) (i64.const 0))) "type mismatch")
(assert_invalid (module (func (local.get 0))) "unknown local")
(assert_invalid (module (func (call 3))) "unknown function")
(assert_invalid
  (module binary
    "\00asm\01\00\00\00"
    "\01\05\01\60\00\01\7f"   ;; type 0: [] -> [i32]
    "\03\02\01\00"            ;; func 0: type 0
    "\0a\04\01\02\00\0b"      ;; body: end (no value)
  )
  "type mismatch"
)
(assert_invalid (module quote "(func (result i32) (i64.const 0))") "type mismatch")

;; Instantiation and execution.
(assert_unlinkable (module (import "spectest" "nonexistent" (func))) "unknown import")
(assert_trap (module (func $start unreachable) (start $start)) "unreachable")
(assert_return (invoke $m1 "f") (i32.const 1))
(module (func (export "f") (result i32) (i32.const 2)))
(assert_return (invoke "f") (i32.const 2))
(register "m1" $m1)
(module (func (export "trap") unreachable) (func $r (export "rec") (call $r)))
(assert_trap (invoke "trap") "unreachable")
(assert_exhaustion (invoke "rec") "call stack exhausted")
(module instance $inst $def)
