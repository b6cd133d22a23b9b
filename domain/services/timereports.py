"""Time reports: time by member, project, tag, client or day over any range, plan vs fact
per member and day, and attendance (late starts, short days, missing reports).

Every sum is a SQL GROUP BY (``TimeRepository.time_by``, ``tracked_by_day``...); Python
only names the groups and walks members x days. The caller commits nothing: reads only.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from domain.company import Member, WorkSchedule
from domain.errors import NotPermitted
from domain.ports import TimeGrouping, TimesheetRow, UnitOfWork
from domain.services.team import team_members
from domain.timereports import DayAttendance, ReportQuery, assess_day
from domain.timetracking import DayEvent

Cell = str | int | date


@dataclass(frozen=True)
class Table:
    """A report as rows for CSV and spreadsheets: column keys (a spreadsheet's header
    names them in the reader's language), rows, and a totals row."""

    columns: tuple[str, ...]
    rows: Sequence[tuple[Cell, ...]]
    totals: tuple[Cell, ...] | None = None


async def team_of(uow: UnitOfWork, actor: Member) -> list[Member]:
    """Whom a manager sees: themselves and everyone below them (admins: all)."""
    if actor.is_admin:
        return [m for m in await uow.members.list(actor.company_id) if m.active]
    # Recursively: a head's departments and sub-departments, a manager's indirect reports.
    team = [actor, *await team_members(uow, actor)]
    if len(team) <= 1:
        raise NotPermitted(action="timesheet_team")
    return team


async def report_members(uow: UnitOfWork, actor: Member, team: bool) -> list[Member]:
    """The actor alone, or the team they may see (a manager's reports, an admin's company)."""
    members = await team_of(uow, actor) if team else [actor]
    return sorted(members, key=lambda m: (m.id != actor.id, m.name.lower()))


def _ids(members: Sequence[Member]) -> list[int]:
    return [m.id for m in members]


# -- the classic timesheet over any range -------------------------------------------------------


@dataclass(frozen=True)
class Timesheet:
    start: date
    end: date
    rows: Sequence[TimesheetRow]
    names: dict[int, str]
    projects: dict[int, str]
    team: bool

    @property
    def total_minutes(self) -> int:
        return sum(r.seconds for r in self.rows) // 60

    @property
    def billable_minutes(self) -> int:
        return sum(r.billable_seconds for r in self.rows) // 60

    def by_project(self) -> list[tuple[str | None, int, int]]:
        acc: dict[int | None, list[int]] = {}
        for r in self.rows:
            pair = acc.setdefault(r.project_id, [0, 0])
            pair[0] += r.seconds
            pair[1] += r.billable_seconds
        return sorted(
            ((self.projects.get(k) if k else None, v[0] // 60, v[1] // 60) for k, v in acc.items()),
            key=lambda x: -x[1],
        )

    def by_day(self) -> list[tuple[date, int]]:
        acc: dict[date, int] = {}
        for r in self.rows:
            acc[r.day] = acc.get(r.day, 0) + r.seconds
        return [(d, s // 60) for d, s in sorted(acc.items())]

    def by_member(self) -> list[tuple[str, int]]:
        acc: dict[int, int] = {}
        for r in self.rows:
            acc[r.member_id] = acc.get(r.member_id, 0) + r.seconds
        return sorted(
            ((self.names.get(k, "?"), s // 60) for k, s in acc.items()), key=lambda x: -x[1]
        )


async def timesheet(uow: UnitOfWork, actor: Member, query: ReportQuery) -> Timesheet:
    """By project, day and member, as ``/timesheet`` always showed, for the query's range."""
    members = await report_members(uow, actor, query.team)
    rows = await uow.time.timesheet(_ids(members), query.start, query.end)
    projects = {p.id: p.name for p in await uow.projects.list(actor.company_id) if p.id}
    names = {m.id: m.name for m in members}
    return Timesheet(query.start, query.end, rows, names, projects, query.team)


def timesheet_table(sheet: Timesheet) -> Table:
    rows = sorted(sheet.rows, key=lambda r: (sheet.names.get(r.member_id, ""), r.day))
    return Table(
        ("member", "date", "project", "minutes", "billable_minutes"),
        [
            (
                sheet.names.get(r.member_id, str(r.member_id)),
                r.day,
                sheet.projects.get(r.project_id, "") if r.project_id else "",
                r.seconds // 60,
                r.billable_seconds // 60,
            )
            for r in rows
        ],
        ("total", "", "", sheet.total_minutes, sheet.billable_minutes),
    )


# -- grouped time -------------------------------------------------------------------------


@dataclass(frozen=True)
class ReportGroup:
    """One group: ``name`` is None for "no project", "no tag", "no client"."""

    key: int | str | date | None
    name: str | None
    minutes: int
    billable_minutes: int


@dataclass(frozen=True)
class TimeReport:
    query: ReportQuery
    by: TimeGrouping
    groups: Sequence[ReportGroup]
    total_minutes: int
    billable_minutes: int

    @property
    def overlapping(self) -> bool:
        """By tag, a task with several tags counts under each: groups may add up to more."""
        return self.by is TimeGrouping.TAG

    def table(self) -> Table:
        return Table(
            (self.by.value, "minutes", "billable_minutes"),
            [
                (
                    g.key if isinstance(g.key, date) else (g.name or ""),
                    g.minutes,
                    g.billable_minutes,
                )
                for g in self.groups
            ],
            ("total", self.total_minutes, self.billable_minutes),
        )


async def time_report(uow: UnitOfWork, actor: Member, query: ReportQuery) -> TimeReport:
    by = query.by or TimeGrouping.PROJECT
    members = await report_members(uow, actor, query.team)
    ids = _ids(members)
    rows = await uow.time.time_by(ids, query.start, query.end, by)
    names: dict[object, str] = {}
    if by is TimeGrouping.MEMBER:
        names = {m.id: m.name for m in members}
    elif by is TimeGrouping.PROJECT:
        names = {p.id: p.name for p in await uow.projects.list(actor.company_id)}
    groups = []
    for r in rows:
        if by is TimeGrouping.DAY and isinstance(r.key, date):
            name: str | None = r.key.isoformat()
        elif by in (TimeGrouping.MEMBER, TimeGrouping.PROJECT):
            name = names.get(r.key) if r.key is not None else None
        elif by is TimeGrouping.CLIENT:
            name = r.label if r.key is not None else None
        else:
            name = str(r.key) if r.key is not None else None
        groups.append(ReportGroup(r.key, name, r.seconds // 60, r.billable_seconds // 60))
    if by is TimeGrouping.DAY:
        groups.sort(key=lambda g: g.name or "")
    else:  # the biggest first; "no project/tag/client" last
        groups.sort(key=lambda g: (g.name is None, -g.minutes, g.name or ""))
    if by is TimeGrouping.TAG:
        total, billable = await uow.time.time_totals(ids, query.start, query.end)
    else:
        total, billable = sum(r.seconds for r in rows), sum(r.billable_seconds for r in rows)
    return TimeReport(query, by, groups, total // 60, billable // 60)


# -- plan vs fact ---------------------------------------------------------------------------


@dataclass(frozen=True)
class PlanFactLine:
    member_id: int
    name: str
    day: date
    planned_minutes: int
    tracked_minutes: int

    @property
    def difference(self) -> int:
        return self.tracked_minutes - self.planned_minutes


@dataclass(frozen=True)
class PlanFact:
    query: ReportQuery
    lines: Sequence[PlanFactLine]

    @property
    def planned_minutes(self) -> int:
        return sum(line.planned_minutes for line in self.lines)

    @property
    def tracked_minutes(self) -> int:
        return sum(line.tracked_minutes for line in self.lines)

    def by_member(self) -> list[tuple[str, int, int]]:
        acc: dict[int, tuple[str, int, int]] = {}
        for line in self.lines:
            name, planned, tracked = acc.get(line.member_id, (line.name, 0, 0))
            acc[line.member_id] = (
                name,
                planned + line.planned_minutes,
                tracked + line.tracked_minutes,
            )
        return list(acc.values())

    def by_day(self) -> list[tuple[date, int, int]]:
        acc: dict[date, tuple[int, int]] = {}
        for line in self.lines:
            planned, tracked = acc.get(line.day, (0, 0))
            acc[line.day] = (planned + line.planned_minutes, tracked + line.tracked_minutes)
        return [(d, p, t) for d, (p, t) in sorted(acc.items())]

    def table(self) -> Table:
        return Table(
            ("member", "date", "planned_minutes", "tracked_minutes", "difference_minutes"),
            [
                (x.name, x.day, x.planned_minutes, x.tracked_minutes, x.difference)
                for x in self.lines
            ],
            (
                "total",
                "",
                self.planned_minutes,
                self.tracked_minutes,
                self.tracked_minutes - self.planned_minutes,
            ),
        )


async def plan_fact(uow: UnitOfWork, actor: Member, query: ReportQuery) -> PlanFact:
    """Per member and day: the minutes of the fixed daily plan against the minutes tracked."""
    members = await report_members(uow, actor, query.team)
    ids = _ids(members)
    planned = {
        (r.member_id, r.day): r.seconds
        for r in await uow.time.planned_by_day(ids, query.start, query.end)
    }
    tracked = {
        (r.member_id, r.day): r.seconds
        for r in await uow.time.tracked_by_day(ids, query.start, query.end)
    }
    order = {m.id: n for n, m in enumerate(members)}
    names = {m.id: m.name for m in members}
    keys = sorted(set(planned) | set(tracked), key=lambda k: (order.get(k[0], 0), k[1]))
    lines = [
        PlanFactLine(
            member_id=k[0],
            name=names.get(k[0], "?"),
            day=k[1],
            planned_minutes=planned.get(k, 0) // 60,
            tracked_minutes=tracked.get(k, 0) // 60,
        )
        for k in keys
    ]
    return PlanFact(query, lines)


# -- attendance ---------------------------------------------------------------------------


@dataclass(frozen=True)
class MemberAttendance:
    member_id: int
    name: str
    days: Sequence[DayAttendance] = field(default_factory=list)

    @property
    def late(self) -> list[DayAttendance]:
        return [d for d in self.days if d.late]

    @property
    def short(self) -> list[DayAttendance]:
        return [d for d in self.days if d.short]

    @property
    def no_show(self) -> list[DayAttendance]:
        return [d for d in self.days if d.no_show]

    @property
    def missing_reports(self) -> list[DayAttendance]:
        return [d for d in self.days if d.missing_report]

    @property
    def clean(self) -> bool:
        return not (self.late or self.short or self.no_show or self.missing_reports)


@dataclass(frozen=True)
class Attendance:
    query: ReportQuery
    members: Sequence[MemberAttendance]
    working_days: int

    def table(self) -> Table:
        rows: list[tuple[Cell, ...]] = []
        for m in self.members:
            for d in m.days:
                rows.append(
                    (
                        m.name,
                        d.day,
                        d.started.strftime("%H:%M") if d.started else "",
                        d.late_minutes,
                        d.worked_seconds // 60,
                        "yes" if d.reported else ("no" if d.complete else ""),
                    )
                )
        return Table(
            ("member", "date", "started", "late_minutes", "worked_minutes", "reported"), rows
        )


async def attendance(
    uow: UnitOfWork, actor: Member, query: ReportQuery, now: datetime
) -> Attendance:
    """Each member's working days in the range up to today (the company's calendar, in
    the member's timezone), approved leave left out: late starts, short days, days with
    no work recorded, and days without the daily report."""
    company = await uow.companies.get(actor.company_id)
    schedule = company.schedule if company else WorkSchedule()
    members = await report_members(uow, actor, query.team)
    ids = _ids(members)
    start, end = query.start, query.end
    events: dict[tuple[int, date], list[DayEvent]] = {}
    for event in await uow.time.day_events_between(ids, start, end):
        events.setdefault((event.member_id, event.day), []).append(event)
    tracked = {
        (r.member_id, r.day): r.seconds for r in await uow.time.tracked_by_day(ids, start, end)
    }
    reported = await uow.time.reported_days(ids, start, end)
    away: set[tuple[int, date]] = set()
    for member_id, first, last in await uow.time.absent_days(ids, start, end):
        day = max(first, start)
        while day <= min(last, end):
            away.add((member_id, day))
            day += timedelta(days=1)
    working = [
        start + timedelta(days=n)
        for n in range(query.days)
        if schedule.is_working_day(start + timedelta(days=n))
    ]
    result = []
    for member in members:
        today = now.astimezone(ZoneInfo(member.timezone)).date()
        # Nobody is late or absent on days before they joined.
        joined = (
            member.joined_at.astimezone(ZoneInfo(member.timezone)).date()
            if member.joined_at is not None
            else None
        )
        days = [
            assess_day(
                member.id,
                day,
                tz=member.timezone,
                schedule=schedule,
                events=events.get((member.id, day), []),
                tracked_seconds=tracked.get((member.id, day), 0),
                reported=(member.id, day) in reported,
                today=today,
                now=now,
            )
            for day in working
            if day <= today and (joined is None or day >= joined) and (member.id, day) not in away
        ]
        result.append(MemberAttendance(member.id, member.name, days))
    return Attendance(query, result, len(working))
