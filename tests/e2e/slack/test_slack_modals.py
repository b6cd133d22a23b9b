"""Modals and App Home end to end: a question after a button press is a modal whose
answer updates the pressed card; the message shortcut's modal creates a task; the
App Home shows today / awaiting / overdue and is refreshed after a press."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

from sqlalchemy import text

from bots.slack.blocks import HOME_REFRESH
from bots.slack.home import HOME_SECTIONS
from bots.slack.modals import ANSWER_VIEW, NEW_TASK_VIEW
from tests.e2e.slack.conftest import ANNA, SlackHarness
from tests.fakes.slack_api import validate_view
from tests.fakes.slack_requests import (
    FORM,
    app_home_opened_event,
    block_action,
    event,
    message_action,
    message_event,
    view_submission,
)

BOSS = "boss"  # the company admin of tests.factories.make_team, on Slack
DM, BOSS_DM = f"D{ANNA}", f"D{BOSS}"
PERMALINK = "https://test.slack.com/archives/C0001/p1700000000000100"


def _buttons(blocks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [e for b in blocks if b["type"] == "actions" for e in b["elements"]]


def _text(blocks: list[dict[str, Any]]) -> str:
    return "\n".join(b["text"]["text"] for b in blocks if b["type"] == "section")


class Flow:
    """Presses and submissions as a user, waiting for each listener to finish."""

    def __init__(self, slack: SlackHarness) -> None:
        self.slack = slack

    def button(self, channel: str, ts: str, action: str, *args: str) -> dict[str, Any]:
        message = self.slack.api.messages[(channel, ts)]
        for button in _buttons(message.get("blocks", [])):
            name, values = self.slack.app.signer.verify(button["value"])
            if name == action and list(values[: len(args)]) == list(args):
                return button
        raise AssertionError(f"no {action} {args} button on {_text(message['blocks'])}")

    async def press(
        self, user: str, channel: str, ts: str, action: str, *args: str, trigger: str | None = None
    ) -> str:
        button = self.button(channel, ts, action, *args)
        response = await self.slack.post(
            block_action(
                button["action_id"],
                button["value"],
                user_id=user,
                channel_id=channel,
                message_ts=ts,
                message=self.slack.api.messages[(channel, ts)],
                trigger_id=trigger,
            )
        )
        assert response.status == 200
        await self.slack.settle()
        return ts

    async def submit(
        self, user: str, callback_id: str, values: dict[str, dict[str, Any]], metadata: str
    ) -> Any:
        response = await self.slack.post(
            view_submission(callback_id, values, user_id=user, private_metadata=metadata)
        )
        assert response.status == 200
        body = await response.text()
        await self.slack.settle()
        return json.loads(body) if body else None

    def last_post(self, channel: str) -> str:
        posts = [c for c in self.slack.api.calls_to("chat.postMessage") if c.ok]
        return str(
            next(c for c in reversed(posts) if c.response["channel"] == channel).response["ts"]
        )

    async def status(self, task_id: int = 1) -> str:
        async with self.slack.app.engine.connect() as conn:
            row = await conn.execute(text("SELECT status FROM tasks WHERE id = :i"), {"i": task_id})
            return str(row.scalar_one())


async def _assigned_to_anna(slack: SlackHarness) -> tuple[Flow, str]:
    """The boss gives Anna a task; Anna opens its card from /tasks. Returns the card ts."""
    slack.api.add_user(BOSS, name="boss", real_name="Boss", locale="en-US")
    flow = Flow(slack)
    await slack.command("/task", "Sales: Call Ivan tomorrow @u0anna", user_id=BOSS)
    await slack.command("/tasks", "")
    await flow.press(ANNA, DM, flow.last_post(DM), "op", "1")
    return flow, flow.last_post(DM)


async def test_done_opens_a_modal_and_its_answer_updates_the_card(joined: SlackHarness) -> None:
    slack = joined
    flow, card = await _assigned_to_anna(slack)
    slack.api.clear_calls()
    posts_before = len(slack.api.sent_texts(DM))

    await flow.press(ANNA, DM, card, "td", trigger="1234.5678.done")
    [opened] = slack.api.calls_to("views.open")
    assert opened.ok and opened.params["trigger_id"] == "1234.5678.done"
    modal = opened.params["view"]
    assert validate_view(modal) == []
    assert modal["callback_id"] == ANSWER_VIEW
    assert len(modal["title"]["text"]) <= 24 and modal["submit"] and modal["close"]
    assert "Write the result of #1" in _text(modal["blocks"])
    [field] = [b for b in modal["blocks"] if b["type"] == "input"]
    assert field["element"]["type"] == "plain_text_input" and field["element"]["multiline"]
    metadata = json.loads(modal["private_metadata"])
    assert (metadata["c"], metadata["ts"]) == (DM, card)
    assert len(slack.api.sent_texts(DM)) == posts_before  # not asked in the DM
    assert slack.api.calls_to("views.publish") == []  # the home waits: a question is open

    values = {field["block_id"]: {field["element"]["action_id"]: "Called, he agreed to 10%"}}
    assert await flow.submit(ANNA, ANSWER_VIEW, values, modal["private_metadata"]) is None
    inbound = slack.handled.turns[-1][0]
    assert (inbound.text, inbound.message_ref, inbound.chat_id) == (
        "Called, he agreed to 10%",
        card,
        DM,
    )
    [update] = slack.api.calls_to("chat.update")
    assert update.ok and (update.params["channel"], update.params["ts"]) == (DM, card)
    assert "Awaiting acceptance" in _text(update.params["blocks"])
    assert len(slack.api.sent_texts(DM)) == posts_before
    assert await flow.status() == "awaiting_acceptance"
    assert slack.api.calls_to("views.publish")  # the question is over: home refreshed


async def test_negative_acceptance_reason_comes_from_a_modal(joined: SlackHarness) -> None:
    slack = joined
    flow, card = await _assigned_to_anna(slack)
    await flow.press(ANNA, DM, card, "td")
    [modal] = [c.params["view"] for c in slack.api.calls_to("views.open")]
    await flow.submit(ANNA, ANSWER_VIEW, {"answer": {"text": "Done."}}, modal["private_metadata"])
    # The boss opens the card from the creation message and presses 👎.
    await flow.press(BOSS, BOSS_DM, flow.last_post(BOSS_DM), "op", "1")
    boss_card = flow.last_post(BOSS_DM)
    slack.api.clear_calls()
    await flow.press(BOSS, BOSS_DM, boss_card, "ta", "1", "n")
    [opened] = slack.api.calls_to("views.open")
    modal = opened.params["view"]
    assert validate_view(modal) == []
    assert json.loads(modal["private_metadata"])["ts"] == boss_card

    await flow.submit(
        BOSS, ANSWER_VIEW, {"answer": {"text": "Late and no totals"}}, modal["private_metadata"]
    )
    [update] = slack.api.calls_to("chat.update")
    assert (update.params["channel"], update.params["ts"]) == (BOSS_DM, boss_card)
    assert "Accepted." in _text(update.params["blocks"])
    async with slack.app.engine.connect() as conn:
        row = (await conn.execute(text("SELECT * FROM tasks WHERE id = 1"))).mappings().one()
    assert "Late and no totals" in json.dumps({k: str(v) for k, v in row.items()})


async def test_empty_answer_is_refused_in_the_modal_and_changes_nothing(
    joined: SlackHarness,
) -> None:
    slack = joined
    flow, card = await _assigned_to_anna(slack)
    await flow.press(ANNA, DM, card, "td")
    [modal] = [c.params["view"] for c in slack.api.calls_to("views.open")]
    slack.api.clear_calls()
    turns = len(slack.handled.turns)

    answer = await flow.submit(
        ANNA, ANSWER_VIEW, {"answer": {"text": "   "}}, modal["private_metadata"]
    )
    assert answer["response_action"] == "errors"
    assert set(answer["errors"]) == {"answer"} and answer["errors"]["answer"]
    assert len(slack.handled.turns) == turns
    assert slack.api.calls == []
    assert await flow.status() == "new"

    # The question is still open: a real answer still completes the task.
    await flow.submit(ANNA, ANSWER_VIEW, {"answer": {"text": "Done"}}, modal["private_metadata"])
    assert await flow.status() == "awaiting_acceptance"


async def test_shortcut_opens_a_prefilled_modal_and_creates_the_task(joined: SlackHarness) -> None:
    slack = joined
    message = "Please prepare the Q3 report for Acme"
    response = await slack.post(
        message_action(
            "create_task_from_message",
            user_id=ANNA,
            channel_id="C0001",
            message_text=message,
            message_ts="1700000000.000100",
            message_user="U0BOSS",
            trigger_id="1234.5678.shortcut",
        )
    )
    assert response.status == 200
    await slack.settle()
    [opened] = slack.api.calls_to("views.open")
    assert opened.params["trigger_id"] == "1234.5678.shortcut"
    modal = opened.params["view"]
    assert validate_view(modal) == []
    assert modal["callback_id"] == NEW_TASK_VIEW
    assert "Please prepare the Q3 report for Acme" in _text(modal["blocks"])  # parsed title
    [field] = [b for b in modal["blocks"] if b["type"] == "input"]
    assert field["element"]["initial_value"] == message
    assert slack.handled.turns == []  # nothing is created before the submit

    edited = "Sales: Prepare the Q3 report for Acme friday"
    values = {field["block_id"]: {field["element"]["action_id"]: edited}}
    await flow_submit(slack, NEW_TASK_VIEW, values, modal["private_metadata"])
    [(inbound, _)] = slack.handled.turns
    assert (inbound.command, inbound.args, inbound.origin) == ("task", edited, PERMALINK)
    async with slack.app.engine.connect() as conn:
        row = (await conn.execute(text("SELECT title, source_ref FROM tasks"))).one()
    assert row.source_ref == PERMALINK
    assert "Q3 report" in row.title
    post = slack.api.calls_to("chat.postMessage")[-1]
    assert post.ok and post.response["channel"] == DM


async def flow_submit(
    slack: SlackHarness, callback_id: str, values: dict[str, dict[str, Any]], metadata: str
) -> Any:
    return await Flow(slack).submit(ANNA, callback_id, values, metadata)


async def test_app_home_shows_three_sections_and_refreshes_after_a_press(
    joined: SlackHarness,
) -> None:
    slack = joined
    flow = Flow(slack)
    await slack.command("/task", "Sales: Call Ivan today 16:00")
    created = flow.last_post(DM)
    slack.api.clear_calls()
    assert (await slack.post(event(app_home_opened_event(ANNA)))).status == 200
    await slack.settle()
    [publish] = slack.api.calls_to("views.publish")
    home = publish.params["view"]
    assert validate_view(home) == []
    shown = _text(home["blocks"])
    for title in ("Today", "Awaiting my acceptance", "Overdue"):
        assert f"*{title}*" in shown
    assert "Call Ivan" in shown
    assert _buttons(home["blocks"])[0]["action_id"] == HOME_REFRESH
    sections = [entry.split()[0] for entry in HOME_SECTIONS]
    assert [i.command for i, _ in slack.handled.home_turns[-len(sections) :]] == sections

    # Each press on a card republishes the home.
    await flow.press(ANNA, DM, created, "pr", "1")
    await flow.press(ANNA, DM, flow.last_post(DM), "pp", "1", "l")
    publishes = slack.api.calls_to("views.publish")
    assert len(publishes) == 3 and all(p.ok for p in publishes)
    assert "Call Ivan" in _text(slack.api.home_views[ANNA]["blocks"])

    # The Refresh button publishes again.
    refresh = await slack.post(
        block_action(HOME_REFRESH, None, user_id=ANNA, channel_id=DM, message_ts="1.0")
    )
    assert refresh.status == 200
    await slack.settle()
    assert len(slack.api.calls_to("views.publish")) == 4


async def test_closing_the_question_modal_drops_the_question(joined: SlackHarness) -> None:
    slack = joined
    flow, card = await _assigned_to_anna(slack)
    await flow.press(ANNA, DM, card, "td")
    [modal] = [c.params["view"] for c in slack.api.calls_to("views.open")]
    publishes = len(slack.api.calls_to("views.publish"))
    closed = {
        "type": "view_closed",
        "team": {"id": "T0001", "domain": "test"},
        "user": {"id": ANNA, "username": "u0anna", "name": "u0anna", "team_id": "T0001"},
        "api_app_id": "A0001",
        "view": {**modal, "id": "V0000000001", "state": {"values": {}}},
        "is_cleared": False,
    }
    body = urlencode({"payload": json.dumps(closed)}).encode()
    assert (await slack.post((body, FORM))).status == 200
    await slack.settle()
    assert len(slack.api.calls_to("views.publish")) == publishes + 1
    # The result question is gone: text in the DM is a new task, not the result of #1.
    dm_text = message_event("Sales: Order paper tomorrow", user=ANNA, channel=DM, channel_type="im")
    await slack.post(event(dm_text))
    await slack.settle()
    assert await flow.status() == "new"
    assert await slack.count("tasks") == 2
