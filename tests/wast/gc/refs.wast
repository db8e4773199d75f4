;; Reference encodings (runtime.h): host objects round-trip through anyref,
;; also when stored in GC objects across collections; i31s live in both
;; hierarchies; GC objects made by constant expressions (globals, table
;; initializers, element segments evaluated once) are roots of their instance.

(module
  (type $box (struct (field (mut anyref))))
  (type $blob (array (mut i8)))
  (type $pair (struct (field i8) (field (mut i16)) (field v128) (field (mut externref))))
  (global $g (ref $box) (struct.new $box (ref.i31 (i32.const 5))))
  (global $h (mut anyref) (array.new_fixed $blob 3 (i32.const 1) (i32.const 2) (i32.const 3)))
  (table $t 2 (ref null $box) (struct.new $box (ref.null any)))
  (table $x 2 externref)
  (elem $e (ref null $box) (item (struct.new $box (ref.i31 (i32.const 8)))))

  (func $churn
    (local $i i32)
    (loop $l
      (drop (array.new_default $blob (i32.const 4096)))
      (br_if $l (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1)))
                          (i32.const 1200)))))

  (func (export "boxed-host") (param $e externref) (result externref)
    (local $b (ref $box))
    (local.set $b (struct.new $box (any.convert_extern (local.get $e))))
    (call $churn)
    (extern.convert_any (struct.get $box 0 (local.get $b))))

  (func (export "host-is") (param anyref) (result i32 i32 i32)
    (ref.test eqref (local.get 0))
    (ref.test anyref (local.get 0))
    (ref.test (ref null i31) (local.get 0)))

  (func (export "i31-extern") (param i32) (result externref)
    (extern.convert_any (ref.i31 (local.get 0))))
  (func (export "i31-back") (param externref) (result i32)
    (i31.get_s (ref.cast i31ref (any.convert_extern (local.get 0)))))

  (func (export "struct-extern") (result i32)
    (table.set $x (i32.const 0)
      (extern.convert_any (struct.new $box (ref.i31 (i32.const 77)))))
    (call $churn)
    (i31.get_u (ref.cast i31ref (struct.get $box 0
      (ref.cast (ref $box) (any.convert_extern (table.get $x (i32.const 0))))))))

  (func (export "const-roots") (result i32)
    (call $churn)
    (i32.add
      (i31.get_u (ref.cast i31ref (struct.get $box 0 (global.get $g))))
      (array.get_u $blob (ref.cast (ref $blob) (global.get $h)) (i32.const 2))))
  (func (export "table-init") (result i32)
    (call $churn)
    (ref.eq (table.get $t (i32.const 0)) (table.get $t (i32.const 1))))
  (func (export "elem-once") (result i32)
    (local $a (ref null $box))
    (table.init $t $e (i32.const 0) (i32.const 0) (i32.const 1))
    (local.set $a (table.get $t (i32.const 0)))
    (call $churn)
    (table.init $t $e (i32.const 1) (i32.const 0) (i32.const 1))
    (ref.eq (local.get $a) (table.get $t (i32.const 1))))

  (func (export "packed") (result i32 i32 i64 externref)
    (local $p (ref $pair))
    (local.set $p (struct.new $pair (i32.const 0x1ff) (i32.const -2)
                    (v128.const i64x2 7 9) (ref.null extern)))
    (struct.set $pair 1 (local.get $p) (i32.const 0x18000))
    (struct.set $pair 3 (local.get $p) (extern.convert_any (ref.i31 (i32.const 3))))
    (call $churn)
    (struct.get_s $pair 0 (local.get $p))
    (struct.get_u $pair 1 (local.get $p))
    (i64x2.extract_lane 1 (struct.get $pair 2 (local.get $p)))
    (struct.get $pair 3 (local.get $p)))

  (func (export "overlap") (result i32 i32 i32)
    (local $a (ref $blob))
    (local.set $a (array.new_fixed $blob 5 (i32.const 1) (i32.const 2) (i32.const 3)
                                            (i32.const 4) (i32.const 5)))
    (array.copy $blob $blob (local.get $a) (i32.const 1) (local.get $a) (i32.const 0)
                            (i32.const 4))
    (array.get_u $blob (local.get $a) (i32.const 0))
    (array.get_u $blob (local.get $a) (i32.const 1))
    (array.get_u $blob (local.get $a) (i32.const 4)))
)

(assert_return (invoke "boxed-host" (ref.extern 4)) (ref.extern 4))
(assert_return (invoke "boxed-host" (ref.null extern)) (ref.null extern))
(assert_return (invoke "host-is" (ref.host 6)) (i32.const 0) (i32.const 1) (i32.const 0))
(assert_return (invoke "i31-extern" (i32.const -1)) (ref.extern))
(assert_trap (invoke "i31-back" (ref.extern 1)) "cast failure")
(assert_trap (invoke "i31-back" (ref.null extern)) "null i31 reference")
(assert_return (invoke "struct-extern") (i32.const 77))
(assert_return (invoke "const-roots") (i32.const 8))
(assert_return (invoke "table-init") (i32.const 1))
(assert_return (invoke "elem-once") (i32.const 1))
(assert_return (invoke "packed") (i32.const -1) (i32.const 0x8000) (i64.const 9) (ref.extern))
(assert_return (invoke "overlap") (i32.const 1) (i32.const 1) (i32.const 4))
