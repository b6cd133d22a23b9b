"""Request types: the built-in ones and those the company admin writes in a TOML file.

Pure: ``parse_approval_types(bytes)`` validates and returns a catalog; reading the
file is the composition root's job. Every error names the line it is about.

A type, in TOML::

    [leave]
    title = { en = "Leave", pl = "Urlop", ru = "Отпуск" }
    approvers = ["manager"]          # manager | department_head | @handle | role:<role>
    mode = "one"                     # one | any (one of a group) | chain (in order)
    absence_field = "dates"          # approved: the member is absent on these days
    due_hours = 16                   # working hours to decide, else it expires (optional)
    labels = { approve = { en = "Approve" } }   # button labels (optional)

    [[leave.fields]]
    name = "dates"
    type = "date_range"              # text | date_range | amount | choice | photo
    label = { en = "Dates, e.g. 01.12-05.12" }
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Any

from domain.approvals import BUILTIN_TYPES, ApproverMode, Verdict
from domain.company import LANGUAGES, Role
from domain.date_ranges import parse_range
from domain.errors import InvalidInput
from domain.money import parse_money


class FieldType(StrEnum):
    TEXT = "text"
    DATE_RANGE = "date_range"
    AMOUNT = "amount"
    CHOICE = "choice"
    PHOTO = "photo"


class ApproverKind(StrEnum):
    MANAGER = "manager"  # the requester's manager (else their department head)
    DEPARTMENT_HEAD = "department_head"
    MEMBER = "member"  # a named member: "@handle"
    ROLE = "role"  # everyone with a role: "role:admin"


@dataclass(frozen=True)
class LocalText:
    """A text in several languages; falls back to English, then to any language."""

    values: tuple[tuple[str, str], ...]

    @classmethod
    def of(cls, value: str | Mapping[str, str]) -> LocalText:
        if isinstance(value, str):
            return cls((("en", value),))
        return cls(tuple(sorted(value.items())))

    def get(self, lang: str) -> str:
        found = dict(self.values)
        return found.get(lang) or found.get("en") or next(iter(found.values()), "")

    def as_dict(self) -> dict[str, str]:
        return dict(self.values)


@dataclass(frozen=True)
class Option:
    value: str
    label: LocalText


@dataclass(frozen=True)
class FieldSpec:
    name: str
    type: FieldType
    label: LocalText
    required: bool = True
    options: tuple[Option, ...] = ()
    currencies: tuple[str, ...] = ("PLN", "EUR", "USD")
    max_length: int = 2000


@dataclass(frozen=True)
class ApproverSpec:
    kind: ApproverKind
    value: str | None = None  # the handle or the role

    @classmethod
    def parse(cls, text: str) -> ApproverSpec:
        text = text.strip()
        if text in (ApproverKind.MANAGER.value, ApproverKind.DEPARTMENT_HEAD.value):
            return cls(ApproverKind(text))
        if text.startswith("@") and re.fullmatch(r"@[\w.\-]{1,64}", text):
            return cls(ApproverKind.MEMBER, text[1:].lower())
        if text.startswith("role:") and text[5:] in {r.value for r in Role}:
            return cls(ApproverKind.ROLE, text[5:])
        raise ValueError(text)

    def __str__(self) -> str:
        if self.kind is ApproverKind.MEMBER:
            return f"@{self.value}"
        if self.kind is ApproverKind.ROLE:
            return f"role:{self.value}"
        return self.kind.value


@dataclass(frozen=True)
class ApprovalType:
    key: str
    title: LocalText
    fields: tuple[FieldSpec, ...] = ()
    approvers: tuple[ApproverSpec, ...] = (ApproverSpec(ApproverKind.MANAGER),)
    mode: ApproverMode = ApproverMode.ONE
    labels: tuple[tuple[Verdict, LocalText], ...] = ()
    absence_field: str | None = None
    due_hours: float | None = None

    def label(self, verdict: Verdict, lang: str) -> str | None:
        found = dict(self.labels).get(verdict)
        return found.get(lang) if found else None

    def field(self, name: str) -> FieldSpec | None:
        return next((f for f in self.fields if f.name == name), None)

    def snapshot(self) -> dict[str, Any]:
        """What a request keeps of its type, so later edits of the file do not change it."""
        return {
            "title": self.title.as_dict(),
            "fields": [
                {
                    "name": f.name,
                    "type": f.type.value,
                    "label": f.label.as_dict(),
                    "required": f.required,
                    "options": [{"value": o.value, "label": o.label.as_dict()} for o in f.options],
                    "currencies": list(f.currencies),
                }
                for f in self.fields
            ],
            "labels": {v.value: t.as_dict() for v, t in self.labels},
            "absence_field": self.absence_field,
        }

    @classmethod
    def from_snapshot(cls, key: str, spec: Mapping[str, Any]) -> ApprovalType:
        return cls(
            key=key,
            title=LocalText.of(spec.get("title") or key),
            fields=tuple(
                FieldSpec(
                    name=f["name"],
                    type=FieldType(f["type"]),
                    label=LocalText.of(f.get("label") or f["name"]),
                    required=bool(f.get("required", True)),
                    options=tuple(
                        Option(o["value"], LocalText.of(o["label"])) for o in f.get("options", ())
                    ),
                    currencies=tuple(f.get("currencies") or ("PLN",)),
                )
                for f in spec.get("fields", ())
            ),
            labels=tuple(
                (Verdict(v), LocalText.of(t)) for v, t in (spec.get("labels") or {}).items()
            ),
            absence_field=spec.get("absence_field"),
        )


@dataclass(frozen=True)
class ApprovalCatalog:
    """The request types of an install: the engine's own (task acceptance, time
    corrections, report reviews), the ready-made forms every company has from day one
    (``DEFAULT_TYPES``: leave, day off, expense, business trip) and the admin's own from
    approvals.toml, which add types or override a ready-made one by its key."""

    custom: Mapping[str, ApprovalType] = field(default_factory=dict)

    def get(self, key: str) -> ApprovalType | None:
        return self.custom.get(key) or DEFAULT_TYPES.get(key) or BUILTIN.get(key)

    def requestable(self) -> list[ApprovalType]:
        """The types a member may file with /request (the engine's own start from their
        subject): the ready-made ones, as overridden, then the admin's new ones."""
        return list({**DEFAULT_TYPES, **self.custom}.values())

    def requestable_type(self, wanted: str) -> ApprovalType | None:
        """A type by its key ("day_off", "day-off", "day off") or its title in any
        language ("urlop", "Отпуск"); None when nothing matches."""
        wanted = " ".join(wanted.casefold().split())
        if not wanted:
            return None
        types = {t.key: t for t in self.requestable()}
        key = re.sub(r"[\s\-]+", "_", wanted)
        if key in types:
            return types[key]
        for rtype in types.values():
            for _, title in rtype.title.values:
                names = {title.casefold(), *(p.strip() for p in title.casefold().split("/"))}
                if wanted in names:
                    return rtype
        return None


