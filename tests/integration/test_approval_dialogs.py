"""Approvals in the chat, through the console adapter, storage and the outbox."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from brygada.bootstrap import App
from domain.approvals import Verdict
from domain.company import Role
from handlers.buttons import Decide
from handlers.types import Attachment, Inbound
from tests.conftest import APPROVALS_EXAMPLE
from tests.dialog import Dialog, verify_dialog
from tests.factories import Team, make_department, make_team

PEOPLE = [
    ("boss", Role.ADMIN),
    ("head", Role.MANAGER),
    ("anna", Role.EMPLOYEE),
    ("ivan", Role.EMPLOYEE),
    ("client", Role.EXTRANET),
]


@pytest.fixture
def approvals_config() -> Path:
    return APPROVALS_EXAMPLE


async def company(app: App) -> Team:
    team = await make_team(app, PEOPLE)
    await make_department(app, team, "Sales", head="head", staff=["anna", "ivan"])
    async with app.uow() as uow:
        head = team["head"]
        head.manager_id = team["boss"].id
        await uow.members.save(head)
        await uow.commit()
    return team


@pytest.fixture
async def dialog(app: App) -> Dialog:
    return Dialog(app, await company(app))


LEAVE = [
    ("anna", "/request leave", ["Leave / absence", "1/3", "What kind of absence?", "Vacation"]),
    ("anna", "press:Vacation", ["2/3", "✓ What kind of absence?: Vacation", "Dates"]),
    ("anna", "01.12-05.12", ["3/3", "A note for your manager", "(optional)", "⏭ Skip"]),
    (
        "anna",
        "Family trip",
        ["Request sent.", "#1 Leave / absence", "⏳ Pending", "01.12.2026 – 05.12.2026", "Head"],
    ),
]


async def test_request_lists_the_types(dialog: Dialog) -> None:
    await verify_dialog(
        dialog,
        [
            (
                "anna",
                "/request",
                ["Leave / absence", "/request leave", "Expense", "/request expense"],
            ),
            ("anna", "/request holiday", ['I don\'t know the request type "holiday"', "Expense"]),
            ("anna", "/help requests", ["/request", "/approvals", "/deputy"]),
        ],
    )


async def test_leave_is_requested_approved_and_mutes_the_member(app: App, dialog: Dialog) -> None:
    await verify_dialog(
        dialog,
        [
            *LEAVE,
            ("head", "/approvals", ["Awaiting my decision (1)", "#1 Leave / absence — Anna"]),
            ("head", "press:#1 Leave", ["Family trip", "✅ Grant leave", "↩ Return", "⛔ Reject"]),
            ("head", "press:Grant leave", ["Approved.", "✅ Approved", "Head: approved"]),
            ("head", "/approvals", ["(0)", "Nothing is waiting"]),
        ],
    )
    assert any("asks for your decision" in n and "Family trip" in n for n in dialog.notices("head"))
    assert any("Head approved your request" in n for n in dialog.notices("anna"))
    anna = dialog.team["anna"].id
    async with app.uow() as uow:
        assert await uow.approvals.absent(anna, date(2026, 12, 3))
        assert not await uow.approvals.absent(anna, date(2026, 12, 6))
        company_id = dialog.team.company.id
        assert await uow.approvals.absent_member_ids(company_id, date(2026, 12, 1)) == {anna}


async def test_bad_answers_are_asked_again_keeping_the_earlier_ones(dialog: Dialog) -> None:
    await verify_dialog(
        dialog,
        [
            ("anna", "/request leave", ["What kind of absence?"]),
            ("anna", "holidays", ['"holidays" is not one of the options', "1/3"]),
            ("anna", "sick", ["✓ What kind of absence?: Sick leave", "Dates"]),
            ("anna", "next week", ["couldn't read dates", "next week", "✓ What kind", "2/3"]),
            ("anna", "05.12-01.12.2026", ["The end is before the start", "Sick leave"]),
            ("anna", "20.11-24.11", ["3/3"]),
            ("anna", "press:Skip", ["Request sent.", "20.11.2026 – 24.11.2026", "Sick leave"]),
        ],
    )


async def test_return_and_reject_ask_for_a_comment(dialog: Dialog) -> None:
    await verify_dialog(
        dialog,
        [
            *LEAVE,
            ("head", "/approval 1", ["✅ Grant leave"]),
            ("head", "press:Return", ["Why are you returning request #1"]),
            ("head", "   ", ["Write a task as a message"]),  # the question stays open
            ("head", "Please move it a week later", ["Returned.", "↩ Returned", "move it a week"]),
        ],
    )
    assert any(
        "Head returned your request" in n and "move it a week later" in n
        for n in dialog.notices("anna")
    )
    await verify_dialog(
        dialog,
        [
            ("anna", "/request leave", ["What kind"]),
            ("anna", "press:Vacation", ["Dates"]),
            ("anna", "08.12-12.12", ["3/3"]),
            ("anna", "-", ["Request sent.", "#2"]),
            ("head", "/approval 2", ["⛔ Reject"]),
            ("head", "press:Reject", ["Why are you rejecting request #2"]),
            ("head", "Audit week", ["Rejected.", "⛔ Rejected", "Audit week"]),
        ],
    )
    assert any("Head rejected your request" in n for n in dialog.notices("anna"))


async def test_double_press_and_stale_cards_say_who_decided(dialog: Dialog) -> None:
    await verify_dialog(dialog, LEAVE)
    chat = dialog.chat("head")
    await dialog.send("head", "/approval 1")
    approve = chat.screen.buttons[chat.screen.labels.index("✅ Grant leave")]
    reject = chat.screen.buttons[chat.screen.labels.index("⛔ Reject")]
    await verify_dialog(dialog, [("head", "press:Grant leave", ["Approved."])])

    def press(token: str) -> Inbound:
        return Inbound(
            platform="console", workspace="local", user_id="head", chat_id="head", action=token
        )

    for token in (approve, reject):
        [again] = await dialog.app.conversation.handle(press(token))
        assert again.alert and again.template == "approval_error"
        text = dialog.chat("head").screen.renderer.render(again).text
        assert "Already decided by Head at Wed 25 Nov, 10:30: ✅ Approved." in text
    assert sum("approved your request" in n for n in dialog.notices("anna")) == 1


async def test_only_the_approver_can_decide(app: App, dialog: Dialog) -> None:
    await verify_dialog(dialog, LEAVE)
    chat = dialog.chat("head")
    await dialog.send("head", "/approval 1")
    approve = chat.screen.buttons[chat.screen.labels.index("✅ Grant leave")]
    reject = chat.screen.buttons[chat.screen.labels.index("⛔ Reject")]
    for who in ("anna", "ivan", "boss", "client"):
        for token in (approve, reject):
            [refused] = await app.conversation.handle(
                Inbound(
                    platform="console", workspace="local", user_id=who, chat_id=who, action=token
                )
            )
            assert refused.alert, who
            assert refused.context.get("error_code") in {
                "approval_not_permitted",
                "approval_not_found",
            }
    # A forged button (another request id with a made-up signature) is refused outright.
    forged = approve.replace("ad:1:", "ad:2:")
    [bad] = await app.conversation.handle(
        Inbound(
            platform="console", workspace="local", user_id="head", chat_id="head", action=forged
        )
    )
    assert bad.context["error_code"] == "bad_token"
    # A validly signed token is still only a request: the domain checks the presser.
    signed = app.signer.sign(Decide(1, Verdict.APPROVE))
    [refused] = await app.conversation.handle(
        Inbound(
            platform="console", workspace="local", user_id="ivan", chat_id="ivan", action=signed
        )
    )
    assert refused.context["error_code"] == "approval_not_permitted"
    await verify_dialog(
        dialog,
        [
            ("ivan", "/approval 1", ["does not exist or is not visible"]),
            ("boss", "/approval 1", ["⏳ Pending", "!Grant leave"]),  # admins see, not decide
            ("anna", "/approval 1", ["⏳ Pending", "✖ Withdraw", "!Grant leave"]),
            ("client", "/request leave", ["Extranet members can't file requests"]),
        ],
    )


async def test_expense_chain_with_amount_and_receipt_photo(app: App, dialog: Dialog) -> None:
    await verify_dialog(
        dialog,
        [
            ("anna", "/request expense", ["Expense", "What was it for?"]),
            ("anna", "Taxi to the client", ["Amount", "120.50 PLN"]),
            ("anna", "lots", ['couldn\'t read an amount in "lots"', "✓ What was it for?: Taxi"]),
            ("anna", "5 GBP", ["GBP is not accepted here; use PLN, EUR, USD"]),
            ("anna", "45,50 zł", ["A photo of the receipt", "Send a photo."]),
            ("anna", "it's in my pocket", ["Please send a photo", "✓ Amount: PLN\u00a045.50"]),
        ],
    )
    chat = dialog.chat("anna")
    replies = await app.conversation.handle(
        Inbound(
            platform="console",
            workspace="local",
            user_id="anna",
            chat_id="anna",
            attachments=(Attachment("photo", "AgADreceipt1"),),
            update_key="anna:photo",
        )
    )
    text = chat.screen.renderer.render(replies[0]).text
    assert "Request sent." in text and "PLN\u00a045.50" in text and "📎 photo attached" in text
    assert "step 1 of 2" in text
    await dialog.deliver()
    await verify_dialog(
        dialog,
        [
            ("head", "press:Approve", ["Approved.", "⏳ Pending", "Boss (step 2 of 2)"]),
            ("boss", "/approvals", ["#1 Expense — Anna"]),
            ("boss", "press:#1 Expense", ["✅ Approve"]),
            (
                "boss",
                "press:Approve",
                ["Approved.", "✅ Approved", "Head: approved", "Boss: approved"],
            ),
        ],
    )
    assert any("asks for your decision" in n for n in dialog.notices("boss"))
    assert sum("approved your request" in n for n in dialog.notices("anna")) == 1


async def test_withdraw(dialog: Dialog) -> None:
    await verify_dialog(
        dialog,
        [
            *LEAVE,
            ("anna", "press:Withdraw", ["Withdrawn.", "✖ Withdrawn"]),
            ("head", "press:Grant leave", ["Request #1 was withdrawn"]),
            ("head", "/approvals", ["(0)"]),
        ],
    )


async def test_a_deputy_decides_while_the_approver_is_away(app: App, dialog: Dialog) -> None:
    await verify_dialog(
        dialog,
        [
            ("head", "/deputy", ["You have no deputy"]),
            ("head", "/deputy @ivan", ["/deputy @handle 01.12-05.12"]),
            ("head", "/deputy @nobody 25.11-05.12", ["I don't know @nobody"]),
            ("head", "/deputy @head 25.11-05.12", ["can't be your own deputy"]),
            ("head", "/deputy @ivan 25.11-05.12", ["Ivan decides your approvals", "05.12.2026"]),
            ("head", "/deputy", ["Your deputy: Ivan"]),
            *LEAVE,
            ("ivan", "/approvals", ["#1 Leave / absence — Anna"]),
            ("ivan", "press:#1 Leave", ["✅ Grant leave"]),
            ("ivan", "press:Grant leave", ["Approved.", "Ivan (for Head): approved"]),
            ("head", "/deputy off", ["Deputy removed"]),
        ],
    )
    assert any("asks for your decision" in n for n in dialog.notices("ivan"))


async def test_task_acceptance_appears_among_my_approvals(dialog: Dialog) -> None:
    await verify_dialog(
        dialog,
        [
            ("boss", "Sales: Send the offer @anna", ["Task #1 created"]),
            ("anna", "/done 1 Sent: https://docs.example/1", ["sent to the director"]),
            ("boss", "/approvals", ["(1)", "task #1 Sales: Send the offer — Anna"]),
            ("boss", "press:#1 Sales", ["Awaiting acceptance", "Accept 👍"]),
            ("boss", "press:Accept 👍", ["Accepted."]),
            ("boss", "/approvals", ["(0)"]),
        ],
    )


async def test_the_directors_deputy_returns_a_task_from_the_chat(dialog: Dialog) -> None:
    await verify_dialog(
        dialog,
        [
            ("head", "Sales: Send the offer @anna", ["Task #1 created"]),
            ("anna", "/done 1 Sent", ["sent to the director"]),
            ("ivan", "/return 1 add the totals tomorrow", ["You can't do that"]),
            ("head", "/deputy @ivan 25.11-30.11", ["Ivan decides your approvals"]),
            ("ivan", "/approvals", ["task #1 Sales: Send the offer — Anna"]),
            ("ivan", "/accept 1 -", ["Why 👎?"]),
            ("ivan", "/return 1 add the totals tomorrow", ["Returned for rework.", "Pending"]),
        ],
    )
    assert any("returned the task for rework: add the totals" in n for n in dialog.notices("anna"))


async def test_a_refused_request_keeps_the_form(app: App, dialog: Dialog) -> None:
    """Nobody approves the boss's leave: the refusal rolls the turn back, so the form with
    its answers is still open, and the last answer files it once there is an approver."""
    await verify_dialog(
        dialog,
        [
            ("boss", "/request leave", ["1/3"]),
            ("boss", "press:Vacation", ["2/3"]),
            ("boss", "01.12-05.12", ["3/3"]),
            ("boss", "Family trip", ["There is nobody to approve this request"]),
            ("boss", "Family trip", ["There is nobody to approve this request", "!Task #"]),
        ],
    )
    async with app.uow() as uow:
        boss = dialog.team["boss"]
        boss.manager_id = dialog.team["head"].id
        await uow.members.save(boss)
        await uow.commit()
    await verify_dialog(
        dialog, [("boss", "Family trip", ["Request sent.", "01.12.2026 – 05.12.2026", "Head"])]
    )
