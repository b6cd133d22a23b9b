"""Companies, invites, joining and member settings."""

from __future__ import annotations

import re
import secrets
from dataclasses import replace
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from domain.company import (
    LANGUAGES,
    ChatEmail,
    ChatIdentity,
    Company,
    Invite,
    Member,
    NewCompany,
    NewMember,
    Role,
    WorkSchedule,
    email_key,
    pick_by_email,
)
from domain.errors import (
    InvalidInput,
    InviteInvalid,
    MemberInactive,
    MemberNotFound,
    NotPermitted,
    NotRegistered,
)
from domain.holidays import country_for_timezone, known_country
from domain.notifications import Notification
from domain.ports import UnitOfWork

INVITE_TTL = timedelta(days=14)
_HANDLE_CHARS = re.compile(r"[^\w.-]+", re.UNICODE)
# Unambiguous alphabet: no 0/O, 1/l/I, so a code read aloud or retyped survives.
_CODE_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s.]+")
MAX_EMAIL = 254


def validate_timezone(tz: str) -> str:
    try:
        ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise InvalidInput(field="timezone", reason="unknown", value=tz) from exc
    return tz


def validate_language(language: str) -> str:
    language = language.lower()[:2]
    if language not in LANGUAGES:
        raise InvalidInput(field="language", reason="unknown", value=language)
    return language


async def create_company(
    uow: UnitOfWork,
    name: str,
    *,
    timezone: str = "Europe/Warsaw",
    language: str = "en",
    schedule: WorkSchedule | None = None,
) -> Company:
    name = name.strip()
    if not name:
        raise InvalidInput(field="company", reason="empty")
    schedule = schedule or WorkSchedule()
    if schedule.country is None:
        schedule = replace(schedule, country=country_for_timezone(timezone) or "")
    company = NewCompany(
        name=name,
        timezone=validate_timezone(timezone),
        language=validate_language(language),
        schedule=schedule,
    )
    return await uow.companies.add(company)


def _may_invite(inviter: Role, invited: Role) -> bool:
    if inviter is Role.ADMIN:
        return True
    return inviter is Role.MANAGER and invited is not Role.ADMIN


async def create_invite(
    uow: UnitOfWork,
    company_id: int,
    role: Role,
    now: datetime,
    *,
    created_by: Member | None = None,
    member_id: int | None = None,
) -> Invite:
    """Only admins invite admins; managers invite others; employees invite nobody.
    ``member_id``: the code is for a member set up before joining (see ``join``)."""
    if created_by is not None and not _may_invite(created_by.role, role):
        raise NotPermitted(action="invite")
    code = "".join(secrets.choice(_CODE_ALPHABET) for _ in range(10))
    invite = Invite(
        code=code,
        company_id=company_id,
        role=role,
        created_by=created_by.id if created_by else None,
        created_at=now,
        expires_at=now + INVITE_TTL,
        member_id=member_id,
    )
    await uow.invites.add(invite)
    return invite


async def unique_handle(uow: UnitOfWork, company_id: int, wanted: str) -> str:
    base = _HANDLE_CHARS.sub("", wanted.replace(" ", ".")).strip(".").lower() or "member"
    handle, n = base, 1
    while await uow.members.by_handle(company_id, handle) is not None:
        n += 1
        handle = f"{base}{n}"
    return handle


async def join(
    uow: UnitOfWork,
    *,
    code: str,
    platform: str,
    workspace: str,
    user_id: str,
    chat_id: str | None,
    name: str,
    username: str | None,
    language: str | None,
    now: datetime,
) -> Member:
    """Redeem an invite. The first member of a company becomes its admin."""
    if await uow.members.by_identity(platform, workspace, user_id) is not None:
        raise InviteInvalid(reason="already_member")
    invite = await uow.invites.get(code.strip())
    if invite is None or not invite.usable(now):
        raise InviteInvalid(reason="unknown_or_used")
    company = await uow.companies.get(invite.company_id)
    if company is None:
        raise InviteInvalid(reason="unknown_or_used")
    if invite.member_id is not None:
        return await _join_as(uow, invite, platform, workspace, user_id, chat_id, now)
    first = await uow.members.count(company.id) == 0
    lang = language.lower()[:2] if language else None
    member = NewMember(
        company_id=invite.company_id,
        name=name.strip() or (username or "member"),
        handle=await unique_handle(uow, invite.company_id, username or name),
        role=Role.ADMIN if first else invite.role,
        language=lang if lang in LANGUAGES else None,
        timezone=company.timezone,
        joined_at=now,
    )
    member = await uow.members.add(member)
    await uow.members.add_identity(ChatIdentity(platform, workspace, user_id, member.id, chat_id))
    invite.used_by, invite.used_at = member.id, now
    await uow.invites.save(invite)
    return member


