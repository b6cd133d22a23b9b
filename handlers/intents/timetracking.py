"""Time tracking in the chat: /timer, /time, /day, /plan, /report and their buttons
(/timesheet and /attendance: ``handlers.intents.timereports``).

The task card's Start and Pause buttons come here too (see ``card_start_pressed``):
Start starts the timer and puts the task in progress, Pause stops it and pauses the task.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from domain.errors import InvalidInput
from domain.ids import can_exist, parse_number, task_number
from domain.services import timetracking as service
from domain.timetracking import DayEventKind, DayState, TimeError
from handlers.buttons import (
    AdjustTimer,
    AskDeadline,
    AskPart,
    FixPlan,
    MoveDay,
    PauseTask,
    PauseTimer,
    ResumeTimer,
    StartTask,
    StartTimer,
    StillWorking,
    StopTimer,
    StopTimerAt,
    SubmitReport,
)
from handlers.cards import card_reply
from handlers.personal import (
    changes_privately,
    first_word_is,
    personal,
    unless,
    with_args,
    without_args,
)
from handlers.questions import NotAnAnswer, PromptResult, confirmed
from handlers.turn import Turn
from handlers.types import Button, Buttons, Reply


async def refused(turn: Turn, error: TimeError) -> Reply:
    """No timer on a general task or with tracking off: say why and offer the subtasks
    (``handlers.refusals`` answers every time-tracking refusal)."""
    task_id = int(error.params.get("task_id") or 0)
    children = [t for t in await turn.uow.tasks.children(task_id) if t.is_open][:8]
    rows = tuple(
        (turn.button("time.start_on", StartTimer(t.id), id=t.id, title=t.title[:40]),)
        for t in children
    )
    return turn.reply(
        "time_refused", rows, reason=error.params.get("reason"), task_id=task_id, subtasks=children
    )


def _task_id(raw: str) -> int:
    return task_number(raw)


def _entry_id(raw: str) -> int:
    number = parse_number(raw)
    if number is None:
        raise TimeError(reason="entry_missing")
    if not can_exist(number):
        raise TimeError(reason="entry_not_found", entry_id=raw.strip().lstrip("#"))
    return number


# -- timers -----------------------------------------------------------------------------------


def _timer_buttons(turn: Turn, change: service.TimerChange | None, running: bool) -> Buttons:
    if change is None or change.timer is None:
        return ()
    if running:
        return ((turn.button("time.pause", PauseTimer()), turn.button("time.stop", StopTimer())),)
    return ((turn.button("time.resume", ResumeTimer()), turn.button("time.stop", StopTimer())),)


async def _timer_reply(turn: Turn, change: service.TimerChange | None, notice: str) -> Reply:
    if change is None:
        timer, task = await service.current_timer(turn.uow, turn.me)
        change = service.TimerChange(timer, task)
    timer = change.timer
    running = timer is not None and timer.running
    paused_task = await turn.uow.tasks.get(change.paused_task_id) if change.paused_task_id else None
    elapsed = timer.elapsed(turn.now).total_seconds() // 60 if timer else 0
    logged = sum(e.seconds for e in change.entries) // 60
    spent = await turn.uow.time.spent_seconds(change.task.id) // 60 if change.task else 0
    return turn.edit(
        "time_timer",
        _timer_buttons(turn, change, running),
        notice=notice,
        timer=timer,
        task=change.task,
        running=running,
        elapsed=int(elapsed),
        logged=logged,
        spent=spent,
        paused_task=paused_task,
        day_started=change.day_started,
    )


# -- the timer card: the pinned status message -------------------------------------------

TIMER_SLOT = "timer"


def _card_buttons(turn: Turn, status: service.TimerStatus) -> Buttons:
    timer = status.timer
    # The card's buttons answer with the card, edited in place (``on_card``).
    stop = turn.button("time.stop", StopTimer(on_card=True))
    if timer is not None and timer.running:
        return ((turn.button("time.pause", PauseTimer(on_card=True)), stop),)
    if timer is not None:
        return ((turn.button("time.resume", ResumeTimer(on_card=True)), stop),)
    last = status.last_task
    if last is not None:
        start = StartTimer(last.id, on_card=True)
        return ((turn.button("time.start_on", start, id=last.id, title=last.title[:40]),),)
    return ()


async def timer_card(turn: Turn) -> Reply:
    """The member's timer card (slot "timer": Telegram pins it, Slack pins it in the DM):
    the timer as it is now and today's total. Sent by the outbox on every timer change
    (``timer.state``) and as the answer to its own buttons, which edit it in place."""
    status = await service.timer_status(turn.uow, turn.me, turn.now)
    timer = status.timer
    state = "stopped" if timer is None else "running" if timer.running else "paused"
    elapsed = int(timer.elapsed(turn.now).total_seconds()) // 60 if timer else 0
    reply = turn.edit(
        "timer_pinned",
        _card_buttons(turn, status),
        state=state,
        timer=timer,
        task=status.task,
        task_id=timer.task_id if timer else None,
        elapsed=elapsed,
        today=status.today_seconds // 60,
    )
    return dataclasses.replace(reply, slot=TIMER_SLOT)


def pressed_on_card(turn: Turn) -> bool:
    """Whether the turn is a press of one of the timer card's buttons: a refused press
    answers with a notice and the card as the timer is now (``handlers.refusals``)."""
    pressed = turn.pressed_action
    return (
        isinstance(pressed, PauseTimer | ResumeTimer | StopTimer | StartTimer) and pressed.on_card
    )


async def _card_press(turn: Turn, change: Callable[[], Awaitable[object]]) -> list[Reply]:
    """A button of the timer card: the card answers, updated in place."""
    await change()
    return [await timer_card(turn)]


async def timer_command(turn: Turn) -> list[Reply]:
    """/timer, /timer 12 (start), /timer start 12, /timer pause|resume|stop."""
    head, _, rest = turn.inbound.args.strip().partition(" ")
    head = head.lower()
    if not head:
        return [await _timer_reply(turn, None, "show")]
    if head in {"pause", "resume", "stop"}:
        op = {
            "pause": service.pause_timer,
            "resume": service.resume_timer,
            "stop": service.stop_timer,
        }[head]
        return [await _timer_reply(turn, await op(turn.uow, turn.me, turn.now), head)]
    raw = rest if head == "start" else head
    change = await service.start_timer(turn.uow, turn.me, _task_id(raw), turn.now)
    return [await _timer_reply(turn, change, "start")]


async def timer_pause_pressed(turn: Turn, pressed: PauseTimer) -> list[Reply]:
    if pressed.on_card:
        return await _card_press(turn, lambda: service.pause_timer(turn.uow, turn.me, turn.now))
    change = await service.pause_timer(turn.uow, turn.me, turn.now)
    return [await _timer_reply(turn, change, "pause")]


async def timer_resume_pressed(turn: Turn, pressed: ResumeTimer) -> list[Reply]:
    if pressed.on_card:
        return await _card_press(turn, lambda: service.resume_timer(turn.uow, turn.me, turn.now))
    change = await service.resume_timer(turn.uow, turn.me, turn.now)
    return [await _timer_reply(turn, change, "resume")]


async def timer_stop_pressed(turn: Turn, pressed: StopTimer) -> list[Reply]:
    if pressed.on_card:
        return await _card_press(turn, lambda: service.stop_timer(turn.uow, turn.me, turn.now))
    return [await _timer_reply(turn, await service.stop_timer(turn.uow, turn.me, turn.now), "stop")]


async def timer_start_pressed(turn: Turn, pressed: StartTimer) -> list[Reply]:
    task_id = pressed.task_id
    if pressed.on_card:
        return await _card_press(
            turn, lambda: service.start_timer(turn.uow, turn.me, task_id, turn.now)
        )
    change = await service.start_timer(turn.uow, turn.me, task_id, turn.now)
    return [await _timer_reply(turn, change, "start")]


# -- the task card's Start and Pause ----------------------------------------------------------


async def _card_start(turn: Turn, task_id: int) -> list[Reply]:
    change = await service.start_task_with_timer(turn.uow, turn.me, task_id, turn.now)
    paused = await turn.uow.tasks.get(change.paused_task_id) if change.paused_task_id else None
    note = {
        "skipped": change.timer_skipped,
        "paused_task": paused,
        "running": change.timer is not None and change.timer.running,
        "logged": 0,
        "day_started": change.day_started,
    }
    return [_with_note(await card_reply(turn, task_id, notice="started"), note)]


async def _card_pause(turn: Turn, task_id: int) -> list[Reply]:
    change = await service.pause_task_with_timer(turn.uow, turn.me, task_id, turn.now)
    note = {
        "skipped": False,
        "paused_task": None,
        "running": False,
        "logged": sum(e.seconds for e in change.entries) // 60,
        "day_started": False,
    }
    return [_with_note(await card_reply(turn, task_id, notice="paused"), note)]


def _with_note(reply: Reply, note: dict[str, Any]) -> Reply:
    """The card, with what the timer did in the same message (time_card_line.j2)."""
    return dataclasses.replace(reply, context={**reply.context, "time_note": note})


async def card_start_pressed(turn: Turn, pressed: StartTask) -> list[Reply]:
    return await _card_start(turn, pressed.task_id)


async def card_start_command(turn: Turn) -> list[Reply]:
    return await _card_start(turn, _task_id(turn.inbound.args.strip().partition(" ")[0]))


async def card_pause_pressed(turn: Turn, pressed: PauseTask) -> list[Reply]:
    return await _card_pause(turn, pressed.task_id)


async def card_pause_command(turn: Turn) -> list[Reply]:
    return await _card_pause(turn, _task_id(turn.inbound.args.strip().partition(" ")[0]))


# -- manual time and corrections --------------------------------------------------------------


def _correction_reply(turn: Turn, outcome: service.Correction, what: str) -> Reply:
    minutes = sum(e.seconds for e in outcome.entries) // 60
    request_id = outcome.request.id if outcome.request else None
    return turn.reply(
        "time_entries",
        what=what,
        entries=[],
        minutes=minutes,
        ids=[e.id for e in outcome.entries],
        request_id=request_id,
    )


async def time_command(turn: Turn) -> list[Reply]:
    """/time · /time 12 1h30m comment · /time 12 9:00-10:30 comment
    · /time edit 5 45m reason · /time del 5 reason · /time log 5."""
    words = turn.inbound.args.split()
    if not words:
        lines = await service.day_entries(turn.uow, turn.me, turn.now)
        total = sum(line.entry.seconds for line in lines) // 60
        return [
            turn.reply(
                "time_entries", what="list", entries=lines, minutes=total, ids=[], request_id=None
            )
        ]
    head = words[0].lower()
    if head in {"edit", "del", "delete", "log"}:
        if len(words) < 2:
            raise TimeError(reason="entry_missing")
        entry_id = _entry_id(words[1])
        if head == "log":
            entry, changes = await service.entry_history(turn.uow, turn.me, entry_id)
            history = [
                dataclasses.replace(
                    c, old=entry_span(c.old, turn.tz), new=entry_span(c.new, turn.tz)
                )
                for c in changes
            ]
            return [turn.reply("time_history", entry=entry, changes=history)]
        if head == "edit":
            if len(words) < 3:
                raise TimeError(reason="bad_duration", value="")
            outcome = await service.edit_entry(
                turn.uow, turn.me, entry_id, words[2], " ".join(words[3:]), turn.now
            )
            return [_correction_reply(turn, outcome, "edited")]
        outcome = await service.delete_entry(
            turn.uow, turn.me, entry_id, " ".join(words[2:]), turn.now
        )
        return [_correction_reply(turn, outcome, "deleted")]
    task_id = _task_id(head)
    if len(words) < 2:
        raise TimeError(reason="bad_duration", value="")
    outcome = await service.add_manual(
        turn.uow, turn.me, task_id, words[1], " ".join(words[2:]), turn.now
    )
    return [_correction_reply(turn, outcome, "added")]


# -- the working day --------------------------------------------------------------------------


def _day_buttons(turn: Turn, view: service.DayView) -> Buttons:
    nxt = {
        DayState.NOT_STARTED: (DayEventKind.START,),
        DayState.WORKING: (DayEventKind.PAUSE, DayEventKind.END),
        DayState.PAUSED: (DayEventKind.RESUME, DayEventKind.END),
        DayState.ENDED: (DayEventKind.RESUME,),
    }[view.state]
    return (tuple(turn.button(f"time.day_{k.value}", MoveDay(k)) for k in nxt),)


def _day_reply(turn: Turn, view: service.DayView, notice: str) -> Reply:
    logged = sum(e.seconds for e in view.timer_change.entries) // 60 if view.timer_change else 0
    return turn.edit("time_day", _day_buttons(turn, view), view=view, notice=notice, logged=logged)


async def day_command(turn: Turn) -> list[Reply]:
    """/day, /day start|pause|resume|end."""
    word = turn.inbound.args.strip().lower()
    if not word:
        return [_day_reply(turn, await service.day_view(turn.uow, turn.me, turn.now), "show")]
    try:
        kind = DayEventKind(word)
    except ValueError:
        raise TimeError(reason="day_word", value=word) from None
    view = await service.move_day(turn.uow, turn.me, kind, turn.now)
    return [_day_reply(turn, view, kind.value)]


async def day_pressed(turn: Turn, pressed: MoveDay) -> list[Reply]:
    kind = pressed.kind
    view = await service.move_day(turn.uow, turn.me, kind, turn.now)
    return [_day_reply(turn, view, kind.value)]


# -- the daily plan ---------------------------------------------------------------------------


def _plan_reply(turn: Turn, view: service.PlanView, notice: str) -> Reply:
    rows: list[tuple[Button, ...]] = []
    if view.lines:
        rows.append((turn.button("time.plan_fix", FixPlan()),))
    return turn.edit("time_plan", tuple(rows), view=view, notice=notice)


async def plan_command(turn: Turn) -> list[Reply]:
    """/plan shows today's plan; /plan fix stores it."""
    if turn.inbound.args.strip().lower() == "fix":
        return [_plan_reply(turn, await service.fix_plan(turn.uow, turn.me, turn.now), "fixed")]
    return [_plan_reply(turn, await service.plan_view(turn.uow, turn.me, turn.now), "show")]


