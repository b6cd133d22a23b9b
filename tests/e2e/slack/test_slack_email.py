"""A Slack user nobody knows yet is linked to a member by the email Slack verified
(users.info: ``user.profile.email`` and ``user.is_email_confirmed``), never by name."""

from __future__ import annotations

from typing import Any

import pytest

from brygada.bootstrap import App
from domain.company import Member, Role
from domain.services import members
from handlers.types import Inbound, Reply
from tests.e2e.slack.conftest import ANNA, TEAM_ID, SlackHarness
from tests.factories import Team, make_team
from tests.fakes.slack_requests import event, message_event, slash_command


@pytest.fixture
async def telegram_team(app: App) -> Team:
    """A company whose people joined on Telegram; Anna's work email is on file."""
    team = await make_team(app, platform="telegram", workspace="")
    await _set_email(app, team["anna"], "Anna.K@Example.com ")
    return team


async def _set_email(app: App, member: Member, address: str) -> None:
    async with app.uow() as uow:
        await members.set_email(uow, member, address)
        await uow.commit()


async def _dm(slack: SlackHarness, text: str, user: str = ANNA) -> tuple[Inbound, list[Reply]]:
    before = len(slack.handled.turns)
    payload = event(message_event(text, user=user, channel=f"D{user}", channel_type="im"))
    assert (await slack.post(payload)).status == 200
    turns = await slack.handled.wait(before + 1)
    await slack.settle()
    return turns[before]


async def _slack_member(app: App, user: str) -> Member | None:
    async with app.uow() as uow:
        found = await uow.members.by_identity("slack", TEAM_ID, user)
    return found[0] if found else None


def _refused(replies: list[Reply]) -> Any:
    [reply] = replies
    assert reply.template == "error"
    return reply.context["error_code"]


async def test_a_confirmed_email_links_the_member(slack: SlackHarness, telegram_team: Team) -> None:
    _, replies = await _dm(slack, "hello")

    assert replies[0].template == "joined"
    assert replies[0].context["handle"] == "anna"
    linked = await _slack_member(slack.app, ANNA)
    assert linked is not None and linked.id == telegram_team["anna"].id
    assert slack.api.calls_to("users.info")[0].params["user"] == ANNA
    assert any("Welcome" in t for t in slack.api.sent_texts(f"D{ANNA}"))

    # From now on Anna is Anna: her next message is a task, and Slack is not asked again.
    _, created = await _dm(slack, "Sales: Call the client tomorrow")
    assert created[0].template == "task_created"
    assert len(slack.api.calls_to("users.info")) == 1


async def test_a_slash_command_links_too(slack: SlackHarness, telegram_team: Team) -> None:
    response = await slack.post(slash_command("/today", "", user_id=ANNA))
    assert response.status == 200
    [(_, replies)] = await slack.handled.wait(1)
    await slack.settle()
    assert replies[0].template == "joined"
    assert await _slack_member(slack.app, ANNA) is not None


async def test_an_unconfirmed_email_does_not_link(slack: SlackHarness, telegram_team: Team) -> None:
    slack.api.add_user(ANNA, name="anna.k", real_name="Anna Kowalska", email_confirmed=False)

    _, replies = await _dm(slack, "hello")

    assert _refused(replies) == "not_registered"
    assert await _slack_member(slack.app, ANNA) is None


async def test_a_name_never_links(slack: SlackHarness, telegram_team: Team) -> None:
    # Same display and real name as the member Ivan, a confirmed address that is not his.
    slack.api.add_user("U0IVAN", name="ivan", real_name="Ivan", email="ivan@elsewhere.org")

    _, replies = await _dm(slack, "hello", user="U0IVAN")

    assert _refused(replies) == "not_registered"
    assert await _slack_member(slack.app, "U0IVAN") is None


async def test_a_member_linked_to_another_slack_user_is_not_linked_again(
    slack: SlackHarness, app: App
) -> None:
    team = await make_team(app, platform="slack", workspace=TEAM_ID)  # anna is user "anna"
    await _set_email(app, team["anna"], "anna.k@example.com")

    _, replies = await _dm(slack, "hello")

    assert _refused(replies) == "not_registered"
    assert await _slack_member(app, ANNA) is None


async def test_users_info_failing_falls_back_to_the_invite_answer(
    slack: SlackHarness, telegram_team: Team
) -> None:
    slack.api.fail_next("users.info", error="user_not_found")

    _, replies = await _dm(slack, "hello")

    assert _refused(replies) == "not_registered"
    assert await _slack_member(slack.app, ANNA) is None


async def test_join_with_a_code_still_works_for_someone_with_an_email(
    slack: SlackHarness, telegram_team: Team
) -> None:
    code = await slack.invite(telegram_team, Role.EMPLOYEE)
    await slack.command("/join", code, user_id="U0NEW")
    [(_, replies)] = slack.handled.turns
    assert replies[0].template == "joined"
