"""Open questions: what a member was just asked, and messages held until they say what they were."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base, BigId


class PromptRow(Base):
    """The question a member was last asked; their next message answers it."""

    __tablename__ = "prompts"
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    data: Mapped[dict[str, Any]]
    at: Mapped[datetime]


class HeldTextRow(Base):
    """A message that was not a clean answer to an open question, kept until the member
    says what it was (the answer after all, a new task, or nothing). ``kind`` and ``data``
    are the question it was held against, so the choice works after the question closed."""

    __tablename__ = "held_texts"
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    data: Mapped[dict[str, Any]]
    text: Mapped[str] = mapped_column(Text)
    at: Mapped[datetime]
