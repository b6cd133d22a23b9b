"""The manager's board (web and Telegram Mini App): one-time sign-in links already used."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, String
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base, BigId


class BoardLinkRow(Base):
    """A one-time board link that was used: its nonce is taken, a second use is refused.
    Rows past ``expires_at`` say nothing any more (the link's signature expired too)."""

    __tablename__ = "board_links_used"
    __table_args__ = (Index("ix_board_links_used_expires", "expires_at"),)
    nonce: Mapped[str] = mapped_column(String(32), primary_key=True)
    member_id: Mapped[int] = mapped_column(BigId)
    used_at: Mapped[datetime]
    expires_at: Mapped[datetime]
