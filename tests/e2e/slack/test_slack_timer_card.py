"""The timer card on Slack: a pinned message in the member's DM kept current by the outbox
(pins.list -> chat.update, or chat.postMessage + pins.add), its buttons, and the App
Home's timer section."""

from __future__ import annotations

from typing import Any

from tests.conftest import FakeClock
from tests.e2e.slack.conftest import ANNA, SlackHarness
from tests.e2e.slack.test_slack_modals import Flow, _buttons, _text
from tests.fakes.slack_api import validate_view
from tests.fakes.slack_requests import app_home_opened_event, event

DM = f"D{ANNA}"


async def deliver(slack: SlackHarness) -> int:
    mark = len(slack.api.calls)
    await slack.app.dispatcher({"slack": slack.adapter.notifier}).run_once()
    return mark


def since(slack: SlackHarness, mark: int, method: str) -> list[Any]:
    return [c for c in slack.api.calls[mark:] if c.method == method and c.ok]


def card(slack: SlackHarness) -> dict[str, Any]:
    [ts] = slack.api.pins[DM]
    message: dict[str, Any] = slack.api.messages[(DM, ts)]
    return message


async def test_the_dm_card_is_pinned_updated_and_shown_on_the_home(
    joined: SlackHarness, clock: FakeClock
) -> None:
    slack, flow = joined, Flow(joined)
    await slack.command("/task", "Sales: Call Ivan today 16:00")
    await deliver(slack)  # whatever the new task told anyone, before the timer
    await slack.command("/timer", "1")
    clock.advance(minutes=5)

    # the outbox posts the card to the DM and pins it; the home is refreshed
    mark = await deliver(slack)
    assert [c.params["channel"] for c in since(slack, mark, "pins.list")] == [DM]
    [post] = since(slack, mark, "chat.postMessage")
    assert post.params["channel"] == DM
    [pin] = since(slack, mark, "pins.add")
    assert pin.params == {"channel": DM, "timestamp": post.response["ts"]}
    assert card(slack)["text"].startswith("⏱ *#1 Sales: Call Ivan*")
    assert "5m" in card(slack)["text"]
    assert since(slack, mark, "views.publish")

    # /timer pause: the same card is updated, nothing new is posted by the outbox
    await slack.command("/timer", "pause")
    mark = await deliver(slack)
    [update] = since(slack, mark, "chat.update")
    assert update.params["ts"] == post.response["ts"] and update.params["channel"] == DM
    assert since(slack, mark, "chat.postMessage") == [] and since(slack, mark, "pins.add") == []
    assert "Paused" in card(slack)["text"]

    # Resume on the card: the press updates it in place
    ts = post.response["ts"]
    mark = len(slack.api.calls)
    await flow.press(ANNA, DM, ts, "tmr", "c")
    assert [c.params["ts"] for c in since(slack, mark, "chat.update")] == [ts]
    assert "Running since" in card(slack)["text"]
    mark = await deliver(slack)
    assert since(slack, mark, "chat.postMessage") == []

    # the App Home shows the timer first, with Pause and Stop
    assert (await slack.post(event(app_home_opened_event(ANNA)))).status == 200
    await slack.settle()
    home = slack.api.home_views[ANNA]
    assert validate_view({k: home[k] for k in ("type", "blocks")}) == []
    sections = [b for b in home["blocks"] if b["type"] == "section"]
    assert "Call Ivan" in sections[0]["text"]["text"]
    actions = [slack.app.signer.verify(b["value"])[0] for b in _buttons(home["blocks"])[1:3]]
    assert actions == ["tmp", "tmx"]
    assert "Call Ivan" in _text(home["blocks"])

    # unpinned by the member: the next change posts and pins a new card
    slack.api.pins[DM].clear()
    await flow.press(ANNA, DM, ts, "tmx", "c")
    assert "No timer running" in slack.api.messages[(DM, ts)]["text"]
    mark = await deliver(slack)
    [post] = since(slack, mark, "chat.postMessage")
    assert slack.api.pins[DM] == [post.response["ts"]] and post.response["ts"] != ts
    assert card(slack)["text"].startswith("⏱ No timer running")
