(module (func (export "f") (result i32) (i32.const 42)))
(assert_return (invoke "f") (i32.const 42))
(assert_malformed (module quote "(func (i32.const 0x1_0000_0000))") "constant out of range")
(assert_invalid (module (func (result i32))) "type mismatch")
