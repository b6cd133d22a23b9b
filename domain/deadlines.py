"""Quick deadline choices offered as buttons, computed in the member's timezone."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from domain.company import WorkSchedule


class QuickDeadline(StrEnum):
    TODAY = "today"
    TOMORROW = "tomorrow"
    FRIDAY = "friday"
    NEXT_WEEK = "nextweek"
    NONE = "none"


def quick_deadline(
    choice: QuickDeadline, now: datetime, tz: str, schedule: WorkSchedule
) -> datetime | None:
    """End of the working day of the chosen day; "today" after hours means tomorrow's end."""
    today = now.astimezone(ZoneInfo(tz)).date()
    day: date
    match choice:
        case QuickDeadline.NONE:
            return None
        case QuickDeadline.TODAY:
            day = today
        case QuickDeadline.TOMORROW:
            day = today + timedelta(days=1)
        case QuickDeadline.FRIDAY:
            day = today + timedelta(days=(4 - today.weekday()) % 7)
        case QuickDeadline.NEXT_WEEK:
            day = today + timedelta(days=7 - today.weekday())
    end = schedule.end_of_day(day, tz)
    if end <= now:
        end = schedule.end_of_day(day + timedelta(days=1), tz)
    return end


class Concern(StrEnum):
    """Why a deadline deserves a second look (it is kept; the card offers a fix)."""

    PASSED_TODAY = "passed_today"  # "today 9:00" typed at 14:00
    PAST = "past"
    NON_WORKING = "non_working"  # a weekend or a holiday
    LEAVE = "leave"  # the responsible is on approved leave that day


@dataclass(frozen=True)
class DeadlineCheck:
    concern: Concern
    fix: datetime  # the one-tap fix: the next working day (tomorrow) at the same time


_LOOK_AHEAD = 120  # days searched for a day the responsible is at work


def check_deadline(
    deadline: datetime,
    now: datetime,
    tz: str,
    schedule: WorkSchedule,
    away: Callable[[date], bool] = lambda day: False,
) -> DeadlineCheck | None:
    """A concern about ``deadline`` and its fix, or None when it is a fine working day.

    ``away`` tells the days the responsible is on approved leave. The fix keeps the local
    wall time and moves to the first working day (not away) after today, or after the
    deadline's day when that is still ahead.
    """
    zone = ZoneInfo(tz)
    local = deadline.astimezone(zone)
    today = now.astimezone(zone).date()
    day = local.date()
    if deadline <= now:
        concern = Concern.PASSED_TODAY if day == today else Concern.PAST
    elif not schedule.is_working_day(day):
        concern = Concern.NON_WORKING
    elif away(day):
        concern = Concern.LEAVE
    else:
        return None
    start = max(day, today)
    fix_day = start + timedelta(days=1)
    for _ in range(_LOOK_AHEAD):
        if schedule.is_working_day(fix_day) and not away(fix_day):
            break
        fix_day += timedelta(days=1)
    wall = local.time().replace(tzinfo=None)
    return DeadlineCheck(concern, datetime.combine(fix_day, wall, tzinfo=zone))
