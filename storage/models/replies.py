"""The reply outbox: what an inbound update owes its chat, kept with the change itself."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base, BigId


class ReplyOutboxRow(Base):
    """The replies of one inbound update, rendered by the platform's adapter.

    ``payload`` is a list of platform operations (JSON, opaque to everything but the
    adapter); ``done`` counts those already carried out, so a resumed delivery starts
    where the last one stopped. Rows of one chat are delivered in ``id`` order.
    """

    __tablename__ = "reply_outbox"
    __table_args__ = (
        UniqueConstraint("platform", "update_key", name="uq_reply_outbox_update"),
        Index("ix_reply_outbox_chat", "platform", "workspace", "chat_id", "status"),
        Index("ix_reply_outbox_due", "status", "not_before"),
    )
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    platform: Mapped[str] = mapped_column(String(16))
    workspace: Mapped[str] = mapped_column(String(64))
    chat_id: Mapped[str] = mapped_column(String(64))
    update_key: Mapped[str | None] = mapped_column(String(160))
    payload: Mapped[list[Any]]
    done: Mapped[int] = mapped_column(default=0)
    status: Mapped[str] = mapped_column(String(12), default="pending")
    attempts: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime]
    not_before: Mapped[datetime]
    sent_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)
