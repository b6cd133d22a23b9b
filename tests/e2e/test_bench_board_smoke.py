"""Smoke run of bench/bench_board.py with small sizes, on the test database: the pages
answer and figures come out. Never how fast they are."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench"


@pytest.fixture
def bench() -> Any:
    sys.path.insert(0, str(BENCH))
    try:
        import bench_board

        yield bench_board
    finally:
        sys.path.remove(str(BENCH))


async def test_bench_board_produces_figures(
    bench: Any, database_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    args = argparse.Namespace(database_url=database_url, quick=True)
    assert await bench.run(args) == 0
    report = json.loads(capsys.readouterr().out)
    for view in ("team_view", "my_board"):
        assert report[view]["status"] == 200 and report[view]["n"] == 20
        assert 0 < report[view]["page_kb"] < 200 and report[view]["p95_ms"] > 0
    assert report["open_tasks"] == 500 and report["members"] == 20