async def plan_fix_pressed(turn: Turn, pressed: FixPlan) -> list[Reply]:
    return [_plan_reply(turn, await service.fix_plan(turn.uow, turn.me, turn.now), "fixed")]


# -- the daily report -------------------------------------------------------------------------


def report_buttons(turn: Turn, view: service.ReportView) -> Buttons:
    rows: list[tuple[Button, ...]] = []
    for line in view.not_done[:6]:
        tid = line.task.id
        if line.suggestion == "part":
            part = line.task.part_number + 1
            rows.append((turn.button("time.part_of", AskPart(tid), id=tid, n=part),))
        elif line.suggestion == "deadline":
            rows.append((turn.button("time.move_of", AskDeadline(tid), id=tid),))
    if view.submitted is None:
        rows.append((turn.button("time.report_submit", SubmitReport()),))
    return tuple(rows)


async def report_command(turn: Turn) -> list[Reply]:
    """/report shows today's report; /report submit <comment> submits it."""
    head, _, rest = turn.inbound.args.strip().partition(" ")
    if head.lower() == "submit":
        return await _submit(turn, rest)
    view = await service.report_view(turn.uow, turn.me, turn.now)
    return [turn.reply("time_report", report_buttons(turn, view), view=view, notice="show")]


async def _submit(turn: Turn, comment: str) -> list[Reply]:
    report, view = await service.submit_report(turn.uow, turn.me, comment, turn.now)
    fresh = dataclasses.replace(view, submitted=report)
    return [turn.reply("time_report", (), view=fresh, notice="submitted")]


