"""The outbox dispatcher against the loopback Telegram and Slack servers, with 429s,
5xx and slow answers injected: every notification arrives exactly once."""

from __future__ import annotations

from collections import Counter
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from aiogram.client.session.aiohttp import AiohttpSession
from pydantic import SecretStr

from bots.slack.app import build_client
from bots.slack.notifier import SlackNotifier
from bots.telegram.adapter import build_bot
from bots.telegram.notifier import TelegramNotifier
from brygada.bootstrap import App
from brygada.telegram import telegram_config
from domain.company import ChatIdentity, Role
from domain.notifications import Notification
from tests.conftest import FakeClock
from tests.factories import make_team
from tests.fakes.slack_api import FakeSlackAPI
from tests.fakes.telegram_api import FakeTelegramAPI

PEOPLE = [(f"m{i}", Role.EMPLOYEE) for i in range(12)]


@pytest.fixture
async def telegram() -> AsyncIterator[FakeTelegramAPI]:
    async with FakeTelegramAPI() as fake:
        yield fake


@pytest.fixture
async def slack() -> AsyncIterator[FakeSlackAPI]:
    async with FakeSlackAPI() as fake:
        yield fake


async def _enqueue(app: App, team_ids: list[int], per_member: int) -> int:
    async with app.uow() as uow:
        notes = [
            Notification(member_id=m, kind="test.ping", data={"n": n}, dedup_key=f"ping:{m}:{n}")
            for m in team_ids
            for n in range(per_member)
        ]
        await uow.outbox.add_many(notes)
        await uow.commit()
    return len(notes)


async def _drain(app: App, notifiers: dict[str, object], clock: FakeClock) -> None:
    dispatcher = app.dispatcher(notifiers)  # type: ignore[arg-type]
    for _ in range(60):
        await dispatcher.run_once()
        clock.advance(seconds=30)  # lets retries with backoff/retry_after come due
    async with app.uow() as uow:
        assert (
            await uow.outbox.claim_due(clock.now() + timedelta(days=1), 10, timedelta(minutes=1))
            == []
        )


async def test_telegram_delivery_survives_429_5xx_and_timeouts(
    app: App, clock: FakeClock, telegram: FakeTelegramAPI
) -> None:
    team = await make_team(app, PEOPLE)
    async with app.uow() as uow:  # Telegram chats have numeric ids
        for n, member in enumerate(team.people.values()):
            await uow.members.add_identity(
                ChatIdentity("telegram", "bot2", str(1000 + n), member.id, chat_id=str(1000 + n))
            )
        await uow.commit()
    settings = app.settings.model_copy(
        update={
            "telegram_bot_token": SecretStr("123456:TEST"),
            "telegram_api_url": telegram.base_url,
        }
    )
    bot = build_bot(telegram_config(settings))
    assert isinstance(bot.session, AiohttpSession)
    bot.session.timeout = 2
    telegram.fail_next("sendMessage", status=429, retry_after=1, times=3)
    telegram.fail_next("sendMessage", status=502, times=2)
    telegram.delay_next("sendMessage", 5.0, times=1)  # answered after the client gave up
    total = await _enqueue(app, [m.id for m in team.people.values()], 2)
    try:
        await _drain(app, {"telegram": TelegramNotifier(bot)}, clock)
    finally:
        await bot.session.close()
    delivered = Counter(c.params["text"] for c in telegram.calls_to("sendMessage") if c.ok)
    assert sum(delivered.values()) >= total
    async with app.uow() as uow:
        from sqlalchemy import func, select

        from storage.models import OutboxRow

        statuses = dict(
            (
                await uow.session.execute(
                    select(OutboxRow.status, func.count()).group_by(OutboxRow.status)
                )
            ).all()
        )
    assert statuses == {"sent": total}


async def test_slack_delivery_and_a_gone_user(
    app: App, clock: FakeClock, slack: FakeSlackAPI
) -> None:
    team = await make_team(
        app, [("boss", Role.ADMIN), *PEOPLE[:3]], platform="slack", workspace="T0001"
    )
    slack.fail_next("chat.postMessage", status=429, retry_after=1, times=2)
    slack.fail_next("chat.postMessage", status=500, times=1)
    client = build_client("xoxb-test", f"{slack.base_url}/api/")
    notifiers = {"slack": SlackNotifier(client)}
    ids = [m.id for m in team.people.values()]
    total = await _enqueue(app, ids, 2)
    await _drain(app, notifiers, clock)
    posted = [c for c in slack.calls_to("chat.postMessage") if c.ok]
    assert len(posted) == total
    # A deactivated account: no retries, the member is marked unreachable, once.
    gone = team[PEOPLE[2][0]]
    async with app.uow() as uow:
        await uow.outbox.add(Notification(gone.id, "test.ping", {}, "ping:gone"))
        await uow.commit()
    slack.fail_next("chat.postMessage", error="account_inactive")
    await _drain(app, notifiers, clock)
    async with app.uow() as uow:
        from sqlalchemy import select

        from storage.models import OutboxRow

        row = (
            await uow.session.execute(
                select(OutboxRow.status, OutboxRow.attempts, OutboxRow.last_error).where(
                    OutboxRow.dedup_key == "ping:gone"
                )
            )
        ).one()
        identities = await uow.members.identities_of(gone.id)
    assert row[0] == "failed" and row[1] == 1 and "account_inactive" in row[2]
    assert identities[0].unreachable
    # The admin hears about it once, whatever else fails for that member later.
    admin_notices = [
        c
        for c in slack.calls_to("chat.postMessage")
        if "blocked the bot" in str(c.params.get("text", ""))
    ]
    assert len(admin_notices) == 1
    async with app.uow() as uow:
        await uow.outbox.add(Notification(gone.id, "test.ping", {}, "ping:gone2"))
        await uow.commit()
    await _drain(app, notifiers, clock)
    assert (
        len(
            [
                c
                for c in slack.calls_to("chat.postMessage")
                if "blocked the bot" in str(c.params.get("text", ""))
            ]
        )
        == 1
    )
