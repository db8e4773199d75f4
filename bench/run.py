#!/usr/bin/env python3
"""wasmc benchmark harness: runs the C programs of bench/programs natively
(gcc -O2), under wasmc (every execution tier it offers) and under Node.js's V8
(optimizing and baseline-only), checks every output against native, and
reports median wall time, ratio to native, peak RSS and geometric means, plus
start-up, decode/compile and instantiate figures. See bench/README.md.

  bench/run.py [--quick] [--callgrind] [--runs N] [--scale PCT] [--only a,b]
               [--runners native,node,...] [--runner NAME=TEMPLATE] [--build-dir DIR]

Exit status: 0 when every run of every available runner printed the same
output as native, 1 otherwise (a wrong checksum is a failure, not a number).
"""
import argparse
import math
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor

BENCH_DIR = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(BENCH_DIR)
PROGRAMS_DIR = os.path.join(BENCH_DIR, "programs")
RESULTS_DIR = os.path.join(BENCH_DIR, "results")
NODE_RUNNER = os.path.join(BENCH_DIR, "node_wasi_runner.mjs")

CLANG = "clang-19"
NATIVE_CC = ["gcc", "-O2"]
WASM_CC = [CLANG, "--target=wasm32-wasi", "--sysroot=/usr", "-O2", "-Wl,--strip-debug"]
# wasi-libc ships DWARF in libc.a; --strip-debug keeps the name section.

HELLO_C = '#include <stdio.h>\nint main(void) { puts("hello from wasm"); return 0; }\n'
HELLO_OUT = "hello from wasm"
# The measuring wrapper: forks and execs the command, reports wall time and the
# child's peak RSS. (Python cannot measure RSS itself: a child forked from the
# Python process inherits its ~20 MB image, and ru_maxrss remembers it.)
TIMER_C = r"""
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
int main(int argc, char **argv) { /* timer REPORT_FILE CMD ARGS... */
    struct timespec t0, t1;
    struct rusage ru;
    int status;
    if (argc < 3) return 2;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    pid_t pid = fork();
    if (pid == 0) { execvp(argv[2], argv + 2); perror(argv[2]); _exit(127); }
    if (pid < 0 || wait4(pid, &status, 0, &ru) < 0) return 2;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    FILE *f = fopen(argv[1], "w");
    if (!f) return 2;
    fprintf(f, "%.9f %ld %d\n", (double)(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9,
            ru.ru_maxrss, WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
    fclose(f);
    return 0;
}
"""
TIMER = None  # path of the built wrapper, set by build_programs
BUDGET_RESERVE = 35  # seconds kept for the figures after the timing rounds (~25 s measured)
# Names tried with --tier when `wasmc run --help` mentions --tier but lists no names.
TIER_GUESSES = ["interp", "interpreter", "jit", "baseline", "optimizing", "compiler", "native"]


def log(msg):
    print(msg, file=sys.stderr, flush=True)


# ---- system packages ------------------------------------------------------------------------

def apt_install(packages, allowed):
    """Installs Debian packages (quietly) unless --no-install; returns success."""
    if not packages:
        return True
    if not allowed:
        log(f"missing packages (not installing, --no-install): {' '.join(packages)}")
        return False
    log(f"installing: {' '.join(packages)}")
    sudo = [] if os.geteuid() == 0 else ["sudo"]
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    ok = subprocess.run(sudo + ["apt-get", "update", "-qq"], env=env).returncode == 0
    ok = ok and subprocess.run(sudo + ["apt-get", "install", "-y", "-qq"] + packages, env=env,
                               stdout=subprocess.DEVNULL).returncode == 0
    if not ok:
        log(f"could not install {' '.join(packages)}")
    return ok


def wasm_toolchain_missing():
    need = []
    if not shutil.which(CLANG):
        need.append("clang-19")
    if not shutil.which("wasm-ld-19") and not shutil.which("wasm-ld"):
        need.append("lld-19")
    if not os.path.exists("/usr/lib/wasm32-wasi/libc.a"):
        need.append("wasi-libc")
    builtins = "/usr/lib/llvm-19/lib/clang/19/lib/wasi/libclang_rt.builtins-wasm32.a"
    if not os.path.exists(builtins):
        need.append("libclang-rt-19-dev-wasm32")
    return need


def ensure_tools(args):
    need = [] if shutil.which("gcc") else ["gcc", "libc6-dev"]
    need += wasm_toolchain_missing()
    if args.callgrind and not shutil.which("valgrind"):
        need.append("valgrind")
    if not args.callgrind and not args.no_chart and not shutil.which("gnuplot"):
        need.append("gnuplot-nox")  # optional: the chart falls back to our own SVG writer
    if not shutil.which("node"):
        need.append("nodejs")  # optional: the node runners report "not available"
    apt_install(need, not args.no_install)
    missing = ([] if shutil.which("gcc") else ["gcc"]) + wasm_toolchain_missing()
    if missing:
        sys.exit(f"bench: cannot build the programs, missing: {' '.join(missing)}")


# ---- building -------------------------------------------------------------------------------

def discover_programs(only):
    names = sorted(f[:-2] for f in os.listdir(PROGRAMS_DIR) if f.endswith(".c"))
    if only:
        wanted = only.split(",")
        unknown = [w for w in wanted if w not in names]
        if unknown:
            sys.exit(f"bench: unknown program(s) {', '.join(unknown)}; have {', '.join(names)}")
        names = [n for n in names if n in wanted]
    return names


