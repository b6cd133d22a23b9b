"""Time-tracking rules without I/O: splitting at local midnight, durations, the working day."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from domain.company import WorkSchedule
from domain.timetracking import (
    DayEvent,
    DayEventKind,
    DayState,
    TimeError,
    check_day_move,
    day_state,
    parse_duration,
    parse_span,
    split_by_local_day,
    worked_seconds,
    working_minutes_left,
)

WAW = "Europe/Warsaw"


def test_entry_crossing_local_midnight_is_split_per_day() -> None:
    # 22:30 -> 01:15 Warsaw time (UTC+1 in November)
    start = datetime(2026, 11, 25, 21, 30, tzinfo=UTC)
    end = datetime(2026, 11, 26, 0, 15, tzinfo=UTC)
    pieces = split_by_local_day(start, end, WAW)
    assert [p[0] for p in pieces] == [date(2026, 11, 25), date(2026, 11, 26)]
    assert pieces[0][2] == datetime(2026, 11, 25, 23, 0, tzinfo=UTC)
    assert sum((p[2] - p[1]).total_seconds() for p in pieces) == (end - start).total_seconds()


def test_midnight_in_utc_is_not_a_split_in_warsaw() -> None:
    start = datetime(2026, 11, 25, 23, 30, tzinfo=UTC)
    pieces = split_by_local_day(start, start + timedelta(hours=1), WAW)
    assert len(pieces) == 1 and pieces[0][0] == date(2026, 11, 26)


def test_split_over_dst_change_keeps_every_second() -> None:
    start = datetime(2026, 10, 24, 20, 0, tzinfo=UTC)
    end = datetime(2026, 10, 26, 4, 0, tzinfo=UTC)
    pieces = split_by_local_day(start, end, WAW)
    assert [p[0].day for p in pieces] == [24, 25, 26]
    assert sum((p[2] - p[1]).total_seconds() for p in pieces) == (end - start).total_seconds()


@pytest.mark.parametrize(
    ("text", "minutes"),
    [
        ("1h30m", 90),
        ("1h", 60),
        ("45m", 45),
        ("90", 90),
        ("1.5h", 90),
        ("2ч", 120),
        ("abc", None),
        ("0m", None),
        ("", None),
        ("25h", None),
    ],
)
def test_durations(text: str, minutes: int | None) -> None:
    assert parse_duration(text) == minutes


def test_span_is_local_time() -> None:
    span = parse_span("9:00-10:30", date(2026, 11, 25), WAW)
    assert span is not None
    assert span[0] == datetime(2026, 11, 25, 8, 0, tzinfo=UTC)
    assert (span[1] - span[0]) == timedelta(minutes=90)
    assert parse_span("10:30-9:00", date(2026, 11, 25), WAW) is None


def test_working_day_timeline() -> None:
    t0 = datetime(2026, 11, 25, 8, 0, tzinfo=UTC)
    events: list[DayEvent] = []
    assert day_state(events) is DayState.NOT_STARTED
    with pytest.raises(TimeError):
        check_day_move(events, DayEventKind.PAUSE)
    for minutes, kind in (
        (0, DayEventKind.START),
        (120, DayEventKind.PAUSE),
        (150, DayEventKind.RESUME),
    ):
        check_day_move(events, kind)
        events.append(DayEvent(1, 1, t0.date(), t0 + timedelta(minutes=minutes), kind))
    assert day_state(events) is DayState.WORKING
    assert worked_seconds(events, t0 + timedelta(minutes=210)) == 180 * 60


def test_working_minutes_left() -> None:
    schedule = WorkSchedule()
    wed_noon = datetime(2026, 11, 25, 11, 0, tzinfo=UTC)  # 12:00 in Warsaw
    assert working_minutes_left(wed_noon, WAW, schedule) == 6 * 60
    saturday = datetime(2026, 11, 28, 11, 0, tzinfo=UTC)
    assert working_minutes_left(saturday, WAW, schedule) == 0
