"""Company structure: projects, departments, members' position, manager, role — and
letting someone go. Only admins change it (``actor`` None is the command line, run by
whoever installed Brygada); every change is written to the structure history."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from domain.company import (
    Department,
    Member,
    NewDepartment,
    NewProject,
    Project,
    Role,
    StructureChange,
    department_cycle,
    email_key,
    manager_cycle,
)
from domain.errors import InvalidInput, MemberNotFound, NotPermitted
from domain.events import MemberLeaving
from domain.notifications import Notification
from domain.ports import ListView, TaskQuery, UnitOfWork
from domain.services.members import validate_language, validate_timezone

PROJECT = "project"
DEPARTMENT = "department"
MEMBER = "member"
NAME_MAX = 100
POSITION_MAX = 200
# A project name is a task's "Name:" prefix, so it cannot hold a colon.
_FORBIDDEN_IN_PROJECT = ":"
HANDED_OVER = "task.handed_over"  # a notice to whoever gets a leaving member's task


def require_admin(actor: Member | None) -> None:
    """Structure is the admins' job; the command line (None) is the installation's owner."""
    if actor is not None and not (actor.is_admin and actor.active):
        raise NotPermitted(action="structure")


async def _log(
    uow: UnitOfWork,
    actor: Member | None,
    now: datetime,
    company_id: int,
    subject: str,
    subject_id: int | None,
    name: str,
    field: str,
    old: object = None,
    new: object = None,
) -> None:
    assert subject_id is not None
    await uow.structure.add(
        StructureChange(
            company_id=company_id,
            actor_id=actor.id if actor is not None else None,
            at=now,
            subject=subject,
            subject_id=subject_id,
            name=name,
            field=field,
            old=None if old is None else str(old),
            new=None if new is None else str(new),
        )
    )


def clean_name(name: str, field: str, *, forbidden: str = "") -> str:
    name = " ".join(name.split()).strip().strip('"').strip()
    if not name:
        raise InvalidInput(field=field, reason="empty")
    if len(name) > NAME_MAX:
        raise InvalidInput(field=field, reason="too_long", value=name[:40])
    if any(c in name for c in forbidden):
        raise InvalidInput(field=field, reason="colon", value=name)
    return name


# -- members: who is who --------------------------------------------------------------


async def find_member(
    uow: UnitOfWork, company_id: int, ref: str, *, active_only: bool = True
) -> Member:
    """A member by @handle, email or full name (case-insensitive); exactly one."""
    wanted = ref.strip()
    if not wanted:
        raise MemberNotFound(handle=ref)
    people = [m for m in await uow.members.list(company_id) if m.active or not active_only]
    key, address, name = wanted.lstrip("@").casefold(), email_key(wanted), wanted.casefold()
    for found in (
        [m for m in people if m.handle == key],
        [m for m in people if m.email is not None and m.email == address],
        [m for m in people if m.name.casefold() == name],
    ):
        if len(found) == 1:
            return found[0]
    raise MemberNotFound(handle=wanted)


async def _admins(uow: UnitOfWork, company_id: int) -> list[Member]:
    return [m for m in await uow.members.list(company_id) if m.active and m.is_admin]


# -- projects ---------------------------------------------------------------------------


async def find_project(uow: UnitOfWork, company_id: int, name: str) -> Project:
    project = await uow.projects.by_name(company_id, " ".join(name.split()).strip('"'))
    if project is None:
        raise InvalidInput(field="project", reason="unknown", value=name.strip('"'))
    return project


async def add_project(
    uow: UnitOfWork,
    actor: Member | None,
    company_id: int,
    name: str,
    members: Sequence[Member],
    now: datetime,
) -> Project:
    require_admin(actor)
    name = clean_name(name, "project_name", forbidden=_FORBIDDEN_IN_PROJECT)
    if await uow.projects.by_name(company_id, name) is not None:
        raise InvalidInput(field="project_name", reason="taken", value=name)
    ids = frozenset(m.id for m in members)
    project = await uow.projects.add(NewProject(company_id, name, ids))
    await _log(uow, actor, now, company_id, PROJECT, project.id, name, "created", None, name)
    for member in members:
        await _log(
            uow, actor, now, company_id, PROJECT, project.id, name, "member", None, member.name
        )
    return project


async def rename_project(
    uow: UnitOfWork, actor: Member | None, company_id: int, old: str, new: str, now: datetime
) -> Project:
    require_admin(actor)
    project = await find_project(uow, company_id, old)
    name = clean_name(new, "project_name", forbidden=_FORBIDDEN_IN_PROJECT)
    taken = await uow.projects.by_name(company_id, name)
    if taken is not None and taken.id != project.id:
        raise InvalidInput(field="project_name", reason="taken", value=name)
    before, project.name = project.name, name
    await uow.projects.save(project)
    await _log(uow, actor, now, company_id, PROJECT, project.id, name, "name", before, name)
    return project


async def change_project_members(
    uow: UnitOfWork,
    actor: Member | None,
    company_id: int,
    name: str,
    members: Iterable[Member],
    now: datetime,
    *,
    add: bool,
) -> Project:
    require_admin(actor)
    project = await find_project(uow, company_id, name)
    for member in members:
        if add and member.id not in project.member_ids:
            await uow.projects.add_member(project.id, member.id)
            await _log(
                uow,
                actor,
                now,
                company_id,
                PROJECT,
                project.id,
                project.name,
                "member",
                None,
                member.name,
            )
        elif not add and member.id in project.member_ids:
            await uow.projects.remove_member(project.id, member.id)
            await _log(
                uow,
                actor,
                now,
                company_id,
                PROJECT,
                project.id,
                project.name,
                "member",
                member.name,
                None,
            )
    found = await uow.projects.get(project.id)
    assert found is not None
    return found


async def archive_project(
    uow: UnitOfWork,
    actor: Member | None,
    company_id: int,
    name: str,
    now: datetime,
    *,
    archived: bool = True,
) -> Project:
    """An archived project keeps its tasks and takes no new ones; ``archived=False`` brings
    it back."""
    require_admin(actor)
    project = await find_project(uow, company_id, name)
    if project.archived != archived:
        project.archived = archived
        await uow.projects.save(project)
        await _log(
            uow,
            actor,
            now,
            company_id,
            PROJECT,
            project.id,
            project.name,
            "archived",
            not archived,
            archived,
        )
    return project


# -- departments ------------------------------------------------------------------------


async def _departments(uow: UnitOfWork, company_id: int) -> dict[int, Department]:
    return {d.id: d for d in await uow.departments.list(company_id)}


async def find_department(uow: UnitOfWork, company_id: int, name: str) -> Department:
    key = " ".join(name.split()).strip('"').casefold()
    for department in (await _departments(uow, company_id)).values():
        if department.name.casefold() == key:
            return department
    raise InvalidInput(field="department", reason="unknown", value=name.strip('"'))


async def _name_free(uow: UnitOfWork, company_id: int, name: str, own: int | None = None) -> None:
    for department in (await _departments(uow, company_id)).values():
        if department.name.casefold() == name.casefold() and department.id != own:
            raise InvalidInput(field="department_name", reason="taken", value=name)


async def add_department(
    uow: UnitOfWork,
    actor: Member | None,
    company_id: int,
    name: str,
    now: datetime,
    *,
    parent: str | None = None,
    head: Member | None = None,
) -> Department:
    require_admin(actor)
    name = clean_name(name, "department_name")
    await _name_free(uow, company_id, name)
    parent_department = await find_department(uow, company_id, parent) if parent else None
    department = await uow.departments.add(
        NewDepartment(
            company_id,
            name,
            head_id=head.id if head is not None else None,
            parent_id=parent_department.id if parent_department is not None else None,
        )
    )
    await _log(uow, actor, now, company_id, DEPARTMENT, department.id, name, "created", None, name)
    if parent_department is not None:
        await _log(
            uow,
            actor,
            now,
            company_id,
            DEPARTMENT,
            department.id,
            name,
            "parent",
            None,
            parent_department.name,
        )
    if head is not None:
        await _log(
            uow, actor, now, company_id, DEPARTMENT, department.id, name, "head", None, head.name
        )
    return department


async def rename_department(
    uow: UnitOfWork, actor: Member | None, company_id: int, old: str, new: str, now: datetime
) -> Department:
    require_admin(actor)
    department = await find_department(uow, company_id, old)
    name = clean_name(new, "department_name")
    await _name_free(uow, company_id, name, department.id)
    before, department.name = department.name, name
    await uow.departments.save(department)
    await _log(uow, actor, now, company_id, DEPARTMENT, department.id, name, "name", before, name)
    return department


async def move_department(
    uow: UnitOfWork,
    actor: Member | None,
    company_id: int,
    name: str,
    parent: str | None,
    now: datetime,
) -> Department:
    """Put a department under another (``parent`` None: at the top); a loop is refused."""
    require_admin(actor)
    department = await find_department(uow, company_id, name)
    new_parent = await find_department(uow, company_id, parent) if parent else None
    parent_id = new_parent.id if new_parent is not None else None
    if department_cycle(await _departments(uow, company_id), department.id, parent_id):
        assert new_parent is not None
        raise InvalidInput(
            field="department", reason="cycle", value=department.name, parent=new_parent.name
        )
    if parent_id != department.parent_id:
        departments = await _departments(uow, company_id)
        old = departments.get(department.parent_id) if department.parent_id else None
        department.parent_id = parent_id
        await uow.departments.save(department)
        await _log(
            uow,
            actor,
            now,
            company_id,
            DEPARTMENT,
            department.id,
            department.name,
            "parent",
            old.name if old else None,
            new_parent.name if new_parent else None,
        )
    return department


async def set_head(
    uow: UnitOfWork,
    actor: Member | None,
    company_id: int,
    name: str,
    head: Member | None,
    now: datetime,
) -> Department:
    require_admin(actor)
    department = await find_department(uow, company_id, name)
    new_id = head.id if head is not None else None
    if new_id != department.head_id:
        old = await uow.members.get(department.head_id) if department.head_id else None
        department.head_id = new_id
        await uow.departments.save(department)
        await _log(
            uow,
            actor,
            now,
            company_id,
            DEPARTMENT,
            department.id,
            department.name,
            "head",
            old.name if old else None,
            head.name if head else None,
        )
    return department


# -- members ----------------------------------------------------------------------------


async def _change(
    uow: UnitOfWork,
    actor: Member | None,
    member: Member,
    field: str,
    old: object,
    new: object,
    now: datetime,
) -> Member:
    await uow.members.save(member)
    if old != new:
        await _log(
            uow, actor, now, member.company_id, MEMBER, member.id, member.name, field, old, new
        )
    return member


async def log_created(uow: UnitOfWork, actor: Member | None, member: Member, now: datetime) -> None:
    """A member set up before joining (brygada import members)."""
    await _log(uow, actor, now, member.company_id, MEMBER, member.id, member.name, "created")


async def set_position(
    uow: UnitOfWork, actor: Member | None, member: Member, position: str | None, now: datetime
) -> Member:
    require_admin(actor)
    text = " ".join((position or "").split())
    if len(text) > POSITION_MAX:
        raise InvalidInput(field="position", reason="too_long", value=text[:40])
    old, member.position = member.position, (text if text and text != "-" else None)
    return await _change(uow, actor, member, "position", old, member.position, now)


async def set_manager(
    uow: UnitOfWork, actor: Member | None, member: Member, manager: Member | None, now: datetime
) -> Member:
    require_admin(actor)
    manager_id = manager.id if manager is not None else None
    if manager is not None:
        everyone = {m.id: m for m in await uow.members.list(member.company_id) if m.id}
        if manager_cycle(everyone, member.id, manager_id):
            raise InvalidInput(
                field="manager", reason="cycle", value=member.name, manager=manager.name
            )
    old = await uow.members.get(member.manager_id) if member.manager_id else None
    member.manager_id = manager_id
    return await _change(
        uow,
        actor,
        member,
        "manager",
        old.name if old else None,
        manager.name if manager else None,
        now,
    )


async def set_department(
    uow: UnitOfWork,
    actor: Member | None,
    member: Member,
    department: Department | None,
    now: datetime,
) -> Member:
    require_admin(actor)
    departments = await _departments(uow, member.company_id)
    old = departments.get(member.department_id) if member.department_id else None
    member.department_id = department.id if department is not None else None
    return await _change(
        uow,
        actor,
        member,
        "department",
        old.name if old else None,
        department.name if department else None,
        now,
    )


def parse_role(value: str) -> Role:
    try:
        return Role(value.strip().lower())
    except ValueError as exc:
        raise InvalidInput(field="role", reason="unknown", value=value) from exc


async def _last_admin(uow: UnitOfWork, member: Member) -> bool:
    admins = await _admins(uow, member.company_id)
    return member.is_admin and member.active and [a.id for a in admins] == [member.id]


async def set_role(
    uow: UnitOfWork, actor: Member | None, member: Member, role: Role, now: datetime
) -> Member:
    require_admin(actor)
    if role is not Role.ADMIN and await _last_admin(uow, member):
        raise InvalidInput(field="role", reason="last_admin", value=member.name)
    old, member.role = member.role, role
    return await _change(uow, actor, member, "role", old.value, role.value, now)


async def set_member_timezone(
    uow: UnitOfWork, actor: Member | None, member: Member, tz: str, now: datetime
) -> Member:
    require_admin(actor)
    old, member.timezone = member.timezone, validate_timezone(tz.strip())
    return await _change(uow, actor, member, "timezone", old, member.timezone, now)


async def set_member_language(
    uow: UnitOfWork, actor: Member | None, member: Member, language: str, now: datetime
) -> Member:
    require_admin(actor)
    old, member.language = member.language, validate_language(language)
    return await _change(uow, actor, member, "language", old, member.language, now)


@dataclass(frozen=True)
class Departure:
    """What letting a member go did: whose their open tasks are now, the timer stopped."""

    member: Member
    heir: Member
    task_ids: tuple[int, ...]
    timer_stopped: bool


async def _heir(uow: UnitOfWork, actor: Member | None, member: Member) -> Member:
    """Who takes the leaving member's tasks: their manager, else an admin."""
    if member.manager_id and member.manager_id != member.id:
        manager = await uow.members.get(member.manager_id)
        if manager is not None and manager.active:
            return manager
    if actor is not None and actor.id != member.id and actor.is_admin:
        return actor
    for admin in await _admins(uow, member.company_id):
        if admin.id != member.id:
            return admin
    raise InvalidInput(field="member", reason="last_admin", value=member.name)


