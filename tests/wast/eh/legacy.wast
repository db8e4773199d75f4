;; Legacy exception handling in the interpreter: catch arms see the payload,
;; rethrow finds the right caught exception through nested arms, delegate
;; hands the exception to the handlers in force at its label.

(module
  (tag $a (param i32))
  (tag $b (param i64))
  (tag $c)

  (func $throw-a (param i32) (throw $a (local.get 0)))

  (func (export "arms") (param i32) (result i64)
    (try (result i64)
      (do
        (if (i32.eq (local.get 0) (i32.const 0)) (then (throw $a (i32.const 3))))
        (if (i32.eq (local.get 0) (i32.const 1)) (then (throw $b (i64.const 4))))
        (if (i32.eq (local.get 0) (i32.const 2)) (then (throw $c)))
        (i64.const 1))
      (catch $a (i64.extend_i32_u))
      (catch $b)
      (catch_all (i64.const 5))))

  ;; rethrow 1 from inside a nested catch arm rethrows the outer exception
  (func (export "rethrow-outer") (result i32)
    (try (result i32)
      (do
        (try (result i32)
          (do (throw $a (i32.const 10)))
          (catch $a
            (drop)
            (try (result i32)
              (do (throw $a (i32.const 20)))
              (catch $a (drop) (rethrow 1))))))
      (catch $a)))

  ;; an exception caught, then a different one caught in the arm: each rethrow
  ;; names its own
  (func (export "rethrow-inner") (result i32)
    (try (result i32)
      (do
        (try (result i32)
          (do (throw $a (i32.const 10)))
          (catch $a
            (drop)
            (try (result i32)
              (do (throw $a (i32.const 20)))
              (catch $a (drop) (rethrow 0))))))
      (catch $a)))

  ;; delegate 0 in a try body goes to the enclosing try's catches
  (func (export "delegate-try") (result i32)
    (try (result i32)
      (do
        (try (result i32)
          (do (call $throw-a (i32.const 30)) (unreachable))
          (delegate 0)))
      (catch $a)))

  ;; delegate past a block and a try: the outer try catches
  (func (export "delegate-far") (result i32)
    (try (result i32)
      (do
        (try (result i32)
          (do
            (block (result i32)
              (try (result i32)
                (do (throw $a (i32.const 40)))
                (delegate 1))))
          (catch $b (drop) (i32.const -1))))
      (catch $a)))

  ;; delegate from a catch arm to its own try's label skips that try
  (func (export "delegate-from-arm") (result i32)
    (try (result i32)
      (do
        (try (result i32)
          (do (throw $c))
          (catch_all
            (try (result i32)
              (do (throw $a (i32.const 50)))
              (delegate 0)))))
      (catch $a)))

  ;; delegate to the function label: the caller sees the exception
  (func $delegate-out
    (try (do (throw $a (i32.const 60))) (delegate 0)))
  (func (export "delegate-out") (result i32)
    (try (result i32)
      (do (call $delegate-out) (i32.const 0))
      (catch $a)))

  ;; a try without catches does nothing
  (func (export "no-catch") (result i32)
    (try (result i32)
      (do (try (do (throw $a (i32.const 70)))) (i32.const 0))
      (catch $a)))

  ;; block params of a try; the arm's branch carries the results
  (func (export "params") (param i32) (result i32)
    (local.get 0)
    (try (param i32) (result i32)
      (do (throw $a))
      (catch $a (br 0 (i32.add (i32.const 1))))))

  (func (export "uncaught") (try (do (throw $c)) (catch $a (drop))))
  (func (export "rethrow-uncaught")
    (try (do (throw $c)) (catch_all (rethrow 0))))
)

(assert_return (invoke "arms" (i32.const 0)) (i64.const 3))
(assert_return (invoke "arms" (i32.const 1)) (i64.const 4))
(assert_return (invoke "arms" (i32.const 2)) (i64.const 5))
(assert_return (invoke "arms" (i32.const 3)) (i64.const 1))
(assert_return (invoke "rethrow-outer") (i32.const 10))
(assert_return (invoke "rethrow-inner") (i32.const 20))
(assert_return (invoke "delegate-try") (i32.const 30))
(assert_return (invoke "delegate-far") (i32.const 40))
(assert_return (invoke "delegate-from-arm") (i32.const 50))
(assert_return (invoke "delegate-out") (i32.const 60))
(assert_return (invoke "no-catch") (i32.const 70))
(assert_return (invoke "params" (i32.const 8)) (i32.const 9))
(assert_exception (invoke "uncaught"))
(assert_exception (invoke "rethrow-uncaught"))
