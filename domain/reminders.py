"""Value objects of the scheduler: notification preferences, recurring task templates."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, time

# Kinds a member may fold into an hourly digest; decisions that wait on them never are.
DIGESTIBLE = frozenset(
    {
        "task.commented",
        "task.observer",
        "task.co_executor",
        "task.deadline_moved",
        "task.completed",
        "task.delegated_away",
        "task.deadline_soon",
    }
)
# The morning team digest for heads and managers: off unless switched on (/unmute).
TEAM_DIGEST = "team.digest"
OPT_IN = frozenset({TEAM_DIGEST})
MUTABLE = (
    DIGESTIBLE
    | OPT_IN
    | {
        "plan.morning",
        "day.report_request",
        "backlog.weekly",
        "task.overdue",
    }
)
# Status cards: a message kept current in place (the pinned timer card), not news. They
# go at once whatever the quiet hours, are never muted and never folded into a digest.
STATUS_CARDS = frozenset({"timer.state"})


@dataclass(frozen=True)
class Preferences:
    member_id: int
    muted: frozenset[str] = frozenset()
    quiet: tuple[time, time] | None = None
    digest: bool = False
    enabled: frozenset[str] = frozenset()  # kinds that are off unless switched on (OPT_IN)

    def wants(self, kind: str) -> bool:
        return kind in self.enabled if kind in OPT_IN else kind not in self.muted


@dataclass
class NewTaskTemplate:
    """Recurring work: ``text`` is a chat message in the capture grammar, created per
    occurrence of the cron expression in ``timezone`` on behalf of ``creator_id``."""

    company_id: int
    creator_id: int
    text: str
    cron: str
    timezone: str
    created_at: datetime
    active: bool = True
    meta: dict[str, str] = field(default_factory=dict)


@dataclass
class TaskTemplate(NewTaskTemplate):
    id: int = field(kw_only=True)


@dataclass(frozen=True)
class DueTask:
    task_id: int
    company_id: int
    responsible_id: int
    creator_id: int
    deadline: datetime
    responsible_tz: str
