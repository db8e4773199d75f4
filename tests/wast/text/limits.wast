;; Limits are u64 in the text and binary formats for both address types, so
;; sizes beyond a 32-bit memory or table parse and encode; the validator
;; rejects them (invalid, not malformed).
(assert_invalid (module (memory 0x1_0000_0000)) "memory size")
(assert_invalid (module quote "(memory 0 0x1_0000_0000)") "memory size")
(assert_invalid (module (memory (import "M" "m") 0x1_0000_0000 0x1_0000_0000)) "memory size")
(assert_invalid (module (memory 65537)) "memory size")
(assert_invalid (module quote "(table 0x1_0000_0000 funcref)") "table size")
(assert_invalid (module (table 0 0x1_0000_0000 funcref)) "table size")
(assert_malformed (module quote "(memory 0x1_0000_0000_0000_0000)") "i64 constant out of range")
(module definition (memory i64 0x1_0000_0000_0000))
(module (table i64 0 0x1_0000_0000 funcref))