def compile_one(cmd, src, out):
    """Compiles when out is missing or older than src or the flags changed."""
    stamp = out + ".cmd"
    line = " ".join(cmd)
    fresh = (os.path.exists(out) and os.path.getmtime(out) >= os.path.getmtime(src)
             and os.path.exists(stamp) and open(stamp).read() == line)
    if fresh:
        return None
    r = subprocess.run(cmd + [src, "-o", out, "-lm"], capture_output=True, text=True)
    if r.returncode != 0:
        return f"{' '.join(cmd)} {src}:\n{r.stderr}"
    with open(stamp, "w") as f:
        f.write(line)
    return None


def write_if_changed(path, text):
    if not os.path.exists(path) or open(path).read() != text:
        with open(path, "w") as f:
            f.write(text)


def build_programs(names, work):
    """Builds native and wasm binaries of every program (and hello, and the
    timing wrapper) into work/."""
    global TIMER
    hello_src, timer_src = os.path.join(work, "hello.c"), os.path.join(work, "timer.c")
    write_if_changed(hello_src, HELLO_C)
    write_if_changed(timer_src, TIMER_C)
    TIMER = os.path.join(work, "timer")
    jobs = [(NATIVE_CC, hello_src, os.path.join(work, "hello")),
            (WASM_CC, hello_src, os.path.join(work, "hello.wasm")),
            (NATIVE_CC, timer_src, TIMER)]
    for n in names:
        src = os.path.join(PROGRAMS_DIR, n + ".c")
        jobs.append((NATIVE_CC, src, os.path.join(work, n)))
        jobs.append((WASM_CC, src, os.path.join(work, n + ".wasm")))
    t0 = time.perf_counter()
    with ThreadPoolExecutor(max_workers=2) as pool:
        errors = [e for e in pool.map(lambda j: compile_one(*j), jobs) if e]
    if errors:
        sys.exit("bench: build failed:\n" + "\n".join(errors))
    log(f"built {len(names)} programs (native + wasm32-wasi) in {time.perf_counter() - t0:.1f} s")


# ---- running one process --------------------------------------------------------------------

class RunResult:
    def __init__(self, wall, rss_kb, code, stdout, stderr, timed_out=False):
        self.wall, self.rss_kb, self.code = wall, rss_kb, code
        self.stdout, self.stderr, self.timed_out = stdout, stderr, timed_out


