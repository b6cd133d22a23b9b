"""Company structure: companies, departments, members, chat identities, invites, projects."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from domain.holidays import is_public_holiday

LANGUAGES = ("en", "pl", "ru")


class Role(StrEnum):
    ADMIN = "admin"
    MANAGER = "manager"
    EMPLOYEE = "employee"
    EXTRANET = "extranet"


@dataclass(frozen=True)
class WorkSchedule:
    """When the company works; every schedule is computed in a member's own timezone."""

    working_days: frozenset[int] = frozenset({0, 1, 2, 3, 4})  # Monday = 0
    start: time = time(9, 0)
    end: time = time(18, 0)
    holidays: frozenset[date] = frozenset()
    # ISO country whose public holidays are days off too ("PL"); "" for none; None: not
    # decided yet (a new company takes the country of its timezone).
    country: str | None = None

    def is_working_day(self, day: date) -> bool:
        return (
            day.weekday() in self.working_days
            and day not in self.holidays
            and not is_public_holiday(self.country, day)
        )

    def end_of_day(self, day: date, tz: str) -> datetime:
        return datetime.combine(day, self.end, tzinfo=ZoneInfo(tz))

    def start_of_day(self, day: date, tz: str) -> datetime:
        return datetime.combine(day, self.start, tzinfo=ZoneInfo(tz))

    def next_working_day(self, day: date) -> date:
        nxt = day + timedelta(days=1)
        for _ in range(366):
            if self.is_working_day(nxt):
                return nxt
            nxt += timedelta(days=1)
        return day + timedelta(days=1)


@dataclass
class NewCompany:
    """A company not stored yet (``CompanyRepository.add`` makes it a ``Company``)."""

    name: str
    timezone: str = "Europe/Warsaw"
    language: str = "en"
    schedule: WorkSchedule = field(default_factory=WorkSchedule)


@dataclass
class Company(NewCompany):
    id: int = field(kw_only=True)


@dataclass
class NewDepartment:
    company_id: int
    name: str
    head_id: int | None = None
    parent_id: int | None = None


@dataclass
class Department(NewDepartment):
    id: int = field(kw_only=True)


@dataclass
class NewMember:
    """A member not stored yet (``MemberRepository.add`` makes it a ``Member``)."""

    company_id: int
    name: str
    handle: str
    role: Role = Role.EMPLOYEE
    language: str | None = None
    timezone: str = "Europe/Warsaw"
    department_id: int | None = None
    manager_id: int | None = None
    position: str | None = None
    email: str | None = None
    phone: str | None = None
    active: bool = True
    # When they joined: attendance and team digests do not count days before it.
    joined_at: datetime | None = None

    @property
    def is_admin(self) -> bool:
        return self.role is Role.ADMIN

    @property
    def is_extranet(self) -> bool:
        return self.role is Role.EXTRANET


@dataclass
class Member(NewMember):
    id: int = field(kw_only=True)


@dataclass(frozen=True)
class ChatIdentity:
    """One account of a member on one chat platform (telegram, slack, console)."""

    platform: str
    workspace: str
    user_id: str
    member_id: int
    chat_id: str | None = None
    unreachable: bool = False


@dataclass(frozen=True)
class ChatEmail:
    """The email address a chat platform holds for a user, and whether it verified it."""

    address: str
    confirmed: bool


def email_key(address: str) -> str:
    """How members' emails are stored and compared: stripped and case-folded."""
    return address.strip().lower()


def pick_by_email(
    email: ChatEmail, candidates: Sequence[Member], linked: frozenset[int]
) -> Member | None:
    """The member a chat user is, judged by the email the platform verified.

    Only a confirmed address counts; it must belong to exactly one active member, and
    that member must not be linked on the platform already (``linked``: member ids that
    have an identity there). A name, display name or unconfirmed address never links.
    """
    key = email_key(email.address)
    if not email.confirmed or not key:
        return None
    matches = [m for m in candidates if m.active and m.email is not None and m.email == key]
    if len(matches) != 1 or matches[0].id in linked:
        return None
    return matches[0]


@dataclass
class Invite:
    code: str
    company_id: int
    role: Role
    created_by: int | None
    created_at: datetime
    expires_at: datetime
    used_by: int | None = None
    used_at: datetime | None = None
    # A member created before they joined (brygada import members): redeeming the code
    # links the chat account to that member instead of creating a new one.
    member_id: int | None = None

    def usable(self, now: datetime) -> bool:
        return self.used_by is None and now < self.expires_at


@dataclass
class NewProject:
    """A project (group). Extranet members see only the projects they belong to."""

    company_id: int
    name: str
    member_ids: frozenset[int] = frozenset()
    # Archived: keeps its tasks, takes no new ones; listed apart.
    archived: bool = False


@dataclass
class Project(NewProject):
    id: int = field(kw_only=True)


def supervisors(member: Member, departments: Mapping[int, Department]) -> frozenset[int]:
    """The member's manager and the heads of their department chain (not the member)."""
    found = {member.manager_id} if member.manager_id else set()
    department_id, seen = member.department_id, set()
    while department_id is not None and department_id not in seen:
        seen.add(department_id)
        department = departments.get(department_id)
        if department is None:
            break
        if department.head_id is not None and department.head_id != member.id:
            found.add(department.head_id)
        department_id = department.parent_id
    return frozenset(found)


def subordinates(
    actor_id: int, members: Sequence[Member], departments: Mapping[int, Department]
) -> frozenset[int]:
    """Everyone below ``actor_id``, recursively: the staff of departments they head (and of
    the departments nested in those), their direct reports, and everyone below those."""
    below: dict[int, set[int]] = {}
    for member in members:
        for boss in supervisors(member, departments):
            below.setdefault(boss, set()).add(member.id)
    found: set[int] = set()
    todo = [actor_id]
    while todo:
        for member_id in below.get(todo.pop(), ()):
            if member_id not in found and member_id != actor_id:
                found.add(member_id)
                todo.append(member_id)
    return frozenset(found)


@dataclass(frozen=True)
class StructureChange:
    """One change of the company's structure, for the admins' history (/audit):
    who (None: the command line), when, what (a project, department or member, by id and
    by its name then), which field, from what to what."""

    company_id: int
    actor_id: int | None
    at: datetime
    subject: str  # "project" | "department" | "member"
    subject_id: int
    name: str
    field: str
    old: str | None = None
    new: str | None = None


def department_cycle(
    departments: Mapping[int, Department], department_id: int, parent_id: int | None
) -> bool:
    """Would putting ``department_id`` under ``parent_id`` make a department its own
    ancestor? (The parent's chain reaches the department, or they are the same.)"""
    seen: set[int] = set()
    current = parent_id
    while current is not None and current not in seen:
        if current == department_id:
            return True
        seen.add(current)
        parent = departments.get(current)
        current = parent.parent_id if parent is not None else None
    return False


def manager_cycle(members: Mapping[int, Member], member_id: int, manager_id: int | None) -> bool:
    """Would making ``manager_id`` the manager of ``member_id`` close a loop of managers?"""
    seen: set[int] = set()
    current = manager_id
    while current is not None and current not in seen:
        if current == member_id:
            return True
        seen.add(current)
        boss = members.get(current)
        current = boss.manager_id if boss is not None else None
    return False
