"""Pending questions per member (ForceReply-style flows), and texts held while the member
picks what a message that did not answer its question was."""

from __future__ import annotations

import dataclasses
from datetime import datetime

from sqlalchemy import bindparam, delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.ports import Clock, HeldText, OpenQuestion
from storage.models import HeldTextRow, PromptRow
from storage.repositories._sql import table_of

_PROMPTS = table_of(PromptRow)
_PROMPT_OF = select(_PROMPTS.c.kind, _PROMPTS.c.data, _PROMPTS.c.at).where(
    _PROMPTS.c.member_id == bindparam("member")
)
_HELD = table_of(HeldTextRow)
_HELD_ONE = select(_HELD).where(
    _HELD.c.id == bindparam("id"), _HELD.c.member_id == bindparam("member")
)
# A member rarely leaves more than a few choices unpicked; older ones go.
_HELD_KEPT = 20


class SqlPromptStore:
    def __init__(self, session: AsyncSession, clock: Clock) -> None:
        self._s = session
        self._clock = clock
        # Each message asks for its member's question more than once (expiry, then the
        # answer); what this unit of work read or wrote is remembered, as members are.
        self._known: dict[int, OpenQuestion | None] = {}

    async def get(self, member_id: int) -> tuple[str, dict[str, object]] | None:
        question = await self.question(member_id)
        return (question.kind, question.data) if question else None

    async def question(self, member_id: int) -> OpenQuestion | None:
        if member_id not in self._known:
            rows = (await self._s.execute(_PROMPT_OF, {"member": member_id})).all()
            self._known[member_id] = (
                OpenQuestion(rows[0].kind, dict(rows[0].data), rows[0].at) if rows else None
            )
        question = self._known[member_id]
        # A copy: a caller changing its data must not change what is remembered.
        return dataclasses.replace(question, data=dict(question.data)) if question else None

    async def set(
        self, member_id: int, kind: str, data: dict[str, object], at: datetime | None = None
    ) -> None:
        await self.clear(member_id)
        when = at or self._clock.now()
        self._s.add(PromptRow(member_id=member_id, kind=kind, data=data, at=when))
        await self._s.flush()
        self._known[member_id] = OpenQuestion(kind, dict(data), when)

    async def clear(self, member_id: int) -> None:
        await self._s.execute(delete(PromptRow).where(PromptRow.member_id == member_id))
        self._known[member_id] = None

    async def expire(self, member_id: int, asked_before: datetime) -> OpenQuestion | None:
        question = await self.question(member_id)
        if question is None or question.at >= asked_before:
            return None
        await self.clear(member_id)
        return question

    async def hold(self, member_id: int, kind: str, data: dict[str, object], text: str) -> int:
        row = HeldTextRow(
            member_id=member_id, kind=kind, data=data, text=text, at=self._clock.now()
        )
        self._s.add(row)
        await self._s.flush()
        kept = (
            select(HeldTextRow.id)
            .where(HeldTextRow.member_id == member_id)
            .order_by(HeldTextRow.id.desc())
            .limit(_HELD_KEPT)
        )
        await self._s.execute(
            delete(HeldTextRow).where(
                HeldTextRow.member_id == member_id, HeldTextRow.id.not_in(kept.scalar_subquery())
            )
        )
        return row.id

    async def held(self, member_id: int, held_id: int) -> HeldText | None:
        rows = (await self._s.execute(_HELD_ONE, {"id": held_id, "member": member_id})).all()
        if not rows:
            return None
        row = rows[0]
        return HeldText(row.id, row.kind, dict(row.data), row.text, row.at)

    async def release(self, member_id: int, held_id: int) -> None:
        await self._s.execute(
            delete(HeldTextRow).where(HeldTextRow.id == held_id, HeldTextRow.member_id == member_id)
        )
