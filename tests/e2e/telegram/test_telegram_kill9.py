"""kill -9 under load loses nothing: a real `brygada run` process handles a burst of
messages, is killed at random moments three times and restarted; in the end every
message has exactly one task and one card (see crash_run for the one exception)."""

from __future__ import annotations

from pathlib import Path

from tests.e2e.telegram.crash_run import burst_and_kill


async def test_burst_killed_three_times_leaves_one_task_and_one_card_each(
    tmp_path: Path,
) -> None:
    # 120 messages from 30 chats (bench/bench_kill9.py runs 600).
    report = await burst_and_kill(tmp_path, chats=30, per_chat=4, kills=3)
    summary = report.summary()
    assert report.kills == 3, summary
    assert report.missing_cards == [], summary
    assert report.wrong_tasks == [], summary
    assert report.unexplained_duplicates == [], summary
