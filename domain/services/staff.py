"""The first day: a company's staff from a CSV file (``brygada import members``).

Columns: name, email, position, department, manager, role, timezone, language (only
name is required; manager by name or email). Members match by email, else by name, so a
second run updates and never duplicates. A broken row is reported with its line number
and changes nothing; the good rows go in. Each member who has not joined yet gets an
invite code made for them: joining with it makes the chat account that member.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from domain.company import Member, NewMember, Role, email_key
from domain.errors import DomainError, InvalidInput
from domain.ports import UnitOfWork
from domain.services import structure
from domain.services.members import (
    create_invite,
    unique_handle,
    validate_email,
    validate_language,
    validate_timezone,
)

COLUMNS = ("name", "email", "position", "department", "manager", "role", "timezone", "language")


@dataclass(frozen=True)
class StaffRow:
    line: int
    name: str
    email: str | None = None
    position: str | None = None
    department: str | None = None
    manager: str | None = None
    role: Role = Role.EMPLOYEE
    timezone: str | None = None
    language: str | None = None


@dataclass(frozen=True)
class Invitation:
    name: str
    email: str | None
    code: str | None  # None: they have joined already


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    invitations: list[Invitation] = field(default_factory=list)
    problems: list[tuple[int, str]] = field(default_factory=list)


def _problem(error: DomainError) -> str:
    p = error.params
    what = str(p.get("field") or error.code)
    reason = str(p.get("reason") or "")
    value = p.get("value", p.get("handle"))
    text = f"{what} {reason}".strip() if reason else what
    return f"{text}: {value}" if value else text


def parse_staff(text: str) -> tuple[list[StaffRow], list[tuple[int, str]]]:
    """The rows of a staff CSV (header line first) and the problems, by line number."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    header = [h.strip().lower() for h in reader.fieldnames or []]
    if "name" not in header:
        return [], [(1, f"the header must name the columns: {', '.join(COLUMNS)}")]
    unknown = [h for h in header if h and h not in COLUMNS]
    if unknown:
        return [], [(1, f"unknown columns: {', '.join(unknown)}")]
    rows: list[StaffRow] = []
    problems: list[tuple[int, str]] = []
    for raw in reader:
        line = reader.line_num
        values = {
            (k or "").strip().lower(): (v or "").strip()
            for k, v in raw.items()
            if isinstance(v, str)
        }
        if not any(values.values()):
            continue
        try:
            rows.append(_row(line, values))
        except DomainError as error:
            problems.append((line, _problem(error)))
    return rows, problems


def _row(line: int, v: dict[str, str]) -> StaffRow:
    name = " ".join(v.get("name", "").split())
    if not name:
        raise InvalidInput(field="name", reason="empty")
    if len(name) > structure.NAME_MAX * 2:
        raise InvalidInput(field="name", reason="too_long", value=name[:40])
    if len(v.get("position", "")) > structure.POSITION_MAX:
        raise InvalidInput(field="position", reason="too_long", value=v["position"][:40])
    email = v.get("email") or None
    return StaffRow(
        line=line,
        name=name,
        email=validate_email(email) if email else None,
        position=v.get("position") or None,
        department=(
            structure.clean_name(v["department"], "department_name")
            if v.get("department")
            else None
        ),
        manager=v.get("manager") or None,
        role=structure.parse_role(v["role"]) if v.get("role") else Role.EMPLOYEE,
        timezone=validate_timezone(v["timezone"]) if v.get("timezone") else None,
        language=validate_language(v["language"]) if v.get("language") else None,
    )


def _match(people: Sequence[Member], row: StaffRow) -> Member | None:
    """By email, else by name (a member whose email differs is someone else)."""
    if row.email is not None:
        by_email = [m for m in people if m.email == row.email]
        if by_email:
            return by_email[0]
    by_name = [
        m
        for m in people
        if m.name.casefold() == row.name.casefold() and (m.email is None or m.email == row.email)
    ]
    return by_name[0] if len(by_name) == 1 else None


