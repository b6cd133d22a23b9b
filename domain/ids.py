"""Record numbers typed by users: "12", "#12".

Every id is a positive 64-bit integer (SQLite's INTEGER, PostgreSQL's BIGINT), so a
number beyond that range names no record: it is "not found", never an overflow in
the database driver. Only ASCII digits count ("²" or "١٢" are not task numbers).

Entities that are stored come in two types: ``NewX``, what a service builds before the
record exists, and ``X(NewX)``, the stored record with the ``id: int`` the database gave
it. Only a repository makes an ``X`` (from a row, or with ``with_id`` from the ``NewX``
it inserted), so code holding an ``X`` never checks for a missing id.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import fields
from typing import TYPE_CHECKING, TypeVar

from domain.errors import InvalidInput, TaskNotFound

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

E = TypeVar("E")

MAX_ID = 2**63 - 1


def parse_number(raw: str) -> int | None:
    """The number in ``raw`` ("12", "#12", " 12 "), or None when it is not one."""
    raw = raw.strip().lstrip("#")
    if not raw or not raw.isascii() or not raw.isdigit():
        return None
    return int(raw)


def can_exist(record_id: int) -> bool:
    """Whether a record may have this id; any other is simply not found."""
    return 0 < record_id <= MAX_ID


def task_number(raw: str) -> int:
    """A typed task number; a number no task can have is a task that is not found."""
    number = parse_number(raw)
    if number is None:
        raise InvalidInput(field="task_id", reason="not_a_number", value=raw.strip())
    if not can_exist(number):
        raise TaskNotFound(task_id=raw.strip().lstrip("#"))
    return number


def with_id(entity: Callable[..., E], new: DataclassInstance, record_id: int) -> E:
    """The stored ``entity`` made of the fields of ``new`` and the id it was inserted with."""
    return entity(id=record_id, **{f.name: getattr(new, f.name) for f in fields(new) if f.init})
