"""The task aggregate: fields from the regulations, an explicit state machine, history."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from domain.errors import InvalidInput, InvalidTransition

TITLE_MAX = 250
_PART_PREFIX = re.compile(r"^\((?:part|część|часть) (\d+)\)\s*", re.IGNORECASE)


class TaskStatus(StrEnum):
    NEW = "new"
    IN_PROGRESS = "in_progress"
    PAUSED = "paused"
    AWAITING_ACCEPTANCE = "awaiting_acceptance"
    COMPLETED = "completed"
    DEFERRED = "deferred"


OPEN_STATUSES = frozenset(
    {TaskStatus.NEW, TaskStatus.IN_PROGRESS, TaskStatus.PAUSED, TaskStatus.DEFERRED}
)


class TaskKind(StrEnum):
    REGULAR = "regular"
    GENERAL = "general"
    CONTROL = "control"
    BACKLOG = "backlog"


class Priority(StrEnum):
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"


class Rating(StrEnum):
    POSITIVE = "positive"
    NEGATIVE = "negative"


class Cue(StrEnum):
    """The regulations' colour cues: blue = today, green = new, red = overdue."""

    OVERDUE = "overdue"
    TODAY = "today"
    NEW = "new"
    NONE = "none"


@dataclass(frozen=True)
class TaskEvent:
    """One change of a task: who, when, which field, old and new value (as text)."""

    actor_id: int | None
    at: datetime
    field: str
    old: str | None
    new: str | None


@dataclass(frozen=True)
class NewComment:
    task_id: int
    author_id: int
    at: datetime
    text: str


@dataclass(frozen=True)
class Comment(NewComment):
    id: int = field(kw_only=True)


# Which action is allowed from which status; the target is decided by the method.
_ALLOWED: dict[str, frozenset[TaskStatus]] = {
    "start": frozenset({TaskStatus.NEW, TaskStatus.PAUSED, TaskStatus.DEFERRED}),
    "pause": frozenset({TaskStatus.IN_PROGRESS}),
    "complete": frozenset(
        {TaskStatus.NEW, TaskStatus.IN_PROGRESS, TaskStatus.PAUSED, TaskStatus.DEFERRED}
    ),
    "accept": frozenset({TaskStatus.AWAITING_ACCEPTANCE}),
    "return": frozenset({TaskStatus.AWAITING_ACCEPTANCE}),
    "defer": frozenset({TaskStatus.NEW, TaskStatus.IN_PROGRESS, TaskStatus.PAUSED}),
    "reopen": frozenset({TaskStatus.COMPLETED, TaskStatus.AWAITING_ACCEPTANCE}),
    "copy_part": frozenset(
        {TaskStatus.NEW, TaskStatus.IN_PROGRESS, TaskStatus.PAUSED, TaskStatus.DEFERRED}
    ),
}


def split_title(text: str) -> tuple[str, str | None]:
    """Return a valid title and the overflow that belongs in the description.

    Titles over 250 characters are cut at a word boundary; nothing is dropped.
    """
    text = " ".join(text.split())
    if not text:
        raise InvalidInput(field="title", reason="empty")
    if len(text) <= TITLE_MAX:
        return text, None
    cut = text.rfind(" ", 0, TITLE_MAX)
    if cut < TITLE_MAX // 2:
        cut = TITLE_MAX
    return text[:cut].rstrip(), text[cut:].strip()


def project_prefix(title: str) -> str | None:
    """The `Project:` prefix of a title (the regulations' naming convention)."""
    head, sep, _ = title.partition(":")
    head = _PART_PREFIX.sub("", head).strip()
    if sep and head and len(head) <= 40 and "://" not in title[: len(head) + 3]:
        return head
    return None


