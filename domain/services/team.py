"""Whom a member may look at besides themselves: heads and managers their team
(recursively), admins the whole company; everybody else nobody."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from domain.company import Member, subordinates
from domain.errors import MemberNotFound, NotPermitted
from domain.ports import UnitOfWork

TEAM = "team"


@dataclass(frozen=True)
class Scope:
    """Whose tasks a list shows: ``member_ids``; ``team`` when it is the asker's team."""

    member_ids: frozenset[int]
    names: dict[int, str]
    team: bool = False
    label: str | None = None  # "Anna" for one person


async def team_members(uow: UnitOfWork, actor: Member) -> list[Member]:
    """The active members below the actor (admins: everyone else in the company)."""
    people = [m for m in await uow.members.list(actor.company_id) if m.active]
    if actor.is_admin:
        return [m for m in people if m.id != actor.id]
    chain = {d.id: d for d in await uow.departments.list(actor.company_id)}
    below = subordinates(actor.id, people, chain)
    return [m for m in people if m.id in below]


async def team_ids(uow: UnitOfWork, actor: Member) -> frozenset[int]:
    return frozenset(m.id for m in await team_members(uow, actor))


async def superiors(uow: UnitOfWork, member_id: int) -> frozenset[int]:
    """Everyone above a member: their supervisors, those supervisors' supervisors..."""
    found: set[int] = set()
    todo = [member_id]
    while todo:
        for boss in await uow.members.supervisors_of(todo.pop()):
            if boss not in found and boss != member_id:
                found.add(boss)
                todo.append(boss)
    return frozenset(found)


async def scope_for(uow: UnitOfWork, actor: Member, who: str) -> Scope:
    """``who`` is "team" or an @handle; refused when that is not the actor's to see."""
    wanted = who.strip()
    if wanted.casefold() == TEAM:
        team = await team_members(uow, actor)
        if not team:
            raise NotPermitted(action="team_view", reason="no_team")
        return _scope(team, team=True)
    member = await uow.members.by_handle(actor.company_id, wanted.lstrip("@").lower())
    if member is None or not member.active:
        raise MemberNotFound(handle=wanted)
    if member.id != actor.id and member.id not in await team_ids(uow, actor):
        raise NotPermitted(action="team_view", reason="not_yours", name=member.name)
    return _scope([member], label=member.name)


async def scope_by_id(uow: UnitOfWork, actor: Member, member_id: int) -> Scope:
    """One member's scope again (a paging button), checked again: buttons are not trusted."""
    member = await uow.members.get(member_id)
    if member is None or member.company_id != actor.company_id:
        raise MemberNotFound(member_id=member_id)
    return await scope_for(uow, actor, member.handle)


def _scope(people: Sequence[Member], *, team: bool = False, label: str | None = None) -> Scope:
    names = {m.id: m.name for m in people}
    return Scope(frozenset(names), names, team=team, label=label)
