"""Domain events: what happened in one service that another service reacts to.

A service that changes its own aggregate publishes an event on the unit of work
(``await uow.publish(event)``) instead of importing the service that owns the side
effect; the message bus (``domain.bus``) runs the handlers wired for it in
``domain.services.event_handlers``. Events are facts in the past tense and carry ids
and values, not entities: a handler loads what it needs through the same unit of work
(whose repositories remember what this transaction already read).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from domain.approvals import ApprovalStatus, SubjectKind, Verdict


@dataclass(frozen=True)
class Event:
    """Base of every domain event."""


@dataclass(frozen=True)
class TaskCompleted(Event):
    """The responsible finished a task (it is done, or awaits acceptance), or its
    unfinished part was carried over to a copy: nothing should keep counting time on it."""

    task_id: int
    at: datetime


@dataclass(frozen=True)
class TaskAwaitingAcceptance(Event):
    """A completed task waits for its director to accept or return it."""

    task_id: int
    actor_id: int
    at: datetime


@dataclass(frozen=True)
class TaskAcceptanceDecided(Event):
    """The director (or whoever stands in) accepted or returned a task on its card."""

    task_id: int
    actor_id: int
    verdict: Verdict
    comment: str | None
    on_behalf_of: int | None
    at: datetime


@dataclass(frozen=True)
class RequestDecided(Event):
    """A request filed through the approval engine got its final decision."""

    request_id: int
    status: ApprovalStatus
    subject_kind: SubjectKind
    at: datetime


@dataclass(frozen=True)
class MemberLeaving(Event):
    """A member is being let go; published before their tasks are handed over and they
    are deactivated, while they still hold what they were working on."""

    member_id: int
    at: datetime