def _names_someone(row: StaffRow, rows: Sequence[StaffRow], people: Sequence[Member]) -> bool:
    ref = row.manager or ""
    key = ref.casefold()
    in_file = any(r.name.casefold() == key or (r.email and r.email == email_key(ref)) for r in rows)
    known = any(
        m.name.casefold() == key or m.email == email_key(ref) or m.handle == key.lstrip("@")
        for m in people
    )
    return in_file or known


async def import_staff(
    uow: UnitOfWork, company_id: int, rows: Sequence[StaffRow], now: datetime
) -> ImportResult:
    """Create or update the members of ``rows``, then their managers; invite codes for
    those who have not joined. The command line acts (no chat actor: ``None``)."""
    result = ImportResult()
    company = await uow.companies.get(company_id)
    assert company is not None
    seen: dict[str, int] = {}
    placed: list[tuple[StaffRow, Member]] = []
    for row in rows:
        key = row.email or row.name.casefold()
        if key in seen:
            result.problems.append((row.line, f"the same person as on line {seen[key]}"))
            continue
        seen[key] = row.line
        people = list(await uow.members.list(company_id))
        if row.manager and not _names_someone(row, rows, people):
            result.problems.append((row.line, f"manager unknown: {row.manager}"))
            continue
        try:
            member, created = await _upsert(uow, company_id, company.timezone, row, people, now)
        except DomainError as error:  # checked first, so nothing of the row was written
            result.problems.append((row.line, _problem(error)))
            continue
        result.created += created
        result.updated += not created
        placed.append((row, member))
    for row, member in placed:
        if not row.manager:
            continue
        try:
            boss = await structure.find_member(uow, company_id, row.manager)
            fresh = await uow.members.get(member.id)
            assert fresh is not None
            if fresh.manager_id != boss.id:
                await structure.set_manager(uow, None, fresh, boss, now)
        except DomainError as error:
            result.problems.append((row.line, _problem(error)))
    for _, member in placed:
        result.invitations.append(await _invitation(uow, member, now))
    result.problems.sort()
    return result


async def _upsert(
    uow: UnitOfWork,
    company_id: int,
    timezone: str,
    row: StaffRow,
    people: Sequence[Member],
    now: datetime,
) -> tuple[Member, bool]:
    member = _match(people, row)
    created = member is None
    if member is None:
        base = row.email.partition("@")[0] if row.email else row.name
        member = await uow.members.add(
            NewMember(
                company_id=company_id,
                name=row.name,
                handle=await unique_handle(uow, company_id, base),
                role=row.role,
                timezone=row.timezone or timezone,
                language=row.language,
                email=row.email,
                position=row.position,
            )
        )
        await structure.log_created(uow, None, member, now)
    else:
        # The one change that can be refused (the last admin) goes first.
        if row.role is not member.role:
            await structure.set_role(uow, None, member, row.role, now)
        if row.email and member.email != row.email:
            member.email = row.email
            await uow.members.save(member)
        if row.position is not None and row.position != member.position:
            await structure.set_position(uow, None, member, row.position, now)
        if row.timezone and row.timezone != member.timezone:
            await structure.set_member_timezone(uow, None, member, row.timezone, now)
        if row.language and row.language != member.language:
            await structure.set_member_language(uow, None, member, row.language, now)
    if row.department:
        try:
            department = await structure.find_department(uow, company_id, row.department)
        except InvalidInput:
            department = await structure.add_department(uow, None, company_id, row.department, now)
        if member.department_id != department.id:
            await structure.set_department(uow, None, member, department, now)
    return member, created


async def _invitation(uow: UnitOfWork, member: Member, now: datetime) -> Invitation:
    if await uow.members.identities_of(member.id):
        return Invitation(member.name, member.email, None)
    usable = [i for i in await uow.invites.for_member(member.id) if i.usable(now)]
    invite = usable[-1] if usable else None
    if invite is None:
        invite = await create_invite(uow, member.company_id, member.role, now, member_id=member.id)
    return Invitation(member.name, member.email, invite.code)