BUILTIN: dict[str, ApprovalType] = {
    "task_acceptance": ApprovalType(
        "task_acceptance",
        LocalText.of({"en": "Task acceptance", "pl": "Odbiór zadania", "ru": "Приёмка задачи"}),
    ),
    "time_correction": ApprovalType(
        "time_correction",
        LocalText.of(
            {"en": "Time correction", "pl": "Korekta czasu", "ru": "Корректировка времени"}
        ),
    ),
    "report_review": ApprovalType(
        "report_review",
        LocalText.of({"en": "Daily report review", "pl": "Ocena raportu", "ru": "Оценка отчёта"}),
    ),
}
assert set(BUILTIN) == BUILTIN_TYPES


def _text(en: str, pl: str, ru: str) -> LocalText:
    return LocalText.of({"en": en, "pl": pl, "ru": ru})


def _field(
    name: str, ftype: FieldType, label: LocalText, *, required: bool = True, **more: Any
) -> FieldSpec:
    return FieldSpec(name, ftype, label, required, **more)


_CURRENCIES = ("PLN", "EUR", "USD", "RUB")
_NOTE = _text("A note for your manager", "Uwagi dla przełożonego", "Комментарий руководителю")

# Ready-made request types: /request leave works without any configuration. The
# approver is the requester's manager, else their department head, else an admin
# (``domain.services.approvals.resolve_steps``). approvals.toml overrides them by key.
DEFAULT_TYPES: dict[str, ApprovalType] = {
    "leave": ApprovalType(
        "leave",
        _text("Leave / absence", "Urlop / nieobecność", "Отпуск / отсутствие"),
        fields=(
            _field(
                "kind",
                FieldType.CHOICE,
                _text("What kind of absence?", "Jaki rodzaj nieobecności?", "Какое отсутствие?"),
                options=(
                    Option("vacation", _text("Vacation", "Urlop wypoczynkowy", "Отпуск")),
                    Option("sick", _text("Sick leave", "Zwolnienie lekarskie", "Больничный")),
                    Option("unpaid", _text("Unpaid leave", "Urlop bezpłatny", "За свой счёт")),
                ),
            ),
            _field("dates", FieldType.DATE_RANGE, _text("Dates", "Daty", "Даты")),
            _field("note", FieldType.TEXT, _NOTE, required=False),
        ),
        absence_field="dates",
        labels=(
            (
                Verdict.APPROVE,
                _text("✅ Grant leave", "✅ Udziel urlopu", "✅ Одобрить отпуск"),
            ),
        ),
    ),
    "day_off": ApprovalType(
        "day_off",
        _text("Day off", "Dzień wolny", "Отгул"),
        fields=(
            _field(
                "date", FieldType.DATE_RANGE, _text("Which day?", "Który dzień?", "Какой день?")
            ),
            _field("note", FieldType.TEXT, _NOTE, required=False),
        ),
        absence_field="date",
    ),
    "expense": ApprovalType(
        "expense",
        _text("Expense", "Wydatek", "Расход"),
        fields=(
            _field("purpose", FieldType.TEXT, _text("What was it for?", "Na co?", "На что?")),
            _field(
                "amount",
                FieldType.AMOUNT,
                _text("Amount", "Kwota", "Сумма"),
                currencies=_CURRENCIES,
            ),
            _field(
                "receipt",
                FieldType.PHOTO,
                _text("A photo of the receipt", "Zdjęcie paragonu", "Фото чека"),
                required=False,
            ),
        ),
    ),
    "business_trip": ApprovalType(
        "business_trip",
        _text("Business trip", "Delegacja", "Командировка"),
        fields=(
            _field("destination", FieldType.TEXT, _text("Where to?", "Dokąd?", "Куда?")),
            _field("dates", FieldType.DATE_RANGE, _text("Dates", "Daty", "Даты")),
            _field("purpose", FieldType.TEXT, _text("What for?", "W jakim celu?", "Цель поездки")),
            _field(
                "advance",
                FieldType.AMOUNT,
                _text("Advance needed", "Potrzebna zaliczka", "Нужен аванс"),
                required=False,
                currencies=_CURRENCIES,
            ),
        ),
    ),
}


