"""Quick deadline choices offered as buttons, computed in the member's timezone."""

from __future__ import annotations

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
