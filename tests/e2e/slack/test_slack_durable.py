"""Nothing a Slack user writes or is owed is lost: requests are kept before the ack and
handled again after a crash; replies are stored with their change, and what Slack
refuses (429s, a proxy's 502 page, conversations.open failing) or a crash interrupts
is delivered later by the outbox, once, in order per chat. Through the real Bolt app,
slack-sdk client and FakeSlackAPI; the outbox's time is the fake clock."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
import time
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from bots.slack.replies import DurableReplies
from domain.ports import ChatRef
from handlers.conversation import Conversation
from handlers.inbox import Inbox
from storage.models import TaskRow
from storage.models.inbox import SlackInboxRow
from tests.conftest import PG_URL, FakeClock
from tests.e2e.slack.conftest import (
    ANNA,
    TEAM_ID,
    RecordingConversation,
    SlackHarness,
    build_adapter,
)
from tests.fakes.slack_api import FakeSlackAPI, proxy_page, rate_limited
from tests.fakes.slack_requests import event, message_event, slash_command

DM = f"D{ANNA}"


def cards(api: FakeSlackAPI, title: str) -> list[str]:
    return [t for t in api.sent_texts(DM) if title in t]


async def tasks(slack: SlackHarness, title: str) -> int:
    async with slack.app.uow() as uow:
        found = await uow.session.scalar(
            select(func.count()).select_from(TaskRow).where(TaskRow.title.contains(title))
        )
    return int(found or 0)


async def unhandled(slack: SlackHarness) -> int:
    async with slack.app.uow() as uow:
        found = await uow.session.scalar(
            select(func.count())
            .select_from(SlackInboxRow)
            .where(SlackInboxRow.handled_at.is_(None))
        )
    return int(found or 0)


def dm_event(text: str, event_id: str | None = None) -> tuple[bytes, str]:
    return event(message_event(text, user=ANNA, channel=DM, channel_type="im"), event_id=event_id)


async def write(slack: SlackHarness, text: str, *, turns: int) -> None:
    """Anna writes in her DM; returns once the request is handled (``turns`` in all)."""
    response = await slack.post(dm_event(text))
    assert response.status == 200
    await slack.handled.wait(turns)
    await slack.settle()


async def outbox_round(slack: SlackHarness, clock: FakeClock) -> None:
    clock.advance(seconds=90)  # past any backoff or Retry-After
    await slack.app.dispatcher({"slack": slack.adapter.notifier}).run_once()


async def crash(slack: SlackHarness) -> None:
    """The process dies: the Bolt listeners still running after their ack are gone."""
    running = [
        task
        for task in asyncio.all_tasks()
        if task is not asyncio.current_task()
        and not task.done()
        and "run_ack_function" in getattr(task.get_coro(), "__qualname__", "")
    ]
    assert running, "nothing was running"
    for task in running:
        task.cancel()
    await asyncio.wait(running, timeout=5)


def hang() -> Callable[..., Awaitable[Any]]:
    """A step that never ends (where the process dies)."""

    async def forever(*_args: Any, **_kwargs: Any) -> Any:
        await asyncio.Event().wait()

    return forever


async def test_429s_then_502_pages_delay_the_card_but_it_arrives_once(
    joined: SlackHarness, clock: FakeClock
) -> None:
    slack = joined
    # The live send meets three 429s (the client retries twice), the outbox the other
    # two, then three proxy pages; the fourth round gets through.
    slack.api.script("chat.postMessage", *[rate_limited(0)] * 5, *[proxy_page()] * 3)
    await write(slack, "Email Anna about the offer tomorrow", turns=1)
    assert await tasks(slack, "Email Anna about the offer") == 1
    assert cards(slack.api, "Email Anna about the offer") == []
    for _ in range(4):
        await outbox_round(slack, clock)
    assert len(cards(slack.api, "Email Anna about the offer")) == 1
    await outbox_round(slack, clock)  # nothing is sent twice
    assert len(cards(slack.api, "Email Anna about the offer")) == 1
    posts = slack.api.calls_to("chat.postMessage")
    assert [c.status for c in posts] == [429] * 5 + [502] * 3 + [200]


async def test_a_crash_between_commit_and_send_is_delivered_after_restart(
    joined: SlackHarness, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    slack = joined
    with monkeypatch.context() as patched:
        patched.setattr(DurableReplies, "deliver", hang())  # committed, then the process dies
        await slack.post(dm_event("Send the invoice to Olek today"))
        await slack.handled.wait(1)
        await crash(slack)
    assert await tasks(slack, "Send the invoice to Olek") == 1
    async with slack.app.uow() as uow:
        assert await uow.replies.backlog(ChatRef("slack", TEAM_ID, ANNA))
    assert cards(slack.api, "Send the invoice to Olek") == []

    restarted = build_adapter(slack.app, slack.api, slack.handled)
    clock.advance(seconds=90)
    await slack.app.dispatcher({"slack": restarted.notifier}).run_once()
    assert len(cards(slack.api, "Send the invoice to Olek")) == 1
    # The request itself was left unhandled: handled again, it changes nothing more.
    assert await restarted.inbox.replay_once() == 1
    await slack.app.dispatcher({"slack": restarted.notifier}).run_once()
    assert len(cards(slack.api, "Send the invoice to Olek")) == 1
    assert await tasks(slack, "Send the invoice to Olek") == 1
    assert await unhandled(slack) == 0


async def test_a_request_acked_but_never_handled_is_handled_after_restart(
    joined: SlackHarness, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    slack = joined
    with monkeypatch.context() as patched:
        patched.setattr(Conversation, "handle", hang())  # acked, then the process dies
        response = await slack.post(dm_event("Order the printer toner tomorrow"))
        assert response.status == 200  # acked: Slack will not send it again
        await crash(slack)
    assert await tasks(slack, "printer toner") == 0
    assert await unhandled(slack) == 1

    restarted = build_adapter(slack.app, slack.api, RecordingConversation(slack.app.conversation))
    assert await restarted.inbox.replay_once() == 0  # not yet: it may still be in hand
    clock.advance(seconds=11)
    assert await restarted.inbox.replay_once() == 1
    assert await tasks(slack, "printer toner") == 1
    assert len(cards(slack.api, "Order the printer toner")) == 1
    clock.advance(minutes=5)
    assert await restarted.inbox.replay_once() == 0
    await outbox_round(slack, clock)
    assert len(cards(slack.api, "Order the printer toner")) == 1
    assert await unhandled(slack) == 0


async def test_a_command_whose_dm_cannot_be_opened_still_makes_its_task(
    joined: SlackHarness, clock: FakeClock
) -> None:
    slack = joined
    # conversations.open answers a proxy's page before handling and at the live send.
    slack.api.script("conversations.open", proxy_page(), proxy_page())
    response = await slack.post(slash_command("/task", "Sales: Call Ivan tomorrow", user_id=ANNA))
    assert response.status == 200
    await slack.handled.wait(1)
    await slack.settle()
    assert await tasks(slack, "Call Ivan") == 1
    assert slack.api.sent_texts() == []
    async with slack.app.uow() as uow:  # kept for the user: the DM is opened later
        assert await uow.replies.backlog(ChatRef("slack", TEAM_ID, ANNA))
    await outbox_round(slack, clock)
    assert len(cards(slack.api, "Call Ivan")) == 1
    await outbox_round(slack, clock)
    assert len(cards(slack.api, "Call Ivan")) == 1


async def test_replies_while_slack_is_down_arrive_in_order(
    joined: SlackHarness, clock: FakeClock
) -> None:
    slack = joined
    slack.api.script("chat.postMessage", *[proxy_page()] * 3)
    await write(slack, "Call the bank about the loan tomorrow", turns=1)
    await write(slack, "Book the hall for Friday", turns=2)
    assert slack.api.sent_texts(DM) == []
    for _ in range(3):
        await outbox_round(slack, clock)
    texts = slack.api.sent_texts(DM)
    bank = [i for i, t in enumerate(texts) if "the bank" in t]
    hall = [i for i, t in enumerate(texts) if "Book the hall" in t]
    assert len(bank) == len(hall) == 1 and bank[0] < hall[0]


async def test_a_redelivered_event_makes_no_second_task_and_no_second_card(
    joined: SlackHarness,
) -> None:
    slack = joined
    payload = dm_event("Renew the domain tomorrow", event_id="Ev0000000888")
    assert (await slack.post(payload)).status == 200
    await slack.handled.wait(1)
    await slack.settle()
    retry = await slack.post(
        payload, headers={"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"}
    )
    assert retry.status == 200
    await slack.handled.wait(2)
    await slack.settle()
    assert await tasks(slack, "Renew the domain") == 1
    assert len(cards(slack.api, "Renew the domain")) == 1
    assert await unhandled(slack) == 0


async def test_a_retry_while_the_event_is_still_in_hand_sends_no_second_card(
    joined: SlackHarness,
) -> None:
    slack = joined
    slack.api.delay_next("chat.postMessage", 0.5)  # the first delivery is under way...
    payload = dm_event("Pay the electricity bill tomorrow", event_id="Ev0000000999")
    assert (await slack.post(payload)).status == 200
    await slack.handled.wait(1)  # ...committed, its card on the way, when Slack retries
    retry = await slack.post(
        payload, headers={"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"}
    )
    assert retry.status == 200
    await slack.settle()
    assert await tasks(slack, "electricity bill") == 1
    assert len(cards(slack.api, "electricity bill")) == 1
    assert await unhandled(slack) == 0


async def test_a_request_that_cannot_be_kept_is_not_acked(
    joined: SlackHarness, monkeypatch: pytest.MonkeyPatch
) -> None:
    slack = joined

    async def broken(*_args: Any, **_kwargs: Any) -> int:
        raise OSError("disk full")

    monkeypatch.setattr(Inbox, "keep", broken)
    response = await slack.post(dm_event("Water the plants tomorrow"))
    assert response.status == 500  # not acked: Slack sends the event again
    await slack.settle()
    assert slack.handled.turns == []
    assert await tasks(slack, "Water the plants") == 0


@pytest.mark.skipif(bool(PG_URL), reason="SQLite's file lock")
async def test_a_busy_database_does_not_delay_the_ack_and_loses_nothing(
    joined: SlackHarness,
) -> None:
    """Another process holds SQLite's write lock past Slack's 3 seconds: the command is
    acked in time all the same, then kept and handled once the lock is free."""
    slack = joined
    path = make_url(slack.app.settings.database_url).database
    assert path
    locked, release = threading.Event(), threading.Event()

    def hold() -> None:
        other = sqlite3.connect(path, isolation_level=None, timeout=10)
        try:
            other.execute("BEGIN IMMEDIATE")
            locked.set()
            release.wait(10)
            other.execute("COMMIT")
        finally:
            other.close()

    holder = threading.Thread(target=hold)
    holder.start()
    try:
        assert await asyncio.to_thread(locked.wait, 5)
        started = time.monotonic()
        response = await slack.post(slash_command("/task", "Order toner tomorrow", user_id=ANNA))
        acked_after = time.monotonic() - started
        assert response.status == 200
        assert acked_after < 3.0, f"acked after {acked_after:.1f} s"
        await asyncio.sleep(max(0.0, 3.5 - acked_after))  # the lock outlives the ack
    finally:
        release.set()
        await asyncio.to_thread(holder.join, 10)
    await slack.handled.wait(1)
    await slack.settle()
    assert await tasks(slack, "Order toner") == 1
    assert len(cards(slack.api, "Order toner")) == 1
    assert await unhandled(slack) == 0
