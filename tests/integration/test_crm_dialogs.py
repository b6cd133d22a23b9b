"""CRM chat flows through the console adapter: capture, fix, work, convert, deals, funnel."""

from __future__ import annotations

import pytest

from brygada.bootstrap import App
from domain.company import Role
from tests.dialog import Dialog, verify_dialog
from tests.factories import make_department, make_team

LEAD = "/lead Jan Kowalski, ACME sp. z o.o., +48 600 100 200, jan@acme.pl, chce ofertę"


@pytest.fixture
async def dialog(app: App) -> Dialog:
    team = await make_team(
        app,
        [
            ("boss", Role.ADMIN),
            ("anna", Role.EMPLOYEE),
            ("ivan", Role.EMPLOYEE),
            ("head", Role.MANAGER),
            ("guest", Role.EXTRANET),
        ],
    )
    await make_department(app, team, "Sales", "head", ["anna", "head"])
    return Dialog(app, team)


async def test_capture_a_lead_and_see_what_was_understood(dialog: Dialog) -> None:
    await verify_dialog(
        dialog,
        [
            (
                "anna",
                LEAD,
                [
                    "Lead saved",
                    "Here is what I understood",
                    "Lead #1 Jan Kowalski",
                    "+48600100200",
                    "jan@acme.pl",
                    "ACME sp. z o.o.",
                    "chce ofertę",
                    "Call task #1",
                    "✏ Phone",
                    "📞 Call task",
                    "🔁 Convert",
                ],
            ),
        ],
    )


async def test_fix_buttons_correct_what_was_misread(dialog: Dialog) -> None:
    await verify_dialog(
        dialog,
        [
            ("anna", "/lead Jan Nowak 600 100 200", ["Lead #1 Jan Nowak", "+48600100200"]),
            ("anna", "press:✏ Company", ["The new company of lead #1"]),
            ("anna", "Budimex S.A.", ["Fixed.", "🏢 Budimex S.A.", "edited: company"]),
            ("anna", "press:✏ Email", ["The new email of lead #1"]),
            ("anna", "not-an-email", ["email: not valid", "Your text, so nothing is lost"]),
            ("anna", "jan@budimex.pl", ["Fixed.", "jan@budimex.pl"]),
        ],
    )


async def test_lead_without_contact_details_is_explained_and_kept(dialog: Dialog) -> None:
    await verify_dialog(
        dialog,
        [
            ("anna", "/lead", ["Send the lead in one message"]),
            (
                "anna",
                "Jan Kowalski wants a quote",
                [
                    "A lead needs a name and a phone or an email",
                    "phone: a phone or an email",
                    "Your text, so nothing is lost: Jan Kowalski wants a quote",
                ],
            ),
            ("anna", "Jan Kowalski jan@k.pl", ["Lead #1 Jan Kowalski"]),  # the question stayed open
        ],
    )


async def test_duplicate_is_flagged_and_merged(dialog: Dialog) -> None:
    await verify_dialog(
        dialog,
        [
            ("anna", LEAD, ["Lead #1"]),
            (
                "anna",
                "/lead Jan K. +48600100200 // called again",
                [
                    "it looks like a client we already know",
                    "Possible duplicate of:",
                    "Lead #1 Jan Kowalski",
                    "🔗 Merge into Lead #1 Jan Kowalski",
                ],
            ),
            (
                "anna",
                "press:Merge",
                [
                    "Merged.",
                    "Lead #1 Jan Kowalski",
                    "called again",
                    "merged: Lead #2",
                    "#2 Call Jan K",
                ],
            ),
            ("anna", "/leads", ["Leads (1)", "!Jan K. "]),
        ],
    )


