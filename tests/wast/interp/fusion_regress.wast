;; Interpreter translation: miscompiles real programs found (SQLite, Flite)
;; and the edges of later fusions, one function each. Every case gave a wrong
;; result or a wrong trap before its fix.

(module
  (memory 1)
  ;; 0: 16 (an index), 4: 100, 20: 42, 24: 0x01020304
  (data (i32.const 0) "\10\00\00\00\64\00\00\00")
  (data (i32.const 20) "\2a\00\00\00\04\03\02\01")

  ;; An add with a memory operand (i32.add_M) feeding a load's address: the
  ;; load must not take it for an add of two slots (its `b` is no slot).
  (func (export "load-of-memop-add") (param $p i32) (param $q i32) (result i32)
    (i32.load (i32.add (local.get $p) (i32.load (local.get $q)))))
  (func (export "load-of-memop-add-first") (param $p i32) (param $q i32) (result i32)
    (i32.load (i32.add (i32.load (local.get $q)) (local.get $p))))
  (func (export "store-to-memop-add") (param $p i32) (param $q i32) (param $v i32) (result i32)
    (i32.store (i32.add (local.get $p) (i32.load (local.get $q))) (local.get $v))
    (i32.load (i32.const 20)))
  (func (export "load8-of-memop-add") (param $p i32) (param $q i32) (result i32)
    (i32.load8_u offset=1 (i32.add (local.get $p) (i32.load (local.get $q)))))
)

;; p + mem[q] = 4 + 16 = 20 -> 42 (the wrong fusion read address q + slot 0 = 4)
(assert_return (invoke "load-of-memop-add" (i32.const 4) (i32.const 0)) (i32.const 42))
(assert_return (invoke "load-of-memop-add-first" (i32.const 4) (i32.const 0)) (i32.const 42))
(assert_return (invoke "load8-of-memop-add" (i32.const 8) (i32.const 0)) (i32.const 3))
(assert_trap (invoke "load-of-memop-add" (i32.const 65530) (i32.const 0)) "out of bounds memory access")
(assert_return (invoke "store-to-memop-add" (i32.const 4) (i32.const 0) (i32.const 7)) (i32.const 7))

;; An i32.load written to a local by local.tee, shifted, or-ed with another
;; shift and stored (unaligned word copies, as memcpy does): one op that
;; loads, writes the local, then stores. Each variant checks the stored
;; word and the local.
(module
  (memory 1)
  (data (i32.const 0) "\11\22\33\44\55\66\77\88\99\aa\bb\cc")
  (func (export "ld-funnel") (param $d i32) (param $s i32) (param $x i32) (result i32)
    (local $w i32)
    (i32.store (local.get $d)
      (i32.or (i32.shl (local.tee $w (i32.load offset=1 (i32.add (local.get $s) (i32.const 3))))
                       (i32.const 8))
              (i32.shr_u (local.get $x) (i32.const 24))))
    (local.get $w))
  ;; the other operand is the loaded local too; the store's offset and base
  (func (export "ld-funnel-self") (param $d i32) (param $s i32) (result i32)
    (local $w i32)
    (i32.store offset=4 (i32.add (local.get $d) (i32.const 4))
      (i32.or (i32.shl (local.tee $w (i32.load (local.get $s))) (i32.const 24))
              (i32.shr_u (local.get $w) (i32.const 8))))
    (local.get $w))
  ;; local.set then local.get instead of local.tee
  (func (export "ld-funnel-set") (param $d i32) (param $s i32) (param $x i32) (result i32)
    (local $w i32)
    (local.get $d)
    (local.set $w (i32.load (local.get $s)))
    (i32.store (i32.or (i32.shl (local.get $w) (i32.const 16))
                       (i32.shr_u (local.get $x) (i32.const 16))))
    (local.get $w))
  ;; a block end (a branch target) between the load and the shift: the
  ;; branch carries $x instead of the loaded word
  (func (export "ld-funnel-label") (param $d i32) (param $s i32) (param $x i32) (param $c i32) (result i32)
    (local $w i32)
    (local.get $d)
    (block (result i32)
      (br_if 0 (local.get $x) (local.get $c))
      (drop)
      (local.tee $w (i32.load (local.get $s))))
    (i32.const 8)
    (i32.shl)
    (i32.shr_u (local.get $x) (i32.const 24))
    (i32.or)
    (i32.store)
    (local.get $w))
  (func (export "word") (param i32) (result i32) (i32.load (local.get 0)))
)
;; w = bytes 4..7 = 0x88776655; (w << 8) | (0xab000000 >> 24) = 0x776655ab
(assert_return (invoke "ld-funnel" (i32.const 100) (i32.const 0) (i32.const 0xab000000)) (i32.const 0x88776655))
(assert_return (invoke "word" (i32.const 100)) (i32.const 0x776655ab))
;; the load faults: nothing is stored
(assert_trap (invoke "ld-funnel" (i32.const 104) (i32.const 65532) (i32.const 0)) "out of bounds memory access")
(assert_return (invoke "word" (i32.const 104)) (i32.const 0))
;; the store faults after the load
(assert_trap (invoke "ld-funnel" (i32.const 65534) (i32.const 0) (i32.const 0)) "out of bounds memory access")
;; w = 0x44332211: (w << 24) | (w >> 8) = 0x11443322, at 200 + 4 + 4
(assert_return (invoke "ld-funnel-self" (i32.const 200) (i32.const 0)) (i32.const 0x44332211))
(assert_return (invoke "word" (i32.const 208)) (i32.const 0x11443322))
;; w = 0x66554433: (w << 16) | (0xdeadbeef >> 16) = 0x4433dead
(assert_return (invoke "ld-funnel-set" (i32.const 300) (i32.const 2) (i32.const 0xdeadbeef)) (i32.const 0x66554433))
(assert_return (invoke "word" (i32.const 300)) (i32.const 0x4433dead))
(assert_return (invoke "ld-funnel-label" (i32.const 400) (i32.const 0) (i32.const 0x01000000) (i32.const 0)) (i32.const 0x44332211))
(assert_return (invoke "word" (i32.const 400)) (i32.const 0x33221101))
;; taken: (0x01000000 << 8) | 1 = 1, $w stays 0
(assert_return (invoke "ld-funnel-label" (i32.const 404) (i32.const 0) (i32.const 0x01000000) (i32.const 1)) (i32.const 0))
(assert_return (invoke "word" (i32.const 404)) (i32.const 1))

