"""Render a Reply into text for one platform dialect and the member's language.

One jinja2 template per reply (templates/<name>.j2), English in the source; its words
are gettext messages (``_()``, ``ngettext``) translated by the catalogs in
handlers/locale/<lang>/LC_MESSAGES/brygada.mo (see handlers/locale/README.md). Button
labels and short words are keyed (handlers/labels.py) and translated with the key as
context (``label()``, ``t()`` in templates).

Every ``{{ value }}`` is escaped for the target dialect by ``finalize``; markup comes
only from the dialect's helpers (``b()``, ``i()``, ``code()``, ``link()``), which return
``Fmt`` strings that are not escaped again.

Gettext is jinja2's "newstyle" (placeholders are keyword arguments, ``%(name)s``) with
our own callables rather than ``install_gettext_translations``: they pick the catalog
from the render's ``lang``, so one environment (one compiled-template cache) per dialect
serves every language without installing anything per render, and they escape each
placeholder for the dialect (a name with ``<`` in Telegram HTML) while leaving
placeholders that already are markup (``b(name)``, ``code("/join")``) alone. The result
is ``Fmt``; message texts themselves hold no markup characters (a test checks).
"""

from __future__ import annotations

import gettext
import html
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_date, format_datetime, format_interval, format_skeleton, format_time
from babel.numbers import format_currency, format_decimal
from babel.units import format_unit
from jinja2 import Environment, FileSystemLoader, StrictUndefined, pass_context
from jinja2.runtime import Context

from domain.company import LANGUAGES
from handlers.labels import LABELS
from handlers.schedules import describe
from handlers.types import Reply

TEMPLATES = Path(__file__).with_name("templates")
LOCALE = Path(__file__).with_name("locale")
DOMAIN = "brygada"
SOURCE_LANGUAGE = "en"


class Fmt(str):
    """Text already in the target dialect: not escaped again."""

    __slots__ = ()


@dataclass(frozen=True)
class Dialect:
    name: str
    escape: Callable[[str], str]
    bold: str  # format strings with {0}
    italic: str
    code: str
    link: str  # {url} {text}


def _slack_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


TELEGRAM_HTML = Dialect(
    "telegram",
    lambda s: html.escape(s, quote=False),
    "<b>{0}</b>",
    "<i>{0}</i>",
    "<code>{0}</code>",
    '<a href="{url}">{text}</a>',
)
SLACK_MRKDWN = Dialect("slack", _slack_escape, "*{0}*", "_{0}_", "`{0}`", "<{url}|{text}>")
PLAIN = Dialect("console", lambda s: s, "{0}", "{0}", "{0}", "{text} ({url})")


@dataclass(frozen=True)
class RenderedButton:
    label: str
    data: str
    url: str | None = None  # a link button (handlers.types.Button)
    web_app: bool = False


@dataclass(frozen=True)
class Rendered:
    text: str
    buttons: list[list[RenderedButton]]
    reply: Reply
    cancel: RenderedButton | None = None


@cache
def translations(lang: str) -> gettext.NullTranslations:
    """The compiled catalog of a language; English is the source and needs none."""
    if lang == SOURCE_LANGUAGE:
        return gettext.NullTranslations()
    path = LOCALE / lang / "LC_MESSAGES" / f"{DOMAIN}.mo"
    if not path.exists():
        if not (LOCALE / lang).is_dir():
            return gettext.NullTranslations()  # a language we have no words for: English
        raise RuntimeError(f"{path} is not compiled: run `make messages` (or `make install`)")
    with path.open("rb") as fh:
        return gettext.GNUTranslations(fh)


def fold(word: str) -> str:
    """How a typed name is compared with a label: case, ё/е, spacing and a leading slash
    do not matter ("Poranny  plan", "утренний план", "/czas")."""
    return " ".join(word.strip().lstrip("/").casefold().replace("ё", "е").split())


def label_names(key: str) -> frozenset[str]:
    """A label in every language we speak, folded: what a member may type to name it."""
    return frozenset(fold(label(lang, key)) for lang in LANGUAGES)


def label(lang: str, key: str, **params: Any) -> str:
    """A button label or short word by key, in a language (unknown keys show as is)."""
    source = LABELS.get(key)
    text = key if source is None else translations(lang).pgettext(key, source)
    return text.format(**params) if params else text


