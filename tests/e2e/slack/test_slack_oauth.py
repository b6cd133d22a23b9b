"""Distributing the app to several workspaces: Slack OAuth on the project's own database.

The install page redirects to Slack with a one-time state; the redirect exchanges the
code with the fake's ``oauth.v2.access`` and saves the installation through slack-sdk's
SQLAlchemy store; later requests from that workspace are authorized with its own token.
"""

from __future__ import annotations

import base64
import dataclasses
from collections.abc import AsyncIterator
from urllib.parse import parse_qs, urlsplit

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from pydantic import SecretStr
from sqlalchemy import text

from brygada.bootstrap import App
from brygada.slack import build_slack
from domain.company import ChatIdentity, Role
from domain.services import members
from handlers.delivery import DeliveryError
from handlers.types import Reply
from tests.e2e.slack.conftest import (
    SIGNING_SECRET,
    RecordingConversation,
    SlackHarness,
    _listeners_done,
)
from tests.factories import make_team
from tests.fakes.slack_api import FakeSlackAPI
from tests.fakes.slack_requests import event, slash_command

CLIENT_ID = "1111.2222"
CLIENT_SECRET = "oauth-client-secret"
SECOND = "T0002"
BOB = "U0BOB"
STATE_COOKIE = "slack-app-oauth-state"


@pytest.fixture
async def oauth(app: App) -> AsyncIterator[SlackHarness]:
    # PostgreSQL keeps rows between tests (only the models' tables are truncated).
    async with app.engine.begin() as conn:
        for table in ("slack_installations", "slack_bots", "slack_oauth_states"):
            await conn.execute(text(f"DELETE FROM {table}"))
    async with FakeSlackAPI(team_id="T0001") as api:
        api.configure_oauth(CLIENT_ID, CLIENT_SECRET)
        api.add_user(BOB, name="bob", real_name="Bob Nowak")
        settings = app.settings.model_copy(
            update={
                "slack_client_id": CLIENT_ID,
                "slack_client_secret": SecretStr(CLIENT_SECRET),
                "slack_signing_secret": SecretStr(SIGNING_SECRET),
                "slack_api_url": f"{api.base_url}/api/",
                "slack_messages_per_channel_per_second": 1000.0,
            }
        )
        recording = RecordingConversation(app.conversation)
        adapter = build_slack(
            dataclasses.replace(app, settings=settings),
            conversation=recording,  # type: ignore[arg-type]
        )
        web_app = web.Application()
        adapter.setup_slack_routes(web_app)
        async with TestClient(TestServer(web_app, host="127.0.0.1")) as http:
            yield SlackHarness(app, api, adapter, http, recording)
            await _listeners_done(5.0)
        await adapter.close()


