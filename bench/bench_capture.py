"""Quick-capture throughput: parse the whole case table repeatedly for about two seconds.

Run: .venv/bin/python bench/bench_capture.py
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from domain.capture import parse_task
from tests.unit.capture_cases import CASES

DURATION_S = 2.0


def one_round() -> None:
    for case in CASES:
        parse_task(
            case.text,
            now=case.now,
            tz=case.tz,
            lang=case.hint,
            projects=case.projects,
            members=case.members,
            workday_end=case.workday_end,
        )


def main() -> None:
    one_round()  # warm-up: imports, compiled patterns, caches
    rounds = 0
    started = time.perf_counter()
    while time.perf_counter() - started < DURATION_S:
        one_round()
        rounds += 1
    elapsed = time.perf_counter() - started
    rate = len(CASES) * rounds / elapsed
    print(f"capture: {rate:,.0f} messages/s ({len(CASES)} cases x {rounds} rounds)")


if __name__ == "__main__":
    main()
