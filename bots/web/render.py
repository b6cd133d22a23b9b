"""HTML pages of the board: jinja2 templates under ``bots/web/templates``, autoescaped,
with the chat's own gettext catalogs (``handlers/locale``) and its number, money, date and
duration formats, so a page speaks the member's language exactly as the chat does."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, pass_context, select_autoescape
from jinja2.runtime import Context
from markupsafe import Markup, escape

from handlers.intents.crm import pipeline_label, stage_label
from handlers.rendering import day_label, duration, label, money, number, translations, when

TEMPLATES = Path(__file__).with_name("templates")


def _fill(text: str, variables: Mapping[str, Any]) -> Markup:
    # The message is text, not markup: escaped; Markup's % escapes every value too.
    return escape(text) % dict(variables)


@pass_context
def _gettext(ctx: Context, message: str, **variables: Any) -> Markup:
    return _fill(translations(ctx["lang"]).gettext(message), variables)


@pass_context
def _ngettext(ctx: Context, singular: str, plural: str, n: int, **variables: Any) -> Markup:
    variables.setdefault("num", number(n, ctx["lang"]))
    return _fill(translations(ctx["lang"]).ngettext(singular, plural, n), variables)


@pass_context
def _t(ctx: Context, key: str, **params: Any) -> str:
    return label(ctx["lang"], key, **params)


@pass_context
def _when(ctx: Context, value: datetime | None, style: str = "medium") -> str:
    if value is None:
        return label(ctx["lang"], "word.no_deadline")
    return when(value, ctx["lang"], ctx["tz"], ctx.get("now"), style)


@pass_context
def _minutes(ctx: Context, value: int | None) -> str:
    return duration(value, ctx["lang"]) if value else "—"


@pass_context
def _money(ctx: Context, amount: Decimal | int | None, currency: str) -> str:
    return "—" if amount is None else money(amount, currency, ctx["lang"])


@pass_context
def _day(ctx: Context, value: date) -> str:
    return day_label(value, ctx["lang"])


@pass_context
def _number(ctx: Context, value: int | float | Decimal) -> str:
    return number(value, ctx["lang"])


@pass_context
def _stage(ctx: Context, stage: Any) -> str:
    return stage_label(ctx["lang"], stage)


@pass_context
def _pipeline(ctx: Context, pipeline: Any) -> str:
    return pipeline_label(ctx["lang"], pipeline)


def _local(value: datetime | None, tz: str) -> str:
    """A moment as a ``datetime-local`` field's value in the member's timezone."""
    from zoneinfo import ZoneInfo

    return value.astimezone(ZoneInfo(tz)).strftime("%Y-%m-%dT%H:%M") if value else ""


class Pages:
    def __init__(self) -> None:
        env = Environment(
            loader=FileSystemLoader(TEMPLATES),
            autoescape=select_autoescape(["html"]),
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            extensions=["jinja2.ext.i18n"],
        )
        env.newstyle_gettext = True  # type: ignore[attr-defined]
        env.globals.update(
            gettext=_gettext, ngettext=_ngettext, t=_t, stage_name=_stage, pipeline_name=_pipeline
        )
        env.filters.update(
            when=_when, minutes=_minutes, money=_money, day=_day, number=_number, local=_local
        )
        self._env = env

    def render(self, name: str, lang: str, tz: str, **context: Any) -> str:
        return self._env.get_template(name).render(lang=lang, tz=tz, **context)