@dataclass
class NewTask:
    """A task not stored yet: ``TaskRepository.add`` writes it (with its pending
    events) and returns the ``Task``."""

    company_id: int
    title: str
    creator_id: int
    responsible_id: int
    created_at: datetime
    description: str | None = None
    co_executors: set[int] = field(default_factory=set)
    observers: set[int] = field(default_factory=set)
    project_id: int | None = None
    tags: set[str] = field(default_factory=set)
    priority: Priority = Priority.MEDIUM
    deadline: datetime | None = None
    deadline_hard: bool = False
    planned_minutes: int | None = None
    time_tracking: bool = True
    accept_after_completion: bool = True
    parent_id: int | None = None
    kind: TaskKind = TaskKind.REGULAR
    crm_links: set[str] = field(default_factory=set)
    status: TaskStatus = TaskStatus.NEW
    result: str | None = None
    rating: Rating | None = None
    rating_reason: str | None = None
    completed_at: datetime | None = None
    previous_part_id: int | None = None
    part_number: int = 1
    source_ref: str | None = None
    attachments: list[str] = field(default_factory=list)
    version: int = 0
    # Changes made since load; the repository appends them to the history.
    pending_events: list[TaskEvent] = field(default_factory=list, repr=False)

    # -- queries -----------------------------------------------------------------
    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    def participants(self) -> set[int]:
        return {self.creator_id, self.responsible_id} | self.co_executors | self.observers

    def needs_acceptance(self) -> bool:
        return self.accept_after_completion and self.creator_id != self.responsible_id

    def cue(self, now: datetime, end_of_today: datetime) -> Cue:
        if not self.is_open:
            return Cue.NONE
        if self.deadline is not None and self.deadline < now:
            return Cue.OVERDUE
        if self.deadline is not None and self.deadline <= end_of_today:
            return Cue.TODAY
        if self.status is TaskStatus.NEW:
            return Cue.NEW
        return Cue.NONE


