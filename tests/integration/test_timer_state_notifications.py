"""The timer card: every change of a member's timer writes exactly one ``timer.state`` row
to the outbox (in the change's transaction); the dispatcher sends it at once, whatever
the member's quiet hours, mutes or digest, rendered from the timer as it is then."""

from __future__ import annotations

import asyncio
from datetime import time, timedelta
from typing import Any

from sqlalchemy import select

from brygada.bootstrap import App
from domain.notifications import Notification
from domain.reminders import DIGESTIBLE, MUTABLE, STATUS_CARDS, Preferences
from domain.services import tasks as task_service
from domain.services import timetracking
from domain.timetracking import DayEventKind
from handlers.rendering import PLAIN, Renderer
from handlers.types import SLOT_MARKS, Inbound, Reply
from storage.models import OutboxRow
from tests.conftest import FakeClock
from tests.factories import Team, make_team
from tests.scheduling import Recorder


async def card_rows(app: App) -> list[tuple[int, str, str]]:
    async with app.uow() as uow:
        rows = (
            await uow.session.execute(
                select(OutboxRow).where(OutboxRow.kind == "timer.state").order_by(OutboxRow.id)
            )
        ).scalars()
        return [(r.member_id, r.data["state"], r.status) for r in rows]


async def new_task(app: App, team: Team, title: str, who: str = "anna") -> int:
    async with app.uow() as uow:
        task = await task_service.create_task(
            uow, team[who], task_service.CreateTask(title=title), app.clock.now()
        )
        await uow.commit()
    return task.id


async def test_every_timer_change_writes_one_card_row(app: App, clock: FakeClock) -> None:
    team = await make_team(app)
    anna, ivan = team["anna"], team["ivan"]
    first = await new_task(app, team, "Sales: Call Ivan")
    second = await new_task(app, team, "Sales: Write the offer")
    seen = 0

    async def step(change: Any, expected: list[tuple[int | None, str]]) -> None:
        nonlocal seen
        clock.advance(minutes=10)
        async with app.uow() as uow:
            await change(uow)
            await uow.commit()
        rows = await card_rows(app)
        assert [(m, s) for m, s, _ in rows[seen:]] == expected, rows[seen:]
        seen = len(rows)

    a = anna.id
    now = clock.now
    await step(lambda u: timetracking.start_timer(u, anna, first, now()), [(a, f"running:{first}")])
    await step(lambda u: timetracking.pause_timer(u, anna, now()), [(a, f"paused:{first}")])
    await step(lambda u: timetracking.resume_timer(u, anna, now()), [(a, f"running:{first}")])
    # switching pauses the first task and starts the second: one change, one row
    await step(
        lambda u: timetracking.start_timer(u, anna, second, now()), [(a, f"running:{second}")]
    )
    await step(lambda u: timetracking.stop_timer(u, anna, now()), [(a, "stopped")])
    # the task card's Start and Pause
    await step(
        lambda u: timetracking.start_task_with_timer(u, anna, first, now()),
        [(a, f"running:{first}")],
    )
    await step(
        lambda u: timetracking.pause_task_with_timer(u, anna, first, now()), [(a, "stopped")]
    )
    # the working day's end stops the timer
    await step(lambda u: timetracking.start_timer(u, anna, first, now()), [(a, f"running:{first}")])
    await step(lambda u: timetracking.move_day(u, anna, DayEventKind.END, now()), [(a, "stopped")])
    # closing the task stops its timers, each member's card changes
    shared = await new_task(app, team, "Sales: Shared @ivan", who="anna")
    async with app.uow() as uow:
        task = await uow.tasks.get(shared)
        assert task is not None
        task.co_executors.add(ivan.id)
        await uow.tasks.save(task)
        await uow.commit()
    await step(
        lambda u: timetracking.start_timer(u, anna, shared, now()), [(a, f"running:{shared}")]
    )
    await step(
        lambda u: timetracking.start_timer(u, ivan, shared, now()),
        [(ivan.id, f"running:{shared}")],
    )
    await step(
        lambda u: task_service.complete_task(u, anna, shared, "done", now()),
        [(a, "stopped"), (ivan.id, "stopped")],
    )
    # the forgotten timer, stopped at the end of the day by the sweep
    await step(lambda u: timetracking.start_timer(u, anna, first, now()), [(a, f"running:{first}")])
    end = clock.now() + timedelta(minutes=5)
    clock.advance(minutes=20)

    async def auto_stop(u: Any) -> None:
        assert await timetracking.auto_stop_timers(u, [a or 0], end, clock.now()) == 1

    await step(auto_stop, [(a, "stopped")])
    # a refused change writes nothing (the caller rolls back, and nothing was added)
    async with app.uow() as uow:
        try:
            await timetracking.pause_timer(uow, anna, clock.now())
        except Exception:
            await uow.rollback()
    assert len(await card_rows(app)) == seen