# -- loading and validation -----------------------------------------------------------------


class ApprovalConfigError(ValueError):
    """The approvals file is wrong; the message names the file and the line."""

    def __init__(self, source: str, line: int | None, message: str) -> None:
        where = f"{source}:{line}" if line else source
        super().__init__(f"{where}: {message}")
        self.source, self.line, self.message = source, line, message


_KEY = re.compile(r"[a-z][a-z0-9_]{0,23}")
_LINE_IN_TOML_ERROR = re.compile(r"line (\d+)")
_TYPE_KEYS = {"title", "approvers", "mode", "absence_field", "due_hours", "labels", "fields"}
_FIELD_KEYS = {"name", "type", "label", "required", "options", "currencies", "max_length"}

Path = tuple[str | int, ...]


def parse_approval_types(data: bytes, source: str = "approvals.toml") -> ApprovalCatalog:
    """Validate the admin's file; raises ApprovalConfigError naming the offending line."""
    text = data.decode("utf-8", errors="replace")
    try:
        tree = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        match = _LINE_IN_TOML_ERROR.search(str(error))
        line = int(match.group(1)) if match else None
        if line is None and "end of document" in str(error):
            line = max(len(text.splitlines()), 1)
        raise ApprovalConfigError(source, line, f"not valid TOML: {error}") from error
    lines = _KeyLines(text)

    def fail(path: Path, message: str) -> ApprovalConfigError:
        return ApprovalConfigError(source, lines.find(path), message)

    custom: dict[str, ApprovalType] = {}
    for key, body in tree.items():
        if not _KEY.fullmatch(key):
            raise fail((key,), f"type name {key!r}: use a-z, 0-9 and _ (up to 24 characters)")
        if key in BUILTIN_TYPES:
            raise fail((key,), f"{key!r} is a built-in type and cannot be redefined")
        if not isinstance(body, dict):
            raise fail((key,), f"{key!r} must be a table: [{key}]")
        custom[key] = _parse_type(key, body, fail)
    return ApprovalCatalog(custom)


