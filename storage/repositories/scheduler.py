"""The scheduler's reads and bookkeeping."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, time

from sqlalchemy import func, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from domain.company import Role
from domain.ids import with_id
from domain.reminders import DueTask, NewTaskTemplate, Preferences, TaskTemplate
from domain.tasks import TaskKind
from storage.models import MemberRow, TaskRow
from storage.models.scheduler import (
    PreferencesRow,
    SchedulerStateRow,
    TaskTemplateRow,
    TemplateRunRow,
)
from storage.repositories._sql import insert_ignore, rowcount

# Any constant shared by all sweepers of one database; "brygada" in ASCII.
_LEADER_LOCK = 0x62727967616461


class SqlSchedulerRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._s = session

    async def lead(self) -> bool:
        bind = self._s.bind
        if bind is None or bind.dialect.name != "postgresql":
            return True  # SQLite: BEGIN IMMEDIATE already makes sweeps take turns
        got = await self._s.scalar(
            text("SELECT pg_try_advisory_xact_lock(:k)"), {"k": _LEADER_LOCK}
        )
        return bool(got)

    async def watermark(self, name: str) -> datetime | None:
        row = await self._s.get(SchedulerStateRow, name, populate_existing=True)
        return row.at if row else None

    async def set_watermark(self, name: str, at: datetime) -> None:
        updated = await self._s.execute(
            update(SchedulerStateRow).where(SchedulerStateRow.name == name).values(at=at)
        )
        if not rowcount(updated):
            self._s.add(SchedulerStateRow(name=name, at=at))
            await self._s.flush()

    async def tasks_due_between(
        self, company_id: int, start: datetime, end: datetime
    ) -> Sequence[DueTask]:
        rows = await self._s.execute(
            select(
                TaskRow.id,
                TaskRow.responsible_id,
                TaskRow.creator_id,
                TaskRow.deadline,
                MemberRow.timezone,
            )
            .join(MemberRow, MemberRow.id == TaskRow.responsible_id)
            .where(
                TaskRow.is_open.is_(True),
                TaskRow.deadline > start,
                TaskRow.deadline <= end,
                TaskRow.company_id == company_id,
                TaskRow.kind != TaskKind.BACKLOG.value,
            )
            .order_by(TaskRow.deadline, TaskRow.id)
        )
        return [DueTask(r[0], company_id, r[1], r[2], r[3], r[4]) for r in rows if r[3]]

    async def member_timezones(self, company_id: int) -> Sequence[str]:
        rows = await self._s.scalars(
            select(MemberRow.timezone)
            .where(MemberRow.company_id == company_id, MemberRow.active.is_(True))
            .distinct()
        )
        return sorted(rows)

    async def members_in_timezone(self, company_id: int, tz: str) -> Sequence[int]:
        rows = await self._s.scalars(
            select(MemberRow.id).where(
                MemberRow.company_id == company_id,
                MemberRow.timezone == tz,
                MemberRow.active.is_(True),
                MemberRow.role != Role.EXTRANET.value,
            )
        )
        return list(rows)

    async def backlog_counts(self, member_ids: Sequence[int]) -> dict[int, int]:
        if not member_ids:
            return {}
        rows = await self._s.execute(
            select(TaskRow.responsible_id, func.count())
            .where(
                TaskRow.responsible_id.in_(member_ids),
                TaskRow.is_open.is_(True),
                TaskRow.kind == TaskKind.BACKLOG.value,
            )
            .group_by(TaskRow.responsible_id)
        )
        return {int(r[0]): int(r[1]) for r in rows}

    # -- templates -------------------------------------------------------------------
    @staticmethod
    def _template(row: TaskTemplateRow) -> TaskTemplate:
        return TaskTemplate(
            company_id=row.company_id,
            creator_id=row.creator_id,
            text=row.text,
            cron=row.cron,
            timezone=row.timezone,
            created_at=row.created_at,
            id=row.id,
            active=row.active,
        )

    async def templates(self) -> Sequence[TaskTemplate]:
        rows = await self._s.scalars(
            select(TaskTemplateRow)
            .where(TaskTemplateRow.active.is_(True))
            .order_by(TaskTemplateRow.id)
        )
        return [self._template(r) for r in rows]

    async def add_template(self, template: NewTaskTemplate) -> TaskTemplate:
        row = TaskTemplateRow(
            company_id=template.company_id,
            creator_id=template.creator_id,
            text=template.text,
            cron=template.cron,
            timezone=template.timezone,
            active=template.active,
            created_at=template.created_at,
        )
        self._s.add(row)
        await self._s.flush()
        return with_id(TaskTemplate, template, row.id)

    async def deactivate_template(self, template_id: int, company_id: int) -> bool:
        result = await self._s.execute(
            update(TaskTemplateRow)
            .where(TaskTemplateRow.id == template_id, TaskTemplateRow.company_id == company_id)
            .values(active=False)
        )
        return bool(rowcount(result))

    async def record_run(self, template_id: int, occurrence: datetime) -> bool:
        inserted = await insert_ignore(
            self._s,
            TemplateRunRow.__table__,  # type: ignore[arg-type]
            [{"template_id": template_id, "occurrence": occurrence}],
        )
        return inserted == 1

    # -- preferences -----------------------------------------------------------------
    async def preferences(self, member_ids: Sequence[int]) -> dict[int, Preferences]:
        if not member_ids:
            return {}
        rows = await self._s.scalars(
            select(PreferencesRow).where(PreferencesRow.member_id.in_(member_ids))
        )
        found = {}
        for row in rows:
            quiet = None
            if row.quiet_start and row.quiet_end:
                quiet = (time.fromisoformat(row.quiet_start), time.fromisoformat(row.quiet_end))
            found[row.member_id] = Preferences(
                row.member_id,
                frozenset(row.muted or ()),
                quiet,
                row.digest,
                frozenset(row.enabled or ()),
            )
        return found

    async def save_preferences(self, prefs: Preferences) -> None:
        row = await self._s.get(PreferencesRow, prefs.member_id)
        if row is None:
            row = PreferencesRow(member_id=prefs.member_id)
            self._s.add(row)
        row.muted = sorted(prefs.muted)
        row.quiet_start = prefs.quiet[0].strftime("%H:%M") if prefs.quiet else None
        row.quiet_end = prefs.quiet[1].strftime("%H:%M") if prefs.quiet else None
        row.digest = prefs.digest
        row.enabled = sorted(prefs.enabled)
        await self._s.flush()
