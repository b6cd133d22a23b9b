"""Approvals through the real Bolt app and the fake Slack Web API.

``/request <type>`` (and the "New request" global shortcut) open ONE modal with every
field of the type; a refused answer comes back as ``response_action: errors`` on its
block (Slack keeps the rest as typed); a valid one files the request, confirms it in
the requester's DM, and the approver's card arrives through the outbox. The approver
decides with the card's buttons (Return asks its comment in a modal); a second press
changes nothing. App Home lists the requests awaiting the member's decision.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest

from bots.slack.listeners.shortcuts import NEW_REQUEST_SHORTCUT
from bots.slack.modals import ANSWER_VIEW, FORM_VIEW
from brygada.bootstrap import App
from domain.approvals import ApprovalStatus
from domain.company import Role
from handlers.types import Inbound
from tests.conftest import APPROVALS_EXAMPLE
from tests.e2e.slack.conftest import TEAM_ID, SlackHarness
from tests.factories import Team, make_department, make_team
from tests.fakes.slack_api import validate_view
from tests.fakes.slack_requests import (
    FORM,
    app_home_opened_event,
    block_action,
    event,
    slash_command,
    view_submission,
)

ANNA, HEAD, BOSS = "anna", "head", "boss"


@pytest.fixture
def approvals_config() -> Path:
    return APPROVALS_EXAMPLE


@pytest.fixture
async def team(app: App) -> Team:
    """Anna works in Sales, whose head decides her requests; Slack user ids are handles."""
    people = [(BOSS, Role.ADMIN), (HEAD, Role.MANAGER), (ANNA, Role.EMPLOYEE)]
    found = await make_team(app, people, platform="slack", workspace=TEAM_ID)
    await make_department(app, found, "Sales", head=HEAD, staff=[ANNA])
    return found


@pytest.fixture
async def slack_team(slack: SlackHarness, team: Team) -> SlackHarness:
    for user in (ANNA, HEAD, BOSS):
        slack.api.add_user(user, name=user, real_name=user.capitalize(), locale="en-US")
    return slack


def _text(blocks: list[dict[str, Any]]) -> str:
    return "\n".join(b["text"]["text"] for b in blocks if b.get("type") == "section")


def _buttons(blocks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [e for b in blocks if b["type"] == "actions" for e in b["elements"]]


def _inputs(view: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {b["block_id"]: b for b in view["blocks"] if b["type"] == "input"}


def _select(value: str) -> dict[str, Any]:
    return {"type": "static_select", "selected_option": {"value": value}}


def _date(value: str | None) -> dict[str, Any]:
    return {"type": "datepicker", "selected_date": value}


class Slack:
    """A user's side of the app: commands, submissions and presses, each awaited."""

    def __init__(self, harness: SlackHarness) -> None:
        self.h = harness
        self.api = harness.api

    async def open_request(self, args: str, *, user: str = ANNA) -> dict[str, Any]:
        opened = len(self.api.calls_to("views.open"))
        trigger = f"1700000000.{opened}.request"
        response = await self.h.post(
            slash_command("/request", args, user_id=user, trigger_id=trigger)
        )
        assert response.status == 200
        await self.h.settle()
        calls = self.api.calls_to("views.open")
        assert len(calls) == opened + 1, "no modal opened"
        assert calls[-1].ok and calls[-1].params["trigger_id"] == trigger
        view: dict[str, Any] = calls[-1].params["view"]
        assert validate_view(view) == []
        return view

    async def submit(
        self, view: dict[str, Any], values: dict[str, dict[str, Any]], *, user: str = ANNA
    ) -> Any:
        wrapped = {block: {"value": state} for block, state in values.items()}
        response = await self.h.post(
            view_submission(
                view["callback_id"],
                wrapped,
                user_id=user,
                private_metadata=view["private_metadata"],
            )
        )
        assert response.status == 200
        body = await response.text()
        await self.h.settle()
        return json.loads(body) if body else None

    async def deliver(self) -> None:
        while await self.h.app.dispatcher({"slack": self.h.adapter.notifier}).run_once():
            pass

    def last_post(self, channel: str) -> tuple[str, dict[str, Any]]:
        posts = [c for c in self.api.calls_to("chat.postMessage") if c.ok]
        found = next(c for c in reversed(posts) if c.response["channel"] == channel)
        ts = str(found.response["ts"])
        return ts, self.api.messages[(channel, ts)]

    def button(self, message: dict[str, Any], action: str, *args: str) -> dict[str, Any]:
        for button in _buttons(message.get("blocks", [])):
            name, values = self.h.app.signer.verify(button["value"])
            if name == action and list(values[: len(args)]) == list(args):
                return button
        raise AssertionError(f"no {action} {args} button on {_text(message['blocks'])}")

    async def press(
        self,
        user: str,
        channel: str,
        ts: str,
        button: dict[str, Any],
        *,
        trigger: str | None = None,
    ) -> None:
        response = await self.h.post(
            block_action(
                button["action_id"],
                button["value"],
                user_id=user,
                channel_id=channel,
                message_ts=ts,
                trigger_id=trigger,
            )
        )
        assert response.status == 200
        await self.h.settle()

    async def request(self, request_id: int = 1) -> Any:
        async with self.h.app.uow() as uow:
            return await uow.approvals.get(request_id)


