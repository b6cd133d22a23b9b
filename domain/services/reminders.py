"""The scheduler's sweep: decides which reminders are due and writes them to the outbox.

Each sweep covers the window (watermark, now] and then moves the watermark, inside
one transaction. A crash before commit repeats the window; dedup keys make the
repeat harmless. After downtime the window is long: prompts that still matter are
sent late, stale ones (an earlier day's plan prompt) are skipped and logged.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from domain.company import Company, Department, Member, WorkSchedule, supervisors
from domain.errors import DomainError
from domain.notifications import Notification
from domain.ports import ListView, TaskQuery, UnitOfWork
from domain.reminders import TEAM_DIGEST, DueTask, TaskTemplate
from domain.schedule import (
    local_date,
    local_moments_between,
    minus_working_days,
    next_working_start,
)
from domain.services.approvals import enqueue_approval_reminders, expire_overdue_approvals
from domain.services.crm import enqueue_stale_deal_alerts
from domain.services.drafts import Roster
from domain.services.tasks import create_task
from domain.services.team import team_members
from domain.services.timetracking import auto_stop_timers, forgotten_timers
from domain.tasks import Task

log = logging.getLogger(__name__)

WATERMARK = "sweep"
_DIGEST_TASKS = 500  # overdue tasks counted per digest (a team beyond that is told "+")
FIRST_LOOK_BACK = timedelta(minutes=1)
MAX_LOOK_BACK = timedelta(days=7)

# (start, end, cron expression, timezone) -> occurrences in (start, end]
Occurrences = Callable[[datetime, datetime, str, str], Sequence[datetime]]


@dataclass(frozen=True)
class SweepConfig:
    escalate_after_working_days: int = 2
    remind_before: timedelta = timedelta(hours=1)
    report_before_end: timedelta = timedelta(minutes=30)
    approval_remind_hours: float = 4
    approval_escalate_hours: float = 8
    stale_deal_days: int = 14
    forgotten_timer_grace: timedelta = timedelta(hours=1)


@dataclass
class SweepReport:
    window: tuple[datetime, datetime]
    enqueued: dict[str, int] = field(default_factory=dict)
    skipped_stale: int = 0
    led: bool = True

    def count(self, kind: str, added: int) -> None:
        self.enqueued[kind] = self.enqueued.get(kind, 0) + added


async def sweep(
    uow: UnitOfWork,
    now: datetime,
    companies: Sequence[Company],
    config: SweepConfig,
    *,
    occurrences: Occurrences,
) -> SweepReport:
    """One pass over (watermark, now]; the caller commits."""
    if not await uow.scheduler.lead():
        return SweepReport((now, now), led=False)
    previous = await uow.scheduler.watermark(WATERMARK) or now - FIRST_LOOK_BACK
    start = max(previous, now - MAX_LOOK_BACK)
    report = SweepReport((start, now))
    if now <= start:
        return report
    for company in companies:
        await _task_alerts(uow, company, start, now, config, report)
        await _daily_prompts(uow, company, start, now, config, report)
        await _forgotten_timers(uow, company, start, now, config, report)
        await _missing_reports(uow, company, start, now, report)
        await _team_digests(uow, company, start, now, report)
    await _recurring(uow, start, now, occurrences, report)
    if companies:
        # Pending approvals of every company are walked once, on the first one's calendar.
        report.count(
            "approval.reminder",
            await enqueue_approval_reminders(
                uow,
                now,
                companies[0].schedule,
                config.approval_remind_hours,
                config.approval_escalate_hours,
            ),
        )
        report.count("approval.expired", await expire_overdue_approvals(uow, now))
    report.count("deal.stale", await enqueue_stale_deal_alerts(uow, now, config.stale_deal_days))
    await uow.scheduler.set_watermark(WATERMARK, now)
    return report


async def _task_alerts(
    uow: UnitOfWork,
    company: Company,
    start: datetime,
    now: datetime,
    config: SweepConfig,
    report: SweepReport,
) -> None:
    tz, schedule = company.timezone, company.schedule
    notes: list[Notification] = []
    # Overdue: the deadline passed in this window. Outside the responsible's working
    # hours the alert waits for their next working start.
    for due in await uow.scheduler.tasks_due_between(company.id, start, now):
        notes.append(
            _about(
                due,
                "task.overdue",
                due.responsible_id,
                next_working_start(now, due.responsible_tz, schedule),
            )
        )
    # Reminders: the deadline enters the "soon" horizon in this window.
    soon = config.remind_before
    for due in await uow.scheduler.tasks_due_between(company.id, start + soon, now + soon):
        notes.append(_about(due, "task.deadline_soon", due.responsible_id, None))
    # Escalation: overdue for N working days -> the director and the supervisors.
    days = config.escalate_after_working_days
    cut_start = minus_working_days(start, days, tz, schedule)
    cut_end = minus_working_days(now, days, tz, schedule)
    if cut_end > cut_start:
        for due in await uow.scheduler.tasks_due_between(company.id, cut_start, cut_end):
            people = {due.creator_id, *await uow.members.supervisors_of(due.responsible_id)}
            for member_id in sorted(people - {due.responsible_id}):
                notes.append(
                    _about(
                        due,
                        "task.overdue_escalated",
                        member_id,
                        next_working_start(now, tz, schedule),
                        days=days,
                    )
                )
    for kind in ("task.overdue", "task.deadline_soon", "task.overdue_escalated"):
        batch = [n for n in notes if n.kind == kind]
        if batch:
            report.count(kind, await uow.outbox.add_many(batch))


def _about(
    due: DueTask, kind: str, member_id: int, not_before: datetime | None, **data: object
) -> Notification:
    """A task alert, once per task, recipient and deadline (a moved deadline alerts again)."""
    return Notification(
        member_id=member_id,
        kind=kind,
        data={"task_id": due.task_id, **data},
        dedup_key=f"{kind}:{due.task_id}:{member_id}:{due.deadline.isoformat()}",
        not_before=not_before,
    )


async def _daily_prompts(
    uow: UnitOfWork,
    company: Company,
    start: datetime,
    now: datetime,
    config: SweepConfig,
    report: SweepReport,
) -> None:
    """Morning plan, end-of-day report request, Monday backlog review: per timezone."""
    schedule = company.schedule
    report_at = (datetime.combine(date(2000, 1, 3), schedule.end) - config.report_before_end).time()
    prompts: list[tuple[str, time, bool]] = [
        ("plan.morning", schedule.start, False),
        ("day.report_request", report_at, False),
        ("backlog.weekly", schedule.start, True),
    ]
    for tz in await uow.scheduler.member_timezones(company.id):
        today = local_date(now, tz)
        for kind, at, weekly in prompts:
            for moment in local_moments_between(start, now, tz, at, schedule=schedule):
                day = moment.date()
                if weekly and not _first_working_day_of_week(day, schedule):
                    continue
                if day != today:
                    report.skipped_stale += 1
                    log.info("skipped stale %s for %s on %s", kind, tz, day)
                    continue
                members = list(await uow.scheduler.members_in_timezone(company.id, tz))
                # An approved leave mutes the member's prompts for the day.
                away = await uow.approvals.absent_member_ids(company.id, day)
                batch = [
                    Notification(
                        member_id=m,
                        kind=kind,
                        data={"date": day.isoformat()},
                        dedup_key=f"{kind}:{m}:{day.isoformat()}",
                    )
                    for m in members
                    if m not in away
                ]
                report.count(kind, await uow.outbox.add_many(batch))


async def _forgotten_timers(
    uow: UnitOfWork,
    company: Company,
    start: datetime,
    now: datetime,
    config: SweepConfig,
    report: SweepReport,
) -> None:
    """At the end of the working day a running timer is asked about; unanswered, it
    stops at the end of the day plus a grace period, recorded up to the end, flagged."""
    end, grace = company.schedule.end, config.forgotten_timer_grace
    for tz in await uow.scheduler.member_timezones(company.id):
        members: list[int] | None = None
        for moment in local_moments_between(start, now, tz, end, schedule=company.schedule):
            if moment.date() != local_date(now, tz):
                continue  # yesterday's question is stale; the auto-stop below still runs
            members = members or list(await uow.scheduler.members_in_timezone(company.id, tz))
            notes = await forgotten_timers(uow, members, moment)
            report.count("timer.forgotten", await uow.outbox.add_many(notes))
        for moment in local_moments_between(
            start - grace, now - grace, tz, end, schedule=company.schedule
        ):
            members = members or list(await uow.scheduler.members_in_timezone(company.id, tz))
            report.count("timer.auto_stopped", await auto_stop_timers(uow, members, moment, now))


async def _missing_reports(
    uow: UnitOfWork, company: Company, start: datetime, now: datetime, report: SweepReport
) -> None:
    """At the start of the working day each manager hears who has not submitted the
    previous working day's report (the regulations: managers review daily reports)."""
    schedule = company.schedule
    chain: dict[int, Department] | None = None
    for tz in await uow.scheduler.member_timezones(company.id):
        for moment in local_moments_between(start, now, tz, schedule.start, schedule=schedule):
            if moment.date() != local_date(now, tz):
                continue
            previous = moment.date() - timedelta(days=1)
            while not schedule.is_working_day(previous):
                previous -= timedelta(days=1)
            members = list(await uow.scheduler.members_in_timezone(company.id, tz))
            done = await uow.time.reported(members, previous)
            away = await uow.approvals.absent_member_ids(company.id, previous)
            late = [m for m in members if m not in done and m not in away]
            if not late:
                continue
            if chain is None:
                # Departments once per sweep; of the people, only the late ones.
                chain = {d.id: d for d in await uow.departments.list(company.id) if d.id}
            people = {m.id: m for m in await uow.members.get_many(late)}
            missing: dict[int, list[str]] = {}
            for member_id in late:
                member = people.get(member_id)
                for supervisor in supervisors(member, chain) if member else ():
                    missing.setdefault(supervisor, []).append(member.name if member else "?")
            notes = [
                Notification(
                    member_id=supervisor,
                    kind="reports.missing",
                    data={"date": previous.isoformat(), "names": sorted(names)},
                    dedup_key=f"reports.missing:{supervisor}:{previous.isoformat()}:{tz}",
                )
                for supervisor, names in missing.items()
            ]
            report.count("reports.missing", await uow.outbox.add_many(notes))


