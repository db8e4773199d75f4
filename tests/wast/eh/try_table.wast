;; try_table in the interpreter: payloads of every width land in the label's
;; slots, handlers are found through calls, tail calls and nested regions,
;; and catch clauses are tried in order.

(module
  (tag $e-i32 (param i32))
  (tag $e-multi (param i32 i64 f32 f64))
  (tag $e-v128 (param v128 i32))
  (tag $e-ref (param funcref externref))
  (tag $e-empty)

  (func $throw-i32 (param i32) (throw $e-i32 (local.get 0)))
  (func $deep (param i32)
    (if (i32.eqz (local.get 0)) (then (call $throw-i32 (i32.const 7))))
    (call $deep (i32.sub (local.get 0) (i32.const 1))))

  (func (export "multi") (result i32 i64 f32 f64)
    (block $h (result i32 i64 f32 f64)
      (try_table (catch $e-multi $h)
        (throw $e-multi (i32.const 1) (i64.const -2) (f32.const 3.5) (f64.const -4.25)))
      (unreachable)))

  (func (export "v128-payload") (result i32)
    (local $n i32)
    (block $h (result v128 i32)
      (try_table (catch $e-v128 $h)
        (throw $e-v128 (v128.const i32x4 10 20 30 40) (i32.const 5)))
      (unreachable))
    (local.set $n)
    (i32x4.extract_lane 3)
    (i32.add (i32.mul (local.get $n) (i32.const 100))))

  (func (export "refs") (param externref) (result externref)
    (block $h (result funcref externref)
      (try_table (catch $e-ref $h)
        (throw $e-ref (ref.null func) (local.get 0)))
      (unreachable))
    (return))

  (func (export "deep") (param i32) (result i32)
    (block $h (result i32)
      (try_table (catch $e-i32 $h) (call $deep (local.get 0)))
      (i32.const -1)))

  ;; the first matching clause wins; catch_all after a tag clause
  (func (export "order") (param i32) (result i32)
    (block $all
      (block $i (result i32)
        (try_table (catch $e-i32 $i) (catch_all $all)
          (if (local.get 0)
            (then (throw $e-i32 (i32.const 11)))
            (else (throw $e-empty))))
        (unreachable))
      (return))
    (i32.const 22))

  ;; an inner try_table without a matching clause passes it on
  (func (export "nested") (result i32)
    (block $outer (result i32)
      (try_table (catch $e-i32 $outer)
        (block $inner
          (try_table (catch $e-empty $inner)
            (throw $e-i32 (i32.const 33))))
        (unreachable))
      (unreachable)))

  ;; block params flow into the try_table body; the handler sees the stack
  ;; below them unchanged
  (func (export "params") (result i32)
    (i32.const 100)
    (block $h (result i32)
      (i32.const 5)
      (i32.const 1)
      (try_table (param i32) (result i32) (catch $e-i32 $h)
        (throw $e-i32 (i32.add (i32.const 1))))
      (unreachable))
    (i32.add))

  ;; a caught exception in a loop: handlers are re-entered each time
  (func (export "loop") (param i32) (result i32)
    (local $sum i32)
    (loop $l
      (block $h (result i32)
        (try_table (catch $e-i32 $h) (throw $e-i32 (local.get 0)))
        (unreachable))
      (local.set $sum (i32.add (local.get $sum)))
      (br_if $l (local.tee 0 (i32.sub (local.get 0) (i32.const 1)))))
    (local.get $sum))

  ;; catch to the function label returns the payload
  (func (export "to-func") (result i32)
    (try_table (catch $e-i32 0) (throw $e-i32 (i32.const 44)))
    (i32.const 0))

  ;; a tail call leaves the try_table's scope
  (func $tail (return_call $throw-i32 (i32.const 55)))
  (func (export "tail") (result i32)
    (block $h (result i32)
      (try_table (catch $e-i32 $h) (call $tail))
      (i32.const 0)))

  ;; catch_ref + throw_ref: the same exception comes out again
  (func (export "rethrow-ref") (result i32)
    (block $h2 (result i32)
      (try_table (catch $e-i32 $h2)
        (block $h1 (result exnref)
          (try_table (catch_all_ref $h1) (throw $e-i32 (i32.const 66)))
          (unreachable))
        (throw_ref))
      (unreachable)))

  ;; a throw inside a handler's target is outside the try_table
  (func (export "throw-in-handler") (result i32)
    (block $outer (result i32)
      (try_table (catch $e-i32 $outer)
        (block $h (result i32)
          (try_table (catch $e-i32 $h) (throw $e-i32 (i32.const 1)))
          (unreachable))
        (throw $e-i32 (i32.add (i32.const 76))))
      (unreachable)))

  (func (export "null-ref") (throw_ref (ref.null exn)))
  (func (export "uncaught") (param i32) (throw $e-i32 (local.get 0)))
  (func (export "trap-not-caught") (result i32)
    (block $h
      (try_table (catch_all $h) (unreachable)))
    (i32.const 1))
)

(assert_return (invoke "multi") (i32.const 1) (i64.const -2) (f32.const 3.5) (f64.const -4.25))
(assert_return (invoke "v128-payload") (i32.const 540))
(assert_return (invoke "refs" (ref.extern 9)) (ref.extern 9))
(assert_return (invoke "deep" (i32.const 0)) (i32.const 7))
(assert_return (invoke "deep" (i32.const 1000)) (i32.const 7))
(assert_return (invoke "order" (i32.const 1)) (i32.const 11))
(assert_return (invoke "order" (i32.const 0)) (i32.const 22))
(assert_return (invoke "nested") (i32.const 33))
(assert_return (invoke "params") (i32.const 102))
(assert_return (invoke "loop" (i32.const 10)) (i32.const 55))
(assert_return (invoke "to-func") (i32.const 44))
(assert_return (invoke "tail") (i32.const 55))
(assert_return (invoke "rethrow-ref") (i32.const 66))
(assert_return (invoke "throw-in-handler") (i32.const 77))
(assert_trap (invoke "null-ref") "null exception reference")
(assert_exception (invoke "uncaught" (i32.const 1)))
(assert_trap (invoke "trap-not-caught") "unreachable")

;; Tags are identities: an imported tag is the exporter's; each instance of a
;; module defines new ones.
(module $A
  (tag $t (export "t") (param i32))
  (func (export "throw") (param i32) (throw $t (local.get 0))))
(register "A" $A)

(module $B
  (import "A" "t" (tag $t (param i32)))
  (import "A" "throw" (func $throw (param i32)))
  (tag $own (param i32))
  (func (export "catch-imported") (param i32) (result i32)
    (block $h (result i32)
      (try_table (catch $own $h) (catch $t $h) (call $throw (local.get 0)))
      (i32.const -1)))
  (func (export "own-not-imported") (param i32) (result i32)
    (block $h (result i32)
      (try_table (catch $own $h) (call $throw (local.get 0)))
      (i32.const -1))))

(assert_return (invoke $B "catch-imported" (i32.const 5)) (i32.const 5))
(assert_exception (invoke $B "own-not-imported" (i32.const 5)))

;; the same module instantiated twice: its tags differ
(module $C
  (tag $t (export "t") (param i32))
  (func (export "throw") (param i32) (throw $t (local.get 0))))
(register "C" $C)
(module $D
  (import "A" "t" (tag $t (param i32)))
  (import "C" "throw" (func $throw (param i32)))
  (func (export "run") (result i32)
    (block $h (result i32)
      (try_table (catch $t $h) (call $throw (i32.const 1)))
      (i32.const 2))))
(assert_exception (invoke $D "run"))