async def report_submit_pressed(turn: Turn, pressed: SubmitReport) -> list[Reply]:
    view = await service.report_view(turn.uow, turn.me, turn.now)
    if view.submitted is not None:
        raise TimeError(reason="report_submitted", day=view.day.isoformat())
    return [await turn.ask_for("report_comment", {}, "time_report_ask")]


async def report_comment_answer(turn: Turn, data: dict[str, Any], text: str) -> list[Reply]:
    return await _submit(turn, text)


# -- the forgotten timer (end of the working day) -------------------------------------------

# TimeEntry.describe() as history stores it: the member's local day, times in UTC.
_DESCRIBED = re.compile(r"#(\d+) (\d{4}-\d{2}-\d{2}) (\d{2}):(\d{2})-(\d{2}):(\d{2}) UTC \(.*\)")


@dataclasses.dataclass(frozen=True)
class EntrySpan:
    """A time entry as a history line shows it (the template puts it in local time)."""

    task_id: int
    start: datetime
    end: datetime

    @property
    def minutes(self) -> int:
        return int((self.end - self.start).total_seconds()) // 60


def entry_span(text: Any, tz: str) -> Any:
    """The stored text of an entry as an EntrySpan, so no "UTC" reaches the member; any
    other value (a rating mark, an older format) as it is."""
    match = _DESCRIBED.fullmatch(text) if isinstance(text, str) else None
    if match is None:
        return text
    task, day, h1, m1, h2, m2 = match.groups()
    local_day = date.fromisoformat(day)
    zone = ZoneInfo(tz)
    # the UTC date of the start is the local day or a neighbour: the one that is that day
    candidates = [
        datetime.combine(local_day + timedelta(days=d), time(int(h1), int(m1)), UTC)
        for d in (0, -1, 1)
    ]
    start = next((c for c in candidates if c.astimezone(zone).date() == local_day), candidates[0])
    end = start.replace(hour=int(h2), minute=int(m2))
    if end < start:
        end += timedelta(days=1)
    return EntrySpan(int(task), start, end)


