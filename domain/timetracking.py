"""Time tracking values: timers, time entries and their history, the working day,
the daily plan and the daily report. Pure: no I/O, every moment is aware UTC.

A timer is stored as its start timestamp, never as a counter, so a restart or a second
process sees the same running timer. Time entries are written when a timer pauses or
stops (or by hand); an entry never crosses midnight in the member's timezone.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from domain.company import WorkSchedule
from domain.errors import DomainError

# More than this spent on an unfinished task today: carry it over as "(part N)".
PART_THRESHOLD_MINUTES = 7
MAX_ENTRY_MINUTES = 24 * 60
NON_BILLABLE_TAG = "no"


class TimeError(DomainError):
    """A time-tracking rule said no; ``reason`` picks the sentence in time_error.j2."""

    code = "time_error"


class EntrySource(StrEnum):
    TIMER = "timer"
    MANUAL = "manual"
    # Stopped by the end-of-day check because nobody answered: flagged for review.
    AUTO_STOPPED = "auto"


class DayEventKind(StrEnum):
    START = "start"
    PAUSE = "pause"
    RESUME = "resume"
    END = "end"


class DayState(StrEnum):
    NOT_STARTED = "not_started"
    WORKING = "working"
    PAUSED = "paused"
    ENDED = "ended"


@dataclass
class Timer:
    """A member's one timer: running when ``started_at`` is set, paused otherwise."""

    member_id: int
    company_id: int
    task_id: int
    started_at: datetime | None
    version: int = 0

    @property
    def running(self) -> bool:
        return self.started_at is not None

    def elapsed(self, now: datetime) -> timedelta:
        return now - self.started_at if self.started_at is not None else timedelta(0)


@dataclass
class NewTimeEntry:
    company_id: int
    member_id: int
    task_id: int
    started_at: datetime
    ended_at: datetime
    day: date  # the member's local date of the entry
    source: EntrySource
    comment: str | None = None
    deleted: bool = False
    version: int = 0

    @property
    def seconds(self) -> int:
        return int((self.ended_at - self.started_at).total_seconds())

    @property
    def minutes(self) -> int:
        return self.seconds // 60

    def describe(self) -> str:
        """A compact, language-neutral text of the entry for history and approvals."""
        return (
            f"#{self.task_id} {self.day.isoformat()} "
            f"{self.started_at.strftime('%H:%M')}-{self.ended_at.strftime('%H:%M')} UTC "
            f"({format_minutes(self.minutes)})"
        )


@dataclass
class TimeEntry(NewTimeEntry):
    id: int = field(kw_only=True)


@dataclass(frozen=True)
class EntryChange:
    """One line of an entry's history: who changed what, the old and new value and why."""

    entry_id: int
    actor_id: int
    at: datetime
    action: str  # "created", "edited", "deleted", "approved"
    old: str | None
    new: str | None
    reason: str | None


@dataclass(frozen=True)
class DayEvent:
    member_id: int
    company_id: int
    day: date
    at: datetime
    kind: DayEventKind


_NEXT_STATE: dict[DayEventKind, tuple[frozenset[DayState], DayState]] = {
    DayEventKind.START: (frozenset({DayState.NOT_STARTED}), DayState.WORKING),
    DayEventKind.PAUSE: (frozenset({DayState.WORKING}), DayState.PAUSED),
    DayEventKind.RESUME: (frozenset({DayState.PAUSED, DayState.ENDED}), DayState.WORKING),
    DayEventKind.END: (frozenset({DayState.WORKING, DayState.PAUSED}), DayState.ENDED),
}


def day_state(events: list[DayEvent]) -> DayState:
    state = DayState.NOT_STARTED
    for event in events:
        state = _NEXT_STATE[event.kind][1]
    return state


def check_day_move(events: list[DayEvent], kind: DayEventKind) -> None:
    """Raise when ``kind`` does not follow from the day's timeline so far."""
    state = day_state(events)
    if state not in _NEXT_STATE[kind][0]:
        raise TimeError(reason=f"day_{kind.value}", state=state.value)


def worked_seconds(events: list[DayEvent], now: datetime) -> int:
    """Time between start/resume and pause/end (the running stretch counts up to now)."""
    total, since = 0.0, None
    for event in events:
        if event.kind in (DayEventKind.START, DayEventKind.RESUME):
            since = event.at
        elif since is not None:
            total += (event.at - since).total_seconds()
            since = None
    if since is not None:
        total += max((now - since).total_seconds(), 0)
    return int(total)