async def _join_as(
    uow: UnitOfWork,
    invite: Invite,
    platform: str,
    workspace: str,
    user_id: str,
    chat_id: str | None,
    now: datetime,
) -> Member:
    """An invite made for a member set up before they joined (brygada import members):
    the chat account becomes that member, with what the admin set up for them."""
    assert invite.member_id is not None
    member = await uow.members.get(invite.member_id)
    if member is None or not member.active:
        raise InviteInvalid(reason="unknown_or_used")
    identity = ChatIdentity(platform, workspace, user_id, invite.member_id, chat_id)
    await uow.members.add_identity(identity)
    invite.used_by, invite.used_at = member.id, now
    await uow.invites.save(invite)
    return member


async def identify(
    uow: UnitOfWork, platform: str, workspace: str, user_id: str, *, in_private: bool = True
) -> Member:
    """``in_private``: they write in their private chat with the bot (not in a group)."""
    found = await uow.members.by_identity(platform, workspace, user_id)
    if found is None:
        raise NotRegistered()
    if not found[0].active:
        # Let go (domain.services.structure.let_go): told so, politely; nothing acts.
        company = await uow.companies.get(found[0].company_id)
        raise MemberInactive(company=company.name if company else "")
    member, identity = found
    if identity.unreachable and in_private:
        # They are writing to us privately, so they can be reached again (unblocked the
        # bot). Writing in a group says nothing about the private chat.
        await uow.members.mark_reachable(platform, workspace, user_id)
    return member


def validate_email(address: str) -> str:
    """An address as stored: case-folded; refused when it cannot be an email."""
    key = email_key(address)
    if len(key) > MAX_EMAIL or not _EMAIL.fullmatch(key):
        raise InvalidInput(field="email", reason="invalid", value=address)
    return key


async def set_email(uow: UnitOfWork, member: Member, address: str | None) -> Member:
    """Set (or, with None, clear) the member's work email; one member per address."""
    key = validate_email(address) if address is not None else None
    if key is not None:
        taken = [m for m in await uow.members.by_email(member.company_id, key) if m.id != member.id]
        if taken:
            raise InvalidInput(field="email", reason="taken", value=key)
    member.email = key
    await uow.members.save(member)
    return member


async def workspace_company(uow: UnitOfWork, platform: str, workspace: str) -> int | None:
    """The company a chat workspace belongs to: the one whose members are there, else the
    only company of this installation; None when that is not clear."""
    found = await uow.members.companies_on(platform, workspace)
    if not found:
        companies = await uow.companies.all()
        found = frozenset(c.id for c in companies)
    return next(iter(found)) if len(found) == 1 else None


async def link_by_email(
    uow: UnitOfWork,
    *,
    platform: str,
    workspace: str,
    user_id: str,
    chat_id: str | None,
    email: ChatEmail,
) -> Member | None:
    """A chat user nobody knows yet is linked to the member with the address the platform
    verified for them (see ``pick_by_email``); None when no member qualifies."""
    if not email.confirmed or await uow.members.by_identity(platform, workspace, user_id):
        return None
    company_id = await workspace_company(uow, platform, workspace)
    if company_id is None:
        return None
    candidates = await uow.members.by_email(company_id, email_key(email.address))
    linked: set[int] = set()
    for candidate in candidates:
        if any(i.platform == platform for i in await uow.members.identities_of(candidate.id)):
            linked.add(candidate.id)
    member = pick_by_email(email, candidates, frozenset(linked))
    if member is None:
        return None
    await uow.members.add_identity(ChatIdentity(platform, workspace, user_id, member.id, chat_id))
    return member


async def set_company_country(uow: UnitOfWork, company: Company, country: str) -> Company:
    """Whose public holidays the company keeps: an ISO code ("PL"), or "-" for none."""
    code = country.strip().upper()
    if code in ("-", "NONE"):
        code = ""
    elif not known_country(code):
        raise InvalidInput(field="country", reason="unknown", value=country)
    company.schedule = replace(company.schedule, country=code)
    await uow.companies.save(company)
    return company


async def set_language(uow: UnitOfWork, member: Member, language: str) -> Member:
    member.language = validate_language(language)
    await uow.members.save(member)
    return member


async def set_timezone(uow: UnitOfWork, member: Member, tz: str) -> Member:
    member.timezone = validate_timezone(tz.strip())
    await uow.members.save(member)
    return member


async def member_by_handle(uow: UnitOfWork, company_id: int, handle: str) -> Member:
    member = await uow.members.by_handle(company_id, handle.lstrip("@").lower())
    if member is None or not member.active:
        raise MemberNotFound(handle=handle)
    return member


async def member_unreachable(uow: UnitOfWork, member_id: int, platform: str) -> None:
    """A member blocked the bot or left: stop trying there, and tell the admins, once."""
    member = await uow.members.get(member_id)
    if member is None:
        return
    for admin in await uow.members.list(member.company_id):
        if admin.role is Role.ADMIN and admin.active and admin.id != member_id:
            await uow.outbox.add(
                Notification(
                    member_id=admin.id,
                    kind="member.unreachable",
                    data={"member_id": member_id, "name": member.name, "platform": platform},
                    dedup_key=f"member.unreachable:{member_id}:{platform}:{admin.id}",
                )
            )