def _parse_type(key: str, body: dict[str, Any], fail: Any) -> ApprovalType:
    for unknown in sorted(set(body) - _TYPE_KEYS):
        raise fail((key, unknown), f"[{key}]: unknown key {unknown!r}")
    if "title" not in body:
        raise fail((key,), f"[{key}]: a title is required")
    title = _local_text(body["title"], (key, "title"), fail)
    approvers_raw = body.get("approvers", ["manager"])
    if not isinstance(approvers_raw, list) or not approvers_raw:
        raise fail((key, "approvers"), f"[{key}]: approvers must be a non-empty list")
    approvers = []
    for item in approvers_raw:
        try:
            approvers.append(ApproverSpec.parse(str(item)))
        except ValueError:
            raise fail(
                (key, "approvers"),
                f"[{key}]: unknown approver {item!r}; use manager, department_head, "
                "@handle or role:admin|manager|employee",
            ) from None
    mode_raw = body.get("mode", "one" if len(approvers) == 1 else "any")
    try:
        mode = ApproverMode(mode_raw)
    except ValueError:
        raise fail((key, "mode"), f"[{key}]: mode {mode_raw!r}: use one, any or chain") from None
    fields_raw = body.get("fields", [])
    if not isinstance(fields_raw, list):
        raise fail((key, "fields"), f"[{key}]: fields must be written as [[{key}.fields]]")
    fields: list[FieldSpec] = []
    for index, raw in enumerate(fields_raw):
        spec = _parse_field(key, index, raw, fail)
        if any(f.name == spec.name for f in fields):
            raise fail((key, "fields", index, "name"), f"[{key}]: field {spec.name!r} twice")
        fields.append(spec)
    absence = body.get("absence_field")
    if absence is not None:
        target = next((f for f in fields if f.name == absence), None)
        if target is None or target.type is not FieldType.DATE_RANGE:
            raise fail(
                (key, "absence_field"),
                f"[{key}]: absence_field {absence!r} must name a date_range field",
            )
    due = body.get("due_hours")
    if due is not None and (isinstance(due, bool) or not isinstance(due, int | float) or due <= 0):
        raise fail((key, "due_hours"), f"[{key}]: due_hours must be a positive number")
    labels_raw = body.get("labels", {})
    if not isinstance(labels_raw, dict):
        raise fail((key, "labels"), f"[{key}]: labels must be a table")
    labels = []
    for verdict_raw, value in labels_raw.items():
        try:
            verdict = Verdict(verdict_raw)
        except ValueError:
            raise fail(
                (key, "labels", verdict_raw),
                f"[{key}]: label {verdict_raw!r}: use approve, return or reject",
            ) from None
        labels.append((verdict, _local_text(value, (key, "labels", verdict_raw), fail)))
    return ApprovalType(
        key=key,
        title=title,
        fields=tuple(fields),
        approvers=tuple(approvers),
        mode=mode,
        labels=tuple(labels),
        absence_field=absence,
        due_hours=float(due) if due is not None else None,
    )


