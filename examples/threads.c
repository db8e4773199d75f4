/* threads: one module compiled once and shared by several threads, each
 * instantiating it in its own store (stores are single-threaded; modules and
 * engines are shared). */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include <wasmc.h>

enum { N_THREADS = 4 };

static const char wat[] =
    "(module\n"
    "  (import \"host\" \"report\" (func $report (param i32 i32)))\n"
    "  (func $fib (param i32) (result i32)\n"
    "    (if (result i32) (i32.lt_u (local.get 0) (i32.const 2))\n"
    "      (then (local.get 0))\n"
    "      (else (i32.add (call $fib (i32.sub (local.get 0) (i32.const 1)))\n"
    "                     (call $fib (i32.sub (local.get 0) (i32.const 2)))))))\n"
    "  (func (export \"run\") (param i32) (call $report (local.get 0) (call $fib (local.get 0)))))";

typedef struct Job {
    wasm_engine_t *engine;
    wasm_shared_module_t *shared;
    int n;
    int result;
} Job;

static wasm_trap_t *report(void *env, const wasm_val_vec_t *args, wasm_val_vec_t *results) {
    (void)results;
    Job *job = env;
    job->result = args->data[1].of.i32; /* printed by main, in order */
    return NULL;
}

static void *run(void *arg) {
    Job *job = arg;
    wasm_store_t *store = wasm_store_new(job->engine);
    wasm_module_t *module = wasm_module_obtain(store, job->shared);
    wasm_functype_t *type = wasm_functype_new_2_0(wasm_valtype_new_i32(), wasm_valtype_new_i32());
    wasm_func_t *report_fn = wasm_func_new_with_env(store, type, report, job, NULL);
    wasm_functype_delete(type);
    wasm_extern_t *items[] = {wasm_func_as_extern(report_fn)};
    wasm_extern_vec_t imports = WASM_ARRAY_VEC(items);
    wasm_instance_t *instance = wasm_instance_new(store, module, &imports, NULL);
    wasm_extern_vec_t exports;
    wasm_instance_exports(instance, &exports);
    wasm_val_t args[1] = {WASM_I32_VAL(job->n)};
    wasm_val_vec_t arg_vec = WASM_ARRAY_VEC(args), no_results = WASM_EMPTY_VEC;
    wasm_trap_t *trap = wasm_func_call(wasm_extern_as_func(exports.data[0]), &arg_vec, &no_results);
    if (trap) {
        job->result = -1;
        wasm_trap_delete(trap);
    }
    wasm_extern_vec_delete(&exports);
    wasm_instance_delete(instance);
    wasm_func_delete(report_fn);
    wasm_module_delete(module);
    wasm_store_delete(store);
    return NULL;
}

int main(void) {
    wasm_engine_t *engine = wasm_engine_new();
    wasm_store_t *store = wasm_store_new(engine);
    wasm_byte_vec_t binary;
    wasmc_error_t *error = wasmc_wat2wasm(wat, strlen(wat), &binary);
    if (error)
        return 1;
    wasm_module_t *module = wasm_module_new(store, &binary);
    wasm_byte_vec_delete(&binary);
    wasm_shared_module_t *shared = wasm_module_share(module);
    wasm_module_delete(module);

    pthread_t threads[N_THREADS];
    Job jobs[N_THREADS];
    for (int i = 0; i < N_THREADS; i++) {
        jobs[i] = (Job){engine, shared, 20 + i, 0};
        pthread_create(&threads[i], NULL, run, &jobs[i]);
    }
    for (int i = 0; i < N_THREADS; i++) {
        pthread_join(threads[i], NULL);
        printf("thread %d: fib(%d) = %d\n", i, jobs[i].n, jobs[i].result);
    }

    wasm_shared_module_delete(shared);
    wasm_store_delete(store);
    wasm_engine_delete(engine);
    return 0;
}
