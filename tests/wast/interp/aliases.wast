;; Interpreter translation: local.set/tee without a write ("aliases",
;; translate.c). A local read only after a write in the same straight-line
;; run takes the set's constant, local or pending add at its reads; a write
;; to a slot an alias reads writes the alias first. Each case fails when the
;; alias reads a slot that changed, skips a write it needs, or survives a
;; branch.

(module
  (memory 1)
  ;; words: 0: 10, 4: 20, 8: 30, 12: 40, 16: 50
  (data (i32.const 0) "\0a\00\00\00\14\00\00\00\1e\00\00\00\28\00\00\00\32\00\00\00")
  (global $g (mut i32) (i32.const 0))

  ;; an address alias (p + 4), then its base written: the alias keeps p's
  ;; old value (20 + 40, not 50 + 40)
  (func (export "addr-then-base-write") (param $p i32) (result i32)
    (local $a i32)
    (local.set $a (i32.add (local.get $p) (i32.const 4)))
    (local.set $p (i32.const 12))
    (i32.add (i32.load (local.get $a)) (i32.load (local.get $p))))

  ;; the same through local.tee, the alias dead when its base is written
  (func (export "tee-addr-dead") (param $p i32) (result i32)
    (local $a i32) (local $r i32)
    (local.set $r (i32.load (local.tee $a (i32.add (local.get $p) (i32.const 8)))))
    (local.set $p (i32.const 100))
    (local.set $a (i32.const 4))
    (i32.add (local.get $r) (i32.add (i32.load (local.get $a)) (local.get $p))))

  ;; locals copied crosswise through the stack: a = y, b = x, then x and y
  ;; written (both aliases written first)
  (func (export "cross-copy") (param $x i32) (param $y i32) (result i32)
    (local $a i32) (local $b i32)
    (local.set $a (local.get $x))
    (local.set $b (local.get $y))
    (local.get $a)
    (local.get $b)
    (local.set $a)
    (local.set $b)
    (local.set $x (i32.const 1000))
    (local.set $y (i32.const 2000))
    (i32.add (i32.sub (i32.mul (local.get $a) (i32.const 10)) (local.get $b))
             (i32.add (local.get $x) (local.get $y))))

  ;; a swap of two written locals: a becomes b's alias, b cannot alias a
  ;; (aliased) and is written, which writes a first
  (func (export "swap") (result i32)
    (local $a i32) (local $b i32)
    (local.set $a (i32.load (i32.const 0)))
    (local.set $b (i32.load (i32.const 4)))
    (local.get $a)
    (local.get $b)
    (local.set $a)
    (local.set $b)
    (i32.add (i32.mul (local.get $a) (i32.const 100)) (local.get $b)))

  ;; the stack holds the local's old value when the local is aliased; the
  ;; alias is then written (its base changes): the old value must survive
  (func (export "stack-old-value") (param $p i32) (result i32)
    (local $a i32)
    (local.set $a (i32.load (i32.const 0)))
    (local.get $a)
    (local.set $a (i32.add (local.get $p) (i32.const 7)))
    (local.set $p (i32.const 1))
    (i32.mul (i32.add (local.get $a) (local.get $p))))

  ;; a constant alias in a loop (set each iteration) next to a loop-carried
  ;; local
  (func (export "const-in-loop") (param $n i32) (result i32)
    (local $i i32) (local $s i32) (local $k i32)
    (block
      (loop
        (local.set $k (i32.const 3))
        (local.set $s (i32.add (local.get $s) (local.get $k)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br_if 0 (i32.lt_u (local.get $i) (local.get $n)))))
    (local.get $s))

  ;; a local aliased to a pending add on its own slot, twice, then copied
  ;; (the copy cannot alias it: it is written), then set to a constant
  (func (export "self-alias") (result i32)
    (local $q i32) (local $r i32)
    (local.set $q (i32.load (i32.const 0)))
    (local.set $q (i32.add (local.get $q) (i32.const 2)))
    (local.set $q (i32.add (local.get $q) (i32.const 2)))
    (local.set $r (local.get $q))
    (local.set $q (i32.const 4))
    (i32.add (i32.mul (local.get $r) (i32.const 100)) (i32.load (local.get $q))))

  ;; an aliased address out of bounds traps
  (func (export "alias-trap") (param $p i32) (result i32)
    (local $a i32)
    (local.set $a (i32.add (local.get $p) (i32.const 8)))
    (i32.load (local.get $a)))

  ;; a local read after a branch is written (not aliased)
  (func (export "tee-branch") (param $p i32) (result i32)
    (local $c i32)
    (block (br_if 0 (local.tee $c (i32.add (local.get $p) (i32.const 1)))))
    (local.get $c))

  ;; an alias as a call argument (the add fused with the call) and a global
  (func $id (param i32) (result i32) (local.get 0))
  (func (export "alias-call") (param $p i32) (result i32)
    (local $a i32)
    (local.set $a (i32.add (local.get $p) (i32.const 1)))
    (global.set $g (local.get $a))
    (call $id (local.get $a))
    (local.set $a (i32.const 5))
    (i32.add (local.get $a))
    (i32.add (global.get $g)))

  ;; an alias whose base is a param written by an earlier alias's base
  ;; write, chained: b reads a's slot, a reads p's
  (func (export "chain") (param $p i32) (result i32)
    (local $a i32) (local $b i32)
    (local.set $a (i32.load (i32.const 0)))
    (local.set $b (i32.add (local.get $a) (i32.const 1)))
    (local.set $a (i32.add (local.get $p) (i32.const 2)))
    (local.set $p (i32.const 0))
    (i32.add (i32.mul (local.get $b) (i32.const 100)) (i32.add (local.get $a) (local.get $p))))

  ;; 64-bit and float constants
  (func (export "wide-consts") (param $x f64) (param $n i64) (result f64)
    (local $d f64) (local $m i64)
    (local.set $d (f64.const 1.5))
    (local.set $m (i64.const 0x100000000))
    (f64.add (f64.mul (local.get $d) (local.get $x))
             (f64.convert_i64_u (i64.add (local.get $m) (local.get $n)))))

  ;; select and a store through aliases
  (func (export "select-store") (param $p i32) (param $c i32) (result i32)
    (local $a i32) (local $b i32)
    (local.set $a (i32.add (local.get $p) (i32.const 4)))
    (local.set $b (i32.const 99))
    (i32.store offset=4 (local.get $a) (local.get $b))
    (select (i32.load (local.get $a)) (i32.load offset=4 (local.get $a)) (local.get $c)))
)

(assert_return (invoke "addr-then-base-write" (i32.const 0)) (i32.const 60))
(assert_return (invoke "tee-addr-dead" (i32.const 0)) (i32.const 150))
(assert_return (invoke "cross-copy" (i32.const 3) (i32.const 5)) (i32.const 3047))
(assert_return (invoke "swap") (i32.const 2010))
(assert_return (invoke "stack-old-value" (i32.const 2)) (i32.const 100))
(assert_return (invoke "const-in-loop" (i32.const 5)) (i32.const 15))
(assert_return (invoke "self-alias") (i32.const 1420))
(assert_return (invoke "alias-trap" (i32.const 4)) (i32.const 40))
(assert_trap (invoke "alias-trap" (i32.const 65530)) "out of bounds memory access")
(assert_return (invoke "tee-branch" (i32.const 4)) (i32.const 5))
(assert_return (invoke "tee-branch" (i32.const -1)) (i32.const 0))
(assert_return (invoke "alias-call" (i32.const 6)) (i32.const 19))
(assert_return (invoke "chain" (i32.const 3)) (i32.const 1105))
(assert_return (invoke "wide-consts" (f64.const 2) (i64.const 1)) (f64.const 4294967300))
(assert_return (invoke "select-store" (i32.const 0) (i32.const 1)) (i32.const 20))
(assert_return (invoke "select-store" (i32.const 0) (i32.const 0)) (i32.const 99))

;; Other memories: an alias of an add is no address there (memory 1;
;; memory64, where addresses are i64 and memory 0 is not guarded).
(module
  (memory $m0 1)
  (memory $m1 1)
  (data (memory $m0) (i32.const 4) "\01\00\00\00")
  (data (memory $m1) (i32.const 4) "\02\00\00\00")
  (func (export "two-memories") (param $p i32) (result i32)
    (local $a i32)
    (local.set $a (i32.add (local.get $p) (i32.const 4)))
    (i32.add (i32.mul (i32.load $m1 (local.get $a)) (i32.const 10))
             (i32.load $m0 (local.get $a))))
  (func (export "two-memories-trap") (param $p i32) (result i32)
    (local $a i32)
    (local.set $a (i32.add (local.get $p) (i32.const 4)))
    (i32.load $m1 (local.get $a)))
)
(assert_return (invoke "two-memories" (i32.const 0)) (i32.const 21))
(assert_trap (invoke "two-memories-trap" (i32.const 65532)) "out of bounds memory access")

(module
  (memory i64 1)
  (data (i64.const 8) "\07\00\00\00\00\00\00\00")
  (func (export "mem64") (param $p i64) (result i64)
    (local $a i64)
    (local.set $a (i64.add (local.get $p) (i64.const 8)))
    (local.set $p (i64.const 0))
    (i64.add (i64.load (local.get $a)) (local.get $p)))
)
(assert_return (invoke "mem64" (i64.const 0)) (i64.const 7))
(assert_trap (invoke "mem64" (i64.const 65530)) "out of bounds memory access")

;; Locals whose reads cross a branch: an alias needs the local dead where
;; its run ends (liveness over the control flow, loops to a fixed point).
;; Each case reads the value after a branch, so it fails if the set were
;; aliased and the write skipped.
(module
  ;; read at the next iteration's start
  (func (export "carried") (param $n i32) (result i32)
    (local $i i32) (local $prev i32) (local $s i32)
    (loop
      (local.set $s (i32.add (local.get $s) (local.get $prev)))
      (local.set $prev (i32.add (local.get $i) (i32.const 10)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if 0 (i32.lt_u (local.get $i) (local.get $n))))
    (local.get $s))
  ;; read after the loop
  (func (export "after-loop") (param $n i32) (result i32)
    (local $i i32) (local $last i32)
    (loop
      (local.set $last (i32.add (local.get $i) (i32.const 100)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if 0 (i32.lt_u (local.get $i) (local.get $n))))
    (local.get $last))
  ;; read in the else arm only
  (func (export "if-else-read") (param $c i32) (param $p i32) (result i32)
    (local $a i32)
    (local.set $a (i32.add (local.get $p) (i32.const 5)))
    (if (result i32) (local.get $c) (then (i32.const 1)) (else (local.get $a))))
  ;; read at one br_table target
  (func (export "table-read") (param $k i32) (param $p i32) (result i32)
    (local $a i32)
    (block $b2
      (block $b1
        (block $b0
          (local.set $a (i32.add (local.get $p) (i32.const 7)))
          (br_table $b0 $b1 $b2 (local.get $k)))
        (return (i32.const 0)))
      (return (i32.const 1)))
    (local.get $a))
  ;; set twice in one run: the first dead, the second read after a branch
  (func (export "set-twice") (param $p i32) (result i32)
    (local $a i32) (local $b i32)
    (block
      (local.set $a (i32.add (local.get $p) (i32.const 1)))
      (local.set $b (i32.mul (local.get $a) (i32.const 3)))
      (local.set $a (i32.const 9))
      (br_if 0 (local.get $p)))
    (i32.add (i32.mul (local.get $a) (i32.const 100)) (local.get $b)))
  ;; set in an inner loop, read in the outer loop's next iteration
  (func (export "nested") (param $n i32) (result i32)
    (local $i i32) (local $j i32) (local $t i32) (local $s i32)
    (loop $outer
      (local.set $s (i32.add (local.get $s) (local.get $t)))
      (local.set $j (i32.const 0))
      (loop $inner
        (local.set $t (i32.add (local.get $j) (i32.const 1000)))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (br_if $inner (i32.lt_u (local.get $j) (i32.const 2))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $outer (i32.lt_u (local.get $i) (local.get $n))))
    (local.get $s))
  ;; set before an if and in its then arm, read after
  (func (export "if-then-set") (param $c i32) (result i32)
    (local $a i32)
    (local.set $a (i32.const 4))
    (if (local.get $c) (then (local.set $a (i32.add (local.get $c) (i32.const 10)))))
    (local.get $a))
  ;; dead in the loop (set at the top of each iteration), a copy read by
  ;; the next statement; a loop-carried pointer walks memory
  (memory 1)
  (data (i32.const 0) "\01\00\00\00\02\00\00\00\03\00\00\00\04\00\00\00")
  (func (export "dead-in-loop") (param $n i32) (result i32)
    (local $p i32) (local $q i32) (local $s i32)
    (loop
      (local.set $q (i32.add (local.get $p) (i32.const 4)))
      (local.set $s (i32.add (local.get $s)
                             (i32.add (i32.load (local.get $p)) (i32.load (local.get $q)))))
      (local.set $p (local.get $q))
      (br_if 0 (i32.lt_u (local.get $p) (local.get $n))))
    (i32.add (i32.mul (local.get $s) (i32.const 100)) (local.get $p)))
)
(assert_return (invoke "carried" (i32.const 3)) (i32.const 21))
(assert_return (invoke "after-loop" (i32.const 3)) (i32.const 102))
(assert_return (invoke "if-else-read" (i32.const 0) (i32.const 1)) (i32.const 6))
(assert_return (invoke "if-else-read" (i32.const 1) (i32.const 1)) (i32.const 1))
(assert_return (invoke "table-read" (i32.const 2) (i32.const 1)) (i32.const 8))
(assert_return (invoke "table-read" (i32.const 5) (i32.const 2)) (i32.const 9))
(assert_return (invoke "table-read" (i32.const 0) (i32.const 1)) (i32.const 0))
(assert_return (invoke "table-read" (i32.const 1) (i32.const 1)) (i32.const 1))
(assert_return (invoke "set-twice" (i32.const 2)) (i32.const 909))
(assert_return (invoke "set-twice" (i32.const 0)) (i32.const 903))
(assert_return (invoke "nested" (i32.const 3)) (i32.const 2002))
(assert_return (invoke "if-then-set" (i32.const 0)) (i32.const 4))
(assert_return (invoke "if-then-set" (i32.const 2)) (i32.const 12))
(assert_return (invoke "dead-in-loop" (i32.const 12)) (i32.const 1512))