class Renderer:
    def __init__(self, dialect: Dialect) -> None:
        self.dialect = dialect
        esc = dialect.escape
        self._env = Environment(
            loader=FileSystemLoader(TEMPLATES),
            finalize=lambda v: v if isinstance(v, Fmt) else esc("" if v is None else str(v)),
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            autoescape=False,
            extensions=["jinja2.ext.i18n"],
        )
        self._env.newstyle_gettext = True  # type: ignore[attr-defined]

        def safe(value: Any) -> str:
            return value if isinstance(value, Fmt) else esc("" if value is None else str(value))

        g = self._env.globals
        g["b"] = lambda s: Fmt(dialect.bold.format(safe(s)))
        g["i"] = lambda s: Fmt(dialect.italic.format(safe(s)))
        g["code"] = lambda s: Fmt(dialect.code.format(safe(s)))
        g["link"] = lambda url, text: Fmt(dialect.link.format(url=safe(url), text=safe(text)))
        g["t"] = _t
        # a macro's output passed into a message: already escaped and formatted
        g["shown"] = Fmt
        g.update(_gettext_callables(safe))
        self._env.filters["when"] = _when
        self._env.filters["minutes"] = _minutes
        self._env.filters["money"] = _money
        self._env.filters["number"] = _number
        self._env.filters["day"] = _day
        self._env.filters["hm"] = _hm
        self._env.filters["schedule"] = describe

    def text(self, template: str, lang: str, context: Mapping[str, Any]) -> str:
        tpl = self._env.get_template(f"{template}.j2")
        return tpl.render({**context, "lang": lang, "dialect": self.dialect.name}).strip()

    def render(self, reply: Reply) -> Rendered:
        buttons = [
            [
                RenderedButton(label(reply.lang, b.label, **b.params), b.token, b.url, b.web_app)
                for b in row
            ]
            for row in reply.buttons
        ]
        cancel = None
        if reply.cancel is not None:
            b = reply.cancel
            cancel = RenderedButton(label(reply.lang, b.label, **b.params), b.token)
        text = self.text(reply.template, reply.lang, reply.context)
        return Rendered(text, buttons, reply, cancel)


def _gettext_callables(safe: Callable[[Any], str]) -> dict[str, Callable[..., Fmt]]:
    """jinja2 newstyle gettext functions reading the language from the render context."""

    def fill(text: str, variables: Mapping[str, Any]) -> Fmt:
        # newstyle: always a format string, "%%" for a percent sign
        return Fmt(text % {k: safe(v) for k, v in variables.items()})

    @pass_context
    def gettext_(ctx: Context, message: str, **variables: Any) -> Fmt:
        return fill(translations(ctx["lang"]).gettext(message), variables)

    @pass_context
    def ngettext_(ctx: Context, singular: str, plural: str, n: int, **variables: Any) -> Fmt:
        variables.setdefault("num", number(n, ctx["lang"]))
        return fill(translations(ctx["lang"]).ngettext(singular, plural, n), variables)

    @pass_context
    def pgettext_(ctx: Context, context: str, message: str, **variables: Any) -> Fmt:
        return fill(translations(ctx["lang"]).pgettext(context, message), variables)

    @pass_context
    def npgettext_(
        ctx: Context, context: str, singular: str, plural: str, n: int, **variables: Any
    ) -> Fmt:
        variables.setdefault("num", number(n, ctx["lang"]))
        text = translations(ctx["lang"]).npgettext(context, singular, plural, n)
        return fill(text, variables)

    return {
        "gettext": gettext_,
        "ngettext": ngettext_,
        "pgettext": pgettext_,
        "npgettext": npgettext_,
    }


@pass_context
def _t(ctx: Context, key: str, **params: Any) -> str:
    return label(ctx["lang"], key, **params)


@pass_context
def _when(ctx: Context, value: datetime | None, style: str = "medium") -> str:
    """A moment in the member's timezone and language (Babel)."""
    if value is None:
        return label(ctx["lang"], "word.no_deadline")
    return when(value, ctx["lang"], ctx.get("tz") or "UTC", ctx.get("now"), style)


