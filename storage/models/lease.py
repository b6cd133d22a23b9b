"""Leases: which process runs a role on this database (``brygada run``: "all-in-one")."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base


class InstanceLeaseRow(Base):
    """The holder of one named lease; a heartbeat older than the stale time frees it."""

    __tablename__ = "instance_leases"
    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    token: Mapped[str] = mapped_column(String(64))
    host: Mapped[str] = mapped_column(String(255))
    pid: Mapped[int] = mapped_column(Integer)
    started_at: Mapped[datetime]
    heartbeat_at: Mapped[datetime]
