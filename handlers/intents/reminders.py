"""Scheduled prompts as replies, and the member's notification settings and templates."""

from __future__ import annotations

from typing import Any

from domain.errors import InvalidInput
from domain.ids import can_exist, parse_number
from domain.ports import ListView
from domain.reminders import MUTABLE, Preferences
from domain.services import preferences as prefs_service
from domain.services import timetracking as time_service
from domain.services.tasks import list_tasks
from handlers.buttons import FixPlan, ListPage
from handlers.intents.timetracking import report_buttons
from handlers.personal import changes_privately, personal, with_args, without_args
from handlers.rendering import fold, label_names
from handlers.tokens import ButtonAction
from handlers.turn import Turn
from handlers.types import Buttons, Reply

# -- prompts the scheduler sends (rendered by handlers.notifications) --------------------


async def scheduled_prompt(turn: Turn, kind: str, data: dict[str, Any]) -> Reply:
    """Morning plan, end-of-day report request, weekly backlog review."""
    if kind == "day.report_request":
        # The report itself, pre-filled from the day's tracked time and results.
        view = await time_service.report_view(turn.uow, turn.me, turn.now)
        return turn.reply(
            "time_report", report_buttons(turn, view), view=view, kind=kind, notice="requested"
        )
    me = turn.me
    today = await list_tasks(turn.uow, me, ListView.TODAY, turn.now)
    overdue = await list_tasks(turn.uow, me, ListView.OVERDUE, turn.now)
    backlog = await list_tasks(turn.uow, me, ListView.BACKLOG, turn.now)
    rows: Buttons = (
        (
            turn.button("view.today", ListPage(ListView.TODAY, 0)),
            turn.button("view.overdue", ListPage(ListView.OVERDUE, 0)),
            turn.button("view.backlog", ListPage(ListView.BACKLOG, 0)),
        ),
    )
    if kind == "plan.morning":
        # Fix the plan of the day: today's and overdue tasks with their planned time.
        rows = ((turn.button("time.plan_fix", FixPlan()),), *rows)
    return turn.reply(
        "scheduled_prompt",
        rows,
        kind=kind,
        today=today.items,
        today_total=today.total,
        overdue_total=overdue.total,
        backlog_total=backlog.total,
        backlog=backlog.items if kind == "backlog.weekly" else [],
        day=data.get("date"),
    )


# -- settings -----------------------------------------------------------------------------


async def notifications(turn: Turn, unknown: str | None = None) -> list[Reply]:
    """/notifications — what is muted, quiet hours, digest (``unknown``: a kind name
    /mute did not know, said above the list of kinds)."""
    prefs = await prefs_service.preferences_of(turn.uow, turn.me)
    return [_settings(turn, prefs, unknown)]


def _settings(turn: Turn, prefs: Preferences, unknown: str | None = None) -> Reply:
    return turn.reply("notification_settings", prefs=prefs, kinds=sorted(MUTABLE), unknown=unknown)


def kind_named(word: str) -> str | None:
    """The notification kind ``word`` names: its key (plan.morning) or its name in any of
    our languages ("Poranny plan", "утренний план"), in any case."""
    wanted = fold(word)
    for kind in MUTABLE:
        if wanted == kind.casefold() or wanted in label_names(f"notify.{kind}"):
            return kind
    return None


async def _set_muted(turn: Turn, muted: bool) -> list[Reply]:
    word = turn.inbound.args.strip()
    if not word:
        return await notifications(turn)
    kind = kind_named(word)
    if kind is None:
        return await notifications(turn, unknown=word)
    prefs = await prefs_service.set_muted(turn.uow, turn.me, kind, muted)
    return [_settings(turn, prefs)]


async def mute(turn: Turn) -> list[Reply]:
    """/mute KIND — by key or by name ("/mute Poranny plan")."""
    return await _set_muted(turn, True)


async def unmute(turn: Turn) -> list[Reply]:
    return await _set_muted(turn, False)


async def quiet(turn: Turn) -> list[Reply]:
    """/quiet 22:00-07:00 | off"""
    if not turn.inbound.args.strip():
        return await notifications(turn)
    prefs = await prefs_service.set_quiet(turn.uow, turn.me, turn.inbound.args)
    return [_settings(turn, prefs)]


async def digest(turn: Turn) -> list[Reply]:
    """/digest on|off"""
    arg = turn.inbound.args.strip().lower()
    if arg not in {"on", "off"}:
        raise InvalidInput(field="digest", reason="format", value=arg)
    prefs = await prefs_service.set_digest(turn.uow, turn.me, arg == "on")
    return [_settings(turn, prefs)]


async def repeat(turn: Turn) -> list[Reply]:
    """/repeat weekdays 9:00 ; Sales: call back list @anna  |  /repeat  |  /repeat stop 3"""
    args = turn.inbound.args.strip()
    if args.lower().startswith("stop"):
        raw = args[4:].strip().lstrip("#")
        number = parse_number(raw)
        if number is None or not can_exist(number):
            raise InvalidInput(field="template", reason="unknown", value=raw)
        await prefs_service.stop_template(turn.uow, turn.me, number)
        args = ""
    if not args:
        templates = await prefs_service.templates_of(turn.uow, turn.me)
        return [turn.reply("templates", templates=templates)]
    spec, sep, text = args.partition(";")
    if not sep:
        raise InvalidInput(field="cron", reason="format", value=args)
    template = await prefs_service.add_template(
        turn.uow,
        turn.me,
        prefs_service.cron_from_words(spec),
        text,
        turn.now,
        turn.config.validate_cron,
    )
    return [turn.reply("template_added", repeat=template)]


# The member's own settings and recurring tasks: in a group, answered privately; a change
# is made where it was typed and the settings are shown privately (handlers.personal).
COMMANDS = {
    "notifications": personal("notifications", notifications),
    "mute": changes_privately("notifications", personal("mute", mute, without_args), with_args),
    "unmute": changes_privately(
        "notifications", personal("unmute", unmute, without_args), with_args
    ),
    "quiet": changes_privately("notifications", personal("quiet", quiet, without_args), with_args),
    "digest": changes_privately("notifications", digest),
    "repeat": changes_privately("repeat", personal("repeat", repeat, without_args), with_args),
}
ACTIONS: dict[type[ButtonAction], Any] = {}
PROMPTS: dict[str, Any] = {}