LEAVE_VALID = {
    "kind": _select("1"),
    "dates": _date("2026-12-01"),
    "dates.to": _date("2026-12-05"),
    "note": {"type": "plain_text_input", "value": "Family trip"},
}


async def _filed_leave(s: Slack) -> None:
    view = await s.open_request("leave")
    assert await s.submit(view, LEAVE_VALID) is None
    await s.deliver()


async def test_request_opens_one_modal_with_every_field(slack_team: SlackHarness) -> None:
    s = Slack(slack_team)
    leave = await s.open_request("leave")
    assert leave["callback_id"] == FORM_VIEW
    assert leave["title"]["text"] == "Leave / absence" and leave["submit"]["text"] == "Send"
    inputs = _inputs(leave)
    assert list(inputs) == ["kind", "dates", "dates.to", "note"]
    kind = inputs["kind"]["element"]
    assert kind["type"] == "static_select"
    assert [(o["value"], o["text"]["text"]) for o in kind["options"]] == [
        ("1", "Vacation"),
        ("2", "Sick leave"),
        ("3", "Unpaid leave"),
    ]
    assert inputs["kind"]["label"]["text"] == "What kind of absence?"
    assert inputs["dates"]["element"]["type"] == "datepicker" and not inputs["dates"]["optional"]
    assert inputs["dates.to"]["element"]["type"] == "datepicker" and inputs["dates.to"]["optional"]
    assert inputs["note"]["element"]["type"] == "plain_text_input" and inputs["note"]["optional"]
    assert slack_team.api.calls_to("chat.postMessage") == []  # nothing in the DM

    expense = _inputs(await s.open_request("expense"))
    assert list(expense) == ["purpose", "amount", "amount.currency", "receipt"]
    assert expense["amount"]["element"]["type"] == "number_input"
    assert expense["amount"]["element"]["is_decimal_allowed"] is True
    currency = expense["amount.currency"]["element"]
    assert [o["value"] for o in currency["options"]] == ["PLN", "EUR", "USD"]
    assert currency["initial_option"]["value"] == "PLN"
    assert expense["receipt"]["element"]["type"] == "file_input"
    assert expense["receipt"]["element"]["max_files"] == 1
    assert await slack_team.count("approval_requests") == 0