def run_process(cmd, timeout):
    """Runs cmd under the TIMER wrapper: wall time from fork to reap and the
    child's peak RSS (KiB); on timeout kills the whole process group."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err, \
            tempfile.NamedTemporaryFile(mode="r") as rep:
        try:
            p = subprocess.Popen([TIMER, rep.name] + cmd, stdin=subprocess.DEVNULL, stdout=out,
                                 stderr=err, start_new_session=True)
        except OSError as e:
            return RunResult(0.0, 0, 127, "", str(e))
        timed_out = False
        try:
            p.wait(timeout)
        except subprocess.TimeoutExpired:
            os.killpg(p.pid, 9)
            p.wait()
            timed_out = True
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read().decode(errors="replace"), err.read().decode(errors="replace")
        fields = rep.read().split()
        if timed_out or len(fields) != 3:
            return RunResult(float(timeout), 0, 124 if timed_out else 127, stdout, stderr,
                             timed_out)
        return RunResult(float(fields[0]), int(fields[1]), int(fields[2]), stdout, stderr)


# ---- runners --------------------------------------------------------------------------------

class Runner:
    """A way to run a program: cmd(prog) gives the command line for program
    name prog (the binaries live in work/); native runs the gcc build, the
    others the .wasm."""

    def __init__(self, name, make_cmd, native=False, callgrind=False):
        self.name, self.make_cmd, self.native = name, make_cmd, native
        self.callgrind = callgrind  # measured in --callgrind mode
        self.reason = None  # why it is not available, when it is not
        self.guessed = False  # a wasmc tier name guessed, not read from --help


def wasmc_tiers(wasmc):
    """Execution tiers wasmc offers, from `wasmc run --help`: [None] when it
    has no --tier option, else the names listed next to --tier."""
    r = subprocess.run([wasmc, "run", "--help"], capture_output=True, text=True, timeout=30)
    text = r.stdout + r.stderr
    lines = [ln for ln in text.splitlines() if "--tier" in ln]
    if not lines:
        return [None]
    for ln in lines:
        tail = re.sub(r"\([^)]*\)", "", ln.split("--tier", 1)[1])
        tail = re.sub(r"\bdefault\b:?", "", tail)
        for m in re.finditer(r"[a-z][\w-]*(?:\s*[|,/]\s*[a-z][\w-]*)+", tail):
            names = [n for n in re.split(r"\s*[|,/]\s*", m.group(0)) if n]
            if len(names) > 1 or "|" in m.group(0):
                return names
        m = re.search(r"[{<\[]([\w|,/ -]+)[}>\]]", tail)
        if m and re.search(r"[|,/]", m.group(1)):
            return [n for n in re.split(r"\s*[|,/]\s*", m.group(1).strip()) if n]
    return TIER_GUESSES  # probed one by one with hello world


def make_wasmc_runners(build_dir, tiers_override):
    wasmc = os.path.join(build_dir, "wasmc")
    if not os.access(wasmc, os.X_OK):
        r = Runner("wasmc", None)
        r.reason = f"{wasmc} not built"
        return [r]
    try:
        tiers = tiers_override.split(",") if tiers_override else wasmc_tiers(wasmc)
    except (OSError, subprocess.SubprocessError) as e:
        r = Runner("wasmc", None)
        r.reason = f"`wasmc run --help` failed: {e}"
        return [r]
    runners = []
    for tier in tiers:
        opts = [] if tier is None else [f"--tier={tier}"]
        name = "wasmc" if tier is None else f"wasmc-{tier}"
        r = Runner(name, lambda w, a, o=opts: [wasmc, "run"] + o + [w] + a, callgrind=True)
        r.guessed = tiers is TIER_GUESSES
        runners.append(r)
    return runners


def make_runners(args, work):
    native = Runner("native", lambda exe, a: [exe] + a, native=True, callgrind=True)
    runners = [native] + make_wasmc_runners(args.build_dir, args.tiers)
    node = shutil.which("node")
    for name, flags in (("node", []), ("node-liftoff", ["--liftoff", "--no-wasm-tier-up",
                                                                  "--no-wasm-dynamic-tiering"]),
                        ("node-turbofan", ["--no-liftoff"])):
        r = Runner(name, lambda w, a, f=flags: [node, "--no-warnings"] + f + [NODE_RUNNER, w] + a)
        if not node:
            r.reason = "node not installed"
        runners.append(r)
    for spec in args.runner or []:
        name, _, template = spec.partition("=")
        if not template or "{wasm}" not in template:
            sys.exit(f"bench: --runner wants NAME=TEMPLATE with {{wasm}} and {{args}}: {spec}")
        runners.append(Runner(name, lambda w, a, t=template: t.replace("{args}", " ".join(a))
                              .replace("{wasm}", w).split(), callgrind=True))
    if args.runners:
        wanted = args.runners.split(",")
        runners = [r for r in runners if r.name in wanted or r.native or
                   any(r.name.startswith(w + "-") for w in wanted)]
    check_runners(runners, work)
    return runners


def check_runners(runners, work):
    """Marks runners that cannot run hello world as not available, with the reason."""
    for r in runners:
        if r.reason:
            continue
        target = os.path.join(work, "hello" if r.native else "hello.wasm")
        res = run_process(r.make_cmd(target, []), 60)
        if res.code != 0 or HELLO_OUT not in res.stdout:
            detail = (res.stderr.strip() or res.stdout.strip() or f"exit {res.code}")
            r.reason = f"hello world failed (exit {res.code}): {detail.splitlines()[0][:240]}"
    # Guessed tier names wasmc rejected are dropped, not listed; if none worked, say so once.
    guesses = [r for r in runners if r.guessed]
    if guesses and all(r.reason for r in guesses):
        keep = Runner("wasmc", None)
        keep.reason = f"no tier name worked with --tier (tried {', '.join(TIER_GUESSES)}); " \
                      "pass --tiers NAME,..."
        runners.insert(runners.index(guesses[0]), keep)
    runners[:] = [r for r in runners if not (r.guessed and r.reason)]


def runner_program(r, work, prog):
    return os.path.join(work, prog if r.native else prog + ".wasm")


# ---- timing runs ----------------------------------------------------------------------------

class Cell:
    """All runs of one program under one runner."""

    def __init__(self):
        self.walls, self.rss = [], []
        self.failure = None  # text, once a run failed or printed the wrong output

    def median(self):
        return statistics.median(self.walls) if self.walls else None

    def spread(self):
        """(max - min) / median: how far the rounds disagree (None below two rounds)."""
        if len(self.walls) < 2:
            return None
        return (max(self.walls) - min(self.walls)) / self.median()


def run_cell(r, work, prog, scale, expected, cell, timeout):
    res = run_process(r.make_cmd(runner_program(r, work, prog), [scale]), timeout)
    if res.timed_out:
        cell.failure = f"timed out after {timeout:.0f} s"
    elif res.code != 0:
        cell.failure = f"exit {res.code}: {(res.stderr.strip() or res.stdout.strip())[:300]}"
    elif expected is not None and res.stdout != expected:
        cell.failure = (f"WRONG OUTPUT\n    expected: {expected.strip()[:300]}\n"
                        f"    got:      {res.stdout.strip()[:300]}")
    if cell.failure:
        log(f"FAIL {prog} under {r.name}: {cell.failure}")
        return None
    cell.walls.append(res.wall)
    cell.rss.append(res.rss_kb)
    return res.stdout


def elapsed(args):
    """Seconds since the run began: since build.sh started (WASMC_BENCH_T0,
    epoch seconds, so building wasmc counts against the budget) or since the
    harness started."""
    return time.time() - args.t0_epoch


class Rounds:
    """How many interleaved rounds ran, of how many asked for, which runners
    the budget left out of the last ones, and why."""

    def __init__(self, requested):
        self.requested, self.done, self.times, self.dropped_why = requested, 0, [], None
        self.cost = {}  # runner name -> seconds it took in its slowest round
        self.skipped = {}  # runner name -> rounds it sat out

    def summary(self):
        text = f"{self.done} of {self.requested} rounds"
        if self.done < self.requested:
            text = "ONLY " + text
        if self.skipped:
            text += "; " + ", ".join(f"{n} only {self.done - k}" for n, k in self.skipped.items())
        return text


def plan_next_round(args, rounds, active):
    """The runners of the next round: all of them when, at each runner's
    slowest pace so far, the round ends before the budget minus what the
    figures after the rounds need; else the cheapest that fit (native always),
    the most expensive left out; None when no other runner fits. Sets
    rounds.dropped_why when it leaves anything out."""
    if not args.budget:
        return active
    left = args.budget - BUDGET_RESERVE - elapsed(args)
    if sum(rounds.cost.values()) <= left:
        return active
    native = [r for r in active if r.native]
    keep, used = list(native), sum(rounds.cost[r.name] for r in native)
    for r in sorted((r for r in active if not r.native), key=lambda r: rounds.cost[r.name]):
        if used + rounds.cost[r.name] > left:
            break
        keep.append(r)
        used += rounds.cost[r.name]
    rounds.dropped_why = (f"a round takes ~{sum(rounds.cost.values()):.0f} s and "
                          f"{elapsed(args):.0f} s of the {args.budget:.0f} s budget are gone; "
                          f"{BUDGET_RESERVE} s are kept for the figures after the rounds")
    if len(keep) == len(native):
        return None
    for r in active:
        if r not in keep:
            rounds.skipped[r.name] = rounds.skipped.get(r.name, 0) + 1
    return [r for r in active if r in keep]


def measure(programs, runners, args, work):
    """Interleaved rounds: each round runs every program under every runner
    (runner order rotated per round), so machine drift hits all alike. When
    the time budget cannot hold another whole round, the most expensive
    runners sit it out; when it cannot hold one with any runner besides
    native, the rounds stop. Either way loudly (Rounds.summary)."""
    active = [r for r in runners if not r.reason]
    cells = {(p, r.name): Cell() for p in programs for r in active}
    expected = {}
    rounds = Rounds(args.runs)
    members = active
    for rnd in range(args.runs):
        t_round = time.perf_counter()
        spent = {r.name: 0.0 for r in members}
        for prog in programs:
            k = rnd % len(members)
            order = members if rnd == 0 else members[k:] + members[:k]
            for r in order:
                cell = cells[(prog, r.name)]
                if cell.failure or (not r.native and prog not in expected):
                    continue
                native_t = cells[(prog, "native")].median() or 1.0
                timeout = max(60.0, 100.0 * native_t)
                t_cell = time.perf_counter()
                out = run_cell(r, work, prog, f"{args.scale:g}", expected.get(prog), cell,
                               timeout)
                spent[r.name] += time.perf_counter() - t_cell
                if r.native and out is not None:
                    expected.setdefault(prog, out)
                if rnd == 0 and out is not None:
                    log(f"  {prog:<10} {r.name:<16} {cell.walls[-1]:8.3f} s")
        rounds.done += 1
        rounds.times.append(time.perf_counter() - t_round)
        for name, t in spent.items():
            rounds.cost[name] = max(rounds.cost.get(name, 0.0), t)
        log(f"round {rnd + 1}/{args.runs} done in {rounds.times[-1]:.1f} s "
            f"({elapsed(args):.0f} s since the start; per runner: " +
            ", ".join(f"{n} {t:.0f} s" for n, t in spent.items()) + ")")
        if rnd + 1 == args.runs:
            break
        if rnd == 0 and args.budget:
            fit = int((args.budget - BUDGET_RESERVE - elapsed(args)) // rounds.times[0])
            fit = max(0, min(fit, args.runs - 1))
            log(f"budget: {args.budget:.0f} s; at this pace {fit} more whole round(s) fit of "
                f"the {args.runs - 1} to go")
        members = plan_next_round(args, rounds, active)
        if members is None:
            log(f"WARNING: stopping after {rounds.summary()} ({rounds.dropped_why})")
            break
        if len(members) < len(active):
            log(f"WARNING: round {rnd + 2} leaves out " +
                ", ".join(r.name for r in active if r not in members) +
                f" ({rounds.dropped_why})")
    return cells, rounds


# ---- side figures: start-up, decode/compile, instantiate -----------------------------------

def startup_times(runners, work, reps):
    """Median wall time of hello world per runner (process start to exit)."""
    out = {}
    for r in runners:
        if r.reason:
            continue
        cmd = r.make_cmd(runner_program(r, work, "hello"), [])
        walls = []
        for _ in range(reps):
            res = run_process(cmd, 60)
            if res.code != 0:
                break
            walls.append(res.wall)
        if walls:
            out[r.name] = statistics.median(walls)
    return out


FIGURE_UNITS = {"s", "ms", "us", "µs", "ns", "MB/s", "GB/s", "KB/s", "MiB/s", "x", "KB", "MB",
                "KiB", "MiB"}


def parse_figures(text):
    """Generic 'label: NUMBER unit' lines (the bench_* tools' output); a line
    ending in ':' without a number prefixes the labels after it."""
    figures, context = [], ""
    for line in text.splitlines():
        m = re.match(r"^\s*([^:]+?):\s+([-\d.]+)\s*([^\s(]+)", line)
        if m and m.group(3) in FIGURE_UNITS and "/" not in m.group(1):
            label = (context + " " + m.group(1)).strip()
            figures.append((label, float(m.group(2)), m.group(3)))
        elif line.rstrip().endswith(":") and not re.search(r"\d", line):
            context = line.strip().rstrip(":").replace("the same module ", "")
        elif line.strip() and not line.startswith(" "):
            context = ""
    return figures


def large_module(args):
    """SQLite for wasm32-wasi (bench/build-sqlite.sh; built on the first full
    run when npm is there), the large module of the decode and compile
    figures; None when absent."""
    sqlite = os.path.join(BENCH_DIR, ".work", "sqlite.wasm")
    if not os.path.exists(sqlite) and not args.quick and shutil.which("npm"):
        log("building SQLite for the decode and compile figures (bench/build-sqlite.sh)")
        subprocess.run([os.path.join(BENCH_DIR, "build-sqlite.sh")], stdout=subprocess.DEVNULL)
    return sqlite if os.path.exists(sqlite) else None


def compile_figures(tool, modules, seconds):
    """bench_compile's figures for `modules` (one process: the subject of
    each row is a module, or all of them together)."""
    r = subprocess.run([tool, "--seconds", seconds] + modules, capture_output=True, text=True,
                       timeout=300)
    if r.returncode != 0:
        log(f"bench_compile failed: {(r.stderr.strip() or r.stdout.strip())[:300]}")
    rows, subject = [], None
    for line in r.stdout.splitlines():
        m = re.match(r"^(module (\S+)|all (\d+) modules) ([\d.]+) MB", line)
        if m:
            name = m.group(2) or f"all {m.group(3)} benchmark modules"
            mb = float(m.group(4))
            subject = f"{name} ({mb:.2f} MB)" if mb >= 1 else f"{name} ({mb:.3f} MB)"
            continue
        m = re.match(r"^\s+([^:]+):\s+([\d.]+)\s+(\S+)$", line)
        if m and subject:
            rows.append(("bench_compile", subject, m.group(1), float(m.group(2)), m.group(3)))
    return rows


def tool_figures(args, work, programs, sqlite):
    """Runs build/bench/bench_decode, bench_compile and bench_instantiate when built."""
    rows = []  # (tool, subject, label, value, unit)
    tools = os.path.join(args.build_dir, "bench")
    decode = os.path.join(tools, "bench_decode")
    wasms = [os.path.join(work, p + ".wasm") for p in programs]
    module = sqlite or (max(wasms, key=os.path.getsize) if wasms else None)
    if os.access(decode, os.X_OK) and module:
        seconds = "0.5" if args.quick else "2"
        r = subprocess.run([decode, module, seconds], capture_output=True, text=True, timeout=300)
        size = os.path.getsize(module) / 1e6
        subject = f"{os.path.basename(module)} ({size:.2f} MB)"
        for label, value, unit in parse_figures(r.stdout):
            rows.append(("bench_decode", subject, label, value, unit))
            if unit == "MB/s" and value > 0:
                rows.append(("bench_decode", subject, label + " per MB", 1000.0 / value, "ms"))
    comp = os.path.join(tools, "bench_compile")
    if os.access(comp, os.X_OK) and wasms:
        rows += compile_figures(comp, wasms, "1" if args.quick else "2")
        if sqlite:
            rows += compile_figures(comp, [sqlite], "0.5" if args.quick else "1")
    inst = os.path.join(tools, "bench_instantiate")
    if os.access(inst, os.X_OK):
        r = subprocess.run([inst], capture_output=True, text=True, timeout=300)
        for label, value, unit in parse_figures(r.stdout):
            rows.append(("bench_instantiate", "small module", label, value, unit))
    return rows


# ---- callgrind mode -------------------------------------------------------------------------

def callgrind_count(cmd, timeout):
    """Instructions executed by cmd under callgrind (the 'summary:' line)."""
    with tempfile.TemporaryDirectory() as tmp:
        outfile = os.path.join(tmp, "callgrind.out")
        res = run_process(["valgrind", "--tool=callgrind", f"--callgrind-out-file={outfile}"] +
                          cmd, timeout)
        total = None
        if os.path.exists(outfile):
            for line in open(outfile, errors="replace"):
                if line.startswith(("summary:", "totals:")):
                    total = int(line.split()[1])
                    if line.startswith("summary:"):
                        break
        return res, total


def run_callgrind(programs, runners, args, work):
    active = [r for r in runners if not r.reason and r.callgrind]
    counts, failures = {}, []
    for prog in programs:
        expected = None
        for r in active:
            cmd = r.make_cmd(runner_program(r, work, prog), [f"{args.scale:g}"])
            res, total = callgrind_count(cmd, 3600)
            if res.code != 0 or total is None:
                why = f"exit {res.code}" if res.code else "no callgrind totals written"
                errs = [ln for ln in res.stderr.splitlines() if not ln.startswith("==")]
                failures.append(f"{prog} under {r.name}: {why} {errs[-1] if errs else ''}")
            elif r.native:
                expected = res.stdout
            elif res.stdout != expected:
                failures.append(f"{prog} under {r.name}: WRONG OUTPUT {res.stdout.strip()[:200]}")
                total = None
            counts[(prog, r.name)] = total
            log(f"  {prog:<10} {r.name:<16} {total if total is not None else 'FAILED'}")
    return active, counts, failures


# ---- reporting ------------------------------------------------------------------------------

def geomean(values):
    values = [v for v in values if v and v > 0]
    return math.exp(sum(math.log(v) for v in values) / len(values)) if values else None


def fmt_time(s):
    return "-" if s is None else (f"{s:.3f}" if s < 10 else f"{s:.2f}")


def fmt_ratio(x):
    return "-" if x is None else (f"{x:.2f}x" if x < 10 else f"{x:.1f}x")


def ratios(cells, programs, runner):
    out = {}
    for p in programs:
        base, cell = cells.get((p, "native")), cells.get((p, runner))
        if base and cell and base.median() and cell.median() and not cell.failure:
            out[p] = cell.median() / base.median()
    return out


def md_table(header, rows):
    lines = ["| " + " | ".join(header) + " |",
             "|" + "|".join("---" if i == 0 else "---:" for i in range(len(header))) + "|"]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return lines


def text_table(header, rows):
    widths = [max(len(str(x)) for x in col) for col in zip(header, *rows)]
    fmt = lambda row: "  ".join(str(c).ljust(w) if i == 0 else str(c).rjust(w)
                                for i, (c, w) in enumerate(zip(row, widths)))
    return [fmt(header), "  ".join("-" * w for w in widths)] + [fmt(r) for r in rows]


def time_rows(cells, programs, active):
    """Rows of the main table: median seconds and ratio to native."""
    header = ["program"] + [r.name for r in active]
    rows = []
    for p in programs:
        row = [p]
        for r in active:
            c = cells[(p, r.name)]
            if c.failure:
                row.append("FAIL")
            elif r.native:
                row.append(fmt_time(c.median()) + " s")
            else:
                ratio = ratios(cells, [p], r.name).get(p)
                row.append(f"{fmt_time(c.median())} s ({fmt_ratio(ratio)})")
        rows.append(row)
    geo = ["geomean"]
    for r in active:
        rs = ratios(cells, programs, r.name)
        cell = "1.00x" if r.native else fmt_ratio(geomean(rs.values()))
        if len(rs) < len(programs) and not r.native:
            cell += f" ({len(rs)} of {len(programs)} programs)"
        geo.append(cell)
    rows.append(geo)
    return header, rows


def rss_rows(cells, programs, active):
    header = ["program"] + [r.name for r in active]
    rows = []
    for p in programs:
        row = [p]
        for r in active:
            c = cells[(p, r.name)]
            row.append(f"{max(c.rss) / 1024:.1f}" if c.rss else "-")
        rows.append(row)
    return header, rows


def machine_line():
    cpu = "unknown CPU"
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{cpu}, {os.cpu_count()} cores; {time.strftime('%Y-%m-%d %H:%M')}"


def write_csv(path, cells, programs, active, startup, tool_rows, scale, rounds):
    with open(path, "w") as f:
        f.write("kind,program,runner,median_s,min_s,max_s,runs,ratio_to_native,peak_rss_kb,"
                "status,scale,spread_pct\n")
        f.write(f"rounds,,,,,,{rounds.done},,,\"{rounds.summary()}\",{scale},\n")
        for p in programs:
            for r in active:
                c = cells[(p, r.name)]
                ratio = ratios(cells, [p], r.name).get(p)
                f.write(",".join(str(x) for x in [
                    "run", p, r.name,
                    f"{c.median():.6f}" if c.walls else "", f"{min(c.walls):.6f}" if c.walls else "",
                    f"{max(c.walls):.6f}" if c.walls else "", len(c.walls),
                    f"{ratio:.4f}" if ratio else "", max(c.rss) if c.rss else "",
                    "fail" if c.failure else "ok", scale,
                    f"{100 * c.spread():.1f}" if c.spread() is not None else ""]) + "\n")
        for r in active:
            g = geomean(ratios(cells, programs, r.name).values())
            f.write(f"geomean,,{r.name},,,,,{g:.4f},,,{scale},\n" if g else "")
        for name, s in startup.items():
            f.write(f"startup,hello,{name},{s:.6f},,,,,,ok,,\n")
        for tool, subject, label, value, unit in tool_rows:
            f.write(f"{tool},\"{subject}\",\"{label} ({unit})\",{value},,,,,,ok,,\n")


def spread_rows(cells, programs, active):
    header = ["program"] + [r.name for r in active]
    rows = []
    for p in programs:
        row = [p]
        for r in active:
            c = cells[(p, r.name)]
            row.append(f"{100 * c.spread():.1f}%" if c.spread() is not None else "-")
        rows.append(row)
    return header, rows


def rounds_sentence(rounds):
    if rounds.done >= rounds.requested and not rounds.skipped:
        return f"median of {rounds.done} interleaved round(s)"
    return (f"median of interleaved rounds: **{rounds.summary()}** (time budget: "
            f"{rounds.dropped_why}; the CSV's `runs` column has the count per cell)")


def compile_table(tool_rows):
    """bench_compile's per-module figures as one row per module."""
    subjects, cols = [], {}
    for tool, subject, label, value, unit in tool_rows:
        if tool == "bench_compile" and unit == "MB/s":
            if subject not in subjects:
                subjects.append(subject)
            cols[(subject, label)] = value
    labels = ["jit compile", "decode + validate + jit compile"]
    rows = [[s] + [f"{cols[(s, l)]:.1f}" if (s, l) in cols else "-" for l in labels]
            for s in subjects]
    return ["module (MB of .wasm)"] + [l + " (MB/s)" for l in labels], rows


