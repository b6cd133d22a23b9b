"""Leads from Telegram: a shared contact card, and /lead as a reply to a forwarded message."""

from __future__ import annotations

from brygada.bootstrap import App
from domain.company import Role
from tests.e2e.telegram.conftest import Harness

BOSS = 2001


async def leads(app: App) -> list[tuple[str, str | None]]:
    from sqlalchemy import select

    from storage.models.crm import CrmLeadRow

    async with app.uow() as uow:
        rows = await uow.session.execute(
            select(CrmLeadRow.name, CrmLeadRow.phone).order_by(CrmLeadRow.id)
        )
        return [(r[0], r[1]) for r in rows]


async def test_a_shared_contact_card_becomes_a_lead(tg: Harness, app: App) -> None:
    await tg.join(BOSS, "Boss", Role.ADMIN)
    update = tg.api.message_update(BOSS, BOSS, "x")
    message = update["message"]
    del message["text"]
    message["contact"] = {
        "phone_number": "+48 600 100 200",
        "first_name": "Jan",
        "last_name": "Kowalski",
    }
    mark = len(tg.api.calls)
    await tg.push(update)
    [reply] = [c.response["result"] for c in tg.sent_since(mark)]
    assert "Jan Kowalski" in reply["text"]
    assert await leads(app) == [("Jan Kowalski", "+48600100200")]


async def test_lead_as_a_reply_to_a_forwarded_message(tg: Harness, app: App) -> None:
    await tg.join(BOSS, "Boss", Role.ADMIN)
    forwarded = tg.api.message_update(
        BOSS,
        BOSS,
        "Olga Nowak, Acme sp. z o.o., +48 501 234 567",
        forward_origin={"type": "hidden_user", "sender_user_name": "Olga", "date": 1},
    )
    await tg.push(forwarded)
    replied = forwarded["message"]
    sent = await tg.say(BOSS, "/lead", reply_to=replied)
    assert any("Olga" in m["text"] for m in sent)
    assert [name for name, _ in await leads(app)] == ["Olga Nowak"]