async def test_head_takes_over_and_assigns(dialog: Dialog) -> None:
    await verify_dialog(
        dialog,
        [
            ("anna", LEAD, ["Lead #1", "!🙋 Take"]),  # the owner has nothing to take
            ("head", "/leads", ["Leads (1)", "Jan Kowalski"]),
            ("ivan", "/leads", ["Leads (0)", "!Jan Kowalski"]),
            ("head", "press:Jan Kowalski", ["Lead #1", "🙋 Owner: Anna", "🙋 Take"]),
            ("head", "press:Take", ["It's yours now.", "🙋 Owner: Head"]),
            ("head", "press:Assign", ["Who should own Lead #1"]),
            ("head", "@ivan", ["Owner changed: Lead #1 is now out of your view."]),
            ("ivan", "/leads", ["Leads (1)"]),
            ("boss", "/client kowalski", ["🙋 Owner: Ivan", "owner: Head", "owner: Ivan"]),
            ("anna", "/client kowalski", ["Clients: kowalski (0)"]),
        ],
    )
    assert any("took over" in n for n in dialog.notices("anna"))
    assert any("made you the owner" in n and "Lead #1" in n for n in dialog.notices("ivan"))


async def test_extranet_and_strangers_get_no_clients(dialog: Dialog) -> None:
    await verify_dialog(
        dialog,
        [
            ("anna", LEAD, ["Lead #1"]),
            ("guest", "/leads", ["The client base is not available to your account."]),
            ("guest", "/lead Jan 600100200", ["not available to your account", "Your text"]),
            ("ivan", "/client Jan", ["Clients: Jan (0)"]),
            ("guest", "/funnel", ["not available"]),
        ],
    )


async def test_deal_through_stages_to_won_and_funnel(dialog: Dialog, app: App) -> None:
    await verify_dialog(
        dialog,
        [
            ("anna", LEAD, ["Lead #1"]),
            ("anna", "press:💬", ["Your comment on Lead #1"]),
            ("anna", "Prices sent", ["Comment added.", "comment: Prices sent"]),
            (
                "anna",
                "press:Convert",
                [
                    "Converted",
                    "Deal #1 ACME sp. z o.o.",
                    "New (1/4)",
                    "comment: Prices sent",
                    "▶ Qualified",
                ],
            ),
            ("anna", "press:Stage…", ["Which stage for deal #1"]),
            (
                "anna",
                "press:Negotiation",
                ["Stage changed.", "Negotiation (4/4)", "New → Negotiation", "!▶ "],
            ),
            # A won deal needs its amount: Won asks for it, a wrong one is asked again.
            ("anna", "press:Won", ["is won once it has its amount", "!Won! 🏆"]),
            ("anna", "twelve grand", ['"twelve grand" is not an amount', "You wrote"]),
            ("anna", "12 000 zł", ["Won! 🏆", "Sales · Won", "PLN\u00a012,000.00", "!✖ Lost"]),
            ("anna", "/deals", ["Deals (0)"]),
            (
                "boss",
                "/funnel all",
                [
                    "Sales funnel · All time",
                    "Sales: 1 deal, 100% won",
                    "Won: 1 now · PLN\u00a012,000.00",
                    "Negotiation: 0 now · reached 1 (100% of the",
                ],
            ),
            ("anna", "/client acme", ["Clients: acme", "Company #1 ACME"]),
            (
                "anna",
                "press:Company #1",
                ["Company #1 ACME sp. z o.o.", "Jan Kowalski", "💼 #1 ACME sp. z o.o."],
            ),
        ],
    )
    replies = await dialog.chat("boss").say("/funnel")
    assert replies[0].image is not None and replies[0].image.startswith(b"\x89PNG")


async def test_lost_asks_for_the_reason(dialog: Dialog) -> None:
    await verify_dialog(
        dialog,
        [
            ("anna", LEAD, ["Lead #1"]),
            ("anna", "press:Convert", ["Deal #1"]),
            ("anna", "press:Lost", ["Why was deal #1 lost?"]),
            (
                "anna",
                "Too expensive",
                [
                    "Marked as lost.",
                    "Lost because: Too expensive",
                    "New → Lost: Too expensive",
                    "!🏆 Won",
                    "🗂 Stage…",
                ],
            ),
        ],
    )


