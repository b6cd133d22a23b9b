"""Who may do what with a task: one table, checked at press time for every action."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum, StrEnum

from domain.company import Member, Role
from domain.errors import NotPermitted, TaskNotFound
from domain.tasks import Task


class Relation(Enum):
    CREATOR = "creator"
    RESPONSIBLE = "responsible"
    CO_EXECUTOR = "co_executor"
    OBSERVER = "observer"
    SUPERVISOR = "supervisor"  # head of the responsible's department, or their manager
    PROJECT_MEMBER = "project_member"
    ADMIN = "admin"


class Action(StrEnum):
    VIEW = "view"
    EDIT = "edit"
    START = "start"
    COMPLETE = "complete"
    ACCEPT = "accept"
    DELEGATE = "delegate"
    MOVE_DEADLINE = "move_deadline"
    MOVE_HARD_DEADLINE = "move_hard_deadline"
    COMMENT = "comment"
    OBSERVE = "observe"
    REOPEN = "reopen"
    COPY_PART = "copy_part"
    ADD_SUBTASK = "add_subtask"


R = Relation
_EVERYONE_INVOLVED = frozenset(R)
_WORKERS = frozenset({R.RESPONSIBLE, R.CO_EXECUTOR, R.ADMIN})
_DIRECTORS = frozenset({R.CREATOR, R.SUPERVISOR, R.ADMIN})

POLICY: dict[Action, frozenset[Relation]] = {
    Action.VIEW: _EVERYONE_INVOLVED,
    Action.COMMENT: _EVERYONE_INVOLVED,
    Action.OBSERVE: _EVERYONE_INVOLVED,
    Action.ADD_SUBTASK: _EVERYONE_INVOLVED - {R.OBSERVER},
    Action.EDIT: _DIRECTORS,
    Action.START: _WORKERS,
    Action.COMPLETE: frozenset({R.RESPONSIBLE, R.ADMIN}),
    # Accepting or returning work is the director's job.
    Action.ACCEPT: frozenset({R.CREATOR, R.ADMIN}),
    Action.DELEGATE: _DIRECTORS | {R.RESPONSIBLE},
    Action.MOVE_DEADLINE: _DIRECTORS | {R.RESPONSIBLE},
    # The regulations: a hard deadline is moved only by the one who set it.
    Action.MOVE_HARD_DEADLINE: frozenset({R.CREATOR, R.ADMIN}),
    Action.REOPEN: frozenset({R.CREATOR, R.RESPONSIBLE, R.ADMIN}),
    Action.COPY_PART: frozenset({R.CREATOR, R.RESPONSIBLE, R.ADMIN}),
}

# Extranet members (clients, contractors) act only as plain participants.
_EXTRANET_RELATIONS = frozenset(
    {R.CREATOR, R.RESPONSIBLE, R.CO_EXECUTOR, R.OBSERVER, R.PROJECT_MEMBER}
)


@dataclass(frozen=True)
class TaskContext:
    """Facts about the task's surroundings that the policy needs, loaded by the service."""

    responsible_supervisors: frozenset[int] = frozenset()
    actor_project_ids: frozenset[int] = frozenset()


def relations(member: Member, task: Task, ctx: TaskContext) -> frozenset[Relation]:
    found: set[Relation] = set()
    if member.company_id != task.company_id:
        return frozenset()
    if member.id == task.creator_id:
        found.add(R.CREATOR)
    if member.id == task.responsible_id:
        found.add(R.RESPONSIBLE)
    if member.id in task.co_executors:
        found.add(R.CO_EXECUTOR)
    if member.id in task.observers:
        found.add(R.OBSERVER)
    if member.id in ctx.responsible_supervisors:
        found.add(R.SUPERVISOR)
    if task.project_id is not None and task.project_id in ctx.actor_project_ids:
        found.add(R.PROJECT_MEMBER)
    if member.role is Role.ADMIN:
        found.add(R.ADMIN)
    if member.role is Role.EXTRANET:
        found &= _EXTRANET_RELATIONS
    return frozenset(found)


def allowed(member: Member, task: Task, action: Action, ctx: TaskContext) -> bool:
    if not member.active:
        return False
    return bool(relations(member, task, ctx) & POLICY[action])


def require(member: Member, task: Task, action: Action, ctx: TaskContext) -> None:
    """Raise unless allowed. An invisible task is reported as not found, not forbidden."""
    if not allowed(member, task, Action.VIEW, ctx):
        raise TaskNotFound(task_id=task.id)
    if not allowed(member, task, action, ctx):
        raise NotPermitted(action=action.value, task_id=task.id)
