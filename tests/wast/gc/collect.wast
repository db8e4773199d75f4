;; The collector runs (past its 4 MiB threshold) while live objects sit only
;; in interpreter frames (locals, operand temps, a deep recursion's frames),
;; in globals, tables, struct fields and array elements; they must survive
;; intact while the garbage around them is freed.

(module
  (type $node (struct (field $v i32) (field $next (mut (ref null $node)))))
  (type $refs (array (mut anyref)))
  (type $blob (array (mut i8)))
  (global $list (mut (ref null $node)) (ref.null $node))
  (table $t 8 anyref)

  ;; about 1 MiB of garbage per call
  (func $churn
    (local $i i32)
    (loop $l
      (drop (array.new_default $blob (i32.const 4096)))
      (br_if $l (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1)))
                          (i32.const 256)))))

  (func $build (param $n i32) (result (ref null $node))
    (local $head (ref null $node))
    (block $done (loop $l
      (br_if $done (i32.eqz (local.get $n)))
      (local.set $head (struct.new $node (local.get $n) (local.get $head)))
      (call $churn)
      (local.set $n (i32.sub (local.get $n) (i32.const 1)))
      (br $l)))
    (local.get $head))

  (func $sum (param $p (ref null $node)) (result i32)
    (local $s i32)
    (block $done (loop $l
      (br_if $done (ref.is_null (local.get $p)))
      (local.set $s (i32.add (local.get $s) (struct.get $node $v (local.get $p))))
      (local.set $p (struct.get $node $next (local.get $p)))
      (br $l)))
    (local.get $s))

  ;; the list lives only in this frame's local while $churn collects
  (func (export "local") (result i32)
    (local $l (ref null $node))
    (local.set $l (call $build (i32.const 20)))
    (call $churn) (call $churn)
    (call $sum (local.get $l)))

  ;; the list is an operand (a temp slot) across the calls
  (func (export "operand") (result i32)
    (i32.add (call $sum (call $build (i32.const 10)))
             (block (result i32) (call $churn) (i32.const 0))))

  ;; each recursion level holds its own node in a local
  (func $deep (param $n i32) (result i32)
    (local $mine (ref null $node))
    (if (i32.eqz (local.get $n)) (then (call $churn) (return (i32.const 0))))
    (local.set $mine (struct.new $node (local.get $n) (ref.null $node)))
    (i32.add (call $deep (i32.sub (local.get $n) (i32.const 1)))
             (struct.get $node $v (local.get $mine))))
  (func (export "deep") (param i32) (result i32) (call $deep (local.get 0)))

  (func (export "global-set") (global.set $list (call $build (i32.const 30))))
  (func (export "global-sum") (result i32) (call $churn) (call $sum (global.get $list)))

  ;; objects reachable only from an array in a table, and from struct fields
  (func (export "table-set")
    (local $a (ref $refs))
    (local.set $a (array.new $refs (ref.null any) (i32.const 3)))
    (array.set $refs (local.get $a) (i32.const 0) (call $build (i32.const 5)))
    (array.set $refs (local.get $a) (i32.const 1) (ref.i31 (i32.const 99)))
    (array.set $refs (local.get $a) (i32.const 2) (local.get $a))
    (table.set $t (i32.const 3) (local.get $a)))
  (func (export "table-sum") (result i32)
    (local $a (ref $refs))
    (call $churn)
    (local.set $a (ref.cast (ref $refs) (table.get $t (i32.const 3))))
    (i32.add
      (call $sum (ref.cast (ref null $node) (array.get $refs (local.get $a) (i32.const 0))))
      (i31.get_u (ref.cast i31ref (array.get $refs (local.get $a) (i32.const 1))))))

  ;; a cycle through a mutable field is collected like anything else
  (func (export "cycle") (result i32)
    (local $a (ref $node)) (local $b (ref $node))
    (local.set $a (struct.new $node (i32.const 1) (ref.null $node)))
    (local.set $b (struct.new $node (i32.const 2) (local.get $a)))
    (struct.set $node $next (local.get $a) (local.get $b))
    (call $churn)
    (struct.get $node $v (struct.get $node $next (struct.get $node $next (local.get $b)))))
)

(assert_return (invoke "local") (i32.const 210))
(assert_return (invoke "operand") (i32.const 55))
(assert_return (invoke "deep" (i32.const 100)) (i32.const 5050))
(assert_return (invoke "global-set"))
(assert_return (invoke "global-sum") (i32.const 465))
(assert_return (invoke "global-sum") (i32.const 465))
(assert_return (invoke "table-set"))
(assert_return (invoke "table-sum") (i32.const 114))
(assert_return (invoke "table-sum") (i32.const 114))
(assert_return (invoke "cycle") (i32.const 2))
