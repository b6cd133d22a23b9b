"""Install-wide values kept in the database, so every worker of one install shares them."""

from __future__ import annotations

import secrets

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.models import SettingRow
from storage.repositories._sql import insert_ignore


async def ensure_secret(sessions: async_sessionmaker[AsyncSession]) -> str:
    """Return the install's button-signing secret, generating it on first run.

    Concurrent first starts race harmlessly: the first insert wins and all read it back.
    """
    async with sessions() as session:
        row = await session.get(SettingRow, "secret")
        if row is not None:
            return row.value
        await insert_ignore(
            session,
            SettingRow.__table__,  # type: ignore[arg-type]
            [{"key": "secret", "value": secrets.token_urlsafe(32)}],
        )
        await session.commit()
        row = await session.get(SettingRow, "secret", populate_existing=True)
        assert row is not None
        return row.value