@dataclass
class Task(NewTask):
    """The task aggregate: changes go through its methods, which check the state machine
    and record each change as an event for the history."""

    id: int = field(kw_only=True)

    # -- changes -----------------------------------------------------------------
    def _record(
        self, actor_id: int | None, at: datetime, name: str, old: object, new: object
    ) -> None:
        self.pending_events.append(TaskEvent(actor_id, at, name, _text(old), _text(new)))

    def _check(self, action: str) -> None:
        if self.status not in _ALLOWED[action]:
            raise InvalidTransition(action=action, status=self.status.value, task_id=self.id)

    def _set_status(self, actor_id: int, at: datetime, status: TaskStatus) -> None:
        self._record(actor_id, at, "status", self.status.value, status.value)
        self.status = status

    def start(self, actor_id: int, at: datetime) -> None:
        self._check("start")
        self._set_status(actor_id, at, TaskStatus.IN_PROGRESS)

    def pause(self, actor_id: int, at: datetime) -> None:
        self._check("pause")
        self._set_status(actor_id, at, TaskStatus.PAUSED)

    def defer(self, actor_id: int, at: datetime) -> None:
        self._check("defer")
        self._set_status(actor_id, at, TaskStatus.DEFERRED)

    def complete(self, actor_id: int, at: datetime, result: str) -> None:
        """Close with the result comment the regulations require."""
        self._check("complete")
        result = result.strip()
        if not result:
            raise InvalidInput(field="result", reason="empty")
        self.result = result
        self._record(actor_id, at, "result", None, result)
        if self.needs_acceptance():
            self._set_status(actor_id, at, TaskStatus.AWAITING_ACCEPTANCE)
        else:
            self._set_status(actor_id, at, TaskStatus.COMPLETED)
            self.completed_at = at

    def accept(self, actor_id: int, at: datetime, rating: Rating, reason: str | None) -> None:
        self._check("accept")
        reason = (reason or "").strip() or None
        if rating is Rating.NEGATIVE and reason is None:
            raise InvalidInput(field="reason", reason="negative_needs_reason")
        self.rating, self.rating_reason = rating, reason
        self._record(
            actor_id,
            at,
            "rating",
            None,
            rating.value if not reason else f"{rating.value}: {reason}",
        )
        self._set_status(actor_id, at, TaskStatus.COMPLETED)
        self.completed_at = at

    def return_for_rework(
        self, actor_id: int, at: datetime, reason: str, new_deadline: datetime | None
    ) -> None:
        """Return with a reason and a new deadline: without one the task gets lost."""
        self._check("return")
        if not reason.strip():
            raise InvalidInput(field="reason", reason="empty")
        if new_deadline is None:
            raise InvalidInput(field="deadline", reason="return_needs_deadline")
        if new_deadline <= at:
            raise InvalidInput(field="deadline", reason="in_past")
        self._record(actor_id, at, "returned", None, reason.strip())
        # The result was not accepted: the card shows the reason, the result stays in history.
        self.result = None
        self._move_deadline(actor_id, at, new_deadline)
        self._set_status(actor_id, at, TaskStatus.PAUSED)

    def reopen(self, actor_id: int, at: datetime) -> None:
        self._check("reopen")
        self.completed_at = None
        self.rating = None
        self.rating_reason = None
        self._set_status(actor_id, at, TaskStatus.PAUSED)

    def move_deadline(self, actor_id: int, at: datetime, deadline: datetime | None) -> None:
        if not self.is_open:
            raise InvalidTransition(action="deadline", status=self.status.value, task_id=self.id)
        if deadline is not None and deadline <= at:
            raise InvalidInput(field="deadline", reason="in_past")
        self._move_deadline(actor_id, at, deadline)

    def _move_deadline(self, actor_id: int, at: datetime, deadline: datetime | None) -> None:
        if deadline == self.deadline:
            return
        self._record(actor_id, at, "deadline", self.deadline, deadline)
        self.deadline = deadline

    def delegate(self, actor_id: int, at: datetime, member_id: int) -> None:
        if not self.is_open:
            raise InvalidTransition(action="delegate", status=self.status.value, task_id=self.id)
        if member_id == self.responsible_id:
            return
        self._record(actor_id, at, "responsible", self.responsible_id, member_id)
        self.co_executors.discard(member_id)
        self.responsible_id = member_id

    def add_co_executor(self, actor_id: int, at: datetime, member_id: int) -> None:
        if member_id != self.responsible_id and member_id not in self.co_executors:
            self.co_executors.add(member_id)
            self._record(actor_id, at, "co_executor", None, member_id)

    def add_observer(self, actor_id: int, at: datetime, member_id: int) -> None:
        if member_id not in self.observers:
            self.observers.add(member_id)
            self._record(actor_id, at, "observer", None, member_id)

    def set_priority(self, actor_id: int, at: datetime, priority: Priority) -> None:
        if priority is not self.priority:
            self._record(actor_id, at, "priority", self.priority.value, priority.value)
            self.priority = priority

    def set_project(self, actor_id: int, at: datetime, project_id: int | None) -> None:
        if project_id != self.project_id:
            self._record(actor_id, at, "project", self.project_id, project_id)
            self.project_id = project_id

    def set_tags(self, actor_id: int, at: datetime, tags: set[str]) -> None:
        tags = {t.lower().lstrip("#") for t in tags if t.strip("#")}
        if tags != self.tags:
            self._record(actor_id, at, "tags", " ".join(sorted(self.tags)), " ".join(sorted(tags)))
            self.tags = tags

    def set_planned(self, actor_id: int, at: datetime, minutes: int | None) -> None:
        if minutes is not None and not 0 < minutes <= 100 * 60:
            raise InvalidInput(field="planned", reason="out_of_range")
        if minutes != self.planned_minutes:
            self._record(actor_id, at, "planned", self.planned_minutes, minutes)
            self.planned_minutes = minutes

    def rename(self, actor_id: int, at: datetime, title: str) -> str | None:
        """Set a new title; returns the overflow that did not fit (for the description)."""
        title, overflow = split_title(title)
        if title != self.title:
            self._record(actor_id, at, "title", self.title, title)
            self.title = title
        return overflow

    def part_title(self) -> tuple[str, int]:
        """Title and number for the next "(part N)" copy of this task."""
        bare = _PART_PREFIX.sub("", self.title)
        number = self.part_number + 1
        return f"(part {number}) {bare}"[:TITLE_MAX], number


def _text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value)


@dataclass(frozen=True)
class HistorySummary:
    """What the regulations want counted: deadline moves and delegations. (Storage counts
    the same in SQL for task cards: ``TaskRepository.history_summary``.)"""

    deadline_moves: int
    delegations: int

    @classmethod
    def of(cls, events: list[TaskEvent]) -> HistorySummary:
        # The first deadline set at creation is not a move.
        moves = sum(1 for e in events if e.field == "deadline" and e.old is not None)
        delegations = sum(1 for e in events if e.field == "responsible")
        return cls(deadline_moves=moves, delegations=delegations)


@dataclass(frozen=True)
class SubtaskProgress:
    done: int
    total: int
