"""Run every benchmark in turn and print their results: ``make bench``.

Each benchmark is a plain script run in its own interpreter (a fresh event loop, a
fresh temp database, no cross-talk). Arguments are passed on to every script:

    .venv/bin/python bench/run_all.py                  # all, full size, SQLite
    .venv/bin/python bench/run_all.py --quick          # smoke run (CI)
    .venv/bin/python bench/run_all.py --database-url postgresql+asyncpg://u:p@host/db
    .venv/bin/python bench/run_all.py --only create    # one benchmark

``bench/bench_capture.py`` is picked up when present. ``bench/bench_latency.py`` (reply
latency, loop stalls and CPU per update beside an echo bot; ~10 minutes at full size,
~1-2 minutes with ``--quick``) runs last. ``bench/bench_board.py`` measures the board's
Team view (200 members, 10,000 open tasks) and My board (300 tasks): p95 server time
and page weight. The exit status is non-zero
when a benchmark script fails (crashes or its self-check fails), not when a figure
misses its target: the figures are for people to read.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
# In this order; bench_capture.py is optional (written separately) and run when present.
BENCHMARKS = ["bench_capture.py", "bench_create.py", "bench_lists.py", "bench_board.py"]
# The longest; run after every other one.
LAST = ["bench_latency.py"]


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description="Run all Brygada benchmarks.")
    p.add_argument("--quick", action="store_true", help="small smoke runs (for CI)")
    p.add_argument("--database-url", default=None, help="passed to the database benchmarks")
    p.add_argument("--only", action="append", default=[], help="run only this one (e.g. create)")
    args = p.parse_args(argv)

    scripts = [BENCH / name for name in BENCHMARKS if (BENCH / name).exists()]
    # Any other bench_*.py someone adds later is run too, after the known ones.
    known = BENCHMARKS + LAST
    scripts += sorted(s for s in BENCH.glob("bench_*.py") if s.name not in known)
    scripts += [BENCH / name for name in LAST if (BENCH / name).exists()]
    if args.only:
        wanted = {o.removeprefix("bench_").removesuffix(".py") for o in args.only}
        scripts = [s for s in scripts if s.stem.removeprefix("bench_") in wanted]

    failed: list[str] = []
    summary: list[tuple[str, int, float]] = []
    for script in scripts:
        cmd = [sys.executable, str(script)]
        # Pass an option on only to scripts that know it (bench_capture.py may not).
        source = script.read_text(encoding="utf-8")
        if args.quick and "--quick" in source:
            cmd.append("--quick")
        if args.database_url and "--database-url" in source:
            cmd += ["--database-url", args.database_url]
        print(f"\n=== {script.name}: {' '.join(cmd[1:])}", flush=True)
        start = time.perf_counter()
        code = subprocess.call(cmd, cwd=ROOT)
        elapsed = time.perf_counter() - start
        summary.append((script.name, code, elapsed))
        if code != 0:
            failed.append(script.name)

    print("\n=== summary")
    for name, code, elapsed in summary:
        print(f"  {name:<20} {'ok' if code == 0 else f'FAILED (exit {code})':<18} {elapsed:6.1f} s")
    if not summary:
        print("  no benchmarks found")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
