"""Smoke run of bench/bench_latency.py: about a second of load at a low rate, through
both bot processes (echo and Brygada), the fake Bot API and, on SQLite, the write-lock
phase with its Slack requests. Checks that figures came out, never how fast they are."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench"


@pytest.fixture
def bench() -> Any:
    sys.path.insert(0, str(BENCH))
    try:
        import bench_latency

        yield bench_latency
    finally:
        sys.path.remove(str(BENCH))


async def test_bench_latency_produces_figures(
    bench: Any, database_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    opts = bench.Options(
        database_url=database_url,
        seconds=1.0,
        rates=(5.0,),
        limited_rates=(),
        cpu_seconds=0.0,
        lock_seconds=0.5,
        members=5,
    )
    report = await bench.run(opts)

    assert report.setup["members_without_card"] == 0
    for bot in ("echo", "brygada"):
        measured = report.find(bot, "5/s")
        assert measured is not None, f"no {bot} phase"
        stats = measured.stats()
        assert stats["n"] > 0 and stats["p99_ms"] == stats["p99_ms"]  # numbers, not NaN
        assert measured.unanswered == 0 and measured.alerts == 0 and measured.not_task == 0
        assert measured.cpu_s > 0
    lock = report.find("brygada", "sqlite lock")
    if database_url.startswith("sqlite"):
        assert lock is not None and lock.slack_s and lock.slack_failed == 0
        assert lock.stats()["n"] > 0
    else:
        assert lock is None

    assert bench.print_report(report)
    out = capsys.readouterr().out
    assert "5/s" in out and "Brygada p50 / p99" in out
