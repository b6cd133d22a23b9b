"""Slack answers that are not Slack's JSON (a proxy's HTML 502 page, a plain-text 405,
an HTML page labelled JSON): the user's turn is still answered and what is owed to them
is delivered later, through the real Bolt app, slack-sdk client and the outbox."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bots.slack.app import build_client
from bots.slack.notifier import SlackNotifier
from brygada.bootstrap import App
from domain.company import Role
from domain.notifications import Notification
from storage.models import OutboxRow
from tests.conftest import FakeClock
from tests.e2e.slack.conftest import ANNA, TEAM_ID, SlackHarness
from tests.factories import Team, make_team
from tests.fakes.slack_api import FakeSlackAPI

DM = f"D{ANNA}"

# (HTTP status, body, content type) as a proxy in front of Slack answers.
PROXY_ANSWERS = {
    "nginx 502 html": (502, "<html><body><h1>502 Bad Gateway</h1></body></html>", "text/html"),
    "plain 405": (405, "405: Method Not Allowed", "text/plain"),
    "html labelled json": (502, "<html>502 Bad Gateway</html>", "application/json"),
}


@pytest.mark.parametrize("shape", PROXY_ANSWERS)
async def test_join_is_answered_when_users_info_gets_a_proxy_page(
    slack: SlackHarness, team: Team, shape: str
) -> None:
    status, body, content_type = PROXY_ANSWERS[shape]
    slack.api.answer_next_raw("users.info", status=status, body=body, content_type=content_type)
    await slack.command("/join", await slack.invite(team))
    assert not slack.api.calls_to("users.info")[0].ok
    async with slack.app.uow() as uow:
        found = await uow.members.by_identity("slack", TEAM_ID, ANNA)
    assert found is not None  # joined, only without the Slack profile's name
    assert slack.api.sent_texts(DM)  # and the welcome reached the DM


@pytest.mark.parametrize("shape", PROXY_ANSWERS)
async def test_a_proxy_page_while_notifying_is_retried_later(
    app: App, clock: FakeClock, slack_api: FakeSlackAPI, shape: str
) -> None:
    team = await make_team(app, [("boss", Role.ADMIN), ("ola", Role.EMPLOYEE)], platform="slack")
    ola = team["ola"].id
    async with app.uow() as uow:
        await uow.outbox.add(Notification(ola, "test.ping", {}, "ping:proxy"))
        await uow.commit()
    status, body, content_type = PROXY_ANSWERS[shape]
    slack_api.answer_next_raw(
        "chat.postMessage", status=status, body=body, content_type=content_type
    )
    notifiers = {"slack": SlackNotifier(build_client("xoxb-test", f"{slack_api.base_url}/api/"))}
    dispatcher = app.dispatcher(notifiers)  # type: ignore[arg-type]

    await dispatcher.run_once()
    row = await _row(app, "ping:proxy")
    assert (row.status, row.last_error) == ("pending", f"http_{status}")  # not "unexpected"
    clock.advance(minutes=5)
    await dispatcher.run_once()
    assert (await _row(app, "ping:proxy")).status == "sent"
    assert [c.ok for c in slack_api.calls_to("chat.postMessage")] == [False, True]


async def _row(app: App, dedup_key: str) -> OutboxRow:
    async with app.uow() as uow:
        return (
            await uow.session.scalars(select(OutboxRow).where(OutboxRow.dedup_key == dedup_key))
        ).one()
