"""FakeSlackAPI driven by the real slack-sdk AsyncWebClient (and Bolt for inbound requests)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any
from urllib.parse import parse_qs

import aiohttp
import pytest
from slack_bolt.async_app import AsyncApp
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_async_handlers import AsyncRateLimitErrorRetryHandler
from slack_sdk.signature import SignatureVerifier
from slack_sdk.web.async_client import AsyncWebClient

from tests.fakes import slack_requests
from tests.fakes.slack_api import FakeSlackAPI, validate_blocks

SECRET = "8f742231b10e8888abcd99yyyzzz85a5"


def section(text: str, **extra: Any) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}, **extra}


def button(text: str, action_id: str = "done", value: str = "1") -> dict[str, Any]:
    return {
        "type": "button",
        "text": {"type": "plain_text", "text": text},
        "action_id": action_id,
        "value": value,
    }


async def slack_error(call: Any) -> SlackApiError:
    with pytest.raises(SlackApiError) as error:
        await call
    return error.value


# ---------------------------------------------------------------------------- Web API


async def test_auth_test(fake_slack: FakeSlackAPI, slack_client: AsyncWebClient) -> None:
    response = await slack_client.auth_test()
    assert response["team_id"] == "T0001"
    assert response["user_id"] == "UBOT"
    assert response["bot_id"] == "B0001"
    assert response["team"] == "Test Team"
    assert response["url"] == "https://test.slack.com/"
    [call] = fake_slack.calls_to("auth.test")
    assert call.ok and call.params == {}


async def test_auth_errors_and_unknown_method(fake_slack: FakeSlackAPI) -> None:
    base_url = f"{fake_slack.base_url}/api/"
    error = await slack_error(AsyncWebClient(token="bogus", base_url=base_url).auth_test())
    assert error.response["error"] == "invalid_auth"
    error = await slack_error(AsyncWebClient(base_url=base_url).auth_test())
    assert error.response["error"] == "not_authed"
    client = AsyncWebClient(token="xoxp-user-token", base_url=base_url)
    assert (await client.auth_test())["ok"]
    error = await slack_error(client.api_call("foo.bar"))
    assert error.response["error"] == "unknown_method"


async def test_post_update_delete_and_permalink(
    fake_slack: FakeSlackAPI, slack_client: AsyncWebClient
) -> None:
    blocks = [
        section("*Task* 1", block_id="task"),
        {"type": "actions", "elements": [button("Done")]},
    ]
    posted = await slack_client.chat_postMessage(channel="C0001", text="Task 1", blocks=blocks)
    ts = posted["ts"]
    assert ts == "1700000000.000100"
    assert posted["channel"] == "C0001"
    assert posted["message"]["text"] == "Task 1"
    assert posted["message"]["bot_id"] == "B0001"
    assert posted["message"]["blocks"] == blocks
    [call] = fake_slack.calls_to("chat.postMessage")
    assert call.params["blocks"] == blocks

    second = await slack_client.chat_postMessage(channel="C0001", text="reply", thread_ts=ts)
    assert float(second["ts"]) > float(ts)
    assert fake_slack.messages[("C0001", ts)]["reply_count"] == 1
    assert fake_slack.sent_texts("C0001") == ["Task 1", "reply"]

    updated = await slack_client.chat_update(channel="C0001", ts=ts, text="Task 1 (done)")
    assert updated["message"]["text"] == "Task 1 (done)"
    assert fake_slack.messages[("C0001", ts)]["text"] == "Task 1 (done)"
    assert fake_slack.messages[("C0001", ts)]["blocks"] == blocks  # omitted blocks are kept
    await slack_client.chat_update(channel="C0001", ts=ts, text="plain", blocks=[])
    assert "blocks" not in fake_slack.messages[("C0001", ts)]

    error = await slack_error(slack_client.chat_update(channel="C0001", ts="1.000001", text="x"))
    assert error.response["error"] == "message_not_found"
    error = await slack_error(slack_client.chat_update(channel="C0002", ts=ts, text="x"))
    assert error.response["error"] == "message_not_found"

    permalink = await slack_client.chat_getPermalink(channel="C0001", message_ts=ts)
    assert permalink["permalink"] == "https://test.slack.com/archives/C0001/p1700000000000100"

    ephemeral = await slack_client.chat_postEphemeral(channel="C0001", user="U1", text="psst")
    assert fake_slack.ephemerals[0]["ts"] == ephemeral["message_ts"]

    dm = await slack_client.chat_postMessage(channel="U1", text="to a user")
    assert dm["channel"] == "DU1"

    assert (await slack_client.chat_delete(channel="C0001", ts=ts))["ts"] == ts
    assert ("C0001", ts) not in fake_slack.messages
    assert fake_slack.last_message("C0001") == fake_slack.messages[("C0001", second["ts"])]


@pytest.mark.parametrize(
    ("blocks", "pointer"),
    [
        ([{"type": "carousel"}], "/blocks/0/type"),
        ([section("x" * 3001)], "/blocks/0/text/text"),
        ([{"type": "header", "text": {"type": "plain_text", "text": "h" * 151}}], "/blocks/0/text"),
        ([{"type": "actions", "elements": [button("b" * 76)]}], "/blocks/0/elements/0/text"),
        ([{"type": "actions", "elements": [button("ok", value="v" * 2001)]}], "elements/0/value"),
        ([{"type": "actions", "elements": [button("ok", action_id="a" * 256)]}], "action_id"),
        ([section("x", block_id="b" * 256)], "/blocks/0/block_id"),
        (
            [{"type": "actions", "elements": [button(str(i), f"a{i}") for i in range(26)]}],
            "/blocks/0/elements]",
        ),
        (
            [{"type": "context", "elements": [{"type": "mrkdwn", "text": "c"}] * 11}],
            "/blocks/0/elements]",
        ),
        ([section(str(i)) for i in range(51)], "/blocks]"),
        ([section("")], "/blocks/0/text/text"),
    ],
)
def test_validate_blocks_limits(blocks: list[dict[str, Any]], pointer: str) -> None:
    errors = validate_blocks(blocks)
    assert errors
    assert pointer in errors[0]


async def test_invalid_messages_are_rejected(slack_client: AsyncWebClient) -> None:
    error = await slack_error(
        slack_client.chat_postMessage(channel="C0001", text="x", blocks=[section("x" * 3001)])
    )
    assert error.response.status_code == 200
    assert error.response["error"] == "invalid_blocks"
    assert error.response["errors"] == [
        "must be less than 3001 characters [json-pointer:/blocks/0/text/text]"
    ]
    with pytest.warns(UserWarning, match="top-level `text` argument is missing"):
        error = await slack_error(slack_client.chat_postMessage(channel="C0001"))
    assert error.response["error"] == "no_text"
    error = await slack_error(slack_client.chat_postMessage(channel="C0001", text="x" * 40001))
    assert error.response["error"] == "msg_too_long"
    error = await slack_error(
        slack_client.views_open(
            trigger_id="1.2.3",
            view={"type": "modal", "title": {"type": "plain_text", "text": "t" * 25}, "blocks": []},
        )
    )
    assert error.response["error"] == "invalid_arguments"
    assert "json-pointer:/view/title/text" in error.response["response_metadata"]["messages"][0]


async def test_failure_injection_and_rate_limit_retry(
    fake_slack: FakeSlackAPI, slack_client: AsyncWebClient
) -> None:
    fake_slack.fail_next("chat.postMessage", retry_after=3)
    error = await slack_error(slack_client.chat_postMessage(channel="C0001", text="x"))
    assert error.response.status_code == 429
    assert error.response.headers["Retry-After"] == "3"
    assert error.response["error"] == "ratelimited"
    assert fake_slack.rejected_429 == 1

    retrying = AsyncWebClient(
        token="xoxb-test",
        base_url=f"{fake_slack.base_url}/api/",
        retry_handlers=[AsyncRateLimitErrorRetryHandler(max_retry_count=1)],
    )
    fake_slack.fail_next("chat.postMessage", retry_after=0)
    assert (await retrying.chat_postMessage(channel="C0001", text="after retry"))["ok"]
    assert [c.status for c in fake_slack.calls_to("chat.postMessage")] == [429, 429, 200]

    fake_slack.fail_next("chat.postMessage", error="channel_not_found")
    error = await slack_error(slack_client.chat_postMessage(channel="C0404", text="x"))
    assert error.response.status_code == 200
    assert error.response["error"] == "channel_not_found"

    fake_slack.fail_next("users.info", status=503)
    error = await slack_error(slack_client.users_info(user="UBOT"))
    assert error.response.status_code == 503

    fake_slack.enforce_limits(per_channel_per_second=1)
    await slack_client.chat_postMessage(channel="C0009", text="one")
    await slack_client.chat_postMessage(channel="C0010", text="other channel")
    error = await slack_error(slack_client.chat_postMessage(channel="C0009", text="two"))
    assert error.response.status_code == 429
    assert error.response.headers["Retry-After"] == "1"


async def test_users_conversations_and_team(
    fake_slack: FakeSlackAPI, slack_client: AsyncWebClient
) -> None:
    fake_slack.add_user("U1", email="anna@example.com", name="anna", real_name="Anna Nowak")
    info = await slack_client.users_info(user="U1", include_locale=True)
    user = info["user"]
    assert user["id"] == "U1"
    assert user["real_name"] == "Anna Nowak"
    assert user["tz"] == "Europe/Warsaw"
    assert user["tz_offset"] in (3600, 7200)
    assert user["locale"] == "en-US"
    assert user["profile"]["email"] == "anna@example.com"
    assert "locale" not in (await slack_client.users_info(user="U1"))["user"]
    error = await slack_error(slack_client.users_info(user="U404"))
    assert error.response["error"] == "user_not_found"

    found = await slack_client.users_lookupByEmail(email="ANNA@example.com")
    assert found["user"]["id"] == "U1"
    error = await slack_error(slack_client.users_lookupByEmail(email="nobody@example.com"))
    assert error.response["error"] == "users_not_found"

    opened = await slack_client.conversations_open(users="U1")
    assert opened["channel"]["id"] == "DU1"
    again = await slack_client.conversations_open(users=["U1"])
    assert again["already_open"] is True

    team = await slack_client.team_info()
    assert team["team"]["id"] == "T0001"


async def test_views(fake_slack: FakeSlackAPI, slack_client: AsyncWebClient) -> None:
    home = {"type": "home", "blocks": [section("Your tasks")]}
    published = await slack_client.views_publish(user_id="U1", view=home)
    assert published["view"]["id"].startswith("V")
    assert fake_slack.home_views["U1"]["blocks"] == home["blocks"]

    modal = {
        "type": "modal",
        "callback_id": "new_task",
        "title": {"type": "plain_text", "text": "New task"},
        "submit": {"type": "plain_text", "text": "Create"},
        "private_metadata": "C0001",
        "blocks": [
            {
                "type": "input",
                "block_id": "title",
                "label": {"type": "plain_text", "text": "Title"},
                "element": {"type": "plain_text_input", "action_id": "value"},
            }
        ],
    }
    opened = await slack_client.views_open(trigger_id="1.2.abc", view=modal)
    view = opened["view"]
    assert view["callback_id"] == "new_task"
    assert view["private_metadata"] == "C0001"
    assert fake_slack.views[0]["id"] == view["id"]

    changed = {**modal, "title": {"type": "plain_text", "text": "Edit task"}}
    updated = await slack_client.views_update(view_id=view["id"], hash=view["hash"], view=changed)
    assert updated["view"]["title"]["text"] == "Edit task"
    assert updated["view"]["id"] == view["id"]
    error = await slack_error(
        slack_client.views_update(view_id=view["id"], hash=view["hash"], view=changed)
    )
    assert error.response["error"] == "hash_conflict"

    pushed = await slack_client.views_push(trigger_id="1.2.def", view=modal)
    assert pushed["view"]["previous_view_id"] == view["id"]

    no_submit = {key: value for key, value in modal.items() if key != "submit"}
    error = await slack_error(slack_client.views_open(trigger_id="1.2.x", view=no_submit))
    assert error.response["error"] == "invalid_arguments"


async def test_files_upload_v2(fake_slack: FakeSlackAPI, slack_client: AsyncWebClient) -> None:
    response = await slack_client.files_upload_v2(
        channel="C0001", content="hello report", filename="report.txt", title="Report"
    )
    file = response["file"]
    assert file["name"] == "report.txt"
    assert file["title"] == "Report"
    assert file["channels"] == ["C0001"]
    assert fake_slack.file_contents[file["id"]] == b"hello report"
    methods = [call.method for call in fake_slack.calls]
    assert methods == [
        "files.getUploadURLExternal",
        "upload_url",
        "files.completeUploadExternal",
    ]


# ---------------------------------------------------------------------------- inbound requests


def test_sign_is_accepted_by_slack_sdk_verifier() -> None:
    body, content_type = slack_requests.slash_command("/task", "add Buy milk", user_id="U1")
    assert content_type == "application/x-www-form-urlencoded"
    headers = slack_requests.sign(body, SECRET)
    assert SignatureVerifier(SECRET).is_valid_request(body, headers)
    assert not SignatureVerifier("another-secret").is_valid_request(body, headers)
    assert not SignatureVerifier(SECRET).is_valid_request(body + b"x", headers)
    stale = slack_requests.sign(body, SECRET, timestamp=1_600_000_000)
    assert not SignatureVerifier(SECRET).is_valid_request(body, stale)

    fields = parse_qs(body.decode())
    assert fields["command"] == ["/task"]
    assert fields["text"] == ["add Buy milk"]
    assert fields["user_id"] == ["U1"]

    action_body, _ = slack_requests.block_action(
        "done", "task:1", user_id="U1", channel_id="C0001", message_ts="1700000000.000100"
    )
    payload = json.loads(parse_qs(action_body.decode())["payload"][0])
    assert payload["type"] == "block_actions"
    assert payload["container"]["message_ts"] == "1700000000.000100"
    assert payload["actions"][0]["value"] == "task:1"


async def test_signed_requests_drive_a_bolt_app(fake_slack: FakeSlackAPI) -> None:
    client = AsyncWebClient(token="xoxb-test", base_url=f"{fake_slack.base_url}/api/")
    # process_before_response: listeners finish before the HTTP answer (deterministic test).
    app = AsyncApp(client=client, signing_secret=SECRET, process_before_response=True)
    seen: dict[str, Any] = {}

    @app.command("/task")
    async def on_command(ack: Any, respond: Any, command: dict[str, Any]) -> None:
        await ack()
        await respond(f"created: {command['text']}")

    @app.action("done")
    async def on_done(ack: Any, body: dict[str, Any], client: AsyncWebClient) -> None:
        await ack()
        await client.chat_update(
            channel=body["container"]["channel_id"], ts=body["message"]["ts"], text="Done"
        )

    @app.view("new_task")
    async def on_submit(ack: Any, view: dict[str, Any]) -> None:
        await ack()
        seen["title"] = view["state"]["values"]["title"]["value"]["value"]

    @app.shortcut("make_task")
    async def on_shortcut(ack: Any, shortcut: dict[str, Any]) -> None:
        await ack()
        seen["shortcut"] = shortcut["message"]["text"]

    @app.event("message")
    async def on_message(event: dict[str, Any]) -> None:
        seen["message"] = event["text"]

    async def dispatch(request: tuple[bytes, str]) -> Any:
        body, content_type = request
        headers: dict[str, str | Sequence[str]] = dict(
            slack_requests.signed_headers(body, content_type, SECRET)
        )
        response = await app.async_dispatch(AsyncBoltRequest(body=body.decode(), headers=headers))
        assert response.status == 200, response.body
        return response

    posted = await client.chat_postMessage(channel="C0001", text="Task 1")
    await dispatch(
        slack_requests.slash_command(
            "/task", "Buy milk", user_id="U1", response_url=fake_slack.response_url("cmd")
        )
    )
    [responded] = fake_slack.calls_to("response_url")
    assert responded.params == {"key": "cmd", "text": "created: Buy milk"}

    await dispatch(
        slack_requests.block_action(
            "done",
            "task:1",
            user_id="U1",
            channel_id="C0001",
            message_ts=posted["ts"],
            message=fake_slack.messages[("C0001", posted["ts"])],
        )
    )
    assert fake_slack.messages[("C0001", posted["ts"])]["text"] == "Done"

    await dispatch(
        slack_requests.view_submission("new_task", {"title": {"value": "Milk"}}, user_id="U1")
    )
    await dispatch(
        slack_requests.message_action(
            "make_task",
            user_id="U1",
            channel_id="C0001",
            message_text="please buy milk",
            message_ts="1700000001.000200",
            message_user="U2",
        )
    )
    await dispatch(
        slack_requests.event(slack_requests.message_event("hi bot", user="U1", channel="C0001"))
    )
    assert seen == {"title": "Milk", "shortcut": "please buy milk", "message": "hi bot"}

    verification = await dispatch(slack_requests.url_verification("challenge-123"))
    assert "challenge-123" in verification.body


async def test_raw_form_encoded_call(fake_slack: FakeSlackAPI) -> None:
    """Slack also accepts form bodies with JSON-encoded fields and a token parameter."""
    async with aiohttp.ClientSession() as session:
        form = {"token": "xoxb-form", "channel": "C0001", "blocks": json.dumps([section("hi")])}
        async with session.post(f"{fake_slack.base_url}/api/chat.postMessage", data=form) as resp:
            body = await resp.json()
    assert body["ok"] is True
    [call] = fake_slack.calls_to("chat.postMessage")
    assert call.params == {"channel": "C0001", "blocks": [section("hi")]}