;; A call whose last argument is a pending add (computed by the call op
;; itself), with the other arguments placed first, in any kind.
(module
  (memory 1)
  (func $sub3 (param i32 i32 i32) (result i32)
    (i32.sub (i32.sub (local.get 0) (local.get 1)) (local.get 2)))
  (func $down (param i32) (result i32)
    (if (result i32) (i32.eqz (local.get 0))
      (then (i32.const 0))
      (else (i32.add (call $down (i32.add (local.get 0) (i32.const -1))) (i32.const 2)))))
  (func $div (param i32 i32) (result i32) (i32.div_u (local.get 0) (local.get 1)))
  (func (export "args-mixed") (param i32 i32) (result i32)
    (call $sub3 (i32.add (local.get 0) (i32.const 100)) (local.get 1)
                (i32.add (local.get 1) (i32.const 7))))
  (func (export "args-temp-base") (param i32 i32) (result i32)
    (call $sub3 (i32.const 1000) (local.get 0)
                (i32.add (i32.mul (local.get 1) (local.get 1)) (i32.const 1))))
  ;; the add's base is the local the first argument's move reads
  (func (export "args-same-local") (param i32) (result i32)
    (call $sub3 (local.get 0) (i32.const 1) (i32.add (local.get 0) (i32.const 5))))
  (func (export "down") (param i32) (result i32) (call $down (local.get 0)))
  (func (export "div-addi") (param i32 i32) (result i32)
    (call $div (local.get 0) (i32.add (local.get 1) (i32.const -1))))
)
;; (a + 100) - b - (b + 7)
(assert_return (invoke "args-mixed" (i32.const 5) (i32.const 10)) (i32.const 78))
;; 1000 - a - (b * b + 1)
(assert_return (invoke "args-temp-base" (i32.const 10) (i32.const 3)) (i32.const 980))
(assert_return (invoke "args-same-local" (i32.const 50)) (i32.const -6))
(assert_return (invoke "down" (i32.const 1000)) (i32.const 2000))
(assert_exhaustion (invoke "down" (i32.const 100000000)) "call stack exhausted")
(assert_return (invoke "div-addi" (i32.const 12) (i32.const 5)) (i32.const 3))
(assert_trap (invoke "div-addi" (i32.const 12) (i32.const 1)) "integer divide by zero")