async def _start_install(slack: SlackHarness) -> str:
    """GET /slack/install: a redirect to Slack's authorize page; returns the state."""
    response = await slack.http.get("/slack/install", allow_redirects=False)
    assert response.status == 302, await response.text()
    location = urlsplit(response.headers["Location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == (
        "https://slack.com/oauth/v2/authorize"
    )
    query = parse_qs(location.query)
    assert query["client_id"] == [CLIENT_ID]
    assert "users:read.email" in query["scope"][0].split(",")
    [state] = query["state"]
    assert response.cookies[STATE_COOKIE].value == state
    return state


async def _redirect(slack: SlackHarness, code: str, state: str) -> web.Response:
    return await slack.http.get(  # type: ignore[no-any-return]
        "/slack/oauth_redirect",
        params={"code": code, "state": state},
        headers={"Cookie": f"{STATE_COOKIE}={state}"},
        allow_redirects=False,
    )


async def _install(slack: SlackHarness, team_id: str) -> str:
    """The whole install of ``team_id``; returns the bot token Slack issued."""
    state = await _start_install(slack)
    code = slack.api.approve_install(team_id=team_id, team_name="Second Team")
    response = await _redirect(slack, code, state)
    assert response.status == 200, await response.text()
    assert slack.adapter.oauth is not None
    bot = await slack.adapter.oauth.installations.async_find_bot(
        enterprise_id=None, team_id=team_id
    )
    assert bot is not None and bot.bot_token
    return bot.bot_token


async def test_install_saves_the_workspace_token_in_our_database(oauth: SlackHarness) -> None:
    state = await _start_install(oauth)
    code = oauth.api.approve_install(team_id=SECOND, team_name="Second Team", installer=BOB)

    response = await _redirect(oauth, code, state)

    assert response.status == 200, await response.text()
    [exchange] = oauth.api.calls_to("oauth.v2.access")
    assert exchange.ok and exchange.params["code"] == code
    assert oauth.api.tokens_of("oauth.v2.access") == [None]  # client id/secret, no token
    assert oauth.adapter.oauth is not None
    saved = await oauth.adapter.oauth.installations.async_find_installation(
        enterprise_id=None, team_id=SECOND
    )
    assert saved is not None
    assert saved.team_name == "Second Team" and saved.user_id == BOB
    assert saved.bot_token == exchange.response["access_token"]
    assert saved.bot_token is not None and saved.bot_token.startswith("xoxb-")
    assert saved.bot_user_id == exchange.response["bot_user_id"]
    assert saved.bot_id == f"B{SECOND}"  # from auth.test with the new token
    assert oauth.api.tokens_of("auth.test") == [saved.bot_token]


async def test_a_reused_or_forged_state_is_refused(oauth: SlackHarness) -> None:
    state = await _start_install(oauth)
    first = oauth.api.approve_install(team_id=SECOND)
    assert (await _redirect(oauth, first, state)).status == 200

    again = oauth.api.approve_install(team_id=SECOND)
    reused = await _redirect(oauth, again, state)
    forged = await _redirect(oauth, again, "not-a-state-we-issued")
    no_cookie = await oauth.http.get(
        "/slack/oauth_redirect",
        params={"code": again, "state": await _start_install(oauth)},
        allow_redirects=False,
    )

    assert reused.status == 401 and forged.status == 401
    assert no_cookie.status == 400  # the state must come back from the same browser
    assert len(oauth.api.calls_to("oauth.v2.access")) == 1
    async with oauth.app.engine.connect() as conn:
        rows = (await conn.execute(text("SELECT count(*) FROM slack_installations"))).scalar()
    assert rows == 1


async def test_a_wrong_code_installs_nothing(oauth: SlackHarness) -> None:
    state = await _start_install(oauth)
    response = await _redirect(oauth, "code-nobody-issued", state)
    assert response.status == 401
    assert not oauth.api.calls_to("oauth.v2.access")[0].ok
    assert oauth.adapter.oauth is not None
    assert (
        await oauth.adapter.oauth.installations.async_find_bot(enterprise_id=None, team_id=SECOND)
        is None
    )


async def test_commands_from_an_installed_workspace_use_its_token(oauth: SlackHarness) -> None:
    token = await _install(oauth, SECOND)
    team = await make_team(oauth.app, platform="slack", workspace=SECOND)
    async with oauth.app.uow() as uow:
        invite = await members.create_invite(
            uow, team.company.id, Role.EMPLOYEE, oauth.app.clock.now()
        )
        await uow.commit()
    oauth.api.clear_calls()
    oauth.api.tokens_used.clear()

    response = await oauth.post(slash_command("/join", invite.code, user_id=BOB, team_id=SECOND))
    assert response.status == 200, await response.text()
    [(inbound, replies)] = await oauth.handled.wait(1)
    await oauth.api.wait_for("chat.postMessage", len(replies))
    await oauth.settle()

    assert inbound.workspace == SECOND
    assert replies[0].template == "joined"
    assert oauth.api.tokens_of("auth.test") == [token]  # Bolt's authorize
    assert set(oauth.api.tokens_of("chat.postMessage")) == {token}
    assert set(oauth.api.tokens_of("users.info")) == {token}
    async with oauth.app.uow() as uow:
        found = await uow.members.by_identity("slack", SECOND, BOB)
    assert found is not None and found[0].name == "Bob Nowak"


async def test_a_workspace_without_installation_is_not_served(oauth: SlackHarness) -> None:
    await _install(oauth, SECOND)
    response = await oauth.post(
        slash_command(
            "/today",
            "",
            user_id=BOB,
            team_id="T0009",
            response_url=oauth.api.response_url("uninstalled"),
        )
    )
    await oauth.settle()
    assert response.status == 200
    # Bolt tells the user through the command's response_url; no turn runs.
    [told] = oauth.api.calls_to("response_url")
    assert told.params["key"] == "uninstalled"
    assert oauth.handled.turns == []
    assert not oauth.api.calls_to("chat.postMessage")


async def test_notifications_go_out_with_the_members_workspace_token(
    oauth: SlackHarness,
) -> None:
    token = await _install(oauth, SECOND)
    identity = ChatIdentity(platform="slack", workspace=SECOND, user_id=BOB, member_id=1)
    oauth.api.tokens_used.clear()

    await oauth.adapter.notifier.send(identity, Reply("help_short", {}, "en"))

    assert set(oauth.api.tokens_of("chat.postMessage")) == {token}
    assert oauth.api.tokens_of("conversations.open") == [token]
    elsewhere = dataclasses.replace(identity, workspace="T0009")
    with pytest.raises(DeliveryError) as refused:
        await oauth.adapter.notifier.send(elsewhere, Reply("help_short", {}, "en"))
    assert refused.value.permanent and refused.value.reason == "not_installed"


async def test_a_newer_install_replaces_the_token(oauth: SlackHarness) -> None:
    first = await _install(oauth, SECOND)
    second = await _install(oauth, SECOND)
    assert first != second
    assert oauth.adapter.oauth is not None
    assert await oauth.adapter.oauth.bot_token(SECOND) == second
    # slack-sdk keeps the history; the newest installation wins.
    async with oauth.app.engine.connect() as conn:
        rows = (await conn.execute(text("SELECT count(*) FROM slack_bots"))).scalar()
    assert rows == 2


async def test_uninstalling_forgets_the_workspace(oauth: SlackHarness) -> None:
    await _install(oauth, SECOND)

    response = await oauth.post(event({"type": "app_uninstalled"}, team_id=SECOND))
    await oauth.settle()

    assert response.status == 200
    assert oauth.adapter.oauth is not None
    assert await oauth.adapter.oauth.bot_token(SECOND) is None
    identity = ChatIdentity(platform="slack", workspace=SECOND, user_id=BOB, member_id=1)
    with pytest.raises(DeliveryError):
        await oauth.adapter.notifier.send(identity, Reply("help_short", {}, "en"))


def test_basic_auth_is_how_slack_sdk_sends_the_credentials() -> None:
    # Guards the fake: oauth.v2.access must accept what slack-sdk sends.
    encoded = base64.b64encode(f"{CLIENT_ID}:{CLIENT_SECRET}".encode()).decode()
    from tests.fakes.slack_api import _basic

    assert _basic(f"Basic {encoded}") == (CLIENT_ID, CLIENT_SECRET)
