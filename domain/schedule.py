"""Work-schedule arithmetic in a member's own timezone (pure; the scheduler builds on it)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from domain.company import WorkSchedule


def local_moments_between(
    start: datetime, end: datetime, tz: str, at: time, *, schedule: WorkSchedule | None = None
) -> list[datetime]:
    """Moments ``at`` o'clock local time that fall in (start, end], on working days if a
    schedule is given. Handles DST: a wall-clock time is resolved in the zone each day."""
    zone = ZoneInfo(tz)
    first = start.astimezone(zone).date()
    last = end.astimezone(zone).date()
    found: list[datetime] = []
    day = first
    while day <= last:
        moment = datetime.combine(day, at, tzinfo=zone)
        if start < moment <= end and (schedule is None or schedule.is_working_day(day)):
            found.append(moment)
        day += timedelta(days=1)
    return found


def local_date(moment: datetime, tz: str) -> date:
    return moment.astimezone(ZoneInfo(tz)).date()


def in_working_hours(moment: datetime, tz: str, schedule: WorkSchedule) -> bool:
    local = moment.astimezone(ZoneInfo(tz))
    return schedule.is_working_day(local.date()) and schedule.start <= local.time() < schedule.end


def next_working_start(moment: datetime, tz: str, schedule: WorkSchedule) -> datetime:
    """``moment`` itself when inside working hours, else the start of the next working period."""
    if in_working_hours(moment, tz, schedule):
        return moment
    local = moment.astimezone(ZoneInfo(tz))
    day = local.date()
    if not (schedule.is_working_day(day) and local.time() < schedule.start):
        day = schedule.next_working_day(day)
    return schedule.start_of_day(day, tz)


def minus_working_days(moment: datetime, days: int, tz: str, schedule: WorkSchedule) -> datetime:
    """The same local wall time ``days`` working days earlier (weekends and holidays skipped)."""
    local = moment.astimezone(ZoneInfo(tz))
    day = local.date()
    remaining = days
    while remaining > 0:
        day -= timedelta(days=1)
        if schedule.is_working_day(day):
            remaining -= 1
    return datetime.combine(day, local.timetz().replace(tzinfo=None), tzinfo=ZoneInfo(tz))


def within_quiet_hours(
    moment: datetime, tz: str, quiet: tuple[time, time] | None
) -> datetime | None:
    """When ``moment`` falls in the quiet period, the moment it ends; else None.

    A period may wrap midnight (22:00-07:00)."""
    if quiet is None:
        return None
    begin, finish = quiet
    zone = ZoneInfo(tz)
    local = moment.astimezone(zone)
    now_t = local.time()
    if begin <= finish:
        inside = begin <= now_t < finish
        end_day = local.date()
    else:
        inside = now_t >= begin or now_t < finish
        end_day = local.date() + timedelta(days=1) if now_t >= begin else local.date()
    if not inside:
        return None
    return datetime.combine(end_day, finish, tzinfo=zone)