;; Rotate-xor mixes of one local (SHA-256's sigma functions): two rotls, a
;; third rotl or a shr_u, xor-ed, run as one op.
(module
  (func (export "rot2") (param $x i32) (result i32)
    (i32.xor (i32.rotl (local.get $x) (i32.const 30)) (i32.rotl (local.get $x) (i32.const 19))))
  (func (export "rot3") (param $x i32) (result i32)
    (i32.xor (i32.xor (i32.rotl (local.get $x) (i32.const 30)) (i32.rotl (local.get $x) (i32.const 19)))
             (i32.rotl (local.get $x) (i32.const 10))))
  (func (export "rot2-shr") (param $x i32) (result i32)
    (i32.xor (i32.xor (i32.rotl (local.get $x) (i32.const 25)) (i32.rotl (local.get $x) (i32.const 14)))
             (i32.shr_u (local.get $x) (i32.const 3))))
  ;; shift counts are taken mod 32
  (func (export "rot3-big") (param $x i32) (result i32)
    (i32.xor (i32.xor (i32.rotl (local.get $x) (i32.const 33)) (i32.rotl (local.get $x) (i32.const 64)))
             (i32.shr_u (local.get $x) (i32.const 35))))
  ;; the third rotates another local: no three-way op
  (func (export "rot3-other") (param $x i32) (param $y i32) (result i32)
    (i32.xor (i32.xor (i32.rotl (local.get $x) (i32.const 1)) (i32.rotl (local.get $x) (i32.const 2)))
             (i32.rotl (local.get $y) (i32.const 3))))
  ;; the two rotls of different locals
  (func (export "rot2-other") (param $x i32) (param $y i32) (result i32)
    (i32.xor (i32.rotl (local.get $x) (i32.const 1)) (i32.rotl (local.get $y) (i32.const 2))))
  ;; the first rotl's result set to the local the second rotates
  (func (export "rot2-tee") (param $x i32) (result i32)
    (i32.xor (local.tee $x (i32.rotl (local.get $x) (i32.const 8))) (i32.rotl (local.get $x) (i32.const 8))))
  ;; a block end between the pair and the third
  (func (export "rot3-label") (param $x i32) (param $c i32) (result i32)
    (block (result i32)
      (br_if 0 (i32.const 7) (local.get $c))
      (drop)
      (i32.xor (i32.rotl (local.get $x) (i32.const 1)) (i32.rotl (local.get $x) (i32.const 2))))
    (i32.rotl (local.get $x) (i32.const 3))
    (i32.xor))
)
(assert_return (invoke "rot2" (i32.const 0x12345678)) (i32.const 0xb74d843c))
(assert_return (invoke "rot3" (i32.const 0x12345678)) (i32.const 0x66146474))
(assert_return (invoke "rot2-shr" (i32.const 0x12345678)) (i32.const 0xe7fce6ee))
(assert_return (invoke "rot3-big" (i32.const 0x12345678)) (i32.const 0x341a7047))
(assert_return (invoke "rot3-other" (i32.const 0x12345678) (i32.const 0x80000001)) (i32.const 0x6cb9f51c))
(assert_return (invoke "rot2-other" (i32.const 0x12345678) (i32.const 0x80000001)) (i32.const 0x2468acf6))
(assert_return (invoke "rot2-tee" (i32.const 0x12345678)) (i32.const 0x622e6a26))
(assert_return (invoke "rot3-label" (i32.const 0x12345678) (i32.const 0)) (i32.const 0xfd1b46d0))
(assert_return (invoke "rot3-label" (i32.const 0x12345678) (i32.const 1)) (i32.const 0x91a2b3c7))

;; An add of two slots whose result a local.tee / local.set takes, then
;; another add of two slots: one op doing both in order.
(module
  (memory 1)
  (func (export "add2") (param $a i32) (param $b i32) (param $c i32) (result i32)
    (local $s i32)
    (i32.add (local.tee $s (i32.add (local.get $a) (local.get $b))) (local.get $c))
    (i32.mul (local.get $s) (i32.const 1000))
    (i32.add))
  ;; the second add reads the local the first one wrote
  (func (export "add2-reads-first") (param $a i32) (param $b i32) (result i32)
    (local $s i32)
    (local.set $s (i32.add (local.get $a) (local.get $b)))
    (i32.add (local.get $s) (local.get $a)))
  ;; ... and writes the first's operand through a tee
  (func (export "add2-chain") (param $a i32) (param $b i32) (result i32)
    (local $s i32)
    (local.set $s (i32.add (local.get $a) (local.get $b)))
    (local.set $a (i32.add (local.get $s) (local.get $b)))
    (i32.add (i32.mul (local.get $a) (i32.const 100)) (local.get $s)))
  ;; the result feeds a load (as matmul's addresses do)
  (func (export "add2-load") (param $a i32) (param $b i32) (result i32)
    (local $s i32)
    (i32.store (i32.const 40) (i32.const 0x01020304))
    (drop (local.tee $s (i32.add (local.get $a) (local.get $b))))
    (i32.load8_u (i32.add (local.get $s) (local.get $a))))
  ;; a block end between the two adds
  (func (export "add2-label") (param $a i32) (param $b i32) (param $c i32) (result i32)
    (local $s i32)
    (block
      (br_if 0 (local.get $c))
      (local.set $s (i32.add (local.get $a) (local.get $b))))
    (i32.add (i32.add (local.get $a) (local.get $c)) (i32.mul (local.get $s) (i32.const 10))))
)
;; (a + b + c) + 1000 (a + b)
(assert_return (invoke "add2" (i32.const 1) (i32.const 2) (i32.const 3)) (i32.const 3006))
(assert_return (invoke "add2" (i32.const -1) (i32.const 0x80000000) (i32.const 1)) (i32.const 0x7ffffc18))
(assert_return (invoke "add2-reads-first" (i32.const 5) (i32.const 7)) (i32.const 17))
;; s = a + b = 12, a' = s + b = 19: 1900 + 12
(assert_return (invoke "add2-chain" (i32.const 5) (i32.const 7)) (i32.const 1912))
;; s = 20 + 10 = 30: the byte at 30 + 10 = 40 is 0x04
(assert_return (invoke "add2-load" (i32.const 10) (i32.const 20)) (i32.const 4))
(assert_return (invoke "add2-label" (i32.const 5) (i32.const 7) (i32.const 0)) (i32.const 125))
(assert_return (invoke "add2-label" (i32.const 5) (i32.const 7) (i32.const 1)) (i32.const 6))

;; A br_if (or if) on the value an i32.load / i32.load8_u just loaded (into a
;; temp, or into a local by local.tee / local.set): one op loads, writes the
;; local and branches.
(module
  (memory 1)
  (data (i32.const 0) "\03\00\00\00\00\00\00\00\07\00\00\00\00\01\00\00")
  ;; count the non-zero bytes from p on (strlen)
  (func (export "strlen") (param $p i32) (result i32)
    (local $n i32)
    (block $done
      (loop $l
        (br_if $done (i32.eqz (i32.load8_u (local.get $p))))
        (local.set $p (i32.add (local.get $p) (i32.const 1)))
        (local.set $n (i32.add (local.get $n) (i32.const 1)))
        (br $l)))
    (local.get $n))
  ;; follow a linked list of words to its end; the loaded next pointer is
  ;; kept in the local
  (func (export "walk") (param $p i32) (result i32)
    (local $next i32) (local $n i32)
    (block $done
      (loop $l
        (local.set $n (i32.add (local.get $n) (i32.const 1)))
        (br_if $done (i32.eqz (local.tee $next (i32.load (local.get $p)))))
        (local.set $p (local.get $next))
        (br $l)))
    (i32.add (i32.mul (local.get $n) (i32.const 1000)) (local.get $p)))
  (func (export "load-if") (param $p i32) (result i32)
    (if (result i32) (i32.load offset=4 (local.get $p))
      (then (i32.const 1)) (else (i32.const 2))))
  (func (export "load8-br-nez-local") (param $p i32) (result i32)
    (local $c i32)
    (block $b
      (local.set $c (i32.load8_u offset=1 (local.get $p)))
      (br_if $b (local.get $c))
      (return (i32.const -1)))
    (local.get $c))
  ;; a non-zero byte of a word that is not: the byte load tests the byte
  (func (export "load8-byte") (param $p i32) (result i32)
    (block $b (br_if $b (i32.load8_u (local.get $p))) (return (i32.const 0)))
    (i32.const 1))
  ;; a block end (a branch target) between the load and the if
  (func (export "load-br-label") (param $p i32) (param $c i32) (result i32)
    (block (result i32)
      (br_if 0 (i32.const 0) (local.get $c))
      (drop)
      (i32.load (local.get $p)))
    (if (result i32) (then (i32.const 10)) (else (i32.const 20))))
  ;; the branch carries a value (a stub moves it)
  (func (export "load-br-value") (param $p i32) (result i32)
    (block $b (result i32)
      (br_if $b (i32.const 77) (i32.load (local.get $p)))
      (drop)
      (i32.const 5)))
)
(assert_return (invoke "strlen" (i32.const 0)) (i32.const 1))
(assert_return (invoke "strlen" (i32.const 13)) (i32.const 1))
(assert_return (invoke "strlen" (i32.const 1)) (i32.const 0))
(assert_trap (invoke "strlen" (i32.const 65536)) "out of bounds memory access")
;; 12 -> 256 -> 0: hmm, mem[256] = 0 -> stops with next = 0
(assert_return (invoke "walk" (i32.const 12)) (i32.const 2256))
(assert_return (invoke "walk" (i32.const 4)) (i32.const 1004))
(assert_trap (invoke "walk" (i32.const 65534)) "out of bounds memory access")
(assert_return (invoke "load-if" (i32.const 4)) (i32.const 1))
(assert_return (invoke "load-if" (i32.const 0)) (i32.const 2))
(assert_return (invoke "load8-br-nez-local" (i32.const 12)) (i32.const 1))
(assert_return (invoke "load8-br-nez-local" (i32.const 0)) (i32.const -1))
(assert_return (invoke "load8-byte" (i32.const 12)) (i32.const 0))
(assert_return (invoke "load8-byte" (i32.const 13)) (i32.const 1))
(assert_return (invoke "load-br-label" (i32.const 0) (i32.const 0)) (i32.const 10))
(assert_return (invoke "load-br-label" (i32.const 0) (i32.const 1)) (i32.const 20))
(assert_return (invoke "load-br-label" (i32.const 4) (i32.const 0)) (i32.const 20))
(assert_return (invoke "load-br-value" (i32.const 0)) (i32.const 77))
(assert_return (invoke "load-br-value" (i32.const 4)) (i32.const 5))

;; Two in-place increments (an INC2), then a compare of a local with a
;; constant and a branch: one op doing the adds in order, then the branch.
;; (Pending adds, and so INC2, need a guarded memory 0.)
(module
  (memory 1)
  ;; sum of i for i = a, a+1, ... while the second counter, stepping 3,
  ;; stays below the limit
  (func (export "inc2-loop") (param $i i32) (param $lim i32) (result i32)
    (local $j i32) (local $s i32)
    (loop $l
      (local.set $s (i32.add (local.get $s) (local.get $i)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (local.set $j (i32.add (local.get $j) (i32.const 3)))
      (br_if $l (i32.lt_u (local.get $j) (i32.const 30))))
    (i32.add (i32.mul (local.get $s) (i32.const 1000)) (local.get $i)))
  ;; the compare reads the first counter (signed, negative steps)
  (func (export "inc2-first") (param $i i32) (result i32)
    (local $n i32)
    (loop $l
      (local.set $i (i32.add (local.get $i) (i32.const -2)))
      (local.set $n (i32.add (local.get $n) (i32.const 1)))
      (br_if $l (i32.gt_s (local.get $i) (i32.const -5))))
    (i32.add (i32.mul (local.get $n) (i32.const 100)) (local.get $i)))
  ;; the compare reads a third local; the branch carries a value (a stub:
  ;; the negated compare skips it)
  (func (export "inc2-other") (param $a i32) (param $b i32) (param $c i32) (result i32)
    (block $out (result i32)
      (i32.const 100)
      (local.set $a (i32.add (local.get $a) (i32.const 1)))
      (local.set $b (i32.add (local.get $b) (i32.const 1)))
      (br_if $out (i32.eq (local.get $c) (i32.const 7)))
      (drop)
      (i32.add (local.get $a) (local.get $b))))
  ;; a loop head (a branch target) between the increments and the compare
  (func (export "inc2-label") (param $i i32) (result i32)
    (local $j i32) (local $n i32)
    (local.set $i (i32.add (local.get $i) (i32.const 1)))
    (local.set $j (i32.add (local.get $j) (i32.const 1)))
    (loop $l
      (local.set $n (i32.add (local.get $n) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $n) (i32.const 5))))
    (if (result i32) (i32.eq (local.get $j) (i32.const 1))
      (then (i32.add (local.get $i) (local.get $n))) (else (i32.const -1))))
)
;; j = 3, 6, ..., 30: 10 rounds; s = 5 + ... + 14 = 95, i = 15
(assert_return (invoke "inc2-loop" (i32.const 5) (i32.const 0)) (i32.const 95015))
;; i = 0 -> -2, -4, -6: 3 rounds
(assert_return (invoke "inc2-first" (i32.const 0)) (i32.const 294))
(assert_return (invoke "inc2-first" (i32.const -100)) (i32.const -2))
(assert_return (invoke "inc2-other" (i32.const 1) (i32.const 2) (i32.const 7)) (i32.const 100))
(assert_return (invoke "inc2-other" (i32.const 1) (i32.const 2) (i32.const 8)) (i32.const 5))
(assert_return (invoke "inc2-label" (i32.const 10)) (i32.const 16))
