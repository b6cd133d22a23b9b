"""Platform-neutral conversation types: what came in (Inbound) and what goes out (Reply)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

ChatType = Literal["private", "group"]


@dataclass(frozen=True)
class Attachment:
    """A file the user sent; ``ref`` is the platform's own id (Telegram file_id, Slack file id)."""

    kind: Literal["photo", "document"]
    ref: str
    name: str | None = None


@dataclass(frozen=True)
class SharedContact:
    """A contact card the user shared (Telegram): it becomes a lead."""

    name: str
    phone: str | None = None


@dataclass(frozen=True)
class Inbound:
    """One thing a user did: typed text, a command, or pressed a button.

    ``update_key`` identifies the platform update so that a redelivery is ignored.
    ``origin`` says where the text came from (a forwarded message's author, a link
    to a replied-to message, a Slack permalink) and ``quoted`` holds that message's
    text; both are kept on the task. ``forwarded_from`` names the author of a
    forwarded message ("" when they hide it).
    """

    platform: str
    workspace: str
    user_id: str
    chat_id: str
    user_name: str = ""
    username: str | None = None
    locale: str | None = None
    chat_type: ChatType = "private"
    text: str | None = None
    command: str | None = None
    args: str = ""
    action: str | None = None
    update_key: str | None = None
    message_ref: str | None = None
    origin: str | None = None
    quoted: str | None = None
    forwarded_from: str | None = None
    attachments: Sequence[Attachment] = ()
    contact: SharedContact | None = None


@dataclass(frozen=True)
class Button:
    """A button: a label key (handlers/labels.py) with format params, and a signed action token.

    A link button has a ``url`` instead of a token (opened by the platform, nothing comes
    back); ``web_app`` asks Telegram to open it as a Mini App (private chats only, where
    Telegram allows it; elsewhere it is an ordinary link)."""

    label: str
    token: str
    params: Mapping[str, Any] = field(default_factory=dict)
    url: str | None = None
    web_app: bool = False


Buttons = tuple[tuple[Button, ...], ...]


@dataclass(frozen=True)
class Reply:
    """A message to render with ``template`` in ``lang``.

    ``edit`` replaces the message whose button was pressed (cards change in place);
    ``ask`` marks a question whose answer is the user's next message (ForceReply);
    ``cancel`` is a question's Cancel button, apart from ``buttons`` because platforms
    show it their own way (Telegram cannot put it beside a ForceReply; a Slack modal has
    its own Close);
    ``alert`` is a short notice shown on the pressed button (a refusal, a toast);
    ``to_member`` sends it to another member instead of the current chat;
    ``slot`` names a status card a chat keeps one of (``"timer"``): the adapter replaces
    its previous card of that slot in the chat instead of adding a message (Telegram: the
    pinned message; Slack: the pinned message of the DM) — see ``SLOT_MARKS``.
    """

    template: str
    context: Mapping[str, Any]
    lang: str
    buttons: Buttons = ()
    edit: bool = False
    ask: bool = False
    alert: bool = False
    to_member: int | None = None
    image: bytes | None = None
    file: tuple[str, bytes] | None = None
    slot: str | None = None
    cancel: Button | None = None


# A slot card's text begins with its mark: an adapter keeps no state, so this is how it
# tells its previous card among the chat's pinned messages (with "sent by the bot").
SLOT_MARKS: Mapping[str, str] = {"timer": "⏱"}