def _parse_field(key: str, index: int, raw: Any, fail: Any) -> FieldSpec:
    here: Path = (key, "fields", index)
    if not isinstance(raw, dict):
        raise fail(here, f"[{key}]: each field is a table [[{key}.fields]]")
    for unknown in sorted(set(raw) - _FIELD_KEYS):
        raise fail((*here, unknown), f"[{key}] field {index + 1}: unknown key {unknown!r}")
    name = raw.get("name")
    if not isinstance(name, str) or not _KEY.fullmatch(name):
        raise fail((*here, "name") if "name" in raw else here, f"[{key}] field {index + 1}: "
                   "a name of a-z, 0-9 and _ is required")  # fmt: skip
    type_raw = raw.get("type")
    try:
        ftype = FieldType(str(type_raw))
    except ValueError:
        raise fail(
            (*here, "type") if "type" in raw else here,
            f"[{key}] field {name!r}: type {type_raw!r}: use "
            + ", ".join(t.value for t in FieldType),
        ) from None
    label = _local_text(raw.get("label", name), (*here, "label"), fail)
    required = raw.get("required", True)
    if not isinstance(required, bool):
        raise fail((*here, "required"), f"[{key}] field {name!r}: required is true or false")
    options: list[Option] = []
    if ftype is FieldType.CHOICE:
        options_raw = raw.get("options")
        if not isinstance(options_raw, list) or not options_raw:
            raise fail(
                (*here, "options") if "options" in raw else here,
                f"[{key}] field {name!r}: a choice needs options = [...]",
            )
        for item in options_raw:
            if isinstance(item, str) and item.strip():
                options.append(Option(item.strip(), LocalText.of(item.strip())))
            elif isinstance(item, dict) and isinstance(item.get("value"), str):
                text = _local_text(item.get("label", item["value"]), (*here, "options"), fail)
                options.append(Option(item["value"], text))
            else:
                raise fail(
                    (*here, "options"),
                    f"[{key}] field {name!r}: an option is a text "
                    "or { value = ..., label = ... }",
                )
    elif "options" in raw:
        raise fail((*here, "options"), f"[{key}] field {name!r}: options are for choice fields")
    currencies: tuple[str, ...] = ("PLN", "EUR", "USD")
    if "currencies" in raw:
        raw_cur = raw["currencies"]
        if (
            ftype is not FieldType.AMOUNT
            or not isinstance(raw_cur, list)
            or not raw_cur
            or not all(isinstance(c, str) and re.fullmatch(r"[A-Za-z]{3}", c) for c in raw_cur)
        ):
            raise fail(
                (*here, "currencies"),
                f'[{key}] field {name!r}: currencies = ["PLN", ...] (3-letter codes, amounts only)',
            )
        currencies = tuple(c.upper() for c in raw_cur)
    max_length = raw.get("max_length", 2000)
    if isinstance(max_length, bool) or not isinstance(max_length, int) or max_length < 1:
        raise fail((*here, "max_length"), f"[{key}] field {name!r}: max_length is a number")
    return FieldSpec(name, ftype, label, required, tuple(options), currencies, max_length)


def _local_text(value: Any, path: Path, fail: Any) -> LocalText:
    if isinstance(value, str) and value.strip():
        return LocalText.of(value.strip())
    if isinstance(value, dict) and value:
        bad = [k for k, v in value.items() if k not in LANGUAGES or not isinstance(v, str)]
        if not bad:
            return LocalText.of({k: str(v) for k, v in value.items()})
        raise fail(
            (*path, bad[0]), f"{'.'.join(str(p) for p in path)}: languages are en, pl, ru (texts)"
        )
    raise fail(
        path, f"{'.'.join(str(p) for p in path)}: a text or {{ en = ..., pl = ..., ru = ... }}"
    )


class _KeyLines:
    """Finds the line where a key path is written (tomllib keeps no positions)."""

    _HEADER = re.compile(r"^\s*\[(\[)?\s*([^\]]+?)\s*\]\]?")
    _ASSIGN = re.compile(
        r"""^\s*((?:[A-Za-z0-9_\-]+|"[^"]*"|'[^']*')(?:\s*\.\s*(?:[A-Za-z0-9_\-]+|"[^"]*"|'[^']*'))*)\s*="""
    )

    def __init__(self, text: str) -> None:
        self._entries: list[tuple[Path, int]] = list(self._scan(text))

    @staticmethod
    def _keys(raw: str) -> list[str]:
        return [k.strip().strip("\"'") for k in raw.split(".")]

    def _scan(self, text: str) -> Iterator[tuple[Path, int]]:
        table: Path = ()
        counts: dict[Path, int] = {}
        for number, line in enumerate(text.splitlines(), 1):
            header = self._HEADER.match(line)
            if header:
                keys: Path = tuple(self._keys(header.group(2)))
                if header.group(1):  # [[array of tables]]
                    counts[keys] = counts.get(keys, -1) + 1
                    table = (*keys, counts[keys])
                else:
                    table = keys
                yield table, number
                continue
            assign = self._ASSIGN.match(line)
            if assign:
                yield (*table, *self._keys(assign.group(1))), number

    def find(self, path: Sequence[str | int]) -> int | None:
        """The line of ``path``, else of its closest written ancestor."""
        target = tuple(path)
        while target:
            for keys, number in self._entries:
                if keys == target:
                    return number
            target = target[:-1]
        return None


