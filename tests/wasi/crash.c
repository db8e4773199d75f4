/* A program that traps: main -> crash_outer -> crash_inner -> a wasm
 * `unreachable` (what abort() and __builtin_trap() become). The run script
 * checks the exit status (134), the trap message, and that the wasm
 * backtrace names these functions from the module's name section. */
#include <stdio.h>

__attribute__((noinline)) static void crash_inner(int depth) {
    if (depth > 0)
        __builtin_trap();
    puts("not reached");
}

__attribute__((noinline)) void crash_outer(int depth) {
    crash_inner(depth + 1);
    puts("not reached either");
}

int main(void) {
    puts("about to trap");
    fflush(stdout);
    crash_outer(1);
    return 0;
}