async def test_card_rows_skip_quiet_hours_mute_and_digest(app: App, clock: FakeClock) -> None:
    assert not STATUS_CARDS & (MUTABLE | DIGESTIBLE)
    team = await make_team(app)
    anna = team["anna"]
    task_id = await new_task(app, team, "Sales: Call Ivan")
    async with app.uow() as uow:  # 10:30 in Warsaw: inside her quiet hours
        await uow.scheduler.save_preferences(
            Preferences(
                anna.id,
                muted=frozenset({"timer.state", "task.commented"}),
                quiet=(time(10, 0), time(12, 0)),
                digest=True,
            )
        )
        await timetracking.start_timer(uow, anna, task_id, clock.now())
        await uow.outbox.add(
            Notification(anna.id, "task.deadline_soon", {"task_id": task_id}, "soon:1")
        )
        await uow.commit()
    clock.advance(minutes=5)
    async with app.uow() as uow:
        await timetracking.pause_timer(uow, anna, clock.now())
        await uow.commit()
    recorder = Recorder(clock)
    await app.dispatcher({"console": recorder}).run_once()
    # two card rows in the batch: one send, of the timer as it is now (paused)
    [sent] = recorder.sent
    assert sent.reply.template == "timer_pinned" and sent.reply.slot == "timer"
    assert sent.reply.context["state"] == "paused"
    statuses = {(kind, status) for kind, status in await _statuses(app)}
    assert statuses == {("timer.state", "sent"), ("task.deadline_soon", "pending")}


async def _statuses(app: App) -> list[tuple[str, str]]:
    async with app.uow() as uow:
        rows = await uow.session.execute(select(OutboxRow.kind, OutboxRow.status))
        return [(k, s) for k, s in rows.all()]


def press(reply: Reply, action: str, who: str) -> Inbound:
    [token] = [b.token for row in reply.buttons for b in row if b.token.split(":")[0] == action]
    return Inbound(platform="console", workspace="local", user_id=who, chat_id=who, action=token)


async def test_the_card_and_its_buttons(app: App, clock: FakeClock) -> None:
    from handlers.notifications import notification_reply

    team = await make_team(app)
    anna = team["anna"]
    task_id = await new_task(app, team, "Sales: Call Ivan")
    async with app.uow() as uow:
        await timetracking.add_manual(uow, anna, task_id, "1h", "morning call", clock.now())
        await timetracking.start_timer(uow, anna, task_id, clock.now())
        await uow.commit()
    clock.advance(minutes=25)

    async def card() -> Reply:
        async with app.uow() as uow:
            reply = await notification_reply(
                uow, app.signer, clock.now(), anna.id, "timer.state", {"state": "x"}
            )
        assert reply is not None and reply.slot == "timer" and not reply.edit
        return reply

    running = await card()
    assert running.context["state"] == "running" and running.context["elapsed"] == 25
    assert running.context["today"] == 85  # the hour logged by hand and the running part
    assert [b.token.split(":")[:2] for b in running.buttons[0]] == [["tmp", "c"], ["tmx", "c"]]
    for lang in ("en", "pl", "ru"):
        for state in ("running", "paused", "stopped"):
            context = {**running.context, "state": state}
            text = Renderer(PLAIN).text("timer_pinned", lang, context)
            assert text.startswith(SLOT_MARKS["timer"]), (lang, state, text)
    assert "Call Ivan" in Renderer(PLAIN).render(running).text

    # Pause on the card: the card answers, edited in place, paused
    [paused] = await app.conversation.handle(press(running, "tmp", "anna"))
    assert paused.slot == "timer" and paused.edit and paused.context["state"] == "paused"
    assert [b.token.split(":")[0] for b in paused.buttons[0]] == ["tmr", "tmx"]
    # a stale Pause (pressed again): a notice, and the card as the timer is
    notice, card_again = await app.conversation.handle(press(running, "tmp", "anna"))
    assert notice.alert and card_again.slot == "timer" and card_again.context["state"] == "paused"
    # Stop: no timer, today's total, Start again on the last task
    [stopped] = await app.conversation.handle(press(paused, "tmx", "anna"))
    assert stopped.context["state"] == "stopped" and stopped.context["today"] == 85
    [start] = stopped.buttons[0]
    assert start.token.split(":")[:3] == ["tmg", str(task_id), "c"]
    [again] = await app.conversation.handle(press(stopped, "tmg", "anna"))
    assert again.context["state"] == "running"
    # /timer anywhere keeps its own answer
    [shown] = await app.conversation.handle(
        Inbound(platform="console", workspace="local", user_id="anna", chat_id="x", command="timer")
    )
    assert shown.template == "time_timer" and shown.slot is None


async def test_each_send_is_recorded_when_answered_not_with_its_batch(
    app: App, clock: FakeClock
) -> None:
    """A worker killed mid-batch sends again only what was then in flight: a row is marked
    sent as soon as its message is answered, while the batch's other sends still wait."""
    team = await make_team(app)
    task = await new_task(app, team, "Sales: Call Ivan")
    other = await new_task(app, team, "Sales: Call Anna", who="ivan")
    async with app.uow() as uow:
        await timetracking.start_timer(uow, team["anna"], task, clock.now())
        await timetracking.start_timer(uow, team["ivan"], other, clock.now())
        await uow.commit()
    stuck = asyncio.Event()

    class Slow(Recorder):
        async def send(self, identity: Any, reply: Reply) -> None:
            if identity.user_id == "ivan":
                await stuck.wait()  # Ivan's message is still on its way
            await super().send(identity, reply)

    recorder = Slow(clock)
    batch = asyncio.create_task(app.dispatcher({"console": recorder}).run_once())
    async with asyncio.timeout(5):
        while "sent" not in {status for _, _, status in await card_rows(app)}:
            await asyncio.sleep(0.01)
    rows = {member: status for member, _, status in await card_rows(app)}
    assert rows == {team["anna"].id: "sent", team["ivan"].id: "sending"}
    stuck.set()
    await batch
    assert {status for _, _, status in await card_rows(app)} == {"sent"}