@dataclass(frozen=True)
class PlanItem:
    task_id: int
    minutes: int


@dataclass
class DailyPlan:
    member_id: int
    company_id: int
    day: date
    items: list[PlanItem]
    fixed_at: datetime

    @property
    def total_minutes(self) -> int:
        return sum(i.minutes for i in self.items)

    def as_json(self) -> list[dict[str, Any]]:
        return [{"task_id": i.task_id, "minutes": i.minutes} for i in self.items]


@dataclass
class NewDailyReport:
    member_id: int
    company_id: int
    day: date
    comment: str
    submitted_at: datetime
    summary: dict[str, Any] = field(default_factory=dict)
    request_id: int | None = None


@dataclass
class DailyReport(NewDailyReport):
    id: int = field(kw_only=True)


# -- arithmetic -------------------------------------------------------------------------------


def local_day_bounds(day: date, tz: str) -> tuple[datetime, datetime]:
    zone = ZoneInfo(tz)
    start = datetime.combine(day, time(0), tzinfo=zone)
    end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone)
    return start, end


def split_by_local_day(
    start: datetime, end: datetime, tz: str
) -> list[tuple[date, datetime, datetime]]:
    """Cut [start, end) at every local midnight: one piece per local date, empty ones dropped."""
    zone = ZoneInfo(tz)
    pieces: list[tuple[date, datetime, datetime]] = []
    # In UTC: differences of datetimes sharing a ZoneInfo ignore DST (wall-clock arithmetic).
    cursor, end = start.astimezone(UTC), end.astimezone(UTC)
    while cursor < end:
        day = cursor.astimezone(zone).date()
        _, midnight = local_day_bounds(day, tz)
        stop = min(end, midnight.astimezone(UTC))
        if stop > cursor:
            pieces.append((day, cursor, stop))
        cursor = stop
    return pieces


def working_minutes_left(now: datetime, tz: str, schedule: WorkSchedule) -> int:
    """Minutes from now (or the day's start) to the end of the local working day."""
    local = now.astimezone(ZoneInfo(tz))
    if not schedule.is_working_day(local.date()):
        return 0
    begin = max(now, schedule.start_of_day(local.date(), tz))
    end = schedule.end_of_day(local.date(), tz)
    return max(int((end - begin).total_seconds()) // 60, 0)


_DURATION = re.compile(
    r"^(?:(\d{1,3})\s*[hч])?\s*(?:(\d{1,4})\s*(?:m|min|м|мин)?)?$", re.IGNORECASE
)
_SPAN = re.compile(r"^(\d{1,2})[:.](\d{2})\s*[-–]\s*(\d{1,2})[:.](\d{2})$")


def parse_duration(text: str) -> int | None:
    """Minutes in "1h30m", "1h", "45m", "90", "1.5h"; None when it is not a duration."""
    text = text.strip().lower().replace(" ", "")
    if not text:
        return None
    decimal = re.fullmatch(r"(\d{1,2})[.,](\d{1,2})[hч]", text)
    if decimal:
        minutes = round(float(f"{decimal[1]}.{decimal[2]}") * 60)
    else:
        found = _DURATION.fullmatch(text)
        if not found or not (found[1] or found[2]):
            return None
        minutes = int(found[1] or 0) * 60 + int(found[2] or 0)
    return minutes if 0 < minutes <= MAX_ENTRY_MINUTES else None


def parse_span(text: str, day: date, tz: str) -> tuple[datetime, datetime] | None:
    """ "9:00-10:30" on a local ``day`` -> (start, end) aware; None when not a span."""
    found = _SPAN.fullmatch(text.strip())
    if not found:
        return None
    h1, m1, h2, m2 = (int(g) for g in found.groups())
    if h1 > 23 or h2 > 24 or m1 > 59 or m2 > 59:
        return None
    zone = ZoneInfo(tz)
    start = datetime.combine(day, time(h1, m1), tzinfo=zone)
    end = (
        datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone)
        if h2 == 24
        else datetime.combine(day, time(h2, m2), tzinfo=zone)
    )
    start, end = start.astimezone(UTC), end.astimezone(UTC)
    if end <= start:
        return None
    return start, end


def format_minutes(minutes: int) -> str:
    hours, rest = divmod(minutes, 60)
    if hours and rest:
        return f"{hours}h{rest:02d}m"
    return f"{hours}h" if hours else f"{rest}m"
