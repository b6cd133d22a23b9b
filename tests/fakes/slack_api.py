"""A loopback fake of the Slack Web API for the real slack-sdk ``AsyncWebClient``.

slack-sdk sends ``POST {base_url}{method}`` (``base_url`` must end with ``/api/``) with
``Authorization: Bearer <token>``.  Depending on the method the arguments travel as a
JSON body (``chat.postMessage``, ``chat.update``, ``chat.postEphemeral``, ``views.*``),
as a *query string* of a POST with an empty form body (``auth.test``, ``chat.delete``,
``conversations.open``, ``files.getUploadURLExternal``, ``files.completeUploadExternal``)
or as the query string of a GET (``users.info``, ``users.lookupByEmail``, ``team.info``,
``chat.getPermalink``); booleans in query strings become ``1``/``0``.  The fake merges all
of those, validates like Slack and answers HTTP 200 ``{"ok": true, ...}`` or
``{"ok": false, "error": "..."}`` (slack-sdk raises ``SlackApiError``), HTTP 429 with
``Retry-After`` when rate limited.

Usage::

    async with FakeSlackAPI() as api:
        client = AsyncWebClient(token="xoxb-test", base_url=f"{api.base_url}/api/")
        await client.chat_postMessage(channel="C0001", text="hi")
        assert api.sent_texts("C0001") == ["hi"]
"""

from __future__ import annotations

import base64
import copy
import itertools
import json
import math
import mimetypes
import time
from collections import deque
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from aiohttp import BodyPartReader, web

from tests.fakes import FakeAPIServer, InjectedFailure

__all__ = [
    "KNOWN_BLOCK_TYPES",
    "FakeSlackAPI",
    "SlackLimits",
    "proxy_page",
    "rate_limited",
    "validate_blocks",
    "validate_view",
]

JSON = dict[str, Any]

MAX_MESSAGE_BLOCKS = 50
MAX_VIEW_BLOCKS = 100
MAX_TEXT_LENGTH = 40_000
MAX_SECTION_TEXT = 3000
MAX_SECTION_FIELD = 2000
MAX_SECTION_FIELDS = 10
MAX_HEADER_TEXT = 150
MAX_ID_LENGTH = 255
MAX_BUTTON_TEXT = 75
MAX_BUTTON_VALUE = 2000
MAX_URL_LENGTH = 3000
MAX_ACTIONS_ELEMENTS = 25
MAX_CONTEXT_ELEMENTS = 10
MAX_VIEW_TITLE = 24
MAX_PRIVATE_METADATA = 3000
MAX_PLACEHOLDER = 150
MAX_OPTION_TEXT = 75
MAX_OPTION_VALUE = 150
MAX_SELECT_OPTIONS = 100
MAX_INPUT_LABEL = 2000

KNOWN_BLOCK_TYPES: frozenset[str] = frozenset(
    {"section", "actions", "context", "divider", "header", "input", "image", "rich_text"}
)
_SELECTS_WITH_OPTIONS = frozenset({"static_select", "multi_static_select"})
_OTHER_SELECTS = frozenset(
    {
        "external_select",
        "multi_external_select",
        "users_select",
        "multi_users_select",
        "conversations_select",
        "multi_conversations_select",
        "channels_select",
        "multi_channels_select",
    }
)
_TEXT_INPUTS = frozenset(
    {"plain_text_input", "email_text_input", "url_text_input", "number_input", "rich_text_input"}
)
_PICKERS = frozenset({"datepicker", "timepicker", "datetimepicker"})
_CHOICES = frozenset({"checkboxes", "radio_buttons"})
_ACTIONS_ELEMENTS = (
    frozenset({"button", "overflow", "workflow_button", "rich_text_input"})
    | _SELECTS_WITH_OPTIONS
    | _OTHER_SELECTS
    | _PICKERS
    | _CHOICES
)
_ACCESSORY_ELEMENTS = (
    frozenset({"button", "image", "overflow", "workflow_button"})
    | _SELECTS_WITH_OPTIONS
    | _OTHER_SELECTS
    | _PICKERS
    | _CHOICES
)
_INPUT_ELEMENTS = (
    frozenset({"file_input"}) | _TEXT_INPUTS | _SELECTS_WITH_OPTIONS | _OTHER_SELECTS
) | (_PICKERS | _CHOICES)
# Form/query parameters that carry JSON text.
_JSON_PARAMS = frozenset({"blocks", "attachments", "view", "metadata", "files", "unfurls"})
_DEFAULT_ERROR_BY_STATUS = {
    500: "internal_error",
    502: "service_unavailable",
    503: "service_unavailable",
    504: "request_timeout",
}


# ---------------------------------------------------------------------------- Block Kit


