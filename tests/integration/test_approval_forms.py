"""The /request form as a whole (handlers.questionnaires), through the real conversation and
storage: the same parsing as the field-by-field flow, errors per field, the check
step, picking a type; and decision buttons pressed at the same moment."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from bots.slack.modals import FormContext, filled_form, form_errors, form_modal
from brygada.bootstrap import App
from domain.approval_types import ApprovalType, ApproverSpec, LocalText, parse_approval_types
from domain.approvals import ApprovalStatus, ApproverMode, Verdict
from domain.company import Role
from domain.services import approvals as service
from handlers.buttons import Decide
from handlers.intents.approvals import FORM_COMMAND
from handlers.questionnaires import FilledForm, Form, FormField, FormOption, form_of
from handlers.rendering import PLAIN, Renderer
from handlers.types import Inbound, Reply
from tests.conftest import APPROVALS_EXAMPLE
from tests.factories import Team, make_department, make_team
from tests.fakes.slack_api import validate_view

PLAIN_TEXT = Renderer(PLAIN)


@pytest.fixture
def approvals_config() -> Path:
    return APPROVALS_EXAMPLE


@pytest.fixture
async def team(app: App) -> Team:
    people = [
        ("boss", Role.ADMIN),
        ("head", Role.MANAGER),
        ("kate", Role.MANAGER),
        ("anna", Role.EMPLOYEE),
        ("client", Role.EXTRANET),
    ]
    found = await make_team(app, people)
    await make_department(app, found, "Sales", head="head", staff=["anna"])
    return found


def inbound(who: str, **fields: Any) -> Inbound:
    return Inbound(platform="console", workspace="local", user_id=who, chat_id=who, **fields)


async def form_command(app: App, who: str, args: str) -> list[Reply]:
    return await app.conversation.handle(inbound(who, command=FORM_COMMAND, args=args))


def leave(**answers: str) -> str:
    base = {"kind": "vacation", "dates": "2026-12-01 2026-12-05", "note": ""}
    return FilledForm({"type": "leave"}, {**base, **answers}).dump()


def only_form(replies: list[Reply]) -> Form:
    [reply] = replies
    form = form_of(reply)
    assert form is not None, reply.template
    return form


def errors_of(form: Form) -> dict[str, str]:
    return form_errors(form, lambda r: PLAIN_TEXT.render(r).text)


async def count(app: App) -> int:
    async with app.engine.connect() as conn:
        found = await conn.execute(text("SELECT count(*) FROM approval_requests"))
        return int(found.scalar_one())


async def test_the_form_lists_every_field_in_the_members_language(app: App, team: Team) -> None:
    form = only_form(await form_command(app, "anna", "leave"))
    assert (form.command, dict(form.data), form.title) == (
        FORM_COMMAND,
        {"type": "leave"},
        "Leave / absence",
    )
    assert [(f.name, f.kind, f.required) for f in form.fields] == [
        ("kind", "choice", True),
        ("dates", "date_range", True),
        ("note", "text", False),
    ]
    assert [(o.value, o.label) for o in form.fields[0].options] == [
        ("1", "Vacation"),
        ("2", "Sick leave"),
        ("3", "Unpaid leave"),
    ]
    assert not form.has_errors and not form.valid and form.final
    # Where forms are not shown, the reply is a message pointing to the field-by-field way.
    text = PLAIN_TEXT.render((await form_command(app, "anna", "leave"))[0]).text
    assert "What kind of absence?" in text and "/request leave" in text


async def test_bad_answers_come_back_per_field_and_nothing_is_filed(app: App, team: Team) -> None:
    form = only_form(await form_command(app, "anna", leave(kind="holidays", dates="05.12-01.12")))
    assert errors_of(form) == {
        "kind": '"holidays" is not one of the options.',
        "dates": "The end is before the start.",
    }
    form = only_form(await form_command(app, "anna", leave(dates="")))
    assert errors_of(form) == {"dates": "This needs an answer."}
    assert await count(app) == 0


async def test_check_then_file(app: App, team: Team) -> None:
    checked = FilledForm({"type": "leave"}, {"kind": "2", "dates": "2026-12-01"}, check=True)
    form = only_form(await form_command(app, "anna", checked.dump()))
    assert form.valid and not form.has_errors
    assert await count(app) == 0
    [card] = await form_command(app, "anna", leave(kind="2", note="Flu"))
    assert card.template == "approval_card" and card.context["notice"] == "sent"
    approval = card.context["approval"]
    assert [r["text"] for r in approval["rows"]] == ["Sick leave", "01.12.2026 – 05.12.2026", "Flu"]
    assert approval["approvers"] == ["Head"]


async def test_picking_a_type_leads_to_its_form(app: App, team: Team) -> None:
    [pick_reply] = await form_command(app, "anna", "")
    pick = form_of(pick_reply)
    assert pick is not None and not pick.final and pick.data == {"pick": True}
    assert [o.value for o in pick.fields[0].options] == [
        "leave",
        "day_off",
        "expense",
        "business_trip",
    ]
    assert pick_reply.template == "approval_types"  # a plain list where forms are not shown
    chosen = FilledForm({"pick": True}, {"type": "expense"}, check=True)
    form = only_form(await form_command(app, "anna", chosen.dump()))
    assert form.title == "Expense" and [f.kind for f in form.fields] == ["text", "amount", "photo"]
    assert form.fields[1].currencies == ("PLN", "EUR", "USD")


async def test_unknown_type_extranet_and_a_type_no_longer_configured(app: App, team: Team) -> None:
    [listed] = await form_command(app, "anna", "holiday")
    assert listed.template == "approval_types" and listed.context["unknown"] == "holiday"
    [refused] = await form_command(app, "client", "leave")
    assert refused.context["error_code"] == "approval_not_permitted"
    gone = FilledForm({"type": "vacation_old"}, {"x": "y"}).dump()
    [refused] = await form_command(app, "anna", gone)
    assert refused.template == "approval_error"
    assert "no longer configured" in PLAIN_TEXT.render(refused).text


def test_slack_modal_respects_block_kit_limits() -> None:
    options = "\n".join(f'    "option {n} {"x" * 200}",' for n in range(150))
    config = f"""
