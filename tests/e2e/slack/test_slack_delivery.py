"""SlackNotifier against FakeSlackAPI, and the Block Kit limits of the builders."""

from __future__ import annotations

import pytest

from bots.slack.app import build_client
from bots.slack.blocks import message_blocks, split_mrkdwn
from bots.slack.notifier import SlackNotifier
from domain.company import ChatIdentity
from handlers.delivery import DeliveryError
from handlers.rendering import Rendered, RenderedButton
from handlers.types import Reply
from tests.e2e.slack.conftest import ANNA
from tests.fakes.slack_api import FakeSlackAPI, validate_blocks

REPLY = Reply(template="help_short", context={}, lang="en")
ANNA_ID = ChatIdentity("slack", "T0001", ANNA, member_id=1, chat_id="C0001")


def _notifier(api: FakeSlackAPI) -> SlackNotifier:
    return SlackNotifier(build_client("xoxb-test", f"{api.base_url}/api/"))


async def test_notifier_posts_to_the_members_dm(slack_api: FakeSlackAPI) -> None:
    await _notifier(slack_api).send(ANNA_ID, REPLY)
    [post] = slack_api.calls_to("chat.postMessage")
    assert post.ok and post.response["channel"] == f"D{ANNA}"


@pytest.mark.parametrize("error", ["user_not_found", "account_inactive"])
async def test_gone_user_is_a_permanent_failure(slack_api: FakeSlackAPI, error: str) -> None:
    slack_api.fail_next("conversations.open", error=error)
    with pytest.raises(DeliveryError) as failure:
        await _notifier(slack_api).send(ANNA_ID, REPLY)
    assert failure.value.permanent and failure.value.reason == error


async def test_rate_limit_after_retries_reports_retry_after(slack_api: FakeSlackAPI) -> None:
    slack_api.fail_next("chat.postMessage", status=429, retry_after=0, times=3)
    with pytest.raises(DeliveryError) as failure:
        await _notifier(slack_api).send(ANNA_ID, REPLY)
    assert not failure.value.permanent
    assert failure.value.retry_after == 0.0
    assert slack_api.rejected_429 == 3  # the first try and two retries by the client


async def test_server_error_is_transient(slack_api: FakeSlackAPI) -> None:
    slack_api.fail_next("chat.postMessage", error="internal_error")
    with pytest.raises(DeliveryError) as failure:
        await _notifier(slack_api).send(ANNA_ID, REPLY)
    assert not failure.value.permanent


def test_blocks_respect_slack_limits() -> None:
    line = "x" * 70 + " &amp; <https://example.com|a link> " + "y" * 20
    text = "\n".join([line] * 200)  # ~26k characters
    row = [RenderedButton("L" * 100, f"tok:{i}") for i in range(30)]
    blocks = message_blocks(Rendered(text, [row, row], REPLY))
    assert validate_blocks(blocks) == []
    assert len(blocks) <= 50
    ids = [e["action_id"] for b in blocks if b["type"] == "actions" for e in b["elements"]]
    assert len(ids) == 60 and len(set(ids)) == 60


def test_long_lines_are_not_cut_inside_entities_or_links() -> None:
    text = ("word &amp; <https://example.com/x|link text> " * 200).strip()
    chunks = split_mrkdwn(text, 300)
    assert all(len(c) <= 300 for c in chunks)
    for chunk in chunks:
        assert chunk.count("<") == chunk.count(">")
        assert chunk.count("&") == chunk.count("&amp;")
    assert "".join(c + " " for c in chunks).split() == text.split()