def report(cells, programs, runners, rounds, startup, tool_rows, args, chart_name):
    active = [r for r in runners if not r.reason]
    lines = [f"# wasmc benchmarks{' (quick)' if args.quick else ''}", "",
             f"Machine: {machine_line()}. Workload scale {args.scale:g}%, "
             f"{rounds_sentence(rounds)}; ratio = time / native `gcc -O2` time (lower is "
             f"better). Programs: `bench/programs/`; every output checked against native.", ""]
    header, rows = time_rows(cells, programs, active)
    lines += [f"## Wall time (median of {rounds.done} round(s)) and ratio to native", ""]
    lines += md_table(header, rows) + [""]
    if chart_name:
        lines += [f"![ratio to native, log scale]({chart_name})", ""]
    unavailable = [r for r in runners if r.reason]
    if unavailable:
        lines += ["Runners not available:", ""]
        lines += [f"- **{r.name}**: not available: {r.reason}" for r in unavailable] + [""]
    failures = [(p, n, c.failure) for (p, n), c in cells.items() if c.failure]
    if failures:
        lines += ["## FAILURES", ""] + [f"- **{p}** under **{n}**: {f}" for p, n, f in failures]
        lines += [""]
    if rounds.done > 1:
        header, rows = spread_rows(cells, programs, active)
        lines += [f"## Spread over the {rounds.done} rounds: (max - min) / median", "",
                  "Per-round minimum and maximum are in the CSV (`min_s`, `max_s`).", ""]
        lines += md_table(header, rows) + [""]
    header, rows = rss_rows(cells, programs, active)
    lines += ["## Peak RSS (MiB)", ""] + md_table(header, rows) + [""]
    if startup:
        lines += ["## Start-up: hello world, process start to exit (median)", ""]
        lines += md_table(["runner", "ms"], [[n, f"{s * 1000:.1f}"] for n, s in startup.items()])
        lines += [""]
    if tool_rows:
        summary = [row for row in tool_rows if row[0] != "bench_compile" or
                   row[1].startswith(("all ", "sqlite"))]
        lines += ["## Decode/validate, JIT compile and instantiate (build/bench/bench_*)", "",
                  "bench_compile: the JIT on one thread (`compile_threads` = 1), MB of `.wasm` "
                  "per CPU second (median of repetitions): MB/s per core.", ""]
        lines += md_table(["tool", "subject", "figure", "value"],
                          [[t, s, l, f"{v:g} {u}"] for t, s, l, v, u in summary]) + [""]
        header, rows = compile_table(tool_rows)
        if rows:
            lines += ["JIT compile speed per module (bench_compile, one thread):", ""]
            lines += md_table(header, rows) + [""]
    return lines


