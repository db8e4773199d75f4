;; Exceptions landing in frames with live state: operands below the try
;; (in their slots), locals, mixed payload types (i32 i64 f32 f64 v128 and
;; references), a catch to a loop label, clauses tried in order, legacy
;; delegate to the function's label and rethrow from nested arms. Written
;; for the native tier, whose landing pads restore the frame; run on both.

(module
  (tag $mixed (param i32 i64 f32 f64 v128))
  (tag $ref (param (ref null $box)))
  (tag $none)
  (tag $int (param i32))
  (type $box (struct (field i32)))

  (func $throw-mixed (param $d i32)
    (if (local.get $d)
      (then (call $throw-mixed (i32.sub (local.get $d) (i32.const 1)))))
    (throw $mixed (i32.const 7) (i64.const -8) (f32.const 1.5) (f64.const -2.25)
                  (v128.const i32x4 1 2 3 4)))

  ;; operands below the try_table survive the landing
  (func (export "operands") (param $d i32) (result i32)
    (local $x i32)
    (local.set $x (i32.const 100))
    (i32.const 1000)
    (local.get $x)
    (block $h (result i32 i64 f32 f64 v128)
      (try_table (catch $mixed $h) (call $throw-mixed (local.get $d)))
      (unreachable))
    (drop) (drop) (drop) (drop)
    (i32.add) (i32.add))

  (func (export "payload") (result i64)
    (local $v v128) (local $f f64) (local $g f32) (local $l i64) (local $i i32)
    (block $h (result i32 i64 f32 f64 v128)
      (try_table (catch $mixed $h) (call $throw-mixed (i32.const 3)))
      (unreachable))
    (local.set $v) (local.set $f) (local.set $g) (local.set $l) (local.set $i)
    (i64.add
      (i64.add (i64.extend_i32_u (local.get $i)) (local.get $l))
      (i64.add
        (i64.trunc_f64_s (f64.mul (f64.add (local.get $f) (f64.promote_f32 (local.get $g)))
                                  (f64.const 4)))
        (i64.extend_i32_u (i32x4.extract_lane 2 (local.get $v))))))

  ;; a catch to a loop label: the loop runs again with the payload as its param
  (func (export "loop") (result i32)
    (local $n i32)
    (block $done (result i32)
      (i32.const 0)
      (loop $l (param i32) (result i32)
        (local.set $n)
        (br_if $done (local.get $n) (i32.ge_u (local.get $n) (i32.const 5)))
        (try_table (catch $int $l) (throw $int (i32.add (local.get $n) (i32.const 1))))
        (unreachable))))

  ;; clauses in order: the first that matches wins; catch_all_ref keeps it
  (func (export "order") (param $which i32) (result i32)
    (block $a
      (block $b (result exnref)
        (block $c (result (ref null $box))
          (try_table (catch $ref $c) (catch $none $a) (catch_all_ref $b)
            (if (i32.eqz (local.get $which)) (then (throw $none)))
            (if (i32.eq (local.get $which) (i32.const 1))
              (then (throw $ref (struct.new $box (i32.const 41)))))
            (call $throw-mixed (i32.const 0)))
          (return (i32.const -1)))
        (return (i32.add (struct.get $box 0) (i32.const 1))))
      (drop)
      (return (i32.const 3)))
    (i32.const 2))

  ;; legacy: delegate to the function's label leaves the function; rethrow
  ;; from an arm nested in another arm
  (func $delegate-out
    (try (do (throw $none)) (delegate 0)))
  (func (export "legacy") (result i32)
    (try (result i32)
      (do
        (try (result i32)
          (do (call $delegate-out) (i32.const 0))
          (catch $none
            (try (result i32)
              (do (throw $ref (struct.new $box (i32.const 9))))
              (catch_all (rethrow 1))))))
      (catch $none (i32.const 5))
      (catch $ref (drop) (i32.const 6))))
)

(assert_return (invoke "operands" (i32.const 0)) (i32.const 1107))
(assert_return (invoke "operands" (i32.const 20)) (i32.const 1107))
(assert_return (invoke "payload") (i64.const -1))
(assert_return (invoke "loop") (i32.const 5))
(assert_return (invoke "order" (i32.const 0)) (i32.const 2))
(assert_return (invoke "order" (i32.const 1)) (i32.const 42))
(assert_return (invoke "order" (i32.const 2)) (i32.const 3))
(assert_return (invoke "legacy") (i32.const 5))
