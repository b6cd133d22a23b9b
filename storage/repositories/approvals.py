"""Approval requests, their approvers and history; deputies; absences from approved leave."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import and_, delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from domain.approvals import (
    Absence,
    ApprovalEvent,
    ApprovalRequest,
    ApprovalStatus,
    ApproverMode,
    Deputy,
    NewApprovalRequest,
    NewDeputy,
    Subject,
    SubjectKind,
)
from domain.errors import Conflict
from domain.ids import with_id
from storage.models import MemberRow
from storage.models.approvals import (
    AbsenceRow,
    ApprovalApproverRow,
    ApprovalDeputyRow,
    ApprovalEventRow,
    ApprovalRequestRow,
)
from storage.repositories._sql import inserted_id, rowcount

PENDING = ApprovalStatus.PENDING.value


def _values(request: NewApprovalRequest) -> dict[str, Any]:
    return {
        "company_id": request.company_id,
        "type_key": request.type_key,
        "subject_kind": request.subject.kind.value,
        "subject_id": request.subject.ref,
        "requester_id": request.requester_id,
        "mode": request.mode.value,
        "steps": [list(step) for step in request.steps],
        "current_step": request.current_step,
        "status": request.status.value,
        "created_at": request.created_at,
        "step_started_at": request.step_started_at or request.created_at,
        "due_at": request.due_at,
        "decided_at": request.decided_at,
        "decided_by": request.decided_by,
        "escalated_step": request.escalated_step,
        "answers": dict(request.answers),
        "spec": dict(request.spec),
    }


def _request(row: ApprovalRequestRow, history: list[ApprovalEvent]) -> ApprovalRequest:
    return ApprovalRequest(
        id=row.id,
        company_id=row.company_id,
        type_key=row.type_key,
        subject=Subject(SubjectKind(row.subject_kind), row.subject_id),
        requester_id=row.requester_id,
        steps=[[int(m) for m in step] for step in row.steps],
        mode=ApproverMode(row.mode),
        created_at=row.created_at,
        status=ApprovalStatus(row.status),
        current_step=row.current_step,
        step_started_at=row.step_started_at,
        due_at=row.due_at,
        decided_at=row.decided_at,
        decided_by=row.decided_by,
        escalated_step=row.escalated_step,
        answers=dict(row.answers or {}),
        spec=dict(row.spec or {}),
        history=history,
        version=row.version,
    )


def _event(row: ApprovalEventRow) -> ApprovalEvent:
    return ApprovalEvent(
        actor_id=row.actor_id,
        at=row.at,
        action=row.action,
        step=row.step,
        comment=row.comment,
        on_behalf_of=row.on_behalf_of,
    )


def _deputy(row: ApprovalDeputyRow) -> Deputy:
    return Deputy(
        member_id=row.member_id,
        deputy_id=row.deputy_id,
        start=row.start_date,
        end=row.end_date,
        company_id=row.company_id,
        id=row.id,
    )


class SqlApprovalRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._s = session

    # -- requests -----------------------------------------------------------------------
    async def add(self, new: NewApprovalRequest) -> ApprovalRequest:
        request_id = await inserted_id(
            self._s,
            insert(ApprovalRequestRow)
            .values(**_values(new), version=new.version)
            .returning(ApprovalRequestRow.id),
        )
        request = with_id(ApprovalRequest, new, request_id)
        await self._write_approvers(request)
        await self._write_events(request)
        return request

    async def save(self, request: ApprovalRequest) -> None:
        """A conditional UPDATE: it matches only the version we read, so of two racing
        decisions exactly one writes; the other gets Conflict and writes nothing."""
        result = await self._s.execute(
            update(ApprovalRequestRow)
            .where(
                ApprovalRequestRow.id == request.id,
                ApprovalRequestRow.version == request.version,
            )
            .values(**_values(request), version=request.version + 1)
            .execution_options(synchronize_session=False)
        )
        if rowcount(result) != 1:
            raise Conflict(request_id=request.id)
        request.version += 1
        await self._s.execute(
            delete(ApprovalApproverRow).where(ApprovalApproverRow.request_id == request.id)
        )
        await self._write_approvers(request)
        await self._write_events(request)

    async def _write_approvers(self, request: ApprovalRequest) -> None:
        rows = [
            {"request_id": request.id, "step": step, "member_id": member_id}
            for step, members in enumerate(request.steps)
            for member_id in dict.fromkeys(members)
        ]
        if rows:
            await self._s.execute(insert(ApprovalApproverRow), rows)

    async def _write_events(self, request: ApprovalRequest) -> None:
        if not request.pending_events:
            return
        await self._s.execute(
            insert(ApprovalEventRow),
            [
                {
                    "request_id": request.id,
                    "actor_id": e.actor_id,
                    "on_behalf_of": e.on_behalf_of,
                    "at": e.at,
                    "action": e.action,
                    "step": e.step,
                    "comment": e.comment,
                }
                for e in request.pending_events
            ],
        )
        request.history.extend(request.pending_events)
        request.pending_events.clear()

    async def get(self, request_id: int) -> ApprovalRequest | None:
        row = await self._s.scalar(
            select(ApprovalRequestRow)
            .where(ApprovalRequestRow.id == request_id)
            .execution_options(populate_existing=True)
        )
        if row is None:
            return None
        return (await self._hydrate([row]))[0]

    async def _hydrate(self, rows: Sequence[ApprovalRequestRow]) -> list[ApprovalRequest]:
        ids = [r.id for r in rows]
        if not ids:
            return []
        history: dict[int, list[ApprovalEvent]] = {i: [] for i in ids}
        for event in await self._s.scalars(
            select(ApprovalEventRow)
            .where(ApprovalEventRow.request_id.in_(ids))
            .order_by(ApprovalEventRow.id)
        ):
            history[event.request_id].append(_event(event))
        return [_request(r, history[r.id]) for r in rows]

    async def pending_for_subject(self, subject: Subject) -> ApprovalRequest | None:
        row = await self._s.scalar(
            select(ApprovalRequestRow)
            .where(
                ApprovalRequestRow.subject_kind == subject.kind.value,
                ApprovalRequestRow.subject_id == subject.ref,
                ApprovalRequestRow.status == PENDING,
            )
            .order_by(ApprovalRequestRow.id.desc())
            .limit(1)
            .execution_options(populate_existing=True)
        )
        return (await self._hydrate([row]))[0] if row is not None else None

    async def awaiting(
        self, company_id: int, member_ids: frozenset[int]
    ) -> Sequence[ApprovalRequest]:
        if not member_ids:
            return []
        current = select(ApprovalApproverRow.request_id).where(
            ApprovalApproverRow.request_id == ApprovalRequestRow.id,
            ApprovalApproverRow.step == ApprovalRequestRow.current_step,
            ApprovalApproverRow.member_id.in_(sorted(member_ids)),
        )
        rows = await self._s.scalars(
            select(ApprovalRequestRow)
            .where(
                ApprovalRequestRow.company_id == company_id,
                ApprovalRequestRow.status == PENDING,
                current.exists(),
            )
            .order_by(ApprovalRequestRow.created_at, ApprovalRequestRow.id)
            .limit(50)
            .execution_options(populate_existing=True)
        )
        return await self._hydrate(list(rows))

    async def pending(self, limit: int = 500) -> Sequence[ApprovalRequest]:
        rows = await self._s.scalars(
            select(ApprovalRequestRow)
            .where(ApprovalRequestRow.status == PENDING)
            .order_by(ApprovalRequestRow.id)
            .limit(limit)
            .execution_options(populate_existing=True)
        )
        return await self._hydrate(list(rows))

    # -- deputies -----------------------------------------------------------------------
    async def set_deputy(self, deputy: NewDeputy) -> Deputy:
        await self.clear_deputy(deputy.member_id)
        deputy_id = await inserted_id(
            self._s,
            insert(ApprovalDeputyRow)
            .values(
                company_id=deputy.company_id,
                member_id=deputy.member_id,
                deputy_id=deputy.deputy_id,
                start_date=deputy.start,
                end_date=deputy.end,
            )
            .returning(ApprovalDeputyRow.id),
        )
        return with_id(Deputy, deputy, deputy_id)

    async def clear_deputy(self, member_id: int) -> None:
        await self._s.execute(
            delete(ApprovalDeputyRow).where(ApprovalDeputyRow.member_id == member_id)
        )

    async def deputy_of(self, member_id: int) -> Deputy | None:
        row = await self._s.scalar(
            select(ApprovalDeputyRow).where(ApprovalDeputyRow.member_id == member_id)
        )
        return _deputy(row) if row is not None else None

    async def deputies_for(self, member_ids: frozenset[int], day: date) -> dict[int, int]:
        if not member_ids:
            return {}
        rows = await self._s.execute(
            select(ApprovalDeputyRow.member_id, ApprovalDeputyRow.deputy_id).where(
                ApprovalDeputyRow.member_id.in_(sorted(member_ids)),
                ApprovalDeputyRow.start_date <= day,
                ApprovalDeputyRow.end_date >= day,
            )
        )
        return {int(m): int(d) for m, d in rows}

    async def principals_of(self, deputy_id: int, day: date) -> frozenset[int]:
        rows = await self._s.scalars(
            select(ApprovalDeputyRow.member_id).where(
                ApprovalDeputyRow.deputy_id == deputy_id,
                ApprovalDeputyRow.start_date <= day,
                ApprovalDeputyRow.end_date >= day,
            )
        )
        return frozenset(int(m) for m in rows)

    # -- absences -----------------------------------------------------------------------
    async def add_absence(self, absence: Absence) -> None:
        await self._s.execute(
            insert(AbsenceRow).values(
                member_id=absence.member_id,
                start_date=absence.start,
                end_date=absence.end,
                request_id=absence.request_id,
            )
        )

    async def absent(self, member_id: int, day: date) -> bool:
        found = await self._s.scalar(
            select(AbsenceRow.id)
            .where(
                AbsenceRow.member_id == member_id,
                AbsenceRow.start_date <= day,
                AbsenceRow.end_date >= day,
            )
            .limit(1)
        )
        return found is not None

    async def absent_member_ids(self, company_id: int, day: date) -> frozenset[int]:
        rows = await self._s.scalars(
            select(AbsenceRow.member_id)
            .join(MemberRow, MemberRow.id == AbsenceRow.member_id)
            .where(
                and_(
                    MemberRow.company_id == company_id,
                    AbsenceRow.start_date <= day,
                    AbsenceRow.end_date >= day,
                )
            )
        )
        return frozenset(int(m) for m in rows)