# ---- chart ----------------------------------------------------------------------------------

def chart_data(cells, programs, active):
    others = [r.name for r in active if not r.native]
    data = []
    for p in programs:
        data.append((p, [ratios(cells, [p], n).get(p) for n in others]))
    complete = lambda n: len(ratios(cells, programs, n)) == len(programs)
    data.append(("geomean", [geomean(ratios(cells, programs, n).values()) if complete(n) else None
                             for n in others]))
    return others, data


def chart_gnuplot(path, series, data, title):
    with tempfile.TemporaryDirectory() as tmp:
        dat = os.path.join(tmp, "data.dat")
        with open(dat, "w") as f:
            f.write("program " + " ".join(f'"{s}"' for s in series) + "\n")
            for p, vals in data:
                f.write(p + " " + " ".join(f"{v:.4f}" if v else "NaN" for v in vals) + "\n")
        top = max([v for _, vals in data for v in vals if v] + [2.0])
        script = f"""
set terminal svg size {max(640, min(1200, 120 + len(data) * (16 * len(series) + 20)))},440 \\
    dynamic enhanced font 'sans,11' background rgb 'white'
set output '{path}'
set title "{title}"
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.85 border rgb 'black'
set logscale y
set yrange [0.5:{top * 1.6:.2f}]
set ylabel 'time / native time (log scale, lower is better)'
set ytics ({", ".join(f'"{t:g}x" {t:g}' for t in (0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 50, 100, 200, 500, 1000))})
set grid ytics
set xtics rotate by -30 nomirror
set key outside right top vertical
set arrow from graph 0, first 1 to graph 1, first 1 nohead dt 2 lw 1.5 lc rgb 'black'
plot for [i=2:{len(series) + 1}] '{dat}' using i:xtic(1) title columnheader(i)
"""
        r = subprocess.run(["gnuplot"], input=script, capture_output=True, text=True)
        return r.returncode == 0 and os.path.exists(path)


