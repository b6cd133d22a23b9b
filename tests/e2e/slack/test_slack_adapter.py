"""The Slack adapter end to end: signed HTTP into the real Bolt app, Web API calls
into FakeSlackAPI, the real conversation and database in between."""

from __future__ import annotations

import json
import time
from typing import Any

from tests.e2e.slack.conftest import ANNA, TEAM_ID, SlackHarness
from tests.factories import Team
from tests.fakes.slack_requests import (
    app_home_opened_event,
    block_action,
    event,
    message_event,
    slash_command,
    url_verification,
)

DM = f"D{ANNA}"


def _buttons(blocks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [e for b in blocks if b["type"] == "actions" for e in b["elements"]]


def _text(blocks: list[dict[str, Any]]) -> str:
    return "\n".join(b["text"]["text"] for b in blocks if b["type"] == "section")


async def test_url_verification_is_answered(slack: SlackHarness) -> None:
    response = await slack.post(url_verification("challenge-123"))
    assert response.status == 200
    assert "challenge-123" in await response.text()


async def test_unsigned_request_is_rejected_and_creates_nothing(
    slack: SlackHarness, team: Team
) -> None:
    response = await slack.post(
        slash_command("/task", "Sales: Call Ivan", user_id=ANNA), secret=None
    )
    assert response.status == 401
    wrong = await slack.post(
        slash_command("/task", "Sales: Call Ivan", user_id=ANNA), secret="not-the-secret"
    )
    assert wrong.status == 401
    assert slack.handled.turns == []
    assert await slack.count("tasks") == 0


async def test_stale_timestamp_is_rejected(slack: SlackHarness, team: Team) -> None:
    stale = int(time.time()) - 6 * 60
    response = await slack.post(slash_command("/tasks", "", user_id=ANNA), timestamp=stale)
    assert response.status == 401
    assert slack.handled.turns == []


async def test_join_maps_the_slack_user_to_a_member(slack: SlackHarness, team: Team) -> None:
    await slack.command("/join", await slack.invite(team))
    async with slack.app.uow() as uow:
        found = await uow.members.by_identity("slack", TEAM_ID, ANNA)
    assert found is not None
    member, identity = found
    assert identity.chat_id == DM
    assert member.name == "Anna Kowalska"  # from users.info
    inbound = slack.handled.turns[0][0]
    assert (inbound.command, inbound.workspace, inbound.chat_id) == ("join", TEAM_ID, DM)
    assert slack.api.sent_texts(DM)  # the welcome went to the DM


async def test_task_command_posts_a_card_and_start_updates_it(joined: SlackHarness) -> None:
    slack = joined
    await slack.command("/task", "Sales: Call Ivan tomorrow 10:00 !high")
    assert await slack.count("tasks") == 1
    post = slack.api.calls_to("chat.postMessage")[-1]
    assert post.ok and post.response["channel"] == DM
    blocks = post.params["blocks"]
    assert "Call Ivan" in _text(blocks)
    buttons = _buttons(blocks)
    assert buttons, blocks
    assert len({b["action_id"] for b in buttons}) == len(buttons)
    assert all(b["action_id"].startswith("brygada:") for b in buttons)

    async def press(post: Any, action: str) -> str:
        ts = post.response["ts"]
        button = next(
            b
            for b in _buttons(post.params["blocks"])
            if slack.app.signer.verify(b["value"])[0] == action
        )
        response = await slack.post(
            block_action(
                button["action_id"],
                button["value"],
                user_id=ANNA,
                channel_id=DM,
                message_ts=ts,
                message=slack.api.messages[(DM, ts)],
            )
        )
        assert response.status == 200
        return str(ts)

    # "Card" opens the task card as a new message; "Start" on it edits it in place.
    await press(post, "op")
    [_, card] = await slack.api.wait_for("chat.postMessage", 2)
    assert card.ok and card.response["channel"] == DM
    ts = await press(card, "ts")
    [update] = await slack.api.wait_for("chat.update")
    assert update.ok
    assert (update.params["channel"], update.params["ts"]) == (DM, ts)
    assert slack.handled.turns[-1][0].message_ref == ts
    assert _buttons(update.params["blocks"])
    assert await slack.count("tasks") == 1


async def test_direct_message_creates_a_task_once_despite_retries(joined: SlackHarness) -> None:
    slack = joined
    payload = event(
        message_event(
            "Sales: Send the offer to Ivan tomorrow", user=ANNA, channel=DM, channel_type="im"
        ),
        event_id="Ev0000000777",
    )
    assert (await slack.post(payload)).status == 200
    await slack.handled.wait(1)
    await slack.api.wait_for("chat.postMessage")
    assert await slack.count("tasks") == 1
    await slack.settle()  # handled (a retry meanwhile is dropped: test_slack_durable)

    retry = await slack.post(
        payload, headers={"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"}
    )
    assert retry.status == 200
    turns = await slack.handled.wait(2)
    assert turns[1][1] == []  # recognised as a duplicate
    assert await slack.count("tasks") == 1
    assert len(slack.api.calls_to("chat.postMessage")) == 1


async def test_bot_and_edited_messages_are_ignored(joined: SlackHarness) -> None:
    slack = joined
    edited = message_event("edited", user=ANNA, channel=DM, channel_type="im")
    edited["subtype"] = "message_changed"
    assert (await slack.post(event(edited))).status == 200
    channel_chatter = message_event("Sales: hi", user=ANNA, channel="C0001")
    assert (await slack.post(event(channel_chatter))).status == 200
    assert slack.handled.turns == []


async def test_app_home_publishes_today(joined: SlackHarness) -> None:
    slack = joined
    await slack.command("/task", "Sales: Call Ivan today 16:00")
    assert (await slack.post(event(app_home_opened_event(ANNA)))).status == 200
    [publish] = await slack.api.wait_for("views.publish")
    assert publish.ok
    home = slack.api.home_views[ANNA]
    assert home["type"] == "home"
    assert home["blocks"]


async def test_user_text_is_escaped_once(joined: SlackHarness) -> None:
    slack = joined
    # Slack escapes &, < and > in what the user typed; a mention stays <@U123>.
    typed = "Sales: Check <@U123> &amp; &lt;b&gt; offer tomorrow"
    payload = event(message_event(typed, user=ANNA, channel=DM, channel_type="im"))
    assert (await slack.post(payload)).status == 200
    await slack.handled.wait(1)
    [post] = await slack.api.wait_for("chat.postMessage")
    assert slack.handled.turns[0][0].text == "Sales: Check <@U123> & <b> offer tomorrow"
    posted = json.dumps(post.params["blocks"]) + post.params["text"]
    assert "&lt;" in posted and "&amp;" in posted
    assert "<b>" not in posted
    assert "&amp;amp;" not in posted and "&amp;lt;" not in posted


async def test_rate_limited_post_is_retried(joined: SlackHarness) -> None:
    slack = joined
    slack.api.fail_next("chat.postMessage", status=429, retry_after=0)
    await slack.command("/tasks", "")
    calls = await slack.api.wait_for("chat.postMessage", 2, timeout=5)
    assert [c.status for c in calls][:2] == [429, 200]
    assert slack.api.rejected_429 == 1
