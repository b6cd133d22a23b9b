"""Leads and approvals through the real Bolt app: /lead, /request and a decision."""

from __future__ import annotations

from tests.e2e.slack.conftest import ANNA, SlackHarness

DM = f"D{ANNA}"


async def test_lead_command_captures_a_lead(joined: SlackHarness) -> None:
    slack = joined
    await slack.command("/lead", "Jan Kowalski, ACME sp. z o.o., +48 600 100 200 jan@acme.pl")
    assert await slack.count("crm_leads") == 1
    post = slack.api.calls_to("chat.postMessage")[-1]
    assert post.ok and post.response["channel"] == DM
    text = str(post.params.get("blocks")) + str(post.params.get("text"))
    assert "Jan Kowalski" in text and "+48600100200" in text


async def test_funnel_and_lists_answer(joined: SlackHarness) -> None:
    slack = joined
    await slack.command("/leads", "")
    await slack.command("/funnel", "month")
    posted = [c for c in slack.api.calls_to("chat.postMessage") if c.ok]
    assert len(posted) >= 2


async def test_request_lists_types_and_approvals_list(joined: SlackHarness) -> None:
    slack = joined
    await slack.command("/request", "")
    await slack.command("/approvals", "")
    posted = [c for c in slack.api.calls_to("chat.postMessage") if c.ok]
    assert len(posted) >= 2