def chart_svg(path, series, data, title):
    """Our own SVG bar chart (log scale) when gnuplot is unavailable."""
    colors = ["#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1"]
    vals = [v for _, vs in data for v in vs if v]
    lo = min([0.5] + [v / 1.3 for v in vals])
    hi = max([2.0] + [v * 1.3 for v in vals])
    w_group = max(40, 18 * len(series) + 16)
    left, top, height = 70, 40, 320
    width = left + w_group * len(data) + 160
    y = lambda v: top + height * (math.log(hi) - math.log(v)) / (math.log(hi) - math.log(lo))
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{top + height + 90}"'
           f' font-family="sans-serif" font-size="11">',
           f'<rect width="100%" height="100%" fill="white"/>',
           f'<text x="{width / 2}" y="20" text-anchor="middle" font-size="13">{title}</text>']
    tick = 10 ** math.floor(math.log10(lo))
    while tick <= hi:
        for m in (1, 2, 5):
            t = tick * m
            if lo <= t <= hi:
                style = 'stroke="black" stroke-dasharray="4,3"' if t == 1 else 'stroke="#ddd"'
                out.append(f'<line x1="{left}" x2="{width - 150}" y1="{y(t):.1f}" '
                           f'y2="{y(t):.1f}" {style}/>')
                out.append(f'<text x="{left - 6}" y="{y(t) + 4:.1f}" text-anchor="end">{t:g}x</text>')
        tick *= 10
    for gi, (prog, vs) in enumerate(data):
        x0 = left + gi * w_group + 8
        for si, v in enumerate(vs):
            if not v:
                continue
            base = y(lo)
            out.append(f'<rect x="{x0 + si * 18}" y="{y(v):.1f}" width="16" '
                       f'height="{base - y(v):.1f}" fill="{colors[si % len(colors)]}">'
                       f'<title>{prog} {series[si]}: {v:.2f}x</title></rect>')
        cx = x0 + 9 * len(vs)
        out.append(f'<text x="{cx}" y="{top + height + 14}" text-anchor="end" '
                   f'transform="rotate(-30 {cx} {top + height + 14})">{prog}</text>')
    for si, s in enumerate(series):
        ly = top + 14 * si
        out.append(f'<rect x="{width - 140}" y="{ly}" width="10" height="10" '
                   f'fill="{colors[si % len(colors)]}"/>')
        out.append(f'<text x="{width - 125}" y="{ly + 9}">{s}</text>')
    out.append(f'<text transform="rotate(-90 16 {top + height / 2})" x="16" y="{top + height / 2}" '
               f'text-anchor="middle">time / native (log scale)</text>')
    out.append("</svg>")
    with open(path, "w") as f:
        f.write("\n".join(out) + "\n")
    return True


