"""Companies, members, chat identities, departments, projects, invites."""

from __future__ import annotations

import copy
from collections.abc import Collection, Sequence
from datetime import date, time
from typing import Any

from sqlalchemy import Row, bindparam, delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from domain.company import (
    ChatIdentity,
    Company,
    Department,
    Invite,
    Member,
    NewCompany,
    NewDepartment,
    NewMember,
    NewProject,
    Project,
    Role,
    StructureChange,
    WorkSchedule,
    supervisors,
)
from domain.holidays import country_for_timezone
from domain.ids import with_id
from storage.models import (
    ChatIdentityRow,
    CompanyRow,
    DepartmentRow,
    InviteRow,
    MemberRow,
    ProjectMemberRow,
    ProjectRow,
    StructureChangeRow,
)
from storage.repositories._sql import table_of

_COMPANIES = table_of(CompanyRow)
_MEMBERS = table_of(MemberRow)
_IDENTITIES = table_of(ChatIdentityRow)
_PROJECTS = table_of(ProjectRow)
_PROJECT_MEMBERS = table_of(ProjectMemberRow)
# Prebuilt statements of the per-message path (see storage/README.md).
_COMPANY_BY_ID = select(_COMPANIES).where(_COMPANIES.c.id == bindparam("id"))
_MEMBER_BY_ID = select(_MEMBERS).where(_MEMBERS.c.id == bindparam("id"))
_MEMBERS_OF_COMPANY = (
    select(_MEMBERS).where(_MEMBERS.c.company_id == bindparam("company")).order_by(_MEMBERS.c.name)
)
_MEMBERS_BY_IDS = select(_MEMBERS).where(_MEMBERS.c.id.in_(bindparam("ids", expanding=True)))
# Bound parameters per IN list: well under SQLite's and asyncpg's limits (32,766/32,767).
_IDS_PER_QUERY = 5_000
_MEMBER_BY_IDENTITY = (
    select(_MEMBERS, *(c.label(f"identity_{c.name}") for c in _IDENTITIES.c))
    .join(_IDENTITIES, _IDENTITIES.c.member_id == _MEMBERS.c.id)
    .where(
        _IDENTITIES.c.platform == bindparam("platform"),
        _IDENTITIES.c.workspace == bindparam("workspace"),
        _IDENTITIES.c.user_id == bindparam("user"),
    )
)
_DEPARTMENTS = table_of(DepartmentRow)
_DEPARTMENTS_OF_COMPANY = select(_DEPARTMENTS).where(
    _DEPARTMENTS.c.company_id == bindparam("company")
)
_PROJECTS_OF_MEMBER = select(_PROJECT_MEMBERS.c.project_id).where(
    _PROJECT_MEMBERS.c.member_id == bindparam("member")
)
_PROJECT_BY_ID = select(_PROJECTS).where(_PROJECTS.c.id == bindparam("id"))
_PROJECTS_OF_COMPANY = (
    select(_PROJECTS)
    .where(_PROJECTS.c.company_id == bindparam("company"))
    .order_by(_PROJECTS.c.name)
)
_PROJECT_MEMBERS_OF = select(_PROJECT_MEMBERS.c.project_id, _PROJECT_MEMBERS.c.member_id).where(
    _PROJECT_MEMBERS.c.project_id.in_(bindparam("projects", expanding=True))
)
_PROJECT_MEMBERS_OF_COMPANY = (
    select(_PROJECT_MEMBERS.c.project_id, _PROJECT_MEMBERS.c.member_id)
    .join(_PROJECTS, _PROJECTS.c.id == _PROJECT_MEMBERS.c.project_id)
    .where(_PROJECTS.c.company_id == bindparam("company"))
)


def _company(row: CompanyRow | Row[Any]) -> Company:
    schedule = WorkSchedule(
        working_days=frozenset(int(d) for d in row.working_days.split(",") if d),
        start=time.fromisoformat(row.day_start),
        end=time.fromisoformat(row.day_end),
        holidays=frozenset(date.fromisoformat(d) for d in row.holidays),
        # Companies from before the setting keep the holidays of their timezone's country.
        country=row.country if row.country is not None else country_for_timezone(row.timezone),
    )
    return Company(
        id=row.id, name=row.name, timezone=row.timezone, language=row.language, schedule=schedule
    )


