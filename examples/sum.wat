;; A small module exercising memory, data, loops, calls and exports:
;; sum_bytes adds the bytes of the greeting, fib computes Fibonacci numbers.
(module $example
  (memory (export "memory") 1)
  (data (i32.const 16) "Hello, WebAssembly!")
  (global $greeting_len i32 (i32.const 19))

  (func $sum_bytes (export "sum_bytes") (param $ptr i32) (param $len i32) (result i32)
    (local $sum i32)
    (block $done
      (loop $next
        (br_if $done (i32.eqz (local.get $len)))
        (local.set $sum (i32.add (local.get $sum) (i32.load8_u (local.get $ptr))))
        (local.set $ptr (i32.add (local.get $ptr) (i32.const 1)))
        (local.set $len (i32.sub (local.get $len) (i32.const 1)))
        (br $next)))
    (local.get $sum))

  (func $fib (export "fib") (param $n i64) (result i64)
    (if (result i64) (i64.lt_u (local.get $n) (i64.const 2))
      (then (local.get $n))
      (else
        (i64.add
          (call $fib (i64.sub (local.get $n) (i64.const 1)))
          (call $fib (i64.sub (local.get $n) (i64.const 2)))))))

  (func (export "greeting_sum") (result i32)
    (call $sum_bytes (i32.const 16) (global.get $greeting_len))))