def when(
    value: datetime, lang: str, tz: str, now: datetime | None = None, style: str = "medium"
) -> str:
    """A moment in a timezone and language, as templates show it ("Fri 27 Nov, 18:00")."""
    if style == "medium" and isinstance(now, datetime) and abs((value - now).days) > 300:
        style = "full"  # a date months away needs its year (backlog items: +1 year)
    pattern = {"medium": "EEE d MMM, HH:mm", "date": "EEE d MMM", "full": "EEE d MMM y, HH:mm"}
    return format_datetime(value, pattern.get(style, style), tzinfo=ZoneInfo(tz), locale=lang)


@pass_context
def _day(ctx: Context, value: date | datetime, pattern: str = "dd.MM.y") -> str:
    """A calendar day in the member's language (a moment: in their timezone), Babel pattern."""
    if isinstance(value, datetime):
        value = value.astimezone(ZoneInfo(ctx.get("tz") or "UTC")).date()
    return format_date(value, pattern, locale=ctx["lang"])


@pass_context
def _hm(ctx: Context, value: time | datetime, pattern: str = "HH:mm") -> str:
    """A wall-clock time already local (quiet hours, a local start), in the member's language."""
    if isinstance(value, datetime):
        value = value.time()
    return format_time(value, pattern, locale=ctx["lang"])


@pass_context
def _minutes(ctx: Context, value: int | None) -> str:
    return duration(value, ctx["lang"]) if value else "—"


# How compact a duration is, per language (CLDR unit lengths): English as time trackers
# write it, "1h 30m" (narrow); Polish and Russian with their usual abbreviations,
# "1 godz. 30 min", "1 ч 30 мин" (short; Polish narrow would be "1 h").
_DURATION_LENGTH: dict[str, Literal["short", "narrow"]] = {"en": "narrow"}


def duration(minutes: int, lang: str) -> str:
    """Hours then minutes, "1h 30m" / "1 godz. 30 min" / "1 ч 30 мин" (a bare "45 min" or
    "2 godz." when one part is zero), in CLDR's units through Babel."""
    length = _DURATION_LENGTH.get(lang, "short")
    hours, rest = divmod(int(minutes), 60)
    parts = [("duration-hour", hours), ("duration-minute", rest)]
    shown = [format_unit(n, unit, length=length, locale=lang) for unit, n in parts if n]
    return " ".join(shown) or format_unit(0, "duration-minute", length=length, locale=lang)


def number(value: int | Decimal | float, lang: str) -> str:
    """A count with the language's thousands separator: 12,000 · 12 000."""
    return format_decimal(value, locale=lang)


# Whole sums are written without the minor unit in Russian practice ("12 000 ₽"); Polish
# and English keep it ("12 000,00 zł", "$12,000.00").
_WHOLE_WITHOUT_DECIMALS = frozenset({"ru"})


def money(amount: Decimal | int | str, currency: str, lang: str) -> str:
    """An amount in its currency, as the language writes money (CLDR, Babel)."""
    value = Decimal(amount)
    if lang in _WHOLE_WITHOUT_DECIMALS and value == value.to_integral_value():
        pattern = Locale.parse(lang).currency_formats["standard"].pattern.replace("0.00", "0")
        text = format_currency(value, currency, pattern, locale=lang, currency_digits=False)
    else:
        text = format_currency(value, currency, locale=lang)
    # CLDR's currency spacing, which Babel leaves out: a code written as letters is kept
    # apart from the digits ("PLN 45.50", not "PLN45.50"); "$12,000.00" stays as it is.
    return _CODE_TOUCHING_DIGIT.sub("\u00a0", text)


_CODE_TOUCHING_DIGIT = re.compile(r"(?<=[^\W\d_])(?=\d)|(?<=\d)(?=[^\W\d_])")


def day_label(value: date, lang: str) -> str:
    """A day on a chart axis: "Mon, 11/23", "pon., 23.11", "пн, 23.11"."""
    return format_skeleton("MEd", value, locale=lang)


def period_label(start: date, end: date, lang: str) -> str:
    """A span of days: "Nov 23 – 29, 2026", "23–29 lis 2026", "23—29 нояб. 2026 г."."""
    return format_interval(start, end, "yMMMd", locale=lang)


@pass_context
def _money(ctx: Context, amount: Decimal | int | str | None, currency: str) -> str:
    return "—" if amount is None else money(amount, currency, ctx["lang"])


@pass_context
def _number(ctx: Context, value: int | Decimal | float) -> str:
    return number(value, ctx["lang"])
