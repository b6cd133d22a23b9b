"""Render a Reply into text for one platform dialect.

Templates are jinja2 files per language (templates/<lang>/<name>.j2) with button
labels and short words in templates/<lang>/labels.toml. Every ``{{ value }}`` is
escaped for the target dialect by ``finalize``; markup comes only from the
dialect's helpers (``b()``, ``i()``, ``code()``, ``link()``), which return
``Fmt`` strings that are not escaped again.
"""

from __future__ import annotations

import html
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from babel.dates import format_datetime
from jinja2 import Environment, FileSystemLoader, StrictUndefined, pass_context
from jinja2.runtime import Context

from handlers.types import Reply

TEMPLATES = Path(__file__).with_name("templates")


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


@dataclass(frozen=True)
class Rendered:
    text: str
    buttons: list[list[RenderedButton]]
    reply: Reply
    cancel: RenderedButton | None = None


@cache
def labels(lang: str) -> Mapping[str, str]:
    with (TEMPLATES / lang / "labels.toml").open("rb") as fh:
        return _flatten(tomllib.load(fh))


def _flatten(tree: Mapping[str, Any], prefix: str = "") -> dict[str, str]:
    flat: dict[str, str] = {}
    for key, value in tree.items():
        if isinstance(value, Mapping):
            flat.update(_flatten(value, f"{prefix}{key}."))
        else:
            flat[f"{prefix}{key}"] = str(value)
    return flat


def label(lang: str, key: str, **params: Any) -> str:
    text = labels(lang).get(key) or labels("en").get(key) or key
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
        )
        g = self._env.globals
        g["b"] = lambda s: Fmt(dialect.bold.format(esc(str(s))))
        g["i"] = lambda s: Fmt(dialect.italic.format(esc(str(s))))
        g["code"] = lambda s: Fmt(dialect.code.format(esc(str(s))))
        g["link"] = lambda url, text: Fmt(
            dialect.link.format(url=esc(str(url)), text=esc(str(text)))
        )
        g["t"] = _t
        self._env.filters["when"] = _when
        self._env.filters["minutes"] = _minutes

    def text(self, template: str, lang: str, context: Mapping[str, Any]) -> str:
        tpl = self._env.get_template(f"{lang}/{template}.j2")
        return tpl.render({**context, "lang": lang, "dialect": self.dialect.name}).strip()

    def render(self, reply: Reply) -> Rendered:
        buttons = [
            [RenderedButton(label(reply.lang, b.label, **b.params), b.token) for b in row]
            for row in reply.buttons
        ]
        cancel = None
        if reply.cancel is not None:
            b = reply.cancel
            cancel = RenderedButton(label(reply.lang, b.label, **b.params), b.token)
        text = self.text(reply.template, reply.lang, reply.context)
        return Rendered(text, buttons, reply, cancel)


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
def _minutes(ctx: Context, value: int | None) -> str:
    if not value:
        return "—"
    hours, minutes = divmod(int(value), 60)
    h, m = label(ctx["lang"], "word.hours_short"), label(ctx["lang"], "word.minutes_short")
    if hours and minutes:
        return f"{hours}{h} {minutes}{m}"
    return f"{hours}{h}" if hours else f"{minutes}{m}"
