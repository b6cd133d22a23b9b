"""Time reports, the pure rules: report arguments, a task's client, a day's attendance."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest

from domain.company import WorkSchedule
from domain.crm import EntityKind, EntityRef
from domain.ports import TimeGrouping
from domain.timereports import CrmParty, assess_day, client_link, client_of, parse_report
from domain.timetracking import DayEvent, DayEventKind, TimeError

TODAY = date(2026, 11, 25)  # a Wednesday


@pytest.mark.parametrize(
    ("args", "start", "end", "period"),
    [
        ("", date(2026, 11, 23), date(2026, 11, 29), "week"),
        ("month", date(2026, 11, 1), date(2026, 11, 30), "month"),
        ("last week", date(2026, 11, 16), date(2026, 11, 22), "last_week"),
        ("previous month", date(2026, 10, 1), date(2026, 10, 31), "last_month"),
        ("2026-11-01..2026-11-15", date(2026, 11, 1), date(2026, 11, 15), "range"),
        ("2026-11-01 .. 2026-11-15", date(2026, 11, 1), date(2026, 11, 15), "range"),
        ("01.10.2026–15.10.2026", date(2026, 10, 1), date(2026, 10, 15), "range"),
        ("3.11-5.11", date(2026, 11, 3), date(2026, 11, 5), "range"),
        ("2026-11-02", date(2026, 11, 2), date(2026, 11, 2), "range"),
        ("yesterday", date(2026, 11, 24), date(2026, 11, 24), "yesterday"),
    ],
)
def test_periods(args: str, start: date, end: date, period: str) -> None:
    query = parse_report(args, TODAY)
    assert (query.start, query.end, query.period) == (start, end, period)


def test_words_in_any_order() -> None:
    query = parse_report("XLSX team Chart by Client month csv", TODAY)
    assert query.team and query.chart and query.csv and query.xlsx and not query.plan
    assert query.by is TimeGrouping.CLIENT and query.period == "month"
    assert parse_report("tags", TODAY).by is TimeGrouping.TAG
    assert parse_report("by day", TODAY).by is TimeGrouping.DAY
    assert parse_report("plan team excel", TODAY).plan


@pytest.mark.parametrize(
    ("args", "reason", "value"),
    [
        ("year", "report_args", "year"),
        ("month by galaxy", "report_args", "by galaxy"),
        ("2026-02-30", "report_bad_date", "2026-02-30"),
        ("2026-11-30..2026-11-01", "report_reversed", "2026-11-30..2026-11-01"),
        ("2024-01-01..2026-01-01", "report_too_long", "2024-01-01..2026-01-01"),
    ],
)
def test_bad_arguments_are_named(args: str, reason: str, value: str) -> None:
    with pytest.raises(TimeError) as caught:
        parse_report(args, TODAY)
    assert caught.value.params["reason"] == reason
    assert caught.value.params["value"] == value


def test_which_report_takes_which_words() -> None:
    today = date(2026, 11, 25)
    assert parse_report("plan team", today).for_timesheet().plan
    assert parse_report("by tag", today).for_timesheet().by is TimeGrouping.TAG
    with pytest.raises(TimeError):
        parse_report("plan by project", today).for_timesheet()
    assert parse_report("month team", today).for_attendance().team
    for words in ("plan", "by member"):
        with pytest.raises(TimeError):
            parse_report(words, today).for_attendance()


def test_the_client_is_the_most_specific_organisation() -> None:
    assert client_link(["lead:4", "deal:9", "contact:2"]) == EntityRef(EntityKind.DEAL, 9)
    assert client_link(["lead:4", "company:7", "deal:1"]) == EntityRef(EntityKind.COMPANY, 7)
    assert client_link(["lead:5", "lead:4", "junk"]) == EntityRef(EntityKind.LEAD, 4)
    assert client_link([]) is None
    parties = {
        EntityRef(EntityKind.DEAL, 1): CrmParty("Deal", None, 2),
        EntityRef(EntityKind.CONTACT, 2): CrmParty("Jan", 3),
        EntityRef(EntityKind.COMPANY, 3): CrmParty("Acme"),
        EntityRef(EntityKind.LEAD, 4): CrmParty("Firma X"),
        EntityRef(EntityKind.CONTACT, 5): CrmParty("Ewa"),
    }
    assert client_of(EntityRef(EntityKind.DEAL, 1), parties) == EntityRef(EntityKind.COMPANY, 3)
    assert client_of(EntityRef(EntityKind.LEAD, 4), parties) == EntityRef(EntityKind.LEAD, 4)
    assert client_of(EntityRef(EntityKind.CONTACT, 5), parties) == EntityRef(EntityKind.CONTACT, 5)
    missing = EntityRef(EntityKind.DEAL, 99)
    assert client_of(missing, parties) == missing


def _event(day: date, hh: int, mm: int, kind: DayEventKind) -> DayEvent:
    # Warsaw is UTC+1 in November
    return DayEvent(1, 1, day, datetime.combine(day, time(hh - 1, mm), UTC), kind)


def test_a_late_short_day_and_a_full_one() -> None:
    schedule = WorkSchedule()
    now = datetime(2026, 11, 25, 9, 30, tzinfo=UTC)
    monday = date(2026, 11, 23)
    late = assess_day(
        1,
        monday,
        tz="Europe/Warsaw",
        schedule=schedule,
        events=[
            _event(monday, 9, 30, DayEventKind.START),
            _event(monday, 13, 0, DayEventKind.PAUSE),
            _event(monday, 13, 30, DayEventKind.RESUME),
            _event(monday, 18, 0, DayEventKind.END),
        ],
        tracked_seconds=3600,
        reported=False,
        today=TODAY,
        now=now,
    )
    assert late.late and late.late_minutes == 30
    assert late.worked_seconds == 8 * 3600 and late.short and late.missing_report
    assert not late.no_show
    tuesday = date(2026, 11, 24)
    full = assess_day(
        1,
        tuesday,
        tz="Europe/Warsaw",
        schedule=schedule,
        events=[
            _event(tuesday, 9, 5, DayEventKind.START),
            _event(tuesday, 18, 0, DayEventKind.END),
        ],
        tracked_seconds=0,
        reported=True,
        today=TODAY,
        now=now,
    )
    assert not (full.late or full.short or full.missing_report or full.no_show)
    today = assess_day(
        1,
        TODAY,
        tz="Europe/Warsaw",
        schedule=schedule,
        events=[],
        tracked_seconds=0,
        reported=False,
        today=TODAY,
        now=now,
    )
    assert not (today.late or today.short or today.missing_report or today.no_show)