[big]
title = "A request type with a title far longer than twenty-four characters"
[[big.fields]]
name = "pick"
type = "choice"
label = "{"L" * 2500}"
options = [
{options}
]
[[big.fields]]
name = "text"
type = "text"
label = "Text"
max_length = 10000
""".encode()
    rtype = parse_approval_types(config).custom["big"]
    fields = tuple(
        FormField(
            s.name,
            s.type.value,
            s.label.get("en"),
            s.required,
            tuple(FormOption(str(n), o.label.get("en")) for n, o in enumerate(s.options, 1)),
            (),
            s.max_length,
        )
        for s in rtype.fields
    )
    modal = form_modal(Form(FORM_COMMAND, {"type": "big"}, rtype.title.get("en"), fields), "en")
    assert validate_view(modal) == []
    select = modal["blocks"][0]["element"]
    assert len(select["options"]) == 100
    assert modal["blocks"][1]["element"]["max_length"] == 3000


def test_a_submitted_modal_reads_as_typed_answers() -> None:
    context = FormContext(FORM_COMMAND, {"type": "expense"}, "en")
    state = {
        "purpose": {"value": {"type": "plain_text_input", "value": "  Taxi "}},
        "amount": {"value": {"type": "number_input", "value": "12.5"}},
        "amount.currency": {
            "value": {"type": "static_select", "selected_option": {"value": "EUR"}}
        },
        "dates": {"value": {"type": "datepicker", "selected_date": "2026-12-01"}},
        "dates.to": {"value": {"type": "datepicker", "selected_date": None}},
        "receipt": {
            "value": {"type": "file_input", "files": [{"id": "F1", "mimetype": "application/pdf"}]}
        },
    }
    filled = filled_form({"state": {"values": state}}, context)
    assert filled.answers == {"purpose": "Taxi", "amount": "12.5 EUR", "dates": "2026-12-01"}
    assert filled.files == {"receipt": [("document", "F1")]}
    assert FilledForm.load(filled.dump()) == FilledForm(
        {"type": "expense"}, filled.answers, {"receipt": [("document", "F1")]}
    )


async def test_two_approvers_pressing_at_once_one_wins_the_other_is_told(
    app: App, team: Team
) -> None:
    """Two decision buttons pressed at the same moment through the conversation: one
    decision is kept, the other presser gets the clean "already decided" answer (never
    an unexpected error), and the requester is told once."""
    purchase = ApprovalType(
        "purchase", LocalText.of("Purchase"), (), (ApproverSpec.parse("role:manager"),),
        ApproverMode.ANY,
    )  # fmt: skip
    async with app.uow() as uow:
        request = await service.file_request(uow, team["anna"], purchase, {}, app.clock.now())
        await uow.commit()
    approve = app.signer.sign(Decide(request.id, Verdict.APPROVE))
    results = await asyncio.gather(
        app.conversation.handle(inbound("head", action=approve, update_key="p1")),
        app.conversation.handle(inbound("kate", action=approve, update_key="p2")),
    )
    templates = sorted(r[0].template for r in results)
    assert templates == ["approval_card", "approval_error"], results
    [lost] = [r[0] for r in results if r[0].template == "approval_error"]
    assert lost.alert and lost.context["error_code"] == "approval_decided"
    async with app.uow() as uow:
        stored = await uow.approvals.get(request.id)
    assert stored is not None and stored.status is ApprovalStatus.APPROVED
    assert len(stored.decisions) == 1
