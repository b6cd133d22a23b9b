"""Notification preferences and recurring task templates, as a member sets them."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import datetime, time

from domain.company import Member, Role
from domain.errors import InvalidInput, NotPermitted
from domain.ports import UnitOfWork
from domain.reminders import MUTABLE, OPT_IN, NewTaskTemplate, Preferences, TaskTemplate

_QUIET = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*[-–]\s*(\d{1,2}):(\d{2})\s*$")


async def preferences_of(uow: UnitOfWork, member: Member) -> Preferences:
    found = await uow.scheduler.preferences([member.id])
    return found.get(member.id) or Preferences(member.id)


async def set_muted(uow: UnitOfWork, member: Member, kind: str, muted: bool) -> Preferences:
    if kind not in MUTABLE:
        raise InvalidInput(field="notification_kind", reason="unknown", value=kind)
    prefs = await preferences_of(uow, member)
    if kind in OPT_IN:  # off by default: muting switches it off, unmuting on
        enabled = prefs.enabled - {kind} if muted else prefs.enabled | {kind}
        prefs = replace(prefs, enabled=frozenset(enabled))
    else:
        kinds = prefs.muted | {kind} if muted else prefs.muted - {kind}
        prefs = replace(prefs, muted=frozenset(kinds))
    await uow.scheduler.save_preferences(prefs)
    return prefs


def parse_quiet(text: str) -> tuple[time, time] | None:
    """``22:00-07:00`` -> the period; ``off`` -> None."""
    if text.strip().lower() in {"off", "none", "-", "wył", "выкл"}:
        return None
    match = _QUIET.match(text)
    if not match:
        raise InvalidInput(field="quiet", reason="format", value=text)
    h1, m1, h2, m2 = (int(g) for g in match.groups())
    try:
        period = (time(h1, m1), time(h2, m2))
    except ValueError as exc:
        raise InvalidInput(field="quiet", reason="format", value=text) from exc
    if period[0] == period[1]:
        raise InvalidInput(field="quiet", reason="empty", value=text)
    return period


async def set_quiet(uow: UnitOfWork, member: Member, text: str) -> Preferences:
    prefs = replace(await preferences_of(uow, member), quiet=parse_quiet(text))
    await uow.scheduler.save_preferences(prefs)
    return prefs


async def set_digest(uow: UnitOfWork, member: Member, on: bool) -> Preferences:
    prefs = replace(await preferences_of(uow, member), digest=on)
    await uow.scheduler.save_preferences(prefs)
    return prefs


async def add_template(
    uow: UnitOfWork,
    actor: Member,
    cron: str,
    text: str,
    now: datetime,
    validate_cron: Callable[[str, str], None],
) -> TaskTemplate:
    """Recurring work (the regulations' task templates). Extranet members may not."""
    if actor.role is Role.EXTRANET:
        raise NotPermitted(action="repeat")
    if not text.strip():
        raise InvalidInput(field="title", reason="empty")
    try:
        validate_cron(cron, actor.timezone)
    except ValueError as exc:
        raise InvalidInput(field="cron", reason="format", value=cron) from exc
    template = NewTaskTemplate(
        company_id=actor.company_id,
        creator_id=actor.id,
        text=text.strip(),
        cron=cron.strip(),
        timezone=actor.timezone,
        created_at=now,
    )
    return await uow.scheduler.add_template(template)


async def templates_of(uow: UnitOfWork, actor: Member) -> Sequence[TaskTemplate]:
    return [
        t
        for t in await uow.scheduler.templates()
        if t.company_id == actor.company_id and (actor.is_admin or t.creator_id == actor.id)
    ]


async def stop_template(uow: UnitOfWork, actor: Member, template_id: int) -> None:
    mine = {t.id for t in await templates_of(uow, actor)}
    if template_id not in mine:
        raise InvalidInput(field="template", reason="unknown", value=str(template_id))
    await uow.scheduler.deactivate_template(template_id, actor.company_id)


_DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
# The same rules as people write them in Polish and Russian (and plainer English):
# phrases first, as they are longer than the words they hold.
_RULE_WORDS = (
    ("w dni robocze", "weekdays"),
    ("dni robocze", "weekdays"),
    ("po dniach roboczych", "weekdays"),
    ("по будним", "weekdays"),
    ("по будням", "weekdays"),
    ("каждый день", "daily"),
    ("every day", "daily"),
    ("co tydzień", "weekly"),
    ("co tydzien", "weekly"),
    ("каждую неделю", "weekly"),
    ("co miesiąc", "monthly"),
    ("co miesiac", "monthly"),
    ("каждый месяц", "monthly"),
)
_WORDS = {
    "codziennie": "daily",
    "ежедневно": "daily",
    "workdays": "weekdays",
    "будни": "weekdays",
    "еженедельно": "weekly",
    "ежемесячно": "monthly",
}
_DAY_NAMES = {
    **{d: d for d in _DAYS},
    **dict.fromkeys(("pn", "pon", "poniedziałek"), "mon"),
    **dict.fromkeys(("wt", "wto", "wtorek"), "tue"),
    **dict.fromkeys(("śr", "sr", "śro", "środa", "sroda"), "wed"),
    **dict.fromkeys(("czw", "czwartek"), "thu"),
    **dict.fromkeys(("pt", "pią", "pia", "piątek", "piatek"), "fri"),
    **dict.fromkeys(("sob", "sobota"), "sat"),
    **dict.fromkeys(("nd", "ndz", "niedz", "niedziela"), "sun"),
    **dict.fromkeys(("пн", "понедельник", "понедельникам"), "mon"),
    **dict.fromkeys(("вт", "вторник", "вторникам"), "tue"),
    **dict.fromkeys(("ср", "среда", "среду", "средам"), "wed"),
    **dict.fromkeys(("чт", "четверг", "четвергам"), "thu"),
    **dict.fromkeys(("пт", "пятница", "пятницу", "пятницам"), "fri"),
    **dict.fromkeys(("сб", "суббота", "субботу", "субботам"), "sat"),
    **dict.fromkeys(("вс", "воскресенье", "воскресеньям"), "sun"),
}


def _rule_words(spec: str) -> list[str]:
    text = " ".join(spec.lower().split())
    for phrase, word in _RULE_WORDS:
        text = text.replace(phrase, word)
    words = [_WORDS.get(w, w) for w in text.split()]
    if len(words) == 3 and words[0] == "weekly":
        words[1] = _DAY_NAMES.get(words[1].rstrip("."), words[1])
    return words


def cron_from_words(spec: str) -> str:
    """``daily 9:00``, ``weekdays 8:30``, ``weekly fri 16:00``, ``monthly 1 10:00`` (also
    in Polish and Russian: ``codziennie 9:00``, ``w dni robocze 8:30``, ``co tydzień pt
    16:00``, ``ежемесячно 1 10:00``) or a five-field crontab expression (as is)."""
    words = spec.lower().split()
    if len(words) == 5:
        return " ".join(words)
    words = _rule_words(spec)

    def hm(word: str) -> tuple[int, int]:
        hour, _, minute = word.partition(":")
        if not hour.isdigit() or not (minute or "0").isdigit():
            raise InvalidInput(field="cron", reason="format", value=spec)
        return int(hour), int(minute or 0)

    match words:
        case ["daily", at]:
            h, m = hm(at)
            return f"{m} {h} * * *"
        case ["weekdays", at]:
            h, m = hm(at)
            return f"{m} {h} * * mon-fri"
        case ["weekly", day, at] if day[:3] in _DAYS:
            h, m = hm(at)
            return f"{m} {h} * * {day[:3]}"
        case ["monthly", day, at] if day.isdigit():
            h, m = hm(at)
            return f"{m} {h} {int(day)} * *"
    raise InvalidInput(field="cron", reason="format", value=spec)