async def test_bad_answer_is_marked_in_the_modal_then_the_request_goes_to_the_manager(
    slack_team: SlackHarness,
) -> None:
    s = Slack(slack_team)
    view = await s.open_request("leave")

    backwards = {**LEAVE_VALID, "dates": _date("2026-12-05"), "dates.to": _date("2026-12-01")}
    answer = await s.submit(view, backwards)
    assert answer == {
        "response_action": "errors",
        "errors": {"dates": "The end is before the start."},
    }
    assert await slack_team.count("approval_requests") == 0
    assert slack_team.api.calls_to("chat.postMessage") == []

    # The user fixes the dates (Slack kept the other answers) and sends again.
    assert await s.submit(view, LEAVE_VALID) is None
    request = await s.request()
    assert request.status is ApprovalStatus.PENDING
    assert request.answers == {
        "kind": "vacation",
        "dates": {"start": "2026-12-01", "end": "2026-12-05"},
        "note": "Family trip",
    }
    _, confirmation = s.last_post(f"D{ANNA}")
    shown = _text(confirmation["blocks"])
    assert "Request sent." in shown and "01.12.2026 – 05.12.2026" in shown
    assert "Vacation" in shown and "Head" in shown

    # The head's card comes through the outbox, with the type's own approve label.
    await s.deliver()
    _, card = s.last_post(f"D{HEAD}")
    assert "asks for your decision" in _text(card["blocks"])
    labels = [b["text"]["text"] for b in _buttons(card["blocks"])]
    assert labels[:3] == ["✅ Grant leave", "↩ Return", "⛔ Reject"]


async def test_other_bad_values_and_an_empty_required_field(slack_team: SlackHarness) -> None:
    s = Slack(slack_team)
    view = await s.open_request("expense")
    answer = await s.submit(
        view,
        {
            "purpose": {"type": "plain_text_input", "value": "Taxi to the client"},
            "amount": {"type": "number_input", "value": "0"},
            "amount.currency": _select("EUR"),
            "receipt": {"type": "file_input", "files": []},
        },
    )
    assert answer["response_action"] == "errors"
    assert answer["errors"] == {
        "amount": "The amount must be more than zero.",
        "receipt": "Please send a photo.",
    }
    answer = await s.submit(
        view,
        {
            "purpose": {"type": "plain_text_input", "value": "Taxi to the client"},
            "amount": {"type": "number_input", "value": "45.5"},
            "amount.currency": _select("EUR"),
            "receipt": {
                "type": "file_input",
                "files": [{"id": "F0RECEIPT", "name": "r.jpg", "mimetype": "image/jpeg"}],
            },
        },
    )
    assert answer is None
    request = await s.request()
    assert request.answers["amount"] == {"amount": "45.50", "currency": "EUR"}
    assert request.answers["receipt"] == {"kind": "photo", "ref": "F0RECEIPT"}
    assert "📎 photo attached" in _text(s.last_post(f"D{ANNA}")[1]["blocks"])


async def test_same_submission_twice_files_one_request(slack_team: SlackHarness) -> None:
    s = Slack(slack_team)
    view = await s.open_request("leave")
    values = {block: {"value": state} for block, state in LEAVE_VALID.items()}
    payload = view_submission(
        FORM_VIEW, values, user_id=ANNA, private_metadata=view["private_metadata"], view_id="V1"
    )
    for _ in range(2):
        assert (await slack_team.post(payload)).status == 200
        await slack_team.settle()
    assert await slack_team.count("approval_requests") == 1
    assert len([c for c in slack_team.api.calls_to("chat.postMessage") if c.ok]) == 1


async def test_approve_on_the_card_then_a_second_press_changes_nothing(
    slack_team: SlackHarness,
) -> None:
    s = Slack(slack_team)
    await _filed_leave(s)
    ts, card = s.last_post(f"D{HEAD}")
    approve = s.button(card, "ad", "1", "a")
    slack_team.api.clear_calls()

    await s.press(HEAD, f"D{HEAD}", ts, approve)
    [update] = slack_team.api.calls_to("chat.update")
    assert (update.params["channel"], update.params["ts"]) == (f"D{HEAD}", ts)
    shown = _text(update.params["blocks"])
    assert "Approved." in shown and "✅ Approved" in shown
    assert not [b for b in _buttons(update.params["blocks"]) if "Grant" in b["text"]["text"]]
    assert (await s.request()).status is ApprovalStatus.APPROVED

    await s.deliver()
    _, told = s.last_post(f"D{ANNA}")
    assert "*Head* approved your request" in _text(told["blocks"])

    # The stale button pressed again: an ephemeral notice, no second decision.
    slack_team.api.clear_calls()
    await s.press(HEAD, f"D{HEAD}", ts, approve)
    [notice] = slack_team.api.calls_to("chat.postEphemeral")
    assert "Already decided by Head" in notice.params["text"]
    assert slack_team.api.calls_to("chat.update") == []
    assert len((await s.request()).decisions) == 1
    await s.deliver()
    assert slack_team.api.calls_to("chat.postMessage") == []  # nobody told twice


