;; A WASI command in text form: writes a greeting and its arguments to
;; standard output with fd_write, then exits with status 0.
;;   wasmc run examples/hello_wasi.wat [ARGS...]
(module
  (import "wasi_snapshot_preview1" "fd_write"
    (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 64) "Hello from WebAssembly!\n")

  ;; write(fd 1, ptr, len): one iovec at address 0, bytes written at 8
  (func $print (param $ptr i32) (param $len i32)
    (i32.store (i32.const 0) (local.get $ptr))
    (i32.store (i32.const 4) (local.get $len))
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8))))

  (func (export "_start")
    (call $print (i32.const 64) (i32.const 24))))