_HH_MM = re.compile(r"^\s*(\d{1,2})[:.](\d{2})\s*$")


async def forgotten_prompt(turn: Turn, data: dict[str, Any]) -> Reply:
    """[Stop at 18:00] [Still working] [Adjust], sent when the working day ends."""
    end = datetime.fromisoformat(str(data["end"]))
    timer, task = await service.current_timer(turn.uow, turn.me)
    local = end.astimezone(ZoneInfo(turn.tz)).strftime("%H:%M")
    buttons = (
        (
            turn.button("time.stop_at", StopTimerAt(end), at=local),
            turn.button("time.still_working", StillWorking()),
        ),
        (turn.button("time.adjust", AdjustTimer()),),
    )
    return turn.reply(
        "time_forgotten",
        buttons,
        task=task,
        running=bool(timer and timer.running),
        end=end,
        kind="timer.forgotten",
    )


async def forgotten_stop_pressed(turn: Turn, pressed: StopTimerAt) -> list[Reply]:
    at = pressed.at
    change = await service.stop_timer_at(turn.uow, turn.me, at, turn.now)
    return [turn.edit("time_forgotten_done", outcome="stopped", at=at, task=change.task)]


async def forgotten_working_pressed(turn: Turn, pressed: StillWorking) -> list[Reply]:
    await service.still_working(turn.uow, turn.me, turn.now)
    return [turn.edit("time_forgotten_done", outcome="working", at=None, task=None)]