# -- answers ---------------------------------------------------------------------------------

SKIP = frozenset({"-", "—", "skip"})


def parse_answer(
    spec: FieldSpec, text: str, attachments: Sequence[tuple[str, str]], today: date
) -> Any:
    """A typed answer to one form field, or InvalidInput(field=..., reason=...).

    ``attachments`` are (kind, platform ref) pairs; ``today`` is the member's local date
    (dates without a year are read as the nearest such date, never months in the past).
    """
    text = text.strip()
    if not spec.required and text.lower() in SKIP and not attachments:
        return None
    problem = {"field": spec.name, "type": spec.type.value}
    match spec.type:
        case FieldType.TEXT:
            if not text:
                raise InvalidInput(reason="empty", **problem)
            if len(text) > spec.max_length:
                raise InvalidInput(reason="too_long", limit=spec.max_length, **problem)
            return text
        case FieldType.DATE_RANGE:
            start, end = parse_date_range(text, today, problem)
            return {"start": start.isoformat(), "end": end.isoformat()}
        case FieldType.AMOUNT:
            return _parse_amount(spec, text, problem)
        case FieldType.CHOICE:
            return _parse_choice(spec, text, problem)
        case FieldType.PHOTO:
            for kind, ref in attachments:
                if kind in ("photo", "document"):
                    return {"kind": kind, "ref": ref}
            raise InvalidInput(reason="photo_needed", **problem)
    raise InvalidInput(reason="unknown_type", **problem)  # pragma: no cover


def parse_date_range(
    text: str, today: date, problem: Mapping[str, Any] | None = None
) -> tuple[date, date]:
    """``01.12-05.12``, ``od 21 do 23 grudnia``, ``с 21 по 23 декабря``, ``Dec 21-23`` or
    one date (``domain.date_ranges``); a refusal names the field it is about."""
    problem = dict(problem or {"field": "dates", "type": "date_range"})
    try:
        return parse_range(text, today)
    except InvalidInput as error:
        raise InvalidInput(**{**error.params, **problem}) from None


def _parse_amount(spec: FieldSpec, text: str, problem: Mapping[str, Any]) -> dict[str, str]:
    """``120.50``, ``12 000 zł``, ``$12,000`` (``domain.money``); the field's first
    currency is the default."""
    try:
        amount, currency = parse_money(text, spec.currencies[0], spec.currencies)
    except InvalidInput as error:
        params = {k: v for k, v in error.params.items() if k != "text"}
        if params.get("reason") == "unknown_currency":
            params.update(reason="currency", allowed=", ".join(spec.currencies))
        raise InvalidInput(**{**params, **problem}) from None
    return {"amount": f"{amount}", "currency": currency}


def _parse_choice(spec: FieldSpec, text: str, problem: Mapping[str, Any]) -> str:
    wanted = text.strip().lower()
    if wanted.isdigit() and 1 <= int(wanted) <= len(spec.options):
        return spec.options[int(wanted) - 1].value
    for option in spec.options:
        names = {option.value.lower(), *(v.lower() for _, v in option.label.values)}
        if wanted in names:
            return option.value
    raise InvalidInput(
        reason="not_an_option", value=text, allowed=", ".join(o.value for o in spec.options),
        **problem,
    )  # fmt: skip


def format_answer(spec: FieldSpec, value: Any, lang: str) -> str:
    """An answer as a short line for cards (photos are shown by the template's own words)."""
    if value is None:
        return "—"
    match spec.type:
        case FieldType.DATE_RANGE:
            start, end = date.fromisoformat(value["start"]), date.fromisoformat(value["end"])
            if start == end:
                return start.strftime("%d.%m.%Y")
            return f"{start.strftime('%d.%m.%Y')} – {end.strftime('%d.%m.%Y')}"
        case FieldType.AMOUNT:
            return f"{value['amount']} {value['currency']}"
        case FieldType.CHOICE:
            option = next((o for o in spec.options if o.value == value), None)
            return option.label.get(lang) if option else str(value)
        case FieldType.PHOTO:
            return str(value.get("ref", ""))
    return str(value)


def date_range_of(value: Any) -> tuple[date, date] | None:
    if not isinstance(value, dict) or "start" not in value:
        return None
    return date.fromisoformat(value["start"]), date.fromisoformat(value["end"])