def write_chart(path, cells, programs, active, title):
    series, data = chart_data(cells, programs, active)
    if not series:
        return False
    if shutil.which("gnuplot") and chart_gnuplot(path, series, data, title):
        return True
    return chart_svg(path, series, data, title)


# ---- main -----------------------------------------------------------------------------------

def parse_args():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="1 run at 10%% scale (under 2 minutes)")
    ap.add_argument("--callgrind", action="store_true",
                    help="instruction counts under valgrind (native and wasmc), 0.5%% scale")
    ap.add_argument("--runs", type=int, help="interleaved runs per program and runner (3)")
    ap.add_argument("--scale", type=float,
                    help="workload in percent of full size (100; quick 10; callgrind 0.5)")
    ap.add_argument("--budget", type=float,
                    help="seconds for the whole run, counted from build.sh's start: timing "
                         "rounds that would not fit are dropped, and the report says so "
                         "(840; quick 110; 0: no limit)")
    ap.add_argument("--only", help="comma-separated program names")
    ap.add_argument("--runners", help="comma-separated runner names (native always runs)")
    ap.add_argument("--runner", action="append", metavar="NAME=TEMPLATE",
                    help="extra wasm runner, e.g. 'wasmtime=wasmtime run {wasm} {args}'")
    ap.add_argument("--tiers", help="wasmc tiers to use instead of discovering them")
    ap.add_argument("--build-dir", default=os.path.join(ROOT, "build"), help="wasmc build dir")
    ap.add_argument("--out", help="output basename in bench/results (latest; quick; callgrind)")
    ap.add_argument("--no-install", action="store_true", help="never apt-get install")
    ap.add_argument("--no-chart", action="store_true")
    args = ap.parse_args()
    args.build_dir = os.path.abspath(args.build_dir)
    if args.scale is None:
        args.scale = 0.5 if args.callgrind else 10 if args.quick else 100
    if args.runs is None:
        args.runs = 1 if args.quick else 3
    if args.budget is None:
        args.budget = 110 if args.quick else 840
    try:
        args.t0_epoch = float(os.environ.get("WASMC_BENCH_T0") or time.time())
    except ValueError:
        args.t0_epoch = time.time()
    if args.out is None:
        args.out = "callgrind" if args.callgrind else "quick" if args.quick else "latest"
    return args