class _BlockKitValidator:
    """Collects Slack-style validation errors: ``"<reason> [json-pointer:/path]"``."""

    def __init__(self) -> None:
        self.errors: list[str] = []

    def error(self, reason: str, pointer: str) -> None:
        self.errors.append(f"{reason} [json-pointer:{pointer}]")

    def string(self, value: Any, pointer: str, *, max_len: int, required: bool = True) -> None:
        if value is None:
            if required:
                self.error("missing required field", pointer)
            return
        if not isinstance(value, str):
            self.error("must be a string", pointer)
        elif not value:
            self.error("must be more than 0 characters", pointer)
        elif len(value) > max_len:
            self.error(f"must be less than {max_len + 1} characters", pointer)

    def identifier(self, obj: JSON, key: str, pointer: str) -> None:
        if key in obj:
            self.string(obj[key], f"{pointer}/{key}", max_len=MAX_ID_LENGTH)

    def text(
        self,
        obj: Any,
        pointer: str,
        *,
        max_len: int,
        plain_only: bool = False,
        required: bool = True,
    ) -> None:
        if obj is None:
            if required:
                self.error("missing required field", pointer)
            return
        if not isinstance(obj, dict):
            self.error("must provide an object", pointer)
            return
        allowed = {"plain_text"} if plain_only else {"plain_text", "mrkdwn"}
        if obj.get("type") not in allowed:
            expected = "plain_text" if plain_only else "plain_text or mrkdwn"
            self.error(f"must be {expected}", f"{pointer}/type")
        self.string(obj.get("text"), f"{pointer}/text", max_len=max_len)

    def options(
        self, options: Any, pointer: str, *, minimum: int, maximum: int, plain_only: bool
    ) -> None:
        if not isinstance(options, list):
            self.error("must be an array", pointer)
            return
        if len(options) < minimum:
            self.error(f"must provide at least {minimum} items", pointer)
        if len(options) > maximum:
            self.error(f"no more than {maximum} items allowed", pointer)
        for index, option in enumerate(options):
            option_pointer = f"{pointer}/{index}"
            if not isinstance(option, dict):
                self.error("must provide an object", option_pointer)
                continue
            self.text(
                option.get("text"),
                f"{option_pointer}/text",
                max_len=MAX_OPTION_TEXT,
                plain_only=plain_only,
            )
            self.string(option.get("value"), f"{option_pointer}/value", max_len=MAX_OPTION_VALUE)
            self.text(
                option.get("description"),
                f"{option_pointer}/description",
                max_len=MAX_OPTION_TEXT,
                plain_only=plain_only,
                required=False,
            )

    def element(self, element: Any, pointer: str, allowed: frozenset[str]) -> None:
        if not isinstance(element, dict):
            self.error("must provide an object", pointer)
            return
        kind = element.get("type")
        if kind not in allowed:
            self.error(f'unsupported element type "{kind}"', f"{pointer}/type")
            return
        self.identifier(element, "action_id", pointer)
        if "placeholder" in element:
            self.text(
                element["placeholder"],
                f"{pointer}/placeholder",
                max_len=MAX_PLACEHOLDER,
                plain_only=True,
            )
        if kind == "button":
            self.text(
                element.get("text"), f"{pointer}/text", max_len=MAX_BUTTON_TEXT, plain_only=True
            )
            if "value" in element:
                self.string(element["value"], f"{pointer}/value", max_len=MAX_BUTTON_VALUE)
            if "url" in element:
                self.string(element["url"], f"{pointer}/url", max_len=MAX_URL_LENGTH)
            if "style" in element and element["style"] not in {"primary", "danger"}:
                self.error("must be one of primary, danger", f"{pointer}/style")
        elif kind == "image":
            self.image_source(element, pointer)
            self.string(element.get("alt_text"), f"{pointer}/alt_text", max_len=2000)
        elif kind in _SELECTS_WITH_OPTIONS:
            if "option_groups" in element:
                groups = element["option_groups"]
                if not isinstance(groups, list):
                    self.error("must be an array", f"{pointer}/option_groups")
                else:
                    for index, group in enumerate(groups):
                        group_pointer = f"{pointer}/option_groups/{index}"
                        if not isinstance(group, dict):
                            self.error("must provide an object", group_pointer)
                            continue
                        self.options(
                            group.get("options"),
                            f"{group_pointer}/options",
                            minimum=1,
                            maximum=MAX_SELECT_OPTIONS,
                            plain_only=True,
                        )
            else:
                self.options(
                    element.get("options"),
                    f"{pointer}/options",
                    minimum=1,
                    maximum=MAX_SELECT_OPTIONS,
                    plain_only=True,
                )
        elif kind == "overflow":
            self.options(
                element.get("options"),
                f"{pointer}/options",
                minimum=2,
                maximum=5,
                plain_only=True,
            )
        elif kind in _CHOICES:
            self.options(
                element.get("options"),
                f"{pointer}/options",
                minimum=1,
                maximum=10,
                plain_only=False,
            )
        elif kind == "plain_text_input":
            max_length = element.get("max_length")
            if max_length is not None and (
                not isinstance(max_length, int) or not 1 <= max_length <= 3000
            ):
                self.error("must be between 1 and 3000", f"{pointer}/max_length")

    def image_source(self, obj: JSON, pointer: str) -> None:
        if "image_url" in obj:
            self.string(obj["image_url"], f"{pointer}/image_url", max_len=MAX_URL_LENGTH)
        elif "slack_file" not in obj:
            self.error("must provide image_url or slack_file", pointer)

    def blocks(self, blocks: Any, pointer: str, *, max_blocks: int) -> None:
        if not isinstance(blocks, list):
            self.error("must be an array", pointer)
            return
        if len(blocks) > max_blocks:
            self.error(f"no more than {max_blocks} items allowed", pointer)
        seen_ids: set[str] = set()
        for index, block in enumerate(blocks):
            self.block(block, f"{pointer}/{index}", seen_ids)

    def block(self, block: Any, pointer: str, seen_ids: set[str]) -> None:
        if not isinstance(block, dict):
            self.error("must provide an object", pointer)
            return
        kind = block.get("type")
        if kind not in KNOWN_BLOCK_TYPES:
            self.error(f'unsupported block type "{kind}"', f"{pointer}/type")
            return
        self.identifier(block, "block_id", pointer)
        block_id = block.get("block_id")
        if isinstance(block_id, str):
            if block_id in seen_ids:
                self.error("block_id must be unique within the blocks", f"{pointer}/block_id")
            seen_ids.add(block_id)
        if kind == "section":
            if "text" not in block and "fields" not in block:
                self.error("must provide text or fields", pointer)
            self.text(
                block.get("text"), f"{pointer}/text", max_len=MAX_SECTION_TEXT, required=False
            )
            if "fields" in block:
                fields = block["fields"]
                if not isinstance(fields, list):
                    self.error("must be an array", f"{pointer}/fields")
                else:
                    if len(fields) > MAX_SECTION_FIELDS:
                        self.error(
                            f"no more than {MAX_SECTION_FIELDS} items allowed", f"{pointer}/fields"
                        )
                    for index, item in enumerate(fields):
                        self.text(item, f"{pointer}/fields/{index}", max_len=MAX_SECTION_FIELD)
            if "accessory" in block:
                self.element(block["accessory"], f"{pointer}/accessory", _ACCESSORY_ELEMENTS)
        elif kind == "header":
            self.text(
                block.get("text"), f"{pointer}/text", max_len=MAX_HEADER_TEXT, plain_only=True
            )
        elif kind == "actions":
            self.element_list(block, pointer, MAX_ACTIONS_ELEMENTS, _ACTIONS_ELEMENTS)
        elif kind == "context":
            elements = self.element_list_shape(
                block.get("elements"), f"{pointer}/elements", MAX_CONTEXT_ELEMENTS
            )
            for index, element in enumerate(elements):
                element_pointer = f"{pointer}/elements/{index}"
                if isinstance(element, dict) and element.get("type") == "image":
                    self.image_source(element, element_pointer)
                    self.string(
                        element.get("alt_text"), f"{element_pointer}/alt_text", max_len=2000
                    )
                else:
                    self.text(element, element_pointer, max_len=MAX_SECTION_TEXT)
        elif kind == "input":
            self.text(
                block.get("label"), f"{pointer}/label", max_len=MAX_INPUT_LABEL, plain_only=True
            )
            self.text(
                block.get("hint"),
                f"{pointer}/hint",
                max_len=MAX_INPUT_LABEL,
                plain_only=True,
                required=False,
            )
            if "element" not in block:
                self.error("missing required field", f"{pointer}/element")
            else:
                self.element(block["element"], f"{pointer}/element", _INPUT_ELEMENTS)
        elif kind == "image":
            self.image_source(block, pointer)
            self.string(block.get("alt_text"), f"{pointer}/alt_text", max_len=2000)
            self.text(
                block.get("title"),
                f"{pointer}/title",
                max_len=2000,
                plain_only=True,
                required=False,
            )
        elif kind == "rich_text" and not isinstance(block.get("elements"), list):
            self.error("must be an array", f"{pointer}/elements")

    def element_list_shape(self, elements: Any, pointer: str, maximum: int) -> list[Any]:
        """Check an ``elements`` array's size; return it (empty when not an array)."""
        if not isinstance(elements, list):
            self.error("must be an array", pointer)
            return []
        if not elements:
            self.error("must provide at least 1 items", pointer)
        if len(elements) > maximum:
            self.error(f"no more than {maximum} items allowed", pointer)
        return elements

    def element_list(
        self, block: JSON, pointer: str, maximum: int, allowed: frozenset[str]
    ) -> None:
        elements = self.element_list_shape(block.get("elements"), f"{pointer}/elements", maximum)
        for index, element in enumerate(elements):
            self.element(element, f"{pointer}/elements/{index}", allowed)