async def test_call_task_from_the_card(dialog: Dialog) -> None:
    await verify_dialog(
        dialog,
        [
            ("anna", LEAD, ["Call task #1"]),
            ("boss", "/client kowalski", ["Lead #1 Jan Kowalski"]),
            ("boss", "press:📞", ["Call task created.", "Call task #2", "#2 Call Jan Kowalski"]),
        ],
    )
    assert any("gave you a task" in n and "Call Jan Kowalski" in n for n in dialog.notices("anna"))


async def test_web_lead_is_announced_with_its_card(dialog: Dialog, app: App) -> None:
    from brygada.lead_forms import create_form
    from domain.crm import LeadInput
    from domain.services.crm import submit_web_lead
    from handlers.intents.crm import call_task_title

    token = await create_form(app, "Site")
    async with app.uow() as uow:
        await submit_web_lead(
            uow,
            token,
            LeadInput(name="Web Client", email="w@x.pl"),
            app.clock.now(),
            app.settings.crm_rules,
            call_task_title,
        )
        await uow.commit()
    await dialog.deliver()
    # Sales department (head and anna): round-robin starts with the lowest id, Anna.
    [notice] = dialog.notices("anna")
    assert "A new lead from the website is yours" in notice
    assert "Lead #1 Web Client" in notice and "Source: web:Site" in notice


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        (
            "pl",
            [
                "Lead zapisany",
                "Oto co zrozumiałem",
                "Lead #1 Jan Kowalski",
                "🙋 Opiekun: Anna",
                "Zadzwonić: Jan Kowalski",
                "✏ Telefon",
                "🔁 Na transakcję",
                "Historia:",
            ],
        ),
        (
            "ru",
            [
                "Лид сохранён",
                "Вот что я понял",
                "Лид #1 Jan Kowalski",
                "🙋 Ответственный: Anna",
                "Позвонить: Jan Kowalski",
                "✏ Телефон",
                "🔁 В сделку",
                "История:",
            ],
        ),
    ],
)
async def test_cards_in_polish_and_russian(
    dialog: Dialog, app: App, lang: str, expected: list[str]
) -> None:
    async with app.uow() as uow:
        for handle in ("anna", "boss"):
            member = dialog.team[handle]
            member.language = lang
            await uow.members.save(member)
        await uow.commit()
    await verify_dialog(
        dialog,
        [
            ("anna", LEAD, expected),
            ("anna", "press:🔁", ["#1"]),
            ("anna", "press:✖", ["#1"]),
            ("anna", "", []),
            ("anna", "za drogo" if lang == "pl" else "дорого", ["#1"]),
            ("boss", "/funnel all", ["Lejek sprzedaży" if lang == "pl" else "Воронка продаж"]),
            ("anna", "/lead x", ["Lead potrzebuje" if lang == "pl" else "Для лида нужны"]),
            ("anna", "/deals", ["Transakcje" if lang == "pl" else "Сделки"]),
        ],
    )


async def test_stale_deal_alert_reaches_the_owner(dialog: Dialog, app: App) -> None:
    from domain.services.crm import enqueue_stale_deal_alerts

    await verify_dialog(
        dialog,
        [
            ("anna", LEAD, ["Lead #1"]),
            ("anna", "press:🔁", ["Deal #1"]),
        ],
    )
    app.clock.advance(days=15)  # type: ignore[attr-defined]
    async with app.uow() as uow:
        assert await enqueue_stale_deal_alerts(uow, app.clock.now(), 14) == 1
        await uow.commit()
    await dialog.deliver()
    assert any(
        "No activity on this deal for 15 days" in n and "Deal #1 ACME" in n
        for n in dialog.notices("anna")
    )
