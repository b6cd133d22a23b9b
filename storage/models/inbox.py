"""The Slack inbox: a request that carries what a user wrote, kept before it is acked."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base, BigId


class SlackInboxRow(Base):
    """One Slack request (slash command, DM message, button, modal submission) as Slack
    sent it (``body``, the parsed payload as JSON), written before the ack.

    ``handled_at`` is set once its turn is committed; a row left unhandled (the process
    died after the ack) is handled again once ``not_before`` has passed, which a retry
    moves on by its lease. The conversation's update keys make a second handling a
    no-op that only resends replies never sent.
    """

    __tablename__ = "slack_inbox"
    __table_args__ = (Index("ix_slack_inbox_pending", "handled_at", "not_before"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    kind: Mapped[str] = mapped_column(String(24))
    team: Mapped[str] = mapped_column(String(64))
    body: Mapped[dict[str, Any]]
    received_at: Mapped[datetime]
    not_before: Mapped[datetime]
    handled_at: Mapped[datetime | None]
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
