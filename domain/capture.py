"""Quick capture: turn one chat message into a task draft.

``parse_task("Website: call @ivan tomorrow at 9 #sales !h ~30m // about the offer", ...)``
gives the title "Website: call", project "Website", the deadline tomorrow 09:00, the
assignee "ivan", tag "sales", high priority, 30 planned minutes and the description
"about the offer".

How a message is read:

1. The text is split into the *head* and the description, at the first line break or at
   the first ``//`` that starts a word (so ``https://x.com`` is not split).
2. Leading ``Name:`` prefixes of the head that name a project or a task kind are noted;
   they stay in the title (the regulations' "Project: imperative title" convention).
3. The rest of the head is cut into words. ``!priority``, ``#tag``, ``@handle`` and
   ``~planned`` words are recognised by their first character; the deadline phrase is
   found by :mod:`domain.capture_dates` (all three languages at once: people mix them).
4. Recognised words are removed from the title; the punctuation they leave behind is
   tidied (``Call Ivan, tomorrow.`` -> ``Call Ivan.``). Nothing else is changed.

The parser is a pure function: no I/O, no clock (``now`` is an argument), never raises.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, time, tzinfo
from functools import lru_cache
from zoneinfo import ZoneInfo

from domain.capture_dates import find_deadline
from domain.capture_grammar import ABBREVIATIONS, fold_pl, word_set
from domain.capture_time import Ctx

# What "morning", "afternoon" and "evening" mean when the company has not said otherwise.
DEFAULT_DAY_PARTS = (time(9, 0), time(14, 0), time(18, 0))

__all__ = [
    "DEFAULT_DAY_PARTS",
    "TaskDraft",
    "detect_lang",
    "parse_task",
    "parse_task_detailed",
]


@dataclass(frozen=True)
class TaskDraft:
    """What a message says about the task to create. Defaults are the "nothing said" values."""

    title: str
    project: str | None = None
    deadline: datetime | None = None  # aware, in the member's zone
    priority: str = "medium"  # "high" | "medium" | "low"
    tags: tuple[str, ...] = ()  # lowercase, without "#"
    assignees: tuple[str, ...] = ()  # handles without "@"; the first one is responsible
    planned_minutes: int | None = None
    kind: str = "regular"  # "regular" | "general" | "control" | "backlog"
    description: str | None = None
    # @handles not among ``members`` (only when members were given); they stay in the title.
    unknown_handles: tuple[str, ...] = ()
    deadline_explicit_time: bool = False  # the user named a time of day (or "in 2 hours")
    # "!words" that name no priority ("!foo"): they stay in the title and are pointed out.
    unknown_priorities: tuple[str, ...] = ()


# --- vocabulary of the one-word tokens ------------------------------------------------------


def _with_folded(table: Mapping[str, str]) -> dict[str, str]:
    out = dict(table)
    for key, value in table.items():
        out.setdefault(fold_pl(key), value)
    return out


_PRIORITIES = _with_folded(
    {
        **dict.fromkeys(
            (
                *("!high", "!h", "!1", "!!", "!urgent", "!asap", "!important"),
                *("!wysoki", "!pilne", "!pilny", "!ważne", "!ważny", "!asap"),
                *("!высокий", "!срочно", "!срочная", "!важно", "!важная", "!асап"),
            ),
            "high",
        ),
        **dict.fromkeys(
            ("!medium", "!m", "!2", "!normal", "!średni", "!normalny", "!средний", "!обычная"),
            "medium",
        ),
        **dict.fromkeys(
            (
                *("!low", "!l", "!3", "!later", "!someday"),
                *("!niski", "!niepilne", "!kiedyś"),
                *("!низкий", "!несрочно", "!потом"),
            ),
            "low",
        ),
    }
)

_KINDS = _with_folded(
    {
        "stec": "backlog",
        "backlog": "backlog",
        "бэклог": "backlog",
        "беклог": "backlog",
        "general": "general",
        "ogólne": "general",
        "общая": "general",
        "control": "control",
        "kontrola": "control",
        "контроль": "control",
    }
)
_DEEPER_GENERAL = re.compile(r"(.+)-[0-9]{1,2}")  # "General-2" is a deeper general task

# A tag needs a letter, so "#42" (an issue number) stays text.
_TAG = re.compile(r"#([\w-]+)")
# Handles end in a word character, so the full stop in "ask @ivan." is not part of it.
_HANDLE = re.compile(r"@(\w(?:[\w.-]*\w)?)")
_H_UNITS = "h|hr|hrs|hour|hours|godz|godzina|godziny|godzin|ч|час|часа|часов"
_M_UNITS = "m|min|mins|minute|minutes|minut|minuty|minuta|м|мин|минут|минуты|минута"
_PLANNED = re.compile(
    rf"~(?:([0-9]{{1,4}}(?:[.,][0-9]{{1,2}})?)\s?(?:{_H_UNITS}))?"
    rf"(?:([0-9]{{1,4}})\s?(?:{_M_UNITS}))?",
    re.IGNORECASE,
)
_PLANNED_NUMBER = re.compile(r"~([0-9]{1,4}(?:[.,][0-9]{1,2})?)")
_PLANNED_MINUTES_WORD = re.compile(rf"([0-9]{{1,4}})(?:{_M_UNITS})", re.IGNORECASE)
_PLANNED_UNIT = re.compile(rf"(?:({_H_UNITS})|{_M_UNITS})", re.IGNORECASE)

_LEAD_PUNCT = "([{\"'«„“‘<"
_TRAIL_PUNCT = ")]}\"'»”’>,.;:!?…"
_CLOSERS = ")]}\"'»”’>"
_SEPARATORS = ",;:"
_DASHES = frozenset({"-", "–", "—", ":", ",", ";"})

_DESCRIPTION_SLASHES = re.compile(r"(?:^|(?<=\s))//")
_PREFIX = re.compile(r"\s*([^:\s][^:]{0,79}):(?=\s|$)")
_CYRILLIC = re.compile(r"[а-яё]", re.IGNORECASE)
_POLISH_LETTERS = re.compile(r"[ąćęłńśźż]", re.IGNORECASE)
_POLISH_WORDS = word_set(
    "jutro dziś dzisiaj pojutrze się jest dla oraz przez proszę zrób zadzwoń sprawdź "
    "wyślij napisz przygotuj spotkanie klienta tydzień tygodnia"
)


def detect_lang(text: str) -> str:
    """Guess the language: "ru" for Cyrillic, "pl" for Polish letters or words, otherwise "en"."""
    if _CYRILLIC.search(text):
        return "ru"
    if _POLISH_LETTERS.search(text):
        return "pl"
    if any(word in _POLISH_WORDS for word in text.lower().split()):
        return "pl"
    return "en"


@lru_cache(maxsize=256)
def _zone(name: str) -> tzinfo | None:
    try:
        return ZoneInfo(name)
    except (ValueError, KeyError, OSError):  # unknown or malformed zone names
        return None


# --- words ----------------------------------------------------------------------------------


@dataclass(slots=True)
class _Word:
    raw: str
    lead: int  # length of the leading punctuation, e.g. "(" in "(tomorrow)"
    trail: int  # length of the trailing punctuation
    core: str
    low: str
    used: bool = False  # recognised: removed from the title


def _word(raw: str) -> _Word:
    core = raw.lstrip(_LEAD_PUNCT)
    lead = len(raw) - len(core)
    stripped = core.rstrip(_TRAIL_PUNCT)
    if not stripped:  # "!!" is a priority, "..." is text: keep the word whole
        return _Word(raw, 0, 0, raw, raw.lower())
    return _Word(raw, lead, len(core) - len(stripped), stripped, stripped.lower())


def _with_bang(word: _Word) -> str:
    """The core with trailing "!" kept: "!!" and "!h!" are read as priorities."""
    return word.raw[word.lead :].rstrip(_TRAIL_PUNCT.replace("!", "")).lower()


# --- the parser -----------------------------------------------------------------------------


@dataclass(slots=True)
class _Fields:
    project: str | None = None
    kind: str = "regular"
    priority: str | None = None
    planned: int | None = None


def parse_task(
    text: str,
    *,
    now: datetime,
    tz: str,
    lang: str | None = None,
    projects: Collection[str] = (),
    members: Collection[str] = (),
    workday_end: time = time(18, 0),
    day_parts: tuple[time, time, time] = DEFAULT_DAY_PARTS,
) -> TaskDraft:
    """Parse one chat message into a :class:`TaskDraft` (see the module docstring).

    ``now`` must be aware; ``tz`` is the member's IANA zone (the deadline is returned in
    it); ``lang`` ("en", "pl", "ru") is a hint, ``None`` detects it; ``projects`` and
    ``members`` are the names a ``Name:`` prefix and ``@handles`` are checked against
    (empty ``members`` accepts every handle); ``workday_end`` is the time a deadline
    without a time of day gets.
    """
    draft, _ = parse_task_detailed(
        text,
        now=now,
        tz=tz,
        lang=lang,
        projects=projects,
        members=members,
        workday_end=workday_end,
        day_parts=day_parts,
    )
    return draft


def parse_task_detailed(
    text: str,
    *,
    now: datetime,
    tz: str,
    lang: str | None = None,
    projects: Collection[str] = (),
    members: Collection[str] = (),
    workday_end: time = time(18, 0),
    day_parts: tuple[time, time, time] = DEFAULT_DAY_PARTS,
) -> tuple[TaskDraft, tuple[str, ...]]:
    """:func:`parse_task` plus the fragments of the text it removed from the title.

    The fragments are the recognised words, the ``//`` separator and the punctuation
    tidied away after them. Together with the title and the description they account
    for every non-blank character of ``text`` (the chat layer can show them as "I
    understood: ..."; the tests use them to prove that no text is lost).
    """
    zone = _zone(tz) or now.tzinfo or UTC
    if now.tzinfo is None:
        now = now.replace(tzinfo=zone)  # the contract says aware; never raise regardless
    local_now = now.astimezone(zone)
    removed: list[str] = []

    head, description = _split_description(text.strip(), removed)
    language = lang if lang in ("en", "pl", "ru") else detect_lang(head)
    fields = _Fields()
    prefix_end = _read_prefixes(head, projects, fields)
    prefix = " ".join(head[:prefix_end].split())
    words = [_word(m[0]) for m in re.finditer(r"\S+", head[prefix_end:])]

    tags, assignees, unknown, bad_priorities = _read_tokens(words, members, fields)
    ctx = Ctx(now=local_now, zone=zone, workday_end=workday_end, lang=language, day_parts=day_parts)
    found = find_deadline([None if w.used else w.low for w in words], ctx)
    deadline: datetime | None = None
    explicit = False
    if found is not None:
        deadline, explicit = found.at, found.explicit_time
        for start, end in found.spans:
            for index in range(start, end):
                _take(words[index], abbreviation_ok=index < end - 1)
    elif fields.kind == "backlog":
        deadline = _next_year(local_now)

    body = _assemble(words, removed)
    if body:
        title = f"{prefix} {body}" if prefix else body
    else:  # only tokens (or a bare prefix): keep what the user wrote
        title = " ".join(head.split())
        removed = [r for r in removed if r == "//"]
    draft = TaskDraft(
        title=title,
        project=fields.project,
        deadline=deadline,
        priority=fields.priority or "medium",
        tags=tags,
        assignees=assignees,
        planned_minutes=fields.planned,
        kind=fields.kind,
        description=description,
        unknown_handles=unknown,
        deadline_explicit_time=explicit,
        unknown_priorities=bad_priorities,
    )
    return draft, tuple(removed)


def _split_description(text: str, removed: list[str]) -> tuple[str, str | None]:
    """Head and description: split at the first line break or word-initial ``//``."""
    newline = min((i for i in (text.find("\n"), text.find("\r")) if i >= 0), default=len(text))
    slashes = _DESCRIPTION_SLASHES.search(text, 0, newline)
    if slashes is not None and text[: slashes.start()].strip():
        removed.append("//")
        head, rest = text[: slashes.start()], text[slashes.end() :]
    elif newline < len(text):
        head, rest = text[:newline], text[newline + 1 :]
    else:
        return text, None
    return head, rest.strip() or None


def _read_prefixes(head: str, projects: Collection[str], fields: _Fields) -> int:
    """Note leading ``Project:`` / ``Kind:`` prefixes; return where the rest begins."""
    canonical = {" ".join(p.split()).casefold(): p.strip() for p in projects if p.strip()}
    position = 0
    for _ in range(3):
        match = _PREFIX.match(head, position)
        if match is None:
            break
        name = " ".join(match[1].split()).casefold()
        deeper = _DEEPER_GENERAL.fullmatch(name)
        kind = _KINDS.get(name) or (
            "general" if deeper and _KINDS.get(deeper[1]) == "general" else None
        )
        if kind is not None and fields.kind == "regular":
            fields.kind = kind
        elif name in canonical and fields.project is None:
            fields.project = canonical[name]
        else:
            break
        position = match.end()
    return position


_NEW_PROJECT_WORDS = 3  # "Field sales:" may be a project to create; a sentence is not


# Prefixes people copy from mail and notes that name no project: never offered as one.
_NOT_PROJECTS = frozenset(
    {"re", "fw", "fwd", "aw", "wg", "odp", "pd", "отв", "пересл", "note", "nb", "ps", "todo"}
    | {"uwaga", "notatka", "важно", "заметка", "примечание"}
)


def unknown_project(text: str, projects: Collection[str]) -> str | None:
    """The leading ``Name:`` of a task text when it names no project (nor a task kind)
    but looks like one — a few words with a letter in them; else None. The chat offers
    to create the project; the prefix stays in the title either way."""
    head, _ = _split_description(text.strip(), [])
    fields = _Fields()
    end = _read_prefixes(head, projects, fields)
    if fields.project is not None:
        return None
    match = _PREFIX.match(head, end)
    if match is None:
        return None
    name = " ".join(match[1].split())
    if len(name.split()) > _NEW_PROJECT_WORDS or not any(c.isalpha() for c in name):
        return None
    if name[:1] in "@#!~" or not head[match.end() :].strip():
        return None  # a token, or a prefix with nothing after it
    if name.casefold() in _NOT_PROJECTS:
        return None  # a forwarded mail's subject or a note, not a project
    return name


def _read_tokens(
    words: list[_Word], members: Collection[str], fields: _Fields
) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    """Priority, tags, handles and planned time; marks the words it recognises.

    Returns the tags, the known and unknown handles, and the "!words" naming no priority.
    """
    roster = {m.strip().lstrip("@").casefold(): m.strip().lstrip("@") for m in members}
    roster.pop("", None)
    tags: dict[str, None] = {}
    # Handles compare case-insensitively: keyed by the casefolded handle, first spelling kept.
    assignees: dict[str, str] = {}
    unknown: dict[str, str] = {}
    bad_priorities: dict[str, None] = {}
    for index, word in enumerate(words):
        first = word.core[:1]
        if first == "!":
            priority = _PRIORITIES.get(_with_bang(word)) or _PRIORITIES.get(word.low)
            if priority is not None:
                word.used = True
                fields.priority = fields.priority or priority  # the first one counts
            elif word.core[1:].isalpha():  # "!foo"; "!?" and "!!!" are punctuation
                bad_priorities[word.core] = None
        elif first == "#":
            tag = _TAG.fullmatch(word.core)
            if tag is not None and any(c.isalpha() for c in tag[1]):
                word.used = True
                tags[tag[1].lower()] = None
        elif first == "@":
            handle = _HANDLE.fullmatch(word.core)
            if handle is None:
                continue
            key = handle[1].casefold()
            if not roster:
                word.used = True
                assignees.setdefault(key, handle[1])
            elif key in roster:
                word.used = True
                assignees.setdefault(key, roster[key])
            else:
                unknown.setdefault(key, handle[1])
        elif first == "~":
            minutes = _planned_minutes(words, index)
            if minutes is not None:
                fields.planned = minutes if fields.planned is None else fields.planned
    return tuple(tags), tuple(assignees.values()), tuple(unknown.values()), tuple(bad_priorities)


def _planned_minutes(words: list[_Word], index: int) -> int | None:
    """``~1h30m``, ``~1,5ч``, ``~45min``, ``~90 min`` or ``~1h 30m``; marks the words used."""
    word = words[index]
    match = _PLANNED.fullmatch(word.core)
    if match is not None and (match[1] or match[2]):
        word.used = True
        hours = float(match[1].replace(",", ".")) if match[1] else 0.0
        minutes = int(match[2] or 0)
        following = words[index + 1] if index + 1 < len(words) else None
        if match[1] and not match[2] and following is not None and not word.trail:
            # "~1h 30m": the minutes may come as a separate word
            rest = _PLANNED_MINUTES_WORD.fullmatch(following.core)
            if rest is not None and not following.used and not following.lead:
                following.used = True
                minutes = int(rest[1])
        return round(hours * 60) + minutes
    number = _PLANNED_NUMBER.fullmatch(word.core)
    if number is None or index + 1 >= len(words) or word.trail:
        return None
    following = words[index + 1]
    unit = _PLANNED_UNIT.fullmatch(following.core)
    if unit is None or following.used or following.lead:
        return None
    word.used = following.used = True
    value = float(number[1].replace(",", "."))
    return round(value * 60) if unit[1] else round(value)


def _take(word: _Word, *, abbreviation_ok: bool) -> None:
    """Mark a deadline word used; an abbreviation's full stop goes with it.

    "o godz. 14", "5 дек.", and the Polish "30.11." (a date written with a final dot).
    """
    word.used = True
    dot = len(word.raw) - word.trail
    numeric_date = "." in word.low and word.low.replace(".", "").isdigit()
    if (
        word.trail
        and word.raw[dot] == "."
        and (abbreviation_ok or numeric_date or word.low in ABBREVIATIONS)
    ):
        word.core += "."
        word.trail -= 1


def _next_year(now: datetime) -> datetime | None:
    """Backlog default: the same moment a year later (29 February becomes the 28th)."""
    try:
        return now.replace(year=now.year + 1)
    except ValueError:
        try:
            return now.replace(year=now.year + 1, day=28)
        except ValueError:  # year 9999
            return None


def _assemble(words: list[_Word], removed: list[str]) -> str:
    """Join the words left in the title, tidying the punctuation removed words leave.

    ``Call Ivan, tomorrow.`` -> ``Call Ivan.``; ``(tomorrow 9:00) call`` -> ``call``;
    ``Tomorrow - call Ivan`` -> ``call Ivan``. Punctuation the user wrote next to kept
    words is not touched. Every character dropped here is appended to ``removed``.
    """
    kept: list[str] = []
    pending = ""  # opening punctuation of a removed word, waiting for a kept word
    gap = False  # a word was removed since the last kept word
    for word in words:
        if not word.used:
            if gap and word.raw in _DASHES and (not kept or kept[-1] in _DASHES):
                removed.append(word.raw)  # "- tomorrow -" or a leading "Tomorrow -"
                continue
            kept.append(pending + word.raw)
            pending, gap = "", False
            continue
        removed.append(word.core)
        gap = True
        if word.lead:
            pending += word.raw[: word.lead]
        if word.trail:
            trail = word.raw[len(word.raw) - word.trail :]
            closers = len(trail) - len(trail.lstrip(_CLOSERS))
            if pending and closers:  # "(tomorrow)": the brackets held only removed words
                removed.append(pending + trail[:closers])
                pending, trail = "", trail[closers:]
            _attach(kept, trail, removed)
    if pending:
        removed.append(pending)
    if gap and kept and kept[-1] in _DASHES:
        removed.append(kept.pop())
    if gap and kept and kept[-1][-1:] in _SEPARATORS:  # "Call Ivan, tomorrow"
        removed.append(kept[-1][-1])
        kept[-1] = kept[-1][:-1]
    return " ".join(k for k in kept if k)  # a lone ":" tidied away leaves nothing


def _attach(kept: list[str], trail: str, removed: list[str]) -> None:
    """Glue punctuation left after a removed word to the previous kept word."""
    if not trail:
        return
    if not kept:  # "Tomorrow, call Ivan": nothing to attach to
        removed.append(trail)
        return
    last = kept[-1]
    if last[-1:] in _SEPARATORS and trail[0] in _SEPARATORS:  # "Ivan, tomorrow, about"
        removed.append(trail[0])
        trail = trail[1:]
    elif last[-1:] in _SEPARATORS and trail[0] in ".!?…":  # "Ivan, tomorrow."
        removed.append(last[-1])
        last = last[:-1]
    kept[-1] = last + trail
