"""End-to-end inputs beyond plain text: photos, documents, forwards, long replies and a
member who blocked the bot (the real aiogram Bot long-polling the loopback fake)."""

from __future__ import annotations

import time
from typing import Any

from sqlalchemy import select

from brygada.bootstrap import App
from domain.company import Role
from storage.models import OutboxRow
from tests.e2e.telegram.conftest import BOT_ID, Harness, button
from tests.fakes.telegram_api import FakeTelegramAPI

BOSS, ANNA = 1001, 1002
MAX_TEXT = 4096


async def team(tg: Harness) -> None:
    await tg.join(BOSS, "Boss", Role.ADMIN)
    await tg.join(ANNA, "Anna")
    await tg.add_project()


async def task_of(app: App, task_id: int) -> Any:
    async with app.uow() as uow:
        return await uow.tasks.get(task_id)


async def send(tg: Harness, update: dict[str, Any]) -> list[dict[str, Any]]:
    """Push an update; the messages the bot sent in answer."""
    mark = len(tg.api.calls)
    await tg.push(update)
    return [c.response["result"] for c in tg.sent_since(mark)]


def created_id(sent: list[dict[str, Any]]) -> int:
    assert len(sent) == 1, sent
    return int(button(sent[0], "op").split(":")[1])


async def test_photo_with_caption_becomes_a_task_with_the_photo(
    tg: Harness, api: FakeTelegramAPI, app: App
) -> None:
    await team(tg)
    update = api.message_update(
        BOSS, BOSS, photo=True, caption="Sales: Check the damaged box tomorrow @anna"
    )
    file_id = update["message"]["photo"][-1]["file_id"]
    task_id = created_id(await send(tg, update))
    task = await task_of(app, task_id)
    assert "Check the damaged box" in task.title
    assert task.attachments == [f"telegram:photo:{file_id}"]


async def test_document_with_caption_becomes_a_task_with_the_document(
    tg: Harness, api: FakeTelegramAPI, app: App
) -> None:
    await team(tg)
    update = api.message_update(
        BOSS, BOSS, document="invoice-17.pdf", caption="Sales: Pay this invoice on friday"
    )
    file_id = update["message"]["document"]["file_id"]
    task_id = created_id(await send(tg, update))
    task = await task_of(app, task_id)
    assert "Pay this invoice" in task.title
    assert task.attachments == [f"telegram:document:{file_id}"]


async def test_forwarded_message_becomes_a_task_quoting_its_origin(
    tg: Harness, api: FakeTelegramAPI, app: App
) -> None:
    await team(tg)
    origin = {
        "type": "user",
        "date": int(time.time()) - 3600,
        "sender_user": api.user(5005, first_name="Ivan", last_name="Petrov"),
    }
    update = api.message_update(
        BOSS, BOSS, "Please send me the signed contract", forward_origin=origin
    )
    task_id = created_id(await send(tg, update))
    task = await task_of(app, task_id)
    assert "signed contract" in task.title
    assert "Forwarded from Ivan Petrov" in (task.description or "")
    assert task.source_ref == "Forwarded from Ivan Petrov"


async def test_long_card_is_split_into_messages_within_the_limit(
    tg: Harness, api: FakeTelegramAPI, app: App
) -> None:
    await team(tg)
    task_id = created_id(await send(tg, api.message_update(BOSS, BOSS, "Sales: Write the spec")))
    lines = [f"Line {n:03}: " + "requirement details " * 6 for n in range(120)]
    description = "\n".join(lines)
    assert len(description) > 2 * MAX_TEXT
    async with app.uow() as uow:
        task = await uow.tasks.get(task_id)
        task.description = description
        await uow.tasks.save(task)
        await uow.commit()

    mark = len(api.calls)
    await tg.push(api.message_update(BOSS, BOSS, f"/show {task_id}"))
    calls = tg.sent_since(mark)
    assert len(calls) >= 3, [len(c.params["text"]) for c in calls]
    assert all(len(c.params["text"]) <= MAX_TEXT for c in calls)
    shown = "\n".join(c.response["result"]["text"] for c in calls)
    assert sum(len(c.params["text"]) for c in calls) >= len(description)
    for line in lines:  # nothing lost at the cuts
        assert line.strip() in shown
    # the buttons come with the last part only
    assert [bool(c.params.get("reply_markup")) for c in calls] == [False] * (len(calls) - 1) + [
        True
    ]


async def test_member_who_blocked_the_bot_is_marked_unreachable(
    tg: Harness, api: FakeTelegramAPI, app: App
) -> None:
    await team(tg)
    created_id(await send(tg, api.message_update(BOSS, BOSS, "Sales: Call Ivan tomorrow @anna")))
    async with app.uow() as uow:
        anna, identity = await uow.members.by_identity("telegram", BOT_ID, str(ANNA))
        assert not identity.unreachable
        pending = list(
            await uow.session.scalars(select(OutboxRow).where(OutboxRow.member_id == anna.id))
        )
    assert pending, "no notification for the assignee"

    api.block_chat(ANNA)
    mark = len(api.calls)
    await app.dispatcher({"telegram": tg.adapter.notifier}).run_once()
    refused = [c for c in api.calls[mark:] if c.method == "sendMessage"]
    assert refused and all(c.status == 403 for c in refused)

    async with app.uow() as uow:
        rows = (
            await uow.session.execute(
                select(OutboxRow.status, OutboxRow.last_error).where(OutboxRow.member_id == anna.id)
            )
        ).all()
        found = await uow.members.by_identity("telegram", BOT_ID, str(ANNA))
    assert rows and {r.status for r in rows} == {"failed"}
    assert all("blocked" in (r.last_error or "") for r in rows)
    assert found is not None and found[1].unreachable