async def _team_digests(
    uow: UnitOfWork, company: Company, start: datetime, now: datetime, report: SweepReport
) -> None:
    """At a manager's morning, on working days, one message about their team: who is
    overdue, who has no plan for today, who did not report the previous working day.
    Only for those who switched it on (``/unmute team.digest``)."""
    schedule = company.schedule
    for tz in await uow.scheduler.member_timezones(company.id):
        for moment in local_moments_between(start, now, tz, schedule.start, schedule=schedule):
            if moment.date() != local_date(now, tz):
                continue  # an earlier morning's digest is stale
            members = list(await uow.scheduler.members_in_timezone(company.id, tz))
            prefs = await uow.scheduler.preferences(members)
            wanting = [m for m in members if m in prefs and prefs[m].wants(TEAM_DIGEST)]
            notes = []
            for manager_id in wanting:
                manager = await uow.members.get(manager_id)
                if manager is None or not manager.active:
                    continue
                data = await team_digest(uow, manager, moment.date(), now, schedule)
                if data is None:
                    continue
                notes.append(
                    Notification(
                        member_id=manager_id,
                        kind=TEAM_DIGEST,
                        data=data,
                        dedup_key=f"{TEAM_DIGEST}:{manager_id}:{moment.date().isoformat()}",
                    )
                )
            report.count(TEAM_DIGEST, await uow.outbox.add_many(notes))