async def forgotten_adjust_pressed(turn: Turn, pressed: AdjustTimer) -> list[Reply]:
    return [await turn.ask_for("timer_adjust", {}, "time_adjust_ask")]


async def forgotten_adjust_answer(turn: Turn, data: dict[str, Any], text: str) -> PromptResult:
    """ "17:40": the timer stopped then, today in the member's timezone. Clean: HH:MM only."""
    if not _HH_MM.match(text) and not confirmed(data):
        return NotAnAnswer(reason="question.why.time")
    return await _adjusted(turn, text)


async def _adjusted(turn: Turn, text: str) -> list[Reply]:
    match = _HH_MM.match(text)
    if not match or int(match[1]) > 23 or int(match[2]) > 59:
        raise InvalidInput(field="time", reason="format", value=text)
    local_now = turn.now.astimezone(ZoneInfo(turn.tz))
    at = local_now.replace(hour=int(match[1]), minute=int(match[2]), second=0, microsecond=0)
    change = await service.stop_timer_at(turn.uow, turn.me, at, turn.now)
    return [turn.reply("time_forgotten_done", outcome="stopped", at=at, task=change.task)]


_FIX = first_word_is("fix")  # /plan fix
_SUBMIT = first_word_is("submit")  # /report submit ...
_TIME_READ = first_word_is("", "log")  # /time (today's entries), /time log 5

COMMANDS = {
    # In a group, what shows the member's own time answers privately; a change is made
    # where it was typed and its view goes privately (handlers.personal).
    "timer": changes_privately("timer", personal("timer", timer_command, without_args), with_args),
    "time": changes_privately(
        "time", personal("time", time_command, _TIME_READ), unless(_TIME_READ)
    ),
    "day": changes_privately("day", personal("day", day_command, without_args), with_args),
    "plan": changes_privately("plan", personal("plan", plan_command, unless(_FIX)), _FIX),
    "report": changes_privately(
        "report", personal("report", report_command, unless(_SUBMIT)), _SUBMIT
    ),
}
ACTIONS = {
    PauseTimer: timer_pause_pressed,
    ResumeTimer: timer_resume_pressed,
    StopTimer: timer_stop_pressed,
    StartTimer: timer_start_pressed,
    MoveDay: day_pressed,
    FixPlan: plan_fix_pressed,
    StopTimerAt: forgotten_stop_pressed,
    StillWorking: forgotten_working_pressed,
    AdjustTimer: forgotten_adjust_pressed,
    SubmitReport: report_submit_pressed,
}
PROMPTS = {
    "report_comment": report_comment_answer,
    "timer_adjust": forgotten_adjust_answer,
}
