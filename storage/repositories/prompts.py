"""Pending questions per member (ForceReply-style flows)."""

from __future__ import annotations

from sqlalchemy import bindparam, delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.ports import Clock
from storage.models import PromptRow
from storage.repositories._sql import table_of

_PROMPTS = table_of(PromptRow)
_PROMPT_OF = select(_PROMPTS.c.kind, _PROMPTS.c.data).where(
    _PROMPTS.c.member_id == bindparam("member")
)


class SqlPromptStore:
    def __init__(self, session: AsyncSession, clock: Clock) -> None:
        self._s = session
        self._clock = clock

    async def get(self, member_id: int) -> tuple[str, dict[str, object]] | None:
        rows = (await self._s.execute(_PROMPT_OF, {"member": member_id})).all()
        return (rows[0].kind, dict(rows[0].data)) if rows else None

    async def set(self, member_id: int, kind: str, data: dict[str, object]) -> None:
        await self.clear(member_id)
        self._s.add(PromptRow(member_id=member_id, kind=kind, data=data, at=self._clock.now()))
        await self._s.flush()

    async def clear(self, member_id: int) -> None:
        await self._s.execute(delete(PromptRow).where(PromptRow.member_id == member_id))