async def team_digest(
    uow: UnitOfWork, manager: Member, day: date, now: datetime, schedule: WorkSchedule
) -> dict[str, object] | None:
    """What the digest says, or None when the manager has no team. People on approved
    leave, and days before someone joined, are left out."""
    team = await team_members(uow, manager)
    if not team:
        return None
    ids = [m.id for m in team]
    names = {m.id: m.name for m in team}
    previous = day - timedelta(days=1)
    while not schedule.is_working_day(previous):
        previous -= timedelta(days=1)
    away_today = await uow.approvals.absent_member_ids(manager.company_id, day)
    away_before = await uow.approvals.absent_member_ids(manager.company_id, previous)
    overdue: dict[int, int] = {}
    page = await uow.tasks.list(
        TaskQuery(
            company_id=manager.company_id,
            member_id=manager.id,
            view=ListView.OVERDUE,
            now=now,
            day_end=now,
            limit=_DIGEST_TASKS,
            member_ids=frozenset(ids),
        )
    )
    for task in page.items:
        if task.responsible_id in names:
            overdue[task.responsible_id] = overdue.get(task.responsible_id, 0) + 1
    no_plan = [names[m] for m in ids if m not in away_today and await uow.time.plan(m, day) is None]
    reported = await uow.time.reported(ids, previous)
    joined = {m.id: m.joined_at for m in team}
    no_report = [
        names[m]
        for m in ids
        if m not in reported
        and m not in away_before
        and not _joined_after(joined.get(m), previous, manager.timezone)
    ]
    return {
        "date": day.isoformat(),
        "report_day": previous.isoformat(),
        "overdue": [[names[m], n] for m, n in sorted(overdue.items(), key=lambda x: names[x[0]])],
        "overdue_more": page.total > len(page.items),
        "no_plan": sorted(no_plan),
        "no_report": sorted(no_report),
    }


def _joined_after(joined: datetime | None, day: date, tz: str) -> bool:
    return joined is not None and local_date(joined, tz) > day


def _first_working_day_of_week(day: date, schedule: WorkSchedule) -> bool:
    monday = day - timedelta(days=day.weekday())
    first = monday
    while not schedule.is_working_day(first) and first < monday + timedelta(days=7):
        first += timedelta(days=1)
    return first == day


async def _recurring(
    uow: UnitOfWork,
    start: datetime,
    now: datetime,
    occurrences: Occurrences,
    report: SweepReport,
) -> None:
    for template in await uow.scheduler.templates():
        for occurrence in occurrences(start, now, template.cron, template.timezone):
            fresh = await uow.scheduler.record_run(template.id, occurrence)
            if fresh and await create_from_template(uow, template, occurrence) is not None:
                report.count("template.task", 1)


async def create_from_template(
    uow: UnitOfWork, template: TaskTemplate, occurrence: datetime
) -> Task | None:
    """Create one occurrence's task, parsed at the occurrence's moment in its timezone."""
    creator = await uow.members.get(template.creator_id)
    company = await uow.companies.get(template.company_id)
    if creator is None or not creator.active or company is None:
        log.warning("template %s skipped: its creator or company is gone", template.id)
        return None
    roster = await Roster.load(uow, company)
    draft = roster.draft(template.text, now=occurrence, tz=template.timezone, lang=None)
    command = roster.command(draft, source_ref=f"template:{template.id}")
    try:
        return await create_task(uow, creator, command, occurrence)
    except DomainError as error:
        log.warning("template %s occurrence %s not created: %s", template.id, occurrence, error)
        return None