def validate_blocks(
    blocks: Any, *, max_blocks: int = MAX_MESSAGE_BLOCKS, pointer: str = "/blocks"
) -> list[str]:
    """Validate Block Kit ``blocks``; return Slack-style errors (empty when valid)."""
    validator = _BlockKitValidator()
    validator.blocks(blocks, pointer, max_blocks=max_blocks)
    return validator.errors


def validate_view(view: Any) -> list[str]:
    """Validate a modal/home ``view`` object; return Slack-style errors (empty when valid)."""
    validator = _BlockKitValidator()
    if not isinstance(view, dict):
        validator.error("must provide an object", "/view")
        return validator.errors
    kind = view.get("type")
    if kind not in {"modal", "home"}:
        validator.error("must be one of modal, home", "/view/type")
    if kind == "modal":
        validator.text(view.get("title"), "/view/title", max_len=MAX_VIEW_TITLE, plain_only=True)
        for key in ("submit", "close"):
            validator.text(
                view.get(key),
                f"/view/{key}",
                max_len=MAX_VIEW_TITLE,
                plain_only=True,
                required=False,
            )
        blocks = view.get("blocks")
        has_inputs = isinstance(blocks, list) and any(
            isinstance(block, dict) and block.get("type") == "input" for block in blocks
        )
        if has_inputs and view.get("submit") is None:
            validator.error("must provide submit when the view has input blocks", "/view/submit")
    if "callback_id" in view:
        validator.string(view["callback_id"], "/view/callback_id", max_len=MAX_ID_LENGTH)
    if "external_id" in view:
        validator.string(view["external_id"], "/view/external_id", max_len=MAX_ID_LENGTH)
    metadata = view.get("private_metadata")
    if metadata is not None and (
        not isinstance(metadata, str) or len(metadata) > MAX_PRIVATE_METADATA
    ):
        validator.error(
            f"must be less than {MAX_PRIVATE_METADATA + 1} characters", "/view/private_metadata"
        )
    validator.blocks(view.get("blocks"), "/view/blocks", max_blocks=MAX_VIEW_BLOCKS)
    return validator.errors


# ---------------------------------------------------------------------------- data types