def _company_values(company: NewCompany) -> dict[str, object]:
    s = company.schedule
    return {
        "name": company.name,
        "timezone": company.timezone,
        "language": company.language,
        "working_days": ",".join(str(d) for d in sorted(s.working_days)),
        "day_start": s.start.strftime("%H:%M"),
        "day_end": s.end.strftime("%H:%M"),
        "holidays": sorted(d.isoformat() for d in s.holidays),
        "country": s.country,
    }


class SqlCompanyRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._s = session

    async def add(self, company: NewCompany) -> Company:
        row = CompanyRow(**_company_values(company))
        self._s.add(row)
        await self._s.flush()
        return with_id(Company, company, row.id)

    async def get(self, company_id: int) -> Company | None:
        rows = (await self._s.execute(_COMPANY_BY_ID, {"id": company_id})).all()
        return _company(rows[0]) if rows else None

    async def first(self) -> Company | None:
        row = await self._s.scalar(select(CompanyRow).order_by(CompanyRow.id).limit(1))
        return _company(row) if row else None

    async def all(self) -> Sequence[Company]:
        rows = await self._s.scalars(select(CompanyRow).order_by(CompanyRow.id))
        return [_company(r) for r in rows]

    async def save(self, company: Company) -> None:
        await self._s.execute(
            update(CompanyRow).where(CompanyRow.id == company.id).values(**_company_values(company))
        )


_MEMBER_FIELDS = (
    "company_id",
    "name",
    "handle",
    "language",
    "timezone",
    "department_id",
    "manager_id",
    "position",
    "email",
    "phone",
    "active",
    "joined_at",
)


def _member(row: MemberRow | Row[Any]) -> Member:
    # Spelled out, not a comprehension over _MEMBER_FIELDS: the sweep builds thousands.
    return Member(
        id=row.id,
        role=Role(row.role),
        company_id=row.company_id,
        name=row.name,
        handle=row.handle,
        language=row.language,
        timezone=row.timezone,
        department_id=row.department_id,
        manager_id=row.manager_id,
        position=row.position,
        email=row.email,
        phone=row.phone,
        active=row.active,
        joined_at=row.joined_at,
    )


def _member_values(member: NewMember) -> dict[str, object]:
    return {"role": member.role.value, **{f: getattr(member, f) for f in _MEMBER_FIELDS}}


def _identity(row: ChatIdentityRow) -> ChatIdentity:
    return ChatIdentity(
        platform=row.platform,
        workspace=row.workspace,
        user_id=row.user_id,
        member_id=row.member_id,
        chat_id=row.chat_id,
        unreachable=row.unreachable,
    )


