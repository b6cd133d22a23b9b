"""Structure services on a real database: only admins change structure (a manager or an
employee is refused and nothing changes), loops are refused, every change is in the
history."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy.engine import Connection

from brygada.bootstrap import App
from domain.company import Department, Member, Role, department_cycle, manager_cycle
from domain.errors import InvalidInput, NotPermitted
from domain.ports import UnitOfWork
from domain.services import structure
from storage.models import Base
from tests.factories import Team, make_team

PEOPLE = [("boss", Role.ADMIN), ("head", Role.MANAGER), ("anna", Role.EMPLOYEE)]

Change = Callable[[UnitOfWork, Member, Team, datetime], Awaitable[Any]]


CHANGES: dict[str, Change] = {
    "project add": lambda uow, who, team, now: structure.add_project(
        uow, who, who.company_id, "Logistics", [], now
    ),
    "project rename": lambda uow, who, team, now: structure.rename_project(
        uow, who, who.company_id, "Sales", "Trade", now
    ),
    "project archive": lambda uow, who, team, now: structure.archive_project(
        uow, who, who.company_id, "Sales", now
    ),
    "project members": lambda uow, who, team, now: structure.change_project_members(
        uow, who, who.company_id, "Sales", [team["anna"]], now, add=False
    ),
    "department add": lambda uow, who, team, now: structure.add_department(
        uow, who, who.company_id, "Board", now
    ),
    "position": lambda uow, who, team, now: structure.set_position(
        uow, who, team["anna"], "CEO", now
    ),
    "manager": lambda uow, who, team, now: structure.set_manager(uow, who, team["anna"], who, now),
    "role": lambda uow, who, team, now: structure.set_role(uow, who, who, Role.ADMIN, now),
    "timezone": lambda uow, who, team, now: structure.set_member_timezone(
        uow, who, team["anna"], "Asia/Tokyo", now
    ),
    "language": lambda uow, who, team, now: structure.set_member_language(
        uow, who, team["anna"], "ru", now
    ),
    "leave": lambda uow, who, team, now: structure.let_go(uow, who, team["boss"], now),
}


@pytest.mark.parametrize("who", ["head", "anna"])
@pytest.mark.parametrize("change", sorted(CHANGES))
async def test_only_admins_change_structure(app: App, who: str, change: str) -> None:
    team = await make_team(app, PEOPLE)
    async with app.uow() as uow:
        actor = await uow.members.get(team[who].id)
        assert actor is not None
        with pytest.raises(NotPermitted):
            await CHANGES[change](uow, actor, team, app.clock.now())
        assert await uow.structure.recent(team.company.id) == []


async def test_admin_changes_are_in_the_history(app: App) -> None:
    team = await make_team(app, PEOPLE)
    async with app.uow() as uow:
        boss = team["boss"]
        for change in sorted(CHANGES):
            if change != "leave":
                await CHANGES[change](uow, boss, team, app.clock.now())
        fields = {(c.subject, c.field) for c in await uow.structure.recent(boss.company_id, 50)}
        assert {
            ("project", "created"),
            ("project", "name"),
            ("project", "archived"),
            ("project", "member"),
            ("department", "created"),
            ("member", "position"),
            ("member", "manager"),
            ("member", "timezone"),
            ("member", "language"),
        } <= fields
        # The last admin cannot be let go, nor demoted.
        with pytest.raises(InvalidInput):
            await structure.let_go(uow, boss, boss, app.clock.now())
        with pytest.raises(InvalidInput):
            await structure.set_role(uow, boss, boss, Role.EMPLOYEE, app.clock.now())


def test_loops_are_found() -> None:
    a, b, c = (
        Department(1, name, parent_id=p, id=i)
        for i, name, p in ((1, "A", None), (2, "B", 1), (3, "C", 2))
    )
    departments = {1: a, 2: b, 3: c}
    assert department_cycle(departments, 1, 3)  # A under C, which is under A
    assert department_cycle(departments, 2, 2)
    assert not department_cycle(departments, 3, 1)
    assert not department_cycle(departments, 1, None)
    people = {
        1: Member(1, "One", "one", id=1),
        2: Member(1, "Two", "two", manager_id=1, id=2),
        3: Member(1, "Three", "three", manager_id=2, id=3),
    }
    assert manager_cycle(people, 1, 3)
    assert manager_cycle(people, 1, 1)
    assert not manager_cycle(people, 3, 1)


def _structure_table_differences(connection: Connection) -> list[Any]:
    tables = {"structure_changes", "projects", "invites"}

    def only_ours(name: str | None, kind: str, parent: Any) -> bool:
        if kind == "schema":
            return True
        return (name if kind == "table" else parent.get("table_name")) in tables

    def our_objects(obj: Any, name: str | None, kind: str, reflected: bool, other: Any) -> bool:
        table = obj if kind == "table" else getattr(obj, "table", None)
        return getattr(table, "name", name) in tables

    context = MigrationContext.configure(
        connection,
        opts={"compare_type": True, "include_name": only_ours, "include_object": our_objects},
    )
    return list(compare_metadata(context, Base.metadata))


async def test_the_structure_tables_match_their_models(app: App) -> None:
    async with app.engine.connect() as connection:
        assert await connection.run_sync(_structure_table_differences) == []