async def test_return_asks_its_comment_in_a_modal(slack_team: SlackHarness) -> None:
    s = Slack(slack_team)
    await _filed_leave(s)
    ts, card = s.last_post(f"D{HEAD}")
    slack_team.api.clear_calls()
    await s.press(HEAD, f"D{HEAD}", ts, s.button(card, "ad", "1", "r"), trigger="1.2.return")
    [opened] = slack_team.api.calls_to("views.open")
    modal = opened.params["view"]
    assert validate_view(modal) == [] and modal["callback_id"] == ANSWER_VIEW
    assert "Why are you returning request #1" in _text(modal["blocks"])
    assert (await s.request()).status is ApprovalStatus.PENDING

    response = await slack_team.post(
        view_submission(
            ANSWER_VIEW,
            {"answer": {"text": "Please move it a week later"}},
            user_id=HEAD,
            private_metadata=modal["private_metadata"],
        )
    )
    assert response.status == 200
    await slack_team.settle()
    [update] = slack_team.api.calls_to("chat.update")
    assert update.params["ts"] == ts
    assert "Returned." in _text(update.params["blocks"])
    request = await s.request()
    assert request.status is ApprovalStatus.RETURNED
    await s.deliver()
    _, told = s.last_post(f"D{ANNA}")
    assert "*Head* returned your request" in _text(told["blocks"])
    assert "move it a week later" in _text(told["blocks"])


async def test_only_the_approver_decides(slack_team: SlackHarness) -> None:
    s = Slack(slack_team)
    await _filed_leave(s)
    ts, card = s.last_post(f"D{HEAD}")
    approve = s.button(card, "ad", "1", "a")
    slack_team.api.clear_calls()
    await s.press(BOSS, f"D{HEAD}", ts, approve)
    [notice] = slack_team.api.calls_to("chat.postEphemeral")
    assert "Only a current approver" in notice.params["text"]
    # A forged token is refused before anything is looked up.
    forged = {**approve, "value": approve["value"][:-4] + "AAAA"}
    await s.press(HEAD, f"D{HEAD}", ts, forged)
    assert len(slack_team.api.calls_to("chat.postEphemeral")) == 2
    assert slack_team.api.calls_to("chat.update") == []
    assert (await s.request()).status is ApprovalStatus.PENDING


async def test_global_shortcut_picks_the_type_then_shows_its_form(
    slack_team: SlackHarness,
) -> None:
    s = Slack(slack_team)
    shortcut = {
        "type": "shortcut",
        "token": "legacy-verification-token",
        "action_ts": "1700000000.000001",
        "team": {"id": TEAM_ID, "domain": "test"},
        "user": {"id": ANNA, "username": ANNA, "team_id": TEAM_ID},
        "is_enterprise_install": False,
        "enterprise": None,
        "callback_id": NEW_REQUEST_SHORTCUT,
        "trigger_id": "1700000000.9.shortcut",
    }
    body = urlencode({"payload": json.dumps(shortcut)}).encode()
    assert (await slack_team.post((body, FORM))).status == 200
    await slack_team.settle()
    [opened] = slack_team.api.calls_to("views.open")
    pick = opened.params["view"]
    assert validate_view(pick) == [] and pick["callback_id"] == FORM_VIEW
    assert pick["title"]["text"] == "New request" and pick["submit"]["text"] == "Next"
    [field] = _inputs(pick).values()
    assert [o["value"] for o in field["element"]["options"]] == [
        "leave",
        "day_off",
        "expense",
        "business_trip",
    ]

    answer = await s.submit(pick, {"type": _select("leave")})
    assert answer["response_action"] == "update"
    form = answer["view"]
    assert validate_view(form) == [] and list(_inputs(form)) == [
        "kind",
        "dates",
        "dates.to",
        "note",
    ]
    assert await slack_team.count("approval_requests") == 0

    assert await s.submit(form, {**LEAVE_VALID, "note": {"type": "plain_text_input"}}) is None
    request = await s.request()
    assert request.type_key == "leave" and request.answers["note"] is None