class SqlMemberRepository:
    """Members read in this unit of work are remembered by id (a message that loads the
    roster then checks an assignee reads nothing twice); callers get copies, and every
    write to ``members`` goes through ``add``/``save`` here, which keep the memo current."""

    def __init__(self, session: AsyncSession) -> None:
        self._s = session
        # Rows as read (immutable, turned into a Member on demand) or copies of saved members.
        self._read: dict[int, Member | Row[Any]] = {}
        # Departments change only by adding new ones, which cannot join an existing
        # member's chain without a save of that member: a save forgets every chain.
        self._supervisors: dict[int, frozenset[int]] = {}

    def _remember(self, member: Member) -> Member:
        self._read[member.id] = copy.copy(member)
        return member

    async def add(self, member: NewMember) -> Member:
        row = MemberRow(**_member_values(member))
        self._s.add(row)
        await self._s.flush()
        self._supervisors.clear()
        return self._remember(with_id(Member, member, row.id))

    async def get(self, member_id: int) -> Member | None:
        known = self._read.get(member_id)
        if known is None:
            rows = (await self._s.execute(_MEMBER_BY_ID, {"id": member_id})).all()
            if not rows:
                return None
            known = self._read[member_id] = rows[0]
        return copy.copy(known) if isinstance(known, Member) else _member(known)

    async def save(self, member: Member) -> None:
        await self._s.execute(
            update(MemberRow).where(MemberRow.id == member.id).values(**_member_values(member))
        )
        self._supervisors.clear()
        self._remember(member)

    async def by_handle(self, company_id: int, handle: str) -> Member | None:
        row = await self._s.scalar(
            select(MemberRow).where(
                MemberRow.company_id == company_id, MemberRow.handle == handle.lower()
            )
        )
        return _member(row) if row else None

    async def list(self, company_id: int) -> Sequence[Member]:
        rows = (await self._s.execute(_MEMBERS_OF_COMPANY, {"company": company_id})).all()
        self._read.update((r.id, r) for r in rows)
        return [_member(r) for r in rows]

    async def get_many(self, member_ids: Collection[int]) -> Sequence[Member]:
        wanted = sorted(set(member_ids))
        found: list[Member] = []
        for start in range(0, len(wanted), _IDS_PER_QUERY):
            chunk = wanted[start : start + _IDS_PER_QUERY]
            rows = (await self._s.execute(_MEMBERS_BY_IDS, {"ids": chunk})).all()
            self._read.update((r.id, r) for r in rows)
            found.extend(_member(r) for r in rows)
        return found

    async def count(self, company_id: int) -> int:
        return int(
            await self._s.scalar(
                select(func.count())
                .select_from(MemberRow)
                .where(MemberRow.company_id == company_id)
            )
            or 0
        )

    async def supervisors_of(self, member_id: int) -> frozenset[int]:
        """The member's manager and the heads of their department chain."""
        if member_id in self._supervisors:
            return self._supervisors[member_id]
        member = await self.get(member_id)
        if member is None:
            return frozenset()
        departments = (
            await self._s.execute(_DEPARTMENTS_OF_COMPANY, {"company": member.company_id})
        ).all()
        chain = {d.id: SqlDepartmentRepository._department(d) for d in departments}
        found = self._supervisors[member_id] = supervisors(member, chain)
        return found

    async def by_identity(
        self, platform: str, workspace: str, user_id: str
    ) -> tuple[Member, ChatIdentity] | None:
        params = {"platform": platform, "workspace": workspace, "user": user_id}
        rows = (await self._s.execute(_MEMBER_BY_IDENTITY, params)).all()
        if not rows:
            return None
        row = rows[0]
        identity = ChatIdentity(
            **{c.name: getattr(row, f"identity_{c.name}") for c in _IDENTITIES.c}
        )
        return _member(row), identity

    async def add_identity(self, identity: ChatIdentity) -> None:
        self._s.add(
            ChatIdentityRow(
                platform=identity.platform,
                workspace=identity.workspace,
                user_id=identity.user_id,
                member_id=identity.member_id,
                chat_id=identity.chat_id,
                unreachable=identity.unreachable,
            )
        )
        await self._s.flush()

    async def identities_of(self, member_id: int) -> Sequence[ChatIdentity]:
        rows = await self._s.scalars(
            select(ChatIdentityRow).where(ChatIdentityRow.member_id == member_id)
        )
        return [_identity(r) for r in rows]

    async def by_email(self, company_id: int, email: str) -> Sequence[Member]:
        rows = await self._s.scalars(
            select(MemberRow).where(
                MemberRow.company_id == company_id, MemberRow.email == email.strip().lower()
            )
        )
        return [_member(r) for r in rows]

    async def companies_on(self, platform: str, workspace: str) -> frozenset[int]:
        found = await self._s.scalars(
            select(MemberRow.company_id)
            .join(ChatIdentityRow, ChatIdentityRow.member_id == MemberRow.id)
            .where(ChatIdentityRow.platform == platform, ChatIdentityRow.workspace == workspace)
            .distinct()
        )
        return frozenset(found)

    async def mark_unreachable(self, platform: str, workspace: str, user_id: str) -> None:
        await self._set_reachable(platform, workspace, user_id, reachable=False)

    async def mark_reachable(self, platform: str, workspace: str, user_id: str) -> None:
        await self._set_reachable(platform, workspace, user_id, reachable=True)

    async def _set_reachable(
        self, platform: str, workspace: str, user_id: str, *, reachable: bool
    ) -> None:
        await self._s.execute(
            update(ChatIdentityRow)
            .where(
                ChatIdentityRow.platform == platform,
                ChatIdentityRow.workspace == workspace,
                ChatIdentityRow.user_id == user_id,
            )
            .values(unreachable=not reachable)
        )


class SqlDepartmentRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._s = session

    @staticmethod
    def _department(row: DepartmentRow | Row[Any]) -> Department:
        return Department(
            id=row.id,
            company_id=row.company_id,
            name=row.name,
            head_id=row.head_id,
            parent_id=row.parent_id,
        )

    async def add(self, department: NewDepartment) -> Department:
        row = DepartmentRow(
            company_id=department.company_id,
            name=department.name,
            head_id=department.head_id,
            parent_id=department.parent_id,
        )
        self._s.add(row)
        await self._s.flush()
        return with_id(Department, department, row.id)

    async def get(self, department_id: int) -> Department | None:
        row = await self._s.get(DepartmentRow, department_id)
        return self._department(row) if row else None

    async def list(self, company_id: int) -> Sequence[Department]:
        rows = await self._s.scalars(
            select(DepartmentRow)
            .where(DepartmentRow.company_id == company_id)
            .order_by(DepartmentRow.name)
        )
        return [self._department(r) for r in rows]

    async def save(self, department: Department) -> None:
        await self._s.execute(
            update(DepartmentRow)
            .where(DepartmentRow.id == department.id)
            .values(
                name=department.name, head_id=department.head_id, parent_id=department.parent_id
            )
        )


_ProjectFields = tuple[int, int, str, frozenset[int], bool]


def _project(fields: _ProjectFields) -> Project:
    project_id, company_id, name, member_ids, archived = fields
    return Project(company_id, name, member_ids, archived, id=project_id)


class SqlProjectRepository:
    """Remembers the projects read in this unit of work by id, as members do."""

    def __init__(self, session: AsyncSession) -> None:
        self._s = session
        # What was read, as the fields of a Project: each caller gets a Project of its own.
        self._read: dict[int, _ProjectFields] = {}
        self._of_member: dict[int, frozenset[int]] = {}

    async def _projects(
        self, rows: Sequence[ProjectRow | Row[Any]], *, company_id: int | None = None
    ) -> list[Project]:
        """Projects with their members, in two queries whatever their number (for all
        of ``company_id``'s projects, the second one needs no list of ids)."""
        members: dict[int, set[int]] = {r.id: set() for r in rows}
        if members:
            if company_id is not None:
                pairs = (
                    await self._s.execute(_PROJECT_MEMBERS_OF_COMPANY, {"company": company_id})
                ).all()
            else:
                pairs = (
                    await self._s.execute(_PROJECT_MEMBERS_OF, {"projects": list(members)})
                ).all()
            for pair in pairs:
                members[pair.project_id].add(pair.member_id)
        fields = [
            (r.id, r.company_id, r.name, frozenset(members[r.id]), bool(r.archived)) for r in rows
        ]
        self._read.update((f[0], f) for f in fields)
        return [_project(f) for f in fields]

    async def add(self, project: NewProject) -> Project:
        row = ProjectRow(
            company_id=project.company_id,
            name=project.name,
            name_key=project.name.casefold(),
            archived=project.archived,
        )
        self._s.add(row)
        await self._s.flush()
        for member_id in project.member_ids:
            await self.add_member(row.id, member_id)
        return with_id(Project, project, row.id)

    async def get(self, project_id: int) -> Project | None:
        if project_id in self._read:
            return _project(self._read[project_id])
        rows = (await self._s.execute(_PROJECT_BY_ID, {"id": project_id})).all()
        return (await self._projects(rows))[0] if rows else None

    async def by_name(self, company_id: int, name: str) -> Project | None:
        row = await self._s.scalar(
            select(ProjectRow).where(
                ProjectRow.company_id == company_id, ProjectRow.name_key == name.casefold()
            )
        )
        return (await self._projects([row]))[0] if row else None

    async def list(self, company_id: int) -> Sequence[Project]:
        rows = (await self._s.execute(_PROJECTS_OF_COMPANY, {"company": company_id})).all()
        return await self._projects(rows, company_id=company_id)

    async def ids_for_member(self, member_id: int) -> frozenset[int]:
        if member_id not in self._of_member:
            rows = (await self._s.execute(_PROJECTS_OF_MEMBER, {"member": member_id})).all()
            self._of_member[member_id] = frozenset(r.project_id for r in rows)
        return self._of_member[member_id]

    async def add_member(self, project_id: int, member_id: int) -> None:
        self._read.pop(project_id, None)
        self._of_member.pop(member_id, None)
        self._s.add(ProjectMemberRow(project_id=project_id, member_id=member_id))
        await self._s.flush()

    async def remove_member(self, project_id: int, member_id: int) -> None:
        self._read.pop(project_id, None)
        self._of_member.pop(member_id, None)
        await self._s.execute(
            delete(ProjectMemberRow).where(
                ProjectMemberRow.project_id == project_id, ProjectMemberRow.member_id == member_id
            )
        )

    async def save(self, project: Project) -> None:
        self._read.pop(project.id, None)
        await self._s.execute(
            update(ProjectRow)
            .where(ProjectRow.id == project.id)
            .values(name=project.name, name_key=project.name.casefold(), archived=project.archived)
        )


class SqlInviteRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._s = session

    async def add(self, invite: Invite) -> None:
        self._s.add(
            InviteRow(
                code=invite.code,
                company_id=invite.company_id,
                role=invite.role.value,
                created_by=invite.created_by,
                created_at=invite.created_at,
                expires_at=invite.expires_at,
                member_id=invite.member_id,
            )
        )
        await self._s.flush()

    async def get(self, code: str) -> Invite | None:
        row = await self._s.get(InviteRow, code)
        return self._invite(row) if row is not None else None

    async def for_member(self, member_id: int) -> Sequence[Invite]:
        rows = await self._s.scalars(
            select(InviteRow).where(InviteRow.member_id == member_id).order_by(InviteRow.created_at)
        )
        return [self._invite(r) for r in rows]

    @staticmethod
    def _invite(row: InviteRow) -> Invite:
        return Invite(
            code=row.code,
            company_id=row.company_id,
            role=Role(row.role),
            created_by=row.created_by,
            created_at=row.created_at,
            expires_at=row.expires_at,
            used_by=row.used_by,
            used_at=row.used_at,
            member_id=row.member_id,
        )

    async def save(self, invite: Invite) -> None:
        await self._s.execute(
            update(InviteRow)
            .where(InviteRow.code == invite.code)
            .values(used_by=invite.used_by, used_at=invite.used_at)
        )


class SqlStructureLog:
    def __init__(self, session: AsyncSession) -> None:
        self._s = session

    async def add(self, change: StructureChange) -> None:
        self._s.add(
            StructureChangeRow(
                company_id=change.company_id,
                actor_id=change.actor_id,
                at=change.at,
                subject=change.subject,
                subject_id=change.subject_id,
                name=change.name[:200],
                field=change.field,
                old=None if change.old is None else change.old[:250],
                new=None if change.new is None else change.new[:250],
            )
        )
        await self._s.flush()

    async def recent(
        self,
        company_id: int,
        limit: int = 20,
        *,
        subject: str | None = None,
        subject_id: int | None = None,
    ) -> Sequence[StructureChange]:
        query = select(StructureChangeRow).where(StructureChangeRow.company_id == company_id)
        if subject is not None:
            query = query.where(StructureChangeRow.subject == subject)
        if subject_id is not None:
            query = query.where(StructureChangeRow.subject_id == subject_id)
        rows = await self._s.scalars(
            query.order_by(StructureChangeRow.at.desc(), StructureChangeRow.id.desc()).limit(limit)
        )
        return [
            StructureChange(
                company_id=r.company_id,
                actor_id=r.actor_id,
                at=r.at,
                subject=r.subject,
                subject_id=r.subject_id,
                name=r.name,
                field=r.field,
                old=r.old,
                new=r.new,
            )
            for r in rows
        ]
