;; For `wasmc wast --deviations` (tests/run.sh checks, with deviations.txt):
;; the wrong assertion on line 8 is listed, so it is not run; line 12 is
;; listed too but holds no command, which fails the script.
(module (func (export "one") (result i32) (i32.const 1)))
(assert_return (invoke "one") (i32.const 1))

;; Wrong on purpose (returns 1): listed, so reported not run.
(assert_return (invoke "one") (i32.const 2))

(assert_return (invoke "one") (i32.const 1))

;; Listed in deviations.txt, but no command starts on this line.