async def test_unknown_type_lists_the_types_and_a_refused_modal_asks_in_the_dm(
    slack_team: SlackHarness,
) -> None:
    s = Slack(slack_team)
    response = await slack_team.post(slash_command("/request", "holiday", user_id=ANNA))
    assert response.status == 200
    await slack_team.settle()
    assert slack_team.api.calls_to("views.open") == []
    _, listed = s.last_post(f"D{ANNA}")
    assert 'I don\'t know the request type "holiday"' in _text(listed["blocks"])

    slack_team.api.fail_next("views.open", error="expired_trigger_id")
    response = await slack_team.post(slash_command("/request", "leave", user_id=ANNA))
    assert response.status == 200
    await slack_team.settle()
    _, asked = s.last_post(f"D{ANNA}")
    assert "What kind of absence?" in _text(asked["blocks"]) and "1/3" in _text(asked["blocks"])
    assert [b["text"]["text"] for b in _buttons(asked["blocks"])][:3] == [
        "Vacation",
        "Sick leave",
        "Unpaid leave",
    ]


async def test_app_home_lists_requests_awaiting_my_decision(slack_team: SlackHarness) -> None:
    s = Slack(slack_team)
    await _filed_leave(s)
    assert (await slack_team.post(event(app_home_opened_event(HEAD)))).status == 200
    await slack_team.settle()
    publish = slack_team.api.calls_to("views.publish")[-1]
    assert publish.params["user_id"] == HEAD
    home = publish.params["view"]
    assert validate_view(home) == []
    shown = _text(home["blocks"])
    assert "*Awaiting my decision* (1)" in shown and "#1 Leave / absence — Anna" in shown
    open_card = next(b for b in _buttons(home["blocks"]) if "#1 Leave" in b["text"]["text"])
    slack_team.api.clear_calls()
    response = await slack_team.post(
        block_action(
            open_card["action_id"],
            open_card["value"],
            user_id=HEAD,
            channel_id=f"D{HEAD}",
            message_ts="1.0",
        )
    )
    assert response.status == 200
    await slack_team.settle()
    _, card = s.last_post(f"D{HEAD}")
    assert "✅ Grant leave" in [b["text"]["text"] for b in _buttons(card["blocks"])]


async def test_task_acceptance_thumbs_up_on_the_card(slack_team: SlackHarness) -> None:
    """Task acceptance runs on the approvals engine: Accept 👍 on the director's card
    completes the task and approves its acceptance request, once."""
    s = Slack(slack_team)
    await slack_team.command("/task", "Sales: Send the offer tomorrow @anna", user_id=HEAD)
    # Anna finishes it (set-up: the Done modal has its own tests).
    done = Inbound(
        platform="slack", workspace=TEAM_ID, user_id=ANNA, chat_id=f"D{ANNA}",
        command="done", args="1 Sent", update_key="done-1",
    )  # fmt: skip
    await slack_team.app.conversation.handle(done)
    await s.deliver()
    ts, card = s.last_post(f"D{HEAD}")
    thumbs_up = s.button(card, "ta", "1", "p")
    slack_team.api.clear_calls()
    await s.press(HEAD, f"D{HEAD}", ts, thumbs_up)
    [update] = slack_team.api.calls_to("chat.update")
    assert update.params["ts"] == ts and "Accepted." in _text(update.params["blocks"])
    acceptance = await s.request()
    assert acceptance.type_key == "task_acceptance"
    assert acceptance.status is ApprovalStatus.APPROVED and len(acceptance.decisions) == 1

    slack_team.api.clear_calls()
    await s.press(HEAD, f"D{HEAD}", ts, thumbs_up)
    assert slack_team.api.calls_to("chat.postEphemeral")
    assert slack_team.api.calls_to("chat.update") == []
    assert len((await s.request()).decisions) == 1