async def _open_responsible(uow: UnitOfWork, member: Member, now: datetime) -> list[int]:
    """The ids of the open tasks ``member`` is responsible for."""
    found: list[int] = []
    offset = 0
    while True:
        page = await uow.tasks.list(
            TaskQuery(
                member.company_id, member.id, ListView.MINE, now, now, limit=100, offset=offset
            )
        )
        found.extend(t.id for t in page.items if t.responsible_id == member.id)
        if not page.has_next:
            return found
        offset += len(page.items)


async def let_go(uow: UnitOfWork, actor: Member | None, member: Member, now: datetime) -> Departure:
    """Deactivate a member: their open tasks go to their manager (else an admin) with a
    notice, a running timer stops (the time is kept), their chat accounts stop acting and
    they vanish from pickers and @mentions (every lookup skips inactive members)."""
    require_admin(actor)
    if not member.active:
        raise InvalidInput(field="member", reason="inactive", value=member.name)
    if await _last_admin(uow, member):
        raise InvalidInput(field="role", reason="last_admin", value=member.name)
    heir = await _heir(uow, actor, member)
    timer = await uow.time.timer(member.id)
    # Still active and still responsible: their running timer stops on their tasks.
    await uow.publish(MemberLeaving(member.id, now))
    moved: list[int] = []
    by = actor.id if actor is not None else heir.id
    for task_id in await _open_responsible(uow, member, now):
        task = await uow.tasks.get(task_id)
        if task is None:
            continue
        task.delegate(by, now, heir.id)
        await uow.tasks.save(task)
        moved.append(task_id)
        await uow.outbox.add(
            Notification(
                member_id=heir.id,
                kind=HANDED_OVER,
                data={"task_id": task_id, "actor_id": by, "name": member.name},
                dedup_key=f"{HANDED_OVER}:{task_id}:{heir.id}:{task.version}",
            )
        )
    member.active = False
    await uow.members.save(member)
    await _log(uow, actor, now, member.company_id, MEMBER, member.id, member.name, "left")
    return Departure(member, heir, tuple(moved), timer is not None)


async def history(
    uow: UnitOfWork,
    actor: Member,
    *,
    subject: str | None = None,
    subject_id: int | None = None,
    limit: int = 20,
) -> Sequence[StructureChange]:
    """The newest structure changes, for admins."""
    require_admin(actor)
    return await uow.structure.recent(
        actor.company_id, limit, subject=subject, subject_id=subject_id
    )
