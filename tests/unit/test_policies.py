"""The permission table, for every relation a member can have to a task."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from domain.company import Member, Role
from domain.errors import NotPermitted, TaskNotFound
from domain.policies import Action, TaskContext, allowed, require
from domain.tasks import Task

NOW = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)
TASK = Task(
    company_id=1,
    title="t",
    creator_id=1,
    responsible_id=2,
    created_at=NOW,
    id=9,
    co_executors={3},
    observers={4},
    project_id=50,
)


def member(member_id: int, role: Role = Role.EMPLOYEE, company_id: int = 1) -> Member:
    return Member(
        id=member_id, company_id=company_id, name=f"m{member_id}", handle=f"m{member_id}", role=role
    )


HEAD = 5
CTX = TaskContext(responsible_supervisors=frozenset({HEAD}))
WHO = {
    "creator": member(1),
    "responsible": member(2),
    "co_executor": member(3),
    "observer": member(4),
    "head": member(HEAD, Role.MANAGER),
    "admin": member(6, Role.ADMIN),
    "stranger": member(7),
    "extranet_outsider": member(8, Role.EXTRANET),
    "other_company_admin": member(9, Role.ADMIN, company_id=2),
}
YES = {
    Action.VIEW: {"creator", "responsible", "co_executor", "observer", "head", "admin"},
    Action.COMPLETE: {"responsible", "admin"},
    Action.ACCEPT: {"creator", "admin"},
    Action.START: {"responsible", "co_executor", "admin"},
    Action.DELEGATE: {"creator", "responsible", "head", "admin"},
    Action.MOVE_DEADLINE: {"creator", "responsible", "head", "admin"},
    Action.MOVE_HARD_DEADLINE: {"creator", "admin"},
    Action.COMMENT: {"creator", "responsible", "co_executor", "observer", "head", "admin"},
    Action.REOPEN: {"creator", "responsible", "admin"},
    Action.EDIT: {"creator", "head", "admin"},
}


@pytest.mark.parametrize("action", list(YES))
@pytest.mark.parametrize("who", list(WHO))
def test_policy_matrix(who: str, action: Action) -> None:
    assert allowed(WHO[who], TASK, action, CTX) is (who in YES[action])


def test_extranet_sees_only_project_tasks_as_plain_participant() -> None:
    client = member(8, Role.EXTRANET)
    in_project = TaskContext(actor_project_ids=frozenset({50}))
    assert allowed(client, TASK, Action.VIEW, in_project)
    assert not allowed(client, TASK, Action.ACCEPT, in_project)
    assert not allowed(client, TASK, Action.VIEW, TaskContext())


def test_invisible_task_reads_as_not_found_and_visible_as_not_permitted() -> None:
    with pytest.raises(TaskNotFound):
        require(WHO["stranger"], TASK, Action.COMPLETE, CTX)
    with pytest.raises(NotPermitted):
        require(WHO["observer"], TASK, Action.COMPLETE, CTX)


def test_inactive_member_may_do_nothing() -> None:
    gone = member(2)
    gone.active = False
    assert not allowed(gone, TASK, Action.VIEW, CTX)
