"""Building companies and members the way production does: through the services."""

from __future__ import annotations

from dataclasses import dataclass

from brygada.bootstrap import App
from domain.company import Company, Member, NewDepartment, NewProject, Role
from domain.services import members


@dataclass
class Team:
    company: Company
    people: dict[str, Member]

    def __getitem__(self, handle: str) -> Member:
        return self.people[handle]


async def make_team(
    app: App,
    people: list[tuple[str, Role]] | None = None,
    *,
    platform: str = "console",
    workspace: str = "local",
    projects: tuple[str, ...] = ("Sales",),
    timezone: str = "Europe/Warsaw",
) -> Team:
    """A company whose members joined through invites on ``platform`` (user_id = handle)."""
    people = people or [("boss", Role.ADMIN), ("anna", Role.EMPLOYEE), ("ivan", Role.EMPLOYEE)]
    async with app.uow() as uow:
        company = await members.create_company(uow, "Acme", timezone=timezone)
        found: dict[str, Member] = {}
        for handle, role in people:
            invite = await members.create_invite(uow, company.id, role, app.clock.now())
            found[handle] = await members.join(
                uow,
                code=invite.code,
                platform=platform,
                workspace=workspace,
                user_id=handle,
                chat_id=handle,
                name=handle.capitalize(),
                username=handle,
                language="en",
                now=app.clock.now(),
            )
            if found[handle].role is not role:  # the first joiner is made admin
                found[handle].role = role
                await uow.members.save(found[handle])
        for name in projects:
            await uow.projects.add(
                NewProject(company.id, name, frozenset(m.id for m in found.values()))
            )
        await uow.commit()
    return Team(company, found)


async def make_department(app: App, team: Team, name: str, head: str, staff: list[str]) -> None:
    async with app.uow() as uow:
        dept = await uow.departments.add(
            NewDepartment(team.company.id, name, head_id=team[head].id)
        )
        for handle in staff:
            member = team[handle]
            member.department_id = dept.id
            await uow.members.save(member)
        await uow.commit()
