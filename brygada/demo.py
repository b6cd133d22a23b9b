"""A demo company for the console chat, created through the same services as real ones."""

from __future__ import annotations

from domain.company import NewProject, Role
from domain.ports import Clock
from domain.services import members
from storage.uow import UnitOfWorkFactory

DEMO_PEOPLE = (
    ("alex", "Alex Director", Role.ADMIN),
    ("anna", "Anna Nowak", Role.EMPLOYEE),
    ("ivan", "Ivan Petrov", Role.EMPLOYEE),
)
DEMO_PROJECTS = ("Sales", "Marketing")


async def ensure_demo_company(
    uow_factory: UnitOfWorkFactory, clock: Clock, *, timezone: str, language: str
) -> str:
    """Create the demo company once; returns the handle of its admin."""
    async with uow_factory() as uow:
        company = await uow.companies.first()
        if company is not None:
            people = await uow.members.list(company.id)
            admins = [m for m in people if m.role is Role.ADMIN]
            return (admins or list(people))[0].handle if people else ""
        company = await members.create_company(
            uow, "Demo Company", timezone=timezone, language=language
        )
        now = clock.now()
        ids = []
        for handle, name, role in DEMO_PEOPLE:
            invite = await members.create_invite(uow, company.id, role, now)
            member = await members.join(
                uow,
                code=invite.code,
                platform="console",
                workspace="local",
                user_id=handle,
                chat_id=handle,
                name=name,
                username=handle,
                language=None,
                now=now,
            )
            ids.append(member.id)
        for name in DEMO_PROJECTS:
            await uow.projects.add(
                NewProject(company.id, name, frozenset(i for i in ids if i is not None))
            )
        await uow.commit()
        return DEMO_PEOPLE[0][0]
