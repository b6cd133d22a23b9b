"""Deadlines people can trust: a date in the past, on a day off or on the responsible's
leave is kept but pointed out, with its fix (see ``domain.deadlines.check_deadline``)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from domain.company import Company, Member
from domain.deadlines import DeadlineCheck, check_deadline
from domain.ports import UnitOfWork
from domain.tasks import Task

_LEAVE_HORIZON = timedelta(days=120)


async def review_deadline(
    uow: UnitOfWork, company: Company, tz: str, task: Task, now: datetime
) -> DeadlineCheck | None:
    """The concern about the task's deadline, seen in ``tz`` (the asker's zone)."""
    if task.deadline is None:
        return None
    responsible = await uow.members.get(task.responsible_id)
    leave = await _leave_days(uow, responsible, task.deadline, tz)
    return check_deadline(task.deadline, now, tz, company.schedule, leave.__contains__)


async def review_moment(
    uow: UnitOfWork, company: Company, tz: str, responsible_id: int, moment: datetime, now: datetime
) -> DeadlineCheck | None:
    """The same for a deadline not set yet (``/deadline 12 01.12`` asks before moving)."""
    responsible = await uow.members.get(responsible_id)
    leave = await _leave_days(uow, responsible, moment, tz)
    return check_deadline(moment, now, tz, company.schedule, leave.__contains__)


async def _leave_days(
    uow: UnitOfWork, member: Member | None, around: datetime, tz: str
) -> frozenset[date]:
    """The member's approved leave days from the deadline's day on (a fix skips them)."""
    if member is None:
        return frozenset()
    first = around.astimezone(ZoneInfo(tz)).date()
    last = first + _LEAVE_HORIZON
    found: set[date] = set()
    for _member, start, end in await uow.time.absent_days([member.id], first, last):
        day = max(start, first)
        while day <= min(end, last):
            found.add(day)
            day += timedelta(days=1)
    return frozenset(found)
