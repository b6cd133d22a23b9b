"""Time tracking in SQL: timers, entries and history, the working day, plans, reports."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import String, and_, bindparam, case, cast, delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from domain.crm import EntityKind, EntityRef
from domain.errors import Conflict
from domain.ids import with_id
from domain.ports import MemberDayRow, TimeGrouping, TimeGroupRow, TimesheetRow
from domain.tasks import Task
from domain.timereports import CrmParty, client_link, client_of
from domain.timetracking import (
    NON_BILLABLE_TAG,
    DailyPlan,
    DailyReport,
    DayEvent,
    DayEventKind,
    EntryChange,
    EntrySource,
    NewDailyReport,
    NewTimeEntry,
    PlanItem,
    TimeEntry,
    TimeError,
    Timer,
)
from storage.models import TaskRow, TaskTagRow
from storage.models.approvals import AbsenceRow
from storage.models.crm import CrmCompanyRow, CrmContactRow, CrmDealRow, CrmLeadRow
from storage.models.time import (
    DailyPlanRow,
    DailyReportRow,
    TimeEntryChangeRow,
    TimeEntryRow,
    TimerRow,
    WorkDayEventRow,
)
from storage.repositories._sql import rowcount, table_of
from storage.repositories.tasks import SqlTaskRepository

# Prebuilt statements of the timer buttons (see storage/README.md).
_TIMERS = table_of(TimerRow)
_ENTRIES = table_of(TimeEntryRow)
_DAY_EVENTS = table_of(WorkDayEventRow)
_TIMER_OF = select(_TIMERS).where(_TIMERS.c.member_id == bindparam("member"))
_TIMER_OF_LOCKED = _TIMER_OF.with_for_update()  # PostgreSQL: two presses, one after the other
_INSERT_TIMER = insert(_TIMERS)
_VERSIONED = and_(
    _TIMERS.c.member_id == bindparam("w_member"), _TIMERS.c.version == bindparam("w_version")
)
_UPDATE_TIMER = (
    update(_TIMERS)
    .where(_VERSIONED)
    .values(
        task_id=bindparam("v_task"),
        started_at=bindparam("v_started"),
        version=bindparam("v_version"),
    )
)
_DELETE_TIMER = delete(_TIMERS).where(_VERSIONED)
_SPENT_ON_TASK = select(func.coalesce(func.sum(_ENTRIES.c.seconds), 0)).where(
    _ENTRIES.c.task_id == bindparam("task"), _ENTRIES.c.deleted.is_(False)
)
_DAY_EVENTS_OF = (
    select(_DAY_EVENTS)
    .where(_DAY_EVENTS.c.member_id == bindparam("member"), _DAY_EVENTS.c.day == bindparam("day"))
    .order_by(_DAY_EVENTS.c.at, _DAY_EVENTS.c.id)
)


def _entry(row: TimeEntryRow) -> TimeEntry:
    return TimeEntry(
        company_id=row.company_id,
        member_id=row.member_id,
        task_id=row.task_id,
        started_at=row.started_at,
        ended_at=row.ended_at,
        day=row.day,
        source=EntrySource(row.source),
        comment=row.comment,
        id=row.id,
        deleted=row.deleted,
        version=row.version,
    )


class SqlTimeRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._s = session

    @property
    def _pg(self) -> bool:
        bind = self._s.bind
        return bind is not None and bind.dialect.name == "postgresql"

    # -- timers ----------------------------------------------------------------------
    async def timer(self, member_id: int) -> Timer | None:
        statement = _TIMER_OF_LOCKED if self._pg else _TIMER_OF
        rows = (await self._s.execute(statement, {"member": member_id})).all()
        if not rows:
            return None
        row = rows[0]
        return Timer(row.member_id, row.company_id, row.task_id, row.started_at, row.version)

    async def reported(self, member_ids: Sequence[int], day: date) -> frozenset[int]:
        if not member_ids:
            return frozenset()
        rows = await self._s.scalars(
            select(DailyReportRow.member_id).where(
                DailyReportRow.member_id.in_(list(member_ids)), DailyReportRow.day == day
            )
        )
        return frozenset(rows)

    async def running_timers(self, member_ids: Sequence[int]) -> Sequence[Timer]:
        if not member_ids:
            return []
        rows = await self._s.scalars(
            select(TimerRow).where(
                TimerRow.member_id.in_(list(member_ids)), TimerRow.started_at.is_not(None)
            )
        )
        return [Timer(r.member_id, r.company_id, r.task_id, r.started_at, r.version) for r in rows]

    async def save_timer(self, timer: Timer) -> None:
        # A first timer is inserted; if one exists meanwhile, the versioned update refuses.
        if (
            timer.version == 0
            and not (await self._s.execute(_TIMER_OF, {"member": timer.member_id})).all()
        ):
            row = {
                "member_id": timer.member_id,
                "company_id": timer.company_id,
                "task_id": timer.task_id,
                "started_at": timer.started_at,
                "version": 1,
            }
            try:
                async with self._s.begin_nested():
                    await self._s.execute(_INSERT_TIMER, row)
            except IntegrityError as exc:
                raise Conflict(task_id=timer.task_id) from exc
            timer.version = 1
            return
        result = await self._s.execute(
            _UPDATE_TIMER,
            {
                "v_task": timer.task_id,
                "v_started": timer.started_at,
                "v_version": timer.version + 1,
                "w_member": timer.member_id,
                "w_version": timer.version,
            },
        )
        if not rowcount(result):
            raise Conflict(task_id=timer.task_id)
        timer.version += 1

    async def delete_timer(self, timer: Timer) -> None:
        params = {"w_member": timer.member_id, "w_version": timer.version}
        if not rowcount(await self._s.execute(_DELETE_TIMER, params)):
            raise Conflict(task_id=timer.task_id)

    # -- entries ---------------------------------------------------------------------
    async def add_entry(self, entry: NewTimeEntry) -> TimeEntry:
        row = TimeEntryRow(
            company_id=entry.company_id,
            member_id=entry.member_id,
            task_id=entry.task_id,
            started_at=entry.started_at,
            ended_at=entry.ended_at,
            seconds=entry.seconds,
            day=entry.day,
            source=entry.source.value,
            comment=entry.comment,
            deleted=entry.deleted,
            version=0,
        )
        self._s.add(row)
        await self._s.flush()
        return with_id(TimeEntry, entry, row.id)

    async def get_entry(self, entry_id: int) -> TimeEntry | None:
        row = await self._s.get(TimeEntryRow, entry_id, populate_existing=True)
        return _entry(row) if row else None

    async def save_entry(self, entry: TimeEntry) -> None:
        result = await self._s.execute(
            update(TimeEntryRow)
            .where(TimeEntryRow.id == entry.id, TimeEntryRow.version == entry.version)
            .values(
                started_at=entry.started_at,
                ended_at=entry.ended_at,
                seconds=entry.seconds,
                deleted=entry.deleted,
                comment=entry.comment,
                version=entry.version + 1,
            )
            .execution_options(synchronize_session=False)
        )
        if not rowcount(result):
            raise Conflict(task_id=entry.task_id)
        entry.version += 1

    async def add_change(self, change: EntryChange) -> None:
        self._s.add(
            TimeEntryChangeRow(
                entry_id=change.entry_id,
                actor_id=change.actor_id,
                at=change.at,
                action=change.action,
                old=change.old,
                new=change.new,
                reason=change.reason,
            )
        )
        await self._s.flush()

    async def changes(self, entry_id: int) -> Sequence[EntryChange]:
        rows = await self._s.scalars(
            select(TimeEntryChangeRow)
            .where(TimeEntryChangeRow.entry_id == entry_id)
            .order_by(TimeEntryChangeRow.id)
        )
        return [
            EntryChange(r.entry_id, r.actor_id, r.at, r.action, r.old, r.new, r.reason)
            for r in rows
        ]

    async def entries(self, member_id: int, day: date) -> Sequence[TimeEntry]:
        rows = await self._s.scalars(
            select(TimeEntryRow)
            .where(
                TimeEntryRow.member_id == member_id,
                TimeEntryRow.day == day,
                TimeEntryRow.deleted.is_(False),
            )
            .order_by(TimeEntryRow.started_at, TimeEntryRow.id)
            .execution_options(populate_existing=True)
        )
        return [_entry(r) for r in rows]

    async def spent_seconds(self, task_id: int) -> int:
        (row,) = (await self._s.execute(_SPENT_ON_TASK, {"task": task_id})).all()
        return int(row[0] or 0)

    async def spent_by_task(self, member_id: int, day: date) -> dict[int, int]:
        rows = await self._s.execute(
            select(TimeEntryRow.task_id, func.sum(TimeEntryRow.seconds))
            .where(
                TimeEntryRow.member_id == member_id,
                TimeEntryRow.day == day,
                TimeEntryRow.deleted.is_(False),
            )
            .group_by(TimeEntryRow.task_id)
        )
        return {int(r[0]): int(r[1]) for r in rows}

    async def completed_between(
        self, member_id: int, start: datetime, end: datetime
    ) -> Sequence[Task]:
        rows = await self._s.scalars(
            select(TaskRow)
            .where(
                TaskRow.responsible_id == member_id,
                TaskRow.completed_at >= start,
                TaskRow.completed_at < end,
            )
            .order_by(TaskRow.completed_at)
            .limit(50)
        )
        # One query for their people and tags too, not one load per task (the board).
        return await SqlTaskRepository(self._s)._hydrate(list(rows))

    # -- the working day -------------------------------------------------------------
    async def day_events(self, member_id: int, day: date) -> list[DayEvent]:
        rows = (await self._s.execute(_DAY_EVENTS_OF, {"member": member_id, "day": day})).all()
        return [
            DayEvent(r.member_id, r.company_id, r.day, r.at, DayEventKind(r.kind)) for r in rows
        ]

    async def add_day_event(self, event: DayEvent) -> None:
        self._s.add(
            WorkDayEventRow(
                company_id=event.company_id,
                member_id=event.member_id,
                day=event.day,
                at=event.at,
                kind=event.kind.value,
            )
        )
        await self._s.flush()

    # -- plans and reports -----------------------------------------------------------
    async def plan(self, member_id: int, day: date) -> DailyPlan | None:
        row = await self._s.get(DailyPlanRow, (member_id, day), populate_existing=True)
        if row is None:
            return None
        items = [PlanItem(int(i["task_id"]), int(i["minutes"])) for i in row.items]
        return DailyPlan(row.member_id, row.company_id, row.day, items, row.fixed_at)

    async def save_plan(self, plan: DailyPlan) -> None:
        row = await self._s.get(DailyPlanRow, (plan.member_id, plan.day))
        if row is None:
            self._s.add(
                DailyPlanRow(
                    member_id=plan.member_id,
                    day=plan.day,
                    company_id=plan.company_id,
                    items=plan.as_json(),
                    fixed_at=plan.fixed_at,
                )
            )
        else:
            row.items = plan.as_json()
            row.fixed_at = plan.fixed_at
        await self._s.flush()

    async def report(self, member_id: int, day: date) -> DailyReport | None:
        row = (
            await self._s.execute(
                select(DailyReportRow).where(
                    DailyReportRow.member_id == member_id, DailyReportRow.day == day
                )
            )
        ).scalar_one_or_none()
        if row is None:
            return None
        return DailyReport(
            row.member_id,
            row.company_id,
            row.day,
            row.comment,
            row.submitted_at,
            dict(row.summary),
            row.request_id,
            id=row.id,
        )

    async def add_report(self, report: NewDailyReport) -> DailyReport:
        row = DailyReportRow(
            company_id=report.company_id,
            member_id=report.member_id,
            day=report.day,
            comment=report.comment,
            summary=report.summary,
            submitted_at=report.submitted_at,
            request_id=report.request_id,
        )
        try:
            async with self._s.begin_nested():
                self._s.add(row)
        except IntegrityError as exc:  # submitted at the same moment from elsewhere
            raise TimeError(reason="report_submitted", day=report.day.isoformat()) from exc
        return with_id(DailyReport, report, row.id)

    async def save_report(self, report: DailyReport) -> None:
        await self._s.execute(
            update(DailyReportRow)
            .where(DailyReportRow.id == report.id)
            .values(comment=report.comment, request_id=report.request_id, summary=report.summary)
            .execution_options(synchronize_session=False)
        )

    # -- timesheets ------------------------------------------------------------------
    async def timesheet(
        self, member_ids: Sequence[int], start: date, end: date
    ) -> Sequence[TimesheetRow]:
        if not member_ids:
            return []
        tag, joined, billable = self._billable()
        stmt = (
            select(
                TimeEntryRow.member_id,
                TaskRow.project_id,
                TimeEntryRow.day,
                func.sum(TimeEntryRow.seconds),
                func.sum(billable),
            )
            .join(TaskRow, TaskRow.id == TimeEntryRow.task_id)
            .outerjoin(tag, joined)
            .where(*self._entries_in(member_ids, start, end))
            .group_by(TimeEntryRow.member_id, TaskRow.project_id, TimeEntryRow.day)
        )
        rows = await self._s.execute(stmt)
        return [TimesheetRow(int(r[0]), r[1], r[2], int(r[3] or 0), int(r[4] or 0)) for r in rows]

    # -- time reports ----------------------------------------------------------------
    def _entries_in(self, member_ids: Sequence[int], start: date, end: date) -> list[Any]:
        return [
            TimeEntryRow.member_id.in_(list(member_ids)),
            TimeEntryRow.day >= start,
            TimeEntryRow.day <= end,
            TimeEntryRow.deleted.is_(False),
        ]

    @staticmethod
    def _billable() -> tuple[Any, Any, Any]:
        """The ``no`` tag of the entry's task (to outer-join on the condition returned),
        and the entry's billable seconds: all of them unless the task has that tag."""
        tag = TaskTagRow.__table__.alias("no_tag")
        joined = and_(tag.c.task_id == TimeEntryRow.task_id, tag.c.tag == NON_BILLABLE_TAG)
        billable = case((tag.c.task_id.is_(None), TimeEntryRow.seconds), else_=0)
        return tag, joined, billable

    async def time_by(
        self, member_ids: Sequence[int], start: date, end: date, by: TimeGrouping
    ) -> Sequence[TimeGroupRow]:
        if not member_ids:
            return []
        if by is TimeGrouping.CLIENT:
            return await self._time_by_client(member_ids, start, end)
        tag, joined, billable = self._billable()
        key: Any
        stmt = select()
        if by is TimeGrouping.MEMBER:
            key = TimeEntryRow.member_id
        elif by is TimeGrouping.DAY:
            key = TimeEntryRow.day
        elif by is TimeGrouping.PROJECT:
            key = TaskRow.project_id
            stmt = stmt.join_from(TimeEntryRow, TaskRow, TaskRow.id == TimeEntryRow.task_id)
        else:  # a task with several tags counts under each of them
            tags = TaskTagRow.__table__.alias("tags")
            key = tags.c.tag
            stmt = stmt.outerjoin_from(TimeEntryRow, tags, tags.c.task_id == TimeEntryRow.task_id)
        stmt = (
            stmt.add_columns(key, func.sum(TimeEntryRow.seconds), func.sum(billable))
            .outerjoin_from(TimeEntryRow, tag, joined)
            .where(*self._entries_in(member_ids, start, end))
            .group_by(key)
        )
        rows = await self._s.execute(stmt)
        return [TimeGroupRow(r[0], int(r[1] or 0), int(r[2] or 0)) for r in rows]

    async def time_totals(
        self, member_ids: Sequence[int], start: date, end: date
    ) -> tuple[int, int]:
        if not member_ids:
            return 0, 0
        tag, joined, billable = self._billable()
        row = (
            await self._s.execute(
                select(func.sum(TimeEntryRow.seconds), func.sum(billable))
                .outerjoin(tag, joined)
                .where(*self._entries_in(member_ids, start, end))
            )
        ).one()
        return int(row[0] or 0), int(row[1] or 0)

    async def _time_by_client(
        self, member_ids: Sequence[int], start: date, end: date
    ) -> Sequence[TimeGroupRow]:
        """Per-task sums of the tasks that have CRM links (one GROUP BY), then each task's
        client by ``domain.timereports.client_link``/``client_of`` over the CRM records
        those few tasks name; the rest of the time is the "no client" group."""
        tag, joined, billable = self._billable()
        linked = cast(TaskRow.crm_links, String) != "[]"
        per_task = (
            select(
                TimeEntryRow.task_id.label("task_id"),
                func.sum(TimeEntryRow.seconds).label("seconds"),
                func.sum(billable).label("billable"),
            )
            .join(TaskRow, TaskRow.id == TimeEntryRow.task_id)
            .outerjoin(tag, joined)
            .where(*self._entries_in(member_ids, start, end), linked)
            .group_by(TimeEntryRow.task_id)
            .subquery()
        )
        rows = (
            await self._s.execute(
                select(TaskRow.crm_links, per_task.c.seconds, per_task.c.billable).join(
                    per_task, per_task.c.task_id == TaskRow.id
                )
            )
        ).all()
        total, total_billable = await self.time_totals(member_ids, start, end)
        picked = [(client_link(r[0] or ()), int(r[1] or 0), int(r[2] or 0)) for r in rows]
        parties = await self._crm_parties({ref for ref, _, _ in picked if ref is not None})
        groups: dict[EntityRef | None, list[int]] = {}
        for ref, seconds, billable_seconds in picked:
            client = client_of(ref, parties) if ref is not None else None
            acc = groups.setdefault(client, [0, 0])
            acc[0] += seconds
            acc[1] += billable_seconds
        rest = groups.setdefault(None, [0, 0])
        rest[0] += total - sum(v[0] for v in groups.values())
        rest[1] += total_billable - sum(v[1] for v in groups.values())
        return [
            TimeGroupRow(
                str(ref) if ref else None, v[0], v[1], parties[ref].name if ref in parties else None
            )
            for ref, v in groups.items()
            if v[0] or v[1]
        ]

    async def _crm_parties(self, refs: set[EntityRef]) -> dict[EntityRef, CrmParty]:
        """The named CRM records and the contacts and companies they lead to, by kind in
        a few IN queries (leads and deals, then contacts, then companies)."""
        found: dict[EntityRef, CrmParty] = {}
        wanted = set(refs)
        for kinds in (
            (EntityKind.LEAD, EntityKind.DEAL),
            (EntityKind.CONTACT,),
            (EntityKind.COMPANY,),
        ):
            for kind in kinds:
                ids = sorted(r.id for r in wanted if r.kind is kind and r not in found)
                for chunk in range(0, len(ids), 500):
                    for ref, party in await self._parties_of(kind, ids[chunk : chunk + 500]):
                        found[ref] = party
            for party in list(found.values()):
                if party.contact_id is not None:
                    wanted.add(EntityRef(EntityKind.CONTACT, party.contact_id))
                if party.client_company_id is not None:
                    wanted.add(EntityRef(EntityKind.COMPANY, party.client_company_id))
        return found

    async def _parties_of(
        self, kind: EntityKind, ids: Sequence[int]
    ) -> list[tuple[EntityRef, CrmParty]]:
        if not ids:
            return []
        if kind is EntityKind.LEAD:
            leads = await self._s.execute(
                select(
                    CrmLeadRow.id,
                    func.coalesce(CrmLeadRow.company_name, CrmLeadRow.name),
                    CrmLeadRow.client_company_id,
                    CrmLeadRow.contact_id,
                ).where(CrmLeadRow.id.in_(ids))
            )
            return [(EntityRef(kind, r[0]), CrmParty(r[1], r[2], r[3])) for r in leads]
        if kind is EntityKind.DEAL:
            deals = await self._s.execute(
                select(
                    CrmDealRow.id,
                    CrmDealRow.title,
                    CrmDealRow.client_company_id,
                    CrmDealRow.contact_id,
                ).where(CrmDealRow.id.in_(ids))
            )
            return [(EntityRef(kind, r[0]), CrmParty(r[1], r[2], r[3])) for r in deals]
        if kind is EntityKind.CONTACT:
            contacts = await self._s.execute(
                select(CrmContactRow.id, CrmContactRow.name, CrmContactRow.client_company_id).where(
                    CrmContactRow.id.in_(ids)
                )
            )
            return [(EntityRef(kind, r[0]), CrmParty(r[1], r[2])) for r in contacts]
        companies = await self._s.execute(
            select(CrmCompanyRow.id, CrmCompanyRow.name).where(CrmCompanyRow.id.in_(ids))
        )
        return [(EntityRef(kind, r[0]), CrmParty(r[1])) for r in companies]

    async def tracked_by_day(
        self, member_ids: Sequence[int], start: date, end: date
    ) -> Sequence[MemberDayRow]:
        if not member_ids:
            return []
        rows = await self._s.execute(
            select(TimeEntryRow.member_id, TimeEntryRow.day, func.sum(TimeEntryRow.seconds))
            .where(*self._entries_in(member_ids, start, end))
            .group_by(TimeEntryRow.member_id, TimeEntryRow.day)
        )
        return [MemberDayRow(int(r[0]), r[1], int(r[2] or 0)) for r in rows]

    async def planned_by_day(
        self, member_ids: Sequence[int], start: date, end: date
    ) -> Sequence[MemberDayRow]:
        """One row per fixed plan (a member's day); its items are a short JSON list, summed
        here rather than with each database's own JSON functions."""
        if not member_ids:
            return []
        rows = await self._s.execute(
            select(DailyPlanRow.member_id, DailyPlanRow.day, DailyPlanRow.items).where(
                DailyPlanRow.member_id.in_(list(member_ids)),
                DailyPlanRow.day >= start,
                DailyPlanRow.day <= end,
            )
        )
        return [
            MemberDayRow(int(r[0]), r[1], 60 * sum(int(i.get("minutes") or 0) for i in r[2] or ()))
            for r in rows
        ]

    async def day_events_between(
        self, member_ids: Sequence[int], start: date, end: date
    ) -> Sequence[DayEvent]:
        if not member_ids:
            return []
        rows = await self._s.execute(
            select(
                WorkDayEventRow.member_id,
                WorkDayEventRow.company_id,
                WorkDayEventRow.day,
                WorkDayEventRow.at,
                WorkDayEventRow.kind,
            )
            .where(
                WorkDayEventRow.member_id.in_(list(member_ids)),
                WorkDayEventRow.day >= start,
                WorkDayEventRow.day <= end,
            )
            .order_by(
                WorkDayEventRow.member_id,
                WorkDayEventRow.day,
                WorkDayEventRow.at,
                WorkDayEventRow.id,
            )
        )
        return [DayEvent(r[0], r[1], r[2], r[3], DayEventKind(r[4])) for r in rows]

    async def reported_days(
        self, member_ids: Sequence[int], start: date, end: date
    ) -> frozenset[tuple[int, date]]:
        if not member_ids:
            return frozenset()
        rows = await self._s.execute(
            select(DailyReportRow.member_id, DailyReportRow.day).where(
                DailyReportRow.member_id.in_(list(member_ids)),
                DailyReportRow.day >= start,
                DailyReportRow.day <= end,
            )
        )
        return frozenset((int(r[0]), r[1]) for r in rows)

    async def absent_days(
        self, member_ids: Sequence[int], start: date, end: date
    ) -> Sequence[tuple[int, date, date]]:
        if not member_ids:
            return []
        rows = await self._s.execute(
            select(AbsenceRow.member_id, AbsenceRow.start_date, AbsenceRow.end_date).where(
                AbsenceRow.member_id.in_(list(member_ids)),
                AbsenceRow.start_date <= end,
                AbsenceRow.end_date >= start,
            )
        )
        return [(int(r[0]), r[1], r[2]) for r in rows]