class _SlackError(Exception):
    """An ``ok: false`` answer (HTTP ``status``, default 200) with optional extra fields."""

    def __init__(
        self,
        error: str,
        *,
        status: int = 200,
        extra: JSON | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(error)
        self.error = error
        self.status = status
        self.extra = extra or {}
        self.headers = headers or {}

    def body(self) -> JSON:
        return {"ok": False, "error": self.error, **self.extra}


def _invalid_arguments(*messages: str) -> _SlackError:
    return _SlackError(
        "invalid_arguments",
        extra={"response_metadata": {"messages": [f"[ERROR] {m}" for m in messages]}},
    )


def _ratelimited(retry_after: int) -> _SlackError:
    return _SlackError("ratelimited", status=429, headers={"Retry-After": str(max(0, retry_after))})


_PROXY_502_PAGE = (
    "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
    "<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n"
    "</body>\r\n</html>\r\n"
)


@dataclass(frozen=True)
class _RawAnswer:
    """A non-JSON answer queued with :meth:`FakeSlackAPI.answer_next_raw`."""

    status: int
    body: str
    content_type: str


def rate_limited(retry_after: int = 0) -> InjectedFailure:
    """A step of :meth:`FakeSlackAPI.script`: HTTP 429 ``ratelimited`` with ``Retry-After``."""
    return InjectedFailure(429, retry_after)


def proxy_page(status: int = 502) -> _RawAnswer:
    """A step of :meth:`FakeSlackAPI.script`: a proxy's HTML error page (nginx 502)."""
    return _RawAnswer(status, _PROXY_502_PAGE, "text/html")


@dataclass
class SlackLimits:
    """Rate limits enforced by :meth:`FakeSlackAPI.enforce_limits`."""

    per_channel_per_second: int = 1
    methods: frozenset[str] = frozenset({"chat.postMessage"})


Handler = Callable[[JSON], Awaitable[JSON]]


# ---------------------------------------------------------------------------- the fake


class FakeSlackAPI(FakeAPIServer):
    """Fake Slack Web API server (see the module docstring).

    State the tests can inspect:

    * ``calls`` / ``calls_to()`` / ``wait_for()`` / ``rejected_429`` — the call log
      (POSTs to a :meth:`response_url` are recorded as method ``"response_url"``, file
      bytes sent to an ``upload_url`` of files.getUploadURLExternal as ``"upload_url"``);
    * ``messages[(channel, ts)]`` — bot messages, current state (``chat.update`` edits);
    * ``ephemerals`` — ephemeral messages; ``deleted_messages`` — deleted ``(channel, ts)``;
    * ``views`` — modals opened/pushed (current state); ``home_views[user_id]``;
    * ``users[user_id]`` (seed with :meth:`add_user`); ``files[file_id]`` — uploads;
    * ``tokens_used`` — ``(method, token)`` of every Web API call, in order;
    * ``installations[token]`` — workspaces installed over OAuth (:meth:`approve_install`
      then ``oauth.v2.access``); ``auth.test`` answers for the token's workspace.
    """

    def __init__(
        self,
        *,
        team_id: str = "T0001",
        team_name: str = "Test Team",
        team_domain: str = "test",
        bot_user_id: str = "UBOT",
        bot_id: str = "B0001",
        app_id: str = "A0001",
        host: str = "127.0.0.1",
    ) -> None:
        """Create the fake for one workspace with one bot user."""
        super().__init__(host=host)
        self.team_id = team_id
        self.team_name = team_name
        self.team_domain = team_domain
        self.bot_user_id = bot_user_id
        self.bot_id = bot_id
        self.app_id = app_id

        self.messages: dict[tuple[str, str], JSON] = {}
        self.ephemerals: list[JSON] = []
        self.deleted_messages: list[tuple[str, str]] = []
        self.views: list[JSON] = []
        self.home_views: dict[str, JSON] = {}
        self.users: dict[str, JSON] = {}
        self.files: dict[str, JSON] = {}
        self.file_contents: dict[str, bytes] = {}
        self.open_dms: set[str] = set()
        self.pins: dict[str, list[str]] = {}  # channel -> pinned message ts, oldest first

        self._ts_counter = itertools.count(1)
        self._view_counter = itertools.count(1)
        self._file_counter = itertools.count(1)
        self._limits: SlackLimits | None = None
        self._sent_channel: dict[str, deque[float]] = {}
        self._pending_uploads: dict[str, JSON] = {}
        self.tokens_used: list[tuple[str, str | None]] = []
        self.installations: dict[str, JSON] = {}
        self.oauth_client: tuple[str, str] | None = None
        self._oauth_codes: dict[str, JSON] = {}
        self._install_counter = itertools.count(1)
        self._current_token: str | None = None
        self._raw_answers: dict[str, deque[_RawAnswer]] = {}
        self._scripts: dict[str, deque[InjectedFailure | _RawAnswer]] = {}

        self.add_user(bot_user_id, name="brygada", real_name="Brygada", email=None, is_bot=True)
        self._methods: dict[str, Handler] = {
            "auth.test": self._auth_test,
            "chat.postMessage": self._chat_post_message,
            "chat.update": self._chat_update,
            "chat.postEphemeral": self._chat_post_ephemeral,
            "chat.delete": self._chat_delete,
            "chat.getPermalink": self._chat_get_permalink,
            "views.open": self._views_open,
            "views.push": self._views_push,
            "views.update": self._views_update,
            "views.publish": self._views_publish,
            "conversations.open": self._conversations_open,
            "users.info": self._users_info,
            "users.lookupByEmail": self._users_lookup_by_email,
            "team.info": self._team_info,
            "files.getUploadURLExternal": self._files_get_upload_url_external,
            "files.completeUploadExternal": self._files_complete_upload_external,
            "pins.add": self._pins_add,
            "pins.list": self._pins_list,
            "pins.remove": self._pins_remove,
        }

    # ------------------------------------------------------------------ configuration

    def add_user(
        self,
        user_id: str,
        *,
        email: str | None = None,
        name: str | None = None,
        real_name: str | None = None,
        tz: str = "Europe/Warsaw",
        locale: str = "en-US",
        is_bot: bool = False,
        is_admin: bool = False,
        deleted: bool = False,
        email_confirmed: bool = True,
    ) -> JSON:
        """Seed a workspace member for users.info / users.lookupByEmail; returns it."""
        handle = name or user_id.lower()
        record: JSON = {
            "id": user_id,
            "name": handle,
            "real_name": real_name or handle.replace(".", " ").title(),
            "email": email if email is not None else (None if is_bot else f"{handle}@example.com"),
            "tz": tz,
            "locale": locale,
            "is_bot": is_bot,
            "is_admin": is_admin,
            "deleted": deleted,
            "is_email_confirmed": email_confirmed and not is_bot,
        }
        self.users[user_id] = record
        return record

    def configure_oauth(self, client_id: str, client_secret: str) -> None:
        """The app's credentials: oauth.v2.access refuses any others."""
        self.oauth_client = (client_id, client_secret)

    def approve_install(
        self,
        *,
        team_id: str,
        team_name: str = "Second Team",
        installer: str = "U0INSTALLER",
        scope: str = "chat:write,commands,im:history,im:write,users:read,users:read.email",
    ) -> str:
        """What Slack's authorize page does when the installer clicks Allow: a one-time
        code for oauth.v2.access (returned); the workspace gets its own bot token."""
        n = next(self._install_counter)
        code = f"code-{team_id}-{n}"
        self._oauth_codes[code] = {
            "team": {"id": team_id, "name": team_name},
            "installer": installer,
            "scope": scope,
            "token": f"xoxb-{team_id}-{n:04d}-fake",
            "bot_user_id": f"UBOT{team_id}",
            "bot_id": f"B{team_id}",
        }
        return code

    def tokens_of(self, method: str) -> list[str | None]:
        """The tokens ``method`` was called with, in order."""
        return [token for name, token in self.tokens_used if name == method]

    def fail_next(
        self,
        method: str,
        *,
        status: int = 429,
        retry_after: int = 1,
        times: int = 1,
        error: str | None = None,
    ) -> None:
        """Answer the next ``times`` calls of ``method`` (``"*"``: any) with a failure.

        ``error="channel_not_found"`` -> HTTP 200 ``{"ok": false, "error": ...}``;
        otherwise ``status`` 429 -> ``Retry-After: retry_after`` + ``ratelimited``,
        5xx -> that status with an ``ok: false`` body.
        """
        self._queue_failure(method, InjectedFailure(status, retry_after, error), times)

    def answer_next_raw(
        self,
        method: str,
        *,
        status: int = 502,
        body: str = _PROXY_502_PAGE,
        content_type: str = "text/html",
        times: int = 1,
    ) -> None:
        """Answer the next ``times`` calls of ``method`` (``"*"``: any) with a body that is
        not Slack's JSON, as a proxy or load balancer in front of Slack does: by default
        nginx's HTML "502 Bad Gateway" page; ``content_type="text/plain"`` and
        ``status=405`` give aiohttp's plain "405: Method Not Allowed"."""
        if times < 1:
            raise ValueError("times must be >= 1")
        queue = self._raw_answers.setdefault(method, deque())
        queue.extend([_RawAnswer(status, body, content_type)] * times)

    def script(self, method: str, *steps: InjectedFailure | _RawAnswer) -> None:
        """Answer the next calls of ``method`` with ``steps`` in this order, e.g.
        ``script("chat.postMessage", *[rate_limited()] * 5, *[proxy_page()] * 3)``; the
        steps come before anything queued with ``fail_next`` or ``answer_next_raw``."""
        self._scripts.setdefault(method, deque()).extend(steps)

    def enforce_limits(
        self,
        per_channel_per_second: int = 1,
        *,
        methods: Iterable[str] = ("chat.postMessage",),
    ) -> None:
        """Answer 429 + Retry-After when more than ``per_channel_per_second`` messages are
        posted to one channel within a sliding second (Slack's chat.postMessage limit)."""
        self._limits = SlackLimits(per_channel_per_second, frozenset(methods))

    def disable_limits(self) -> None:
        """Stop enforcing rate limits."""
        self._limits = None

    def response_url(self, key: str = "default") -> str:
        """A ``response_url`` served by the fake; POSTs to it are recorded as
        ``Call(method="response_url", params={"key": key, **json_body})``."""
        return f"{self.base_url}/response/{key}"

    # ------------------------------------------------------------------ inspection

    def sent_texts(self, channel: str | None = None) -> list[str]:
        """``text`` of successful chat.postMessage calls, optionally for one channel."""
        return [
            str(call.params.get("text") or "")
            for call in self.calls_to("chat.postMessage")
            if call.ok and (channel is None or call.response["channel"] == channel)
        ]

    def last_message(self, channel: str) -> JSON | None:
        """The newest bot message still present in ``channel`` (current state) or None."""
        timestamps = [ts for (ch, ts) in self.messages if ch == channel]
        if not timestamps:
            return None
        return self.messages[(channel, max(timestamps, key=float))]

    def view(self, view_id: str) -> JSON | None:
        """A modal or home view by id (current state) or None."""
        for view in self.views:
            if view["id"] == view_id:
                return view
        for view in self.home_views.values():
            if view["id"] == view_id:
                return view
        return None

    # ------------------------------------------------------------------ server plumbing

    def _build_app(self) -> web.Application:
        app = web.Application(client_max_size=100 * 1024 * 1024)
        app.router.add_route("*", "/api/{method}", self._handle_api)
        app.router.add_post("/upload/v1/{file_id}", self._handle_upload)
        app.router.add_post("/response/{key}", self._handle_response_url)
        return app

    async def _handle_api(self, request: web.Request) -> web.Response:
        arrived = self._now()
        method = request.match_info["method"]
        try:
            params = await _read_request_params(request)
        except ValueError:
            body = _SlackError("invalid_json").body()
            self._record(method, {}, body, status=200, arrived=arrived)
            return web.json_response(body)
        token = _bearer(request.headers.get("Authorization"))
        body_token = params.pop("token", None)
        token = token or (str(body_token) if body_token else None)
        self.tokens_used.append((method, token))
        scripted = self._scripts.get(method)
        step = scripted.popleft() if scripted else None
        if isinstance(step, InjectedFailure):
            failure = _failure_error(step)
            self._record(method, params, failure.body(), status=failure.status, arrived=arrived)
            return web.json_response(failure.body(), status=failure.status, headers=failure.headers)
        raw = step or self._take_raw_answer(method)
        if raw is not None:
            self._record(method, params, {"raw": raw.body}, status=raw.status, arrived=arrived)
            return web.Response(status=raw.status, text=raw.body, content_type=raw.content_type)
        headers: dict[str, str] = {}
        try:
            if method == "oauth.v2.access":  # the app's credentials, not a token
                body = await self._oauth_v2_access(params, request.headers.get("Authorization"))
            else:
                body = await self._execute(method, params, token)
            status = 200
        except _SlackError as failure:
            status, body, headers = failure.status, failure.body(), failure.headers
        self._record(method, params, body, status=status, arrived=arrived)
        return web.json_response(body, status=status, headers=headers)

    def _take_raw_answer(self, method: str) -> _RawAnswer | None:
        for key in (method, "*"):
            queue = self._raw_answers.get(key)
            if queue:
                return queue.popleft()
        return None

    async def _execute(self, method: str, params: JSON, token: str | None) -> JSON:
        handler = self._methods.get(method)
        if handler is None:
            raise _SlackError("unknown_method", status=404, extra={"req_method": method})
        if not token:
            raise _SlackError("not_authed")
        if not token.startswith(("xoxb-", "xoxp-")):
            raise _SlackError("invalid_auth")
        await self._apply_delay(method)
        failure = self._take_failure(method)
        if failure is not None:
            raise _failure_error(failure)
        limited_channel: str | None = None
        if self._limits is not None and method in self._limits.methods:
            limited_channel = self._channel_id(params.get("channel"))
            if limited_channel:
                retry_after = self._limit_retry_after(limited_channel, self._now())
                if retry_after is not None:
                    raise _ratelimited(retry_after)
        self._current_token = token  # read by handlers before their first await
        body = await handler(params)
        if limited_channel:
            self._sent_channel.setdefault(limited_channel, deque()).append(self._now())
        return {"ok": True, **body}

    async def _handle_upload(self, request: web.Request) -> web.Response:
        arrived = self._now()
        file_id = request.match_info["file_id"]
        pending = self._pending_uploads.get(file_id)
        if pending is None:
            return web.Response(status=404, text="not found", content_type="text/plain")
        if request.content_type == "multipart/form-data":
            data = b""
            reader = await request.multipart()
            while (part := await reader.next()) is not None:
                if isinstance(part, BodyPartReader):
                    data = bytes(await part.read())
                    break
        else:
            data = await request.read()
        self.file_contents[file_id] = data
        pending["uploaded"] = True
        self._record(
            "upload_url",
            {"file_id": file_id, "size": len(data)},
            {"ok": True},
            status=200,
            arrived=arrived,
        )
        return web.Response(text=f"OK - {len(data)}", content_type="text/plain")

    async def _handle_response_url(self, request: web.Request) -> web.Response:
        arrived = self._now()
        try:
            body = await request.json()
        except ValueError:
            body = {"text": await request.text()}
        params: JSON = {"key": request.match_info["key"]}
        if isinstance(body, dict):
            params.update(body)
        self._record("response_url", params, {"ok": True}, status=200, arrived=arrived)
        return web.Response(text="ok", content_type="text/html")

    def _limit_retry_after(self, channel: str, now: float) -> int | None:
        limits = self._limits
        if limits is None:
            return None
        window = self._sent_channel.setdefault(channel, deque())
        while window and window[0] <= now - 1.0:
            window.popleft()
        if len(window) < limits.per_channel_per_second:
            return None
        return max(1, math.ceil(window[0] + 1.0 - now))

    # ------------------------------------------------------------------ helpers

    def _next_ts(self) -> str:
        value = 1_700_000_000_000_000 + next(self._ts_counter) * 100
        return f"{value // 1_000_000}.{value % 1_000_000:06d}"

    @staticmethod
    def _channel_id(channel: Any) -> str | None:
        """Posting to a user id posts to the DM with the app (``D<user>``), like Slack."""
        if not isinstance(channel, str) or not channel:
            return None
        if channel[0] in "UW":
            return f"D{channel}"
        return channel

    def _require_channel(self, params: JSON, key: str = "channel") -> str:
        channel = self._channel_id(params.get(key))
        if channel is None:
            raise _SlackError("channel_not_found")
        return channel

    def _message_content(self, params: JSON, *, update: JSON | None = None) -> JSON:
        """Validate text/blocks/attachments; return the fields to store in the message."""
        content: JSON = {}
        if "blocks" in params and params["blocks"] is not None:
            blocks = params["blocks"]
            if isinstance(blocks, str) or not isinstance(blocks, list):
                raise _SlackError("invalid_blocks_format")
            errors = validate_blocks(blocks)
            if errors:
                raise _SlackError(
                    "invalid_blocks",
                    extra={
                        "errors": errors,
                        "response_metadata": {"messages": [f"[ERROR] {e}" for e in errors]},
                    },
                )
            content["blocks"] = blocks
        if "attachments" in params and params["attachments"] is not None:
            attachments = params["attachments"]
            if not isinstance(attachments, list):
                raise _SlackError("invalid_attachments")
            content["attachments"] = attachments
        if "text" in params and params["text"] is not None:
            text = str(params["text"])
            if len(text) > MAX_TEXT_LENGTH:
                raise _SlackError("msg_too_long")
            content["text"] = text
        merged = {**(update or {}), **content}
        if not merged.get("text") and not merged.get("blocks") and not merged.get("attachments"):
            raise _SlackError("no_text")
        return content

    def _bot_message(self, ts: str, content: JSON) -> JSON:
        message: JSON = {
            "type": "message",
            "user": self.bot_user_id,
            "bot_id": self.bot_id,
            "app_id": self.app_id,
            "team": self.team_id,
            "ts": ts,
            "text": content.get("text", ""),
        }
        message.update({k: v for k, v in content.items() if k != "text"})
        return message

    def _user_json(self, record: JSON, *, include_locale: bool) -> JSON:
        try:
            zone = ZoneInfo(record["tz"])
            now = datetime.now(zone)
            delta = now.utcoffset()
            offset = int(delta.total_seconds()) if delta is not None else 0
            label = now.tzname() or record["tz"]
        except ZoneInfoNotFoundError:
            offset, label = 0, record["tz"]
        profile: JSON = {
            "real_name": record["real_name"],
            "real_name_normalized": record["real_name"],
            "display_name": record["name"],
            "display_name_normalized": record["name"],
            "team": self.team_id,
        }
        if record["email"]:
            profile["email"] = record["email"]
        if record["is_bot"]:
            profile["bot_id"] = self.bot_id
        user: JSON = {
            "id": record["id"],
            "team_id": self.team_id,
            "name": record["name"],
            "deleted": record["deleted"],
            "real_name": record["real_name"],
            "tz": record["tz"],
            "tz_label": label,
            "tz_offset": offset,
            "profile": profile,
            "is_admin": record["is_admin"],
            "is_owner": False,
            "is_bot": record["is_bot"],
            "is_app_user": False,
            "is_email_confirmed": record.get("is_email_confirmed", False),
            "updated": int(time.time()),
        }
        if include_locale:
            user["locale"] = record["locale"]
        return user

    def _view_object(self, view: JSON, view_id: str, *, previous: JSON | None = None) -> JSON:
        obj: JSON = {
            "id": view_id,
            "team_id": self.team_id,
            "type": view["type"],
            "blocks": copy.deepcopy(view.get("blocks", [])),
            "private_metadata": view.get("private_metadata", ""),
            "callback_id": view.get("callback_id", ""),
            "state": {"values": {}},
            "hash": f"{int(time.time())}.{next(self._view_counter):08x}",
            "clear_on_close": bool(view.get("clear_on_close", False)),
            "notify_on_close": bool(view.get("notify_on_close", False)),
            "previous_view_id": previous["id"] if previous else None,
            "root_view_id": previous["root_view_id"] if previous else view_id,
            "app_id": self.app_id,
            "external_id": view.get("external_id", ""),
            "app_installed_team_id": self.team_id,
            "bot_id": self.bot_id,
        }
        for key in ("title", "close", "submit"):
            obj[key] = copy.deepcopy(view.get(key))
        return obj

    def _new_view_id(self) -> str:
        return f"V{next(self._view_counter):010d}"

    @staticmethod
    def _view_param(params: JSON) -> JSON:
        view = params.get("view")
        if isinstance(view, str):
            try:
                view = json.loads(view)
            except ValueError:
                raise _invalid_arguments("invalid JSON [json-pointer:/view]") from None
        if view is None:
            raise _invalid_arguments("missing required field: view")
        errors = validate_view(view)
        if errors or not isinstance(view, dict):
            raise _invalid_arguments(*errors)
        return view

    # ------------------------------------------------------------------ methods

    async def _auth_test(self, params: JSON) -> JSON:
        installed = self.installations.get(self._current_token or "")
        if installed is not None:
            return {
                "url": f"https://{installed['team']['id'].lower()}.slack.com/",
                "team": installed["team"]["name"],
                "user": "brygada",
                "team_id": installed["team"]["id"],
                "user_id": installed["bot_user_id"],
                "bot_id": installed["bot_id"],
                "is_enterprise_install": False,
            }
        return {
            "url": f"https://{self.team_domain}.slack.com/",
            "team": self.team_name,
            "user": self.users[self.bot_user_id]["name"],
            "team_id": self.team_id,
            "user_id": self.bot_user_id,
            "bot_id": self.bot_id,
            "is_enterprise_install": False,
        }

    async def _oauth_v2_access(self, params: JSON, authorization: str | None) -> JSON:
        """Exchange an install's code for the workspace's bot token (HTTP Basic auth with
        client id and secret, as slack-sdk sends them, or form fields)."""
        client_id, client_secret = _basic(authorization) or (
            str(params.get("client_id") or ""),
            str(params.get("client_secret") or ""),
        )
        failure = self._take_failure("oauth.v2.access")
        if failure is not None:
            raise _failure_error(failure)
        if not client_id:
            raise _SlackError("invalid_client_id")
        if self.oauth_client is not None:
            if client_id != self.oauth_client[0]:
                raise _SlackError("invalid_client_id")
            if client_secret != self.oauth_client[1]:
                raise _SlackError("bad_client_secret")
        grant = self._oauth_codes.pop(str(params.get("code") or ""), None)
        if grant is None:
            raise _SlackError("invalid_code")
        self.installations[grant["token"]] = grant
        return {
            "ok": True,
            "app_id": self.app_id,
            "authed_user": {"id": grant["installer"]},
            "scope": grant["scope"],
            "token_type": "bot",
            "access_token": grant["token"],
            "bot_user_id": grant["bot_user_id"],
            "team": dict(grant["team"]),
            "enterprise": None,
            "is_enterprise_install": False,
        }

    async def _chat_post_message(self, params: JSON) -> JSON:
        channel = self._require_channel(params)
        content = {k: v for k, v in self._message_content(params).items() if v != []}
        ts = self._next_ts()
        thread_ts = params.get("thread_ts")
        if thread_ts:
            content["thread_ts"] = str(thread_ts)
            parent = self.messages.get((channel, str(thread_ts)))
            if parent is not None:
                parent.setdefault("thread_ts", parent["ts"])
                parent["reply_count"] = int(parent.get("reply_count", 0)) + 1
        if params.get("metadata"):
            content["metadata"] = params["metadata"]
        message = self._bot_message(ts, content)
        self.messages[(channel, ts)] = message
        return {"channel": channel, "ts": ts, "message": copy.deepcopy(message)}

    async def _chat_update(self, params: JSON) -> JSON:
        channel = self._require_channel(params)
        ts = str(params.get("ts") or "")
        message = self.messages.get((channel, ts))
        if message is None:
            raise _SlackError("message_not_found")
        content = self._message_content(params, update=message)
        message.update(content)
        for key in ("blocks", "attachments"):
            if key in content and not content[key]:
                message.pop(key)
        message["edited"] = {"user": self.bot_user_id, "ts": self._next_ts()}
        return {
            "channel": channel,
            "ts": ts,
            "text": message.get("text", ""),
            "message": copy.deepcopy(message),
        }

    async def _chat_post_ephemeral(self, params: JSON) -> JSON:
        channel = self._require_channel(params)
        user = params.get("user")
        if not user:
            raise _SlackError("user_not_found")
        content = self._message_content(params)
        ts = self._next_ts()
        self.ephemerals.append({"channel": channel, "user": user, "ts": ts, **content})
        return {"message_ts": ts}

    async def _chat_delete(self, params: JSON) -> JSON:
        channel = self._require_channel(params)
        ts = str(params.get("ts") or "")
        if self.messages.pop((channel, ts), None) is None:
            raise _SlackError("message_not_found")
        self.deleted_messages.append((channel, ts))
        return {"channel": channel, "ts": ts}

    async def _chat_get_permalink(self, params: JSON) -> JSON:
        channel = self._require_channel(params)
        ts = str(params.get("message_ts") or "")
        if not ts:
            raise _invalid_arguments("missing required field: message_ts")
        return {
            "channel": channel,
            "permalink": (
                f"https://{self.team_domain}.slack.com/archives/{channel}/p{ts.replace('.', '')}"
            ),
        }

    async def _views_open(self, params: JSON) -> JSON:
        if not params.get("trigger_id"):
            raise _invalid_arguments("missing required field: trigger_id")
        view = self._view_param(params)
        if view.get("type") != "modal":
            raise _invalid_arguments("must be modal [json-pointer:/view/type]")
        obj = self._view_object(view, self._new_view_id())
        self.views.append(obj)
        return {"view": copy.deepcopy(obj)}

    async def _views_push(self, params: JSON) -> JSON:
        if not params.get("trigger_id"):
            raise _invalid_arguments("missing required field: trigger_id")
        view = self._view_param(params)
        if view.get("type") != "modal":
            raise _invalid_arguments("must be modal [json-pointer:/view/type]")
        previous = self.views[-1] if self.views else None
        obj = self._view_object(view, self._new_view_id(), previous=previous)
        self.views.append(obj)
        return {"view": copy.deepcopy(obj)}

    async def _views_update(self, params: JSON) -> JSON:
        view_id = params.get("view_id")
        external_id = params.get("external_id")
        if not view_id and not external_id:
            raise _invalid_arguments("must provide view_id or external_id")
        current: JSON | None = None
        candidates = [*self.views, *self.home_views.values()]
        for candidate in candidates:
            if (view_id and candidate["id"] == view_id) or (
                external_id and candidate["external_id"] == external_id
            ):
                current = candidate
        if current is None:
            raise _SlackError("not_found")
        expected_hash = params.get("hash")
        if expected_hash and expected_hash != current["hash"]:
            raise _SlackError("hash_conflict")
        view = self._view_param(params)
        fresh = self._view_object(view, current["id"])
        fresh["previous_view_id"] = current["previous_view_id"]
        fresh["root_view_id"] = current["root_view_id"]
        current.clear()
        current.update(fresh)
        return {"view": copy.deepcopy(current)}

    async def _views_publish(self, params: JSON) -> JSON:
        user_id = params.get("user_id")
        if not user_id:
            raise _invalid_arguments("missing required field: user_id")
        view = self._view_param(params)
        if view.get("type") != "home":
            raise _invalid_arguments("must be home [json-pointer:/view/type]")
        current = self.home_views.get(str(user_id))
        expected_hash = params.get("hash")
        if current is not None and expected_hash and expected_hash != current["hash"]:
            raise _SlackError("hash_conflict")
        view_id = current["id"] if current is not None else self._new_view_id()
        obj = self._view_object(view, view_id)
        self.home_views[str(user_id)] = obj
        return {"view": copy.deepcopy(obj)}

    async def _conversations_open(self, params: JSON) -> JSON:
        channel = params.get("channel")
        users = [u for u in str(params.get("users") or "").split(",") if u]
        if channel:
            return {"channel": {"id": str(channel)}}
        if not users:
            raise _SlackError("users_list_not_supplied")
        if len(users) == 1:
            channel_id = f"D{users[0]}"
            info: JSON = {
                "id": channel_id,
                "created": int(time.time()),
                "is_im": True,
                "is_org_shared": False,
                "user": users[0],
                "is_user_deleted": False,
                "priority": 0,
            }
        else:
            channel_id = "G" + "".join(sorted(users))
            info = {"id": channel_id, "created": int(time.time()), "is_mpim": True}
        already_open = channel_id in self.open_dms
        self.open_dms.add(channel_id)
        result: JSON = {"channel": info if _truthy(params.get("return_im")) else {"id": channel_id}}
        if already_open:
            result.update({"no_op": True, "already_open": True})
        return result

    async def _users_info(self, params: JSON) -> JSON:
        record = self.users.get(str(params.get("user") or ""))
        if record is None:
            raise _SlackError("user_not_found")
        return {
            "user": self._user_json(record, include_locale=_truthy(params.get("include_locale")))
        }

    async def _users_lookup_by_email(self, params: JSON) -> JSON:
        email = str(params.get("email") or "").lower()
        for record in self.users.values():
            if record["email"] and record["email"].lower() == email:
                return {"user": self._user_json(record, include_locale=False)}
        raise _SlackError("users_not_found")

    async def _team_info(self, params: JSON) -> JSON:
        return {
            "team": {
                "id": self.team_id,
                "name": self.team_name,
                "url": f"https://{self.team_domain}.slack.com/",
                "domain": self.team_domain,
                "email_domain": "example.com",
                "icon": {"image_default": True},
                "is_verified": False,
            }
        }

    async def _files_get_upload_url_external(self, params: JSON) -> JSON:
        filename = params.get("filename")
        length = params.get("length")
        if not filename or length is None:
            raise _invalid_arguments("missing required field: filename or length")
        try:
            size = int(length)
        except (TypeError, ValueError):
            raise _invalid_arguments("length must be an integer") from None
        file_id = f"F{next(self._file_counter):010d}"
        self._pending_uploads[file_id] = {
            "filename": str(filename),
            "length": size,
            "alt_txt": params.get("alt_txt"),
            "snippet_type": params.get("snippet_type"),
            "uploaded": False,
        }
        return {"upload_url": f"{self.base_url}/upload/v1/{file_id}", "file_id": file_id}

    async def _files_complete_upload_external(self, params: JSON) -> JSON:
        files = params.get("files")
        if isinstance(files, str):
            try:
                files = json.loads(files)
            except ValueError:
                raise _invalid_arguments("invalid JSON [json-pointer:/files]") from None
        if not isinstance(files, list) or not files:
            raise _invalid_arguments("missing required field: files")
        channels = [c for c in str(params.get("channels") or "").split(",") if c]
        if params.get("channel_id"):
            channels.insert(0, str(params["channel_id"]))
        completed: list[JSON] = []
        for item in files:
            file_id = str(item.get("id", "")) if isinstance(item, dict) else ""
            pending = self._pending_uploads.get(file_id)
            if pending is None or not pending["uploaded"]:
                raise _SlackError("file_not_found")
            name = pending["filename"]
            data = self.file_contents.get(file_id, b"")
            mimetype = mimetypes.guess_type(name)[0] or "application/octet-stream"
            obj: JSON = {
                "id": file_id,
                "created": int(time.time()),
                "timestamp": int(time.time()),
                "name": name,
                "title": item.get("title") or name,
                "mimetype": mimetype,
                "filetype": name.rsplit(".", 1)[-1] if "." in name else "binary",
                "user": self.bot_user_id,
                "size": len(data),
                "url_private": f"https://files.slack.com/files-pri/{self.team_id}-{file_id}/{name}",
                "permalink": f"https://{self.team_domain}.slack.com/files/"
                f"{self.bot_user_id}/{file_id}/{name}",
                "channels": channels,
                "initial_comment": params.get("initial_comment"),
                "thread_ts": params.get("thread_ts"),
            }
            self.files[file_id] = obj
            del self._pending_uploads[file_id]
            completed.append(copy.deepcopy(obj))
        return {"files": completed}

    # -- pins (a deleted message loses its pin, as in Slack)

    def _pinned_message(self, params: JSON) -> tuple[str, str]:
        channel = self._require_channel(params)
        ts = str(params.get("timestamp") or "")
        if not ts:
            raise _SlackError("no_item_specified")
        if (channel, ts) not in self.messages:
            raise _SlackError("message_not_found")
        return channel, ts

    async def _pins_add(self, params: JSON) -> JSON:
        channel, ts = self._pinned_message(params)
        pinned = self.pins.setdefault(channel, [])
        if ts in pinned:
            raise _SlackError("already_pinned")
        pinned.append(ts)
        return {}

    async def _pins_remove(self, params: JSON) -> JSON:
        channel, ts = self._pinned_message(params)
        pinned = self.pins.get(channel, [])
        if ts not in pinned:
            raise _SlackError("no_pin")
        pinned.remove(ts)
        return {}

    async def _pins_list(self, params: JSON) -> JSON:
        channel = self._require_channel(params)
        items = [
            {
                "type": "message",
                "created": int(float(ts)),
                "created_by": self.bot_user_id,
                "channel": channel,
                "message": {
                    **copy.deepcopy(self.messages[(channel, ts)]),
                    "pinned_to": [channel],
                    "permalink": (
                        f"https://{self.team_domain}.slack.com/archives/{channel}"
                        f"/p{ts.replace('.', '')}"
                    ),
                },
            }
            for ts in reversed(self.pins.get(channel, []))
            if (channel, ts) in self.messages
        ]
        return {"items": items}


# ---------------------------------------------------------------------------- module helpers


def _failure_error(failure: InjectedFailure) -> _SlackError:
    if failure.message is not None:
        return _SlackError(failure.message)
    if failure.status == 429:
        return _ratelimited(failure.retry_after)
    error = _DEFAULT_ERROR_BY_STATUS.get(failure.status, f"http_{failure.status}")
    return _SlackError(error, status=failure.status)


def _truthy(value: Any) -> bool:
    if isinstance(value, str):
        return value.lower() in {"1", "true", "yes"}
    return bool(value)


def _basic(header: str | None) -> tuple[str, str] | None:
    if not header or not header.startswith("Basic "):
        return None
    try:
        user, _, password = base64.b64decode(header[6:]).decode().partition(":")
    except ValueError:
        return None
    return user, password


def _bearer(header: str | None) -> str | None:
    if header and header.lower().startswith("bearer "):
        return header[len("bearer ") :].strip() or None
    return None


def _decode(key: str, value: str) -> Any:
    if key in _JSON_PARAMS and value.startswith(("[", "{")):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


async def _read_request_params(request: web.Request) -> JSON:
    """Merge the query string with a JSON, form or multipart body.

    Raises ``ValueError`` for a body that is declared JSON but does not parse.
    """
    params: JSON = {key: _decode(key, value) for key, value in request.query.items()}
    if not request.body_exists:
        return params
    if request.content_type == "application/json":
        body = await request.json()
        if not isinstance(body, dict):
            raise ValueError("JSON body must be an object")
        params.update(body)
    else:
        form = await request.post()
        for key, value in form.items():
            if isinstance(value, str):
                params[key] = _decode(key, value)
            elif isinstance(value, web.FileField):
                params[key] = value.file.read()
            else:
                params[key] = bytes(value)
    return params