def main_callgrind(args, programs, runners, work):
    active, counts, failures = run_callgrind(programs, runners, args, work)
    header = ["program"] + [r.name for r in active]
    rows = []
    for p in programs:
        base = counts.get((p, "native"))
        row = [p]
        for r in active:
            n = counts.get((p, r.name))
            cell = "FAIL" if n is None else f"{n:,}"
            if n and base and not r.native:
                cell += f" ({n / base:.1f}x)"
            row.append(cell)
        rows.append(row)
    print("\n".join(text_table(header, rows)))
    lines = ["# wasmc instruction counts (callgrind)", "",
             f"Scale {args.scale:g}%; instructions executed (valgrind --tool=callgrind), whole "
             f"process, ratio to native in parentheses. Exact and repeatable: compare two "
             f"builds of wasmc with these.", ""] + md_table(header, rows) + [""]
    lines += [f"- **{r.name}**: not available: {r.reason}" for r in runners if r.reason]
    lines += [f"- FAIL: {f}" for f in failures]
    os.makedirs(RESULTS_DIR, exist_ok=True)
    with open(os.path.join(RESULTS_DIR, args.out + ".md"), "w") as f:
        f.write("\n".join(lines) + "\n")
    with open(os.path.join(RESULTS_DIR, args.out + ".csv"), "w") as f:
        f.write("program,runner,instructions,scale\n")
        for (p, n), v in counts.items():
            f.write(f"{p},{n},{v if v is not None else ''},{args.scale:g}\n")
    for f_ in failures:
        log(f"FAIL: {f_}")
    return 1 if failures else 0


def main():
    args = parse_args()
    ensure_tools(args)
    programs = discover_programs(args.only)
    work = os.path.join(args.build_dir, "bench", "programs")
    os.makedirs(work, exist_ok=True)
    build_programs(programs, work)
    runners = make_runners(args, work)
    for r in runners:
        log(f"runner {r.name}: " + (f"not available: {r.reason}" if r.reason else "ok"))
    if args.callgrind:
        return main_callgrind(args, programs, runners, work)
    sqlite = large_module(args)  # built (first full run) before the budget is planned
    cells, rounds = measure(programs, runners, args, work)
    startup = startup_times(runners, work, 5 if args.quick else 10)
    tool_rows = tool_figures(args, work, programs, sqlite)
    active = [r for r in runners if not r.reason]
    os.makedirs(RESULTS_DIR, exist_ok=True)
    chart = None
    if not args.no_chart:
        title = f"wasmc benchmarks: time relative to native gcc -O2 (scale {args.scale:g}%)"
        if write_chart(os.path.join(RESULTS_DIR, args.out + ".svg"), cells, programs, active,
                       title):
            chart = args.out + ".svg"
    md = report(cells, programs, runners, rounds, startup, tool_rows, args, chart)
    with open(os.path.join(RESULTS_DIR, args.out + ".md"), "w") as f:
        f.write("\n".join(md) + "\n")
    write_csv(os.path.join(RESULTS_DIR, args.out + ".csv"), cells, programs, active, startup,
              tool_rows, f"{args.scale:g}", rounds)
    header, rows = time_rows(cells, programs, active)
    print(f"median of {rounds.summary()}" + (" (time budget)" if rounds.dropped_why else "") +
          f", scale {args.scale:g}%")
    print("\n".join(text_table(header, rows)))
    for r in runners:
        if r.reason:
            print(f"{r.name}: not available: {r.reason}")
    if startup:
        print("start-up (hello world): " +
              ", ".join(f"{n} {s * 1000:.1f} ms" for n, s in startup.items()))
    for tool, subject, label, value, unit in tool_rows:
        if tool != "bench_compile" or subject.startswith(("all ", "sqlite")):  # per module: md
            print(f"{tool} {subject}: {label}: {value:g} {unit}")
    failures = [(p, n, c.failure) for (p, n), c in cells.items() if c.failure]
    for p, n, f in failures:
        print(f"FAIL: {p} under {n}: {f}")
    print(f"results: bench/results/{args.out}.md, .csv" + (", .svg" if chart else "") +
          f" ({elapsed(args):.0f} s, {rounds.summary()}" +
          (": time budget)" if rounds.dropped_why else ")"))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
