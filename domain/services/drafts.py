"""From a parsed chat message (TaskDraft) to a CreateTask command: shared by chat and
recurring templates, so both resolve people and projects the same way."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, time

from domain.capture import DEFAULT_DAY_PARTS, TaskDraft, parse_task
from domain.company import Company, Member, Project
from domain.ports import UnitOfWork
from domain.services.tasks import CreateTask
from domain.tasks import Priority, TaskKind


@dataclass(frozen=True)
class Roster:
    """A company's projects and people, loaded once per message."""

    company: Company
    projects: Sequence[Project]
    people: Sequence[Member]

    @classmethod
    async def load(cls, uow: UnitOfWork, company: Company) -> Roster:
        return cls(company, await uow.projects.list(company.id), await uow.members.list(company.id))

    def draft(
        self,
        text: str,
        *,
        now: datetime,
        tz: str,
        lang: str | None,
        day_parts: tuple[time, time, time] = DEFAULT_DAY_PARTS,
    ) -> TaskDraft:
        return parse_task(
            text,
            now=now,
            tz=tz,
            lang=lang,
            projects=[p.name for p in self.projects],
            members=[m.handle for m in self.people if m.active],
            workday_end=self.company.schedule.end,
            day_parts=day_parts,
        )

    def command(
        self,
        draft: TaskDraft,
        *,
        parent_id: int | None = None,
        quote: str | None = None,
        source_ref: str | None = None,
        attachments: tuple[str, ...] = (),
    ) -> CreateTask:
        """The first known @handle is responsible, the others co-executors."""
        by_handle = {m.handle.lower(): m for m in self.people if m.active}
        assignees: list[Member] = []
        for handle in draft.assignees:
            member = by_handle.get(handle.lower())
            if member is not None and member not in assignees:
                assignees.append(member)
        wanted = draft.project.casefold() if draft.project else None
        project = next((p for p in self.projects if p.name.casefold() == wanted), None)
        description = "\n\n".join(p for p in (draft.description, quote) if p) or None
        return CreateTask(
            title=draft.title,
            description=description,
            responsible_id=assignees[0].id if assignees else None,
            co_executor_ids=tuple(m.id for m in assignees[1:]),
            project_id=project.id if project else None,
            tags=draft.tags,
            priority=Priority(draft.priority),
            deadline=draft.deadline,
            planned_minutes=draft.planned_minutes,
            kind=TaskKind(draft.kind),
            parent_id=parent_id,
            source_ref=source_ref,
            attachments=attachments,
        )
