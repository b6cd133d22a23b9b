"""Modals: Block Kit builders, their private metadata, and typed reads of their state.

Two modals, each with one multiline input:

* ``brygada_answer`` — a conversation question (Done's result, 👎's reason, Return's
  reason, a comment) asked after a button press. Its private metadata remembers the
  channel and ``ts`` of the pressed card so the answer's replies update that card.
* ``brygada_new_task`` — the "Create task from message" shortcut: the message text,
  editable, and where the message is (channel and ``ts``; the permalink is asked for
  on submit, so nothing slow happens before ``views.open``).

The chrome of a modal (title, Send/Cancel, the input label) is the adapter's own and
comes from labels.toml ([slack]); the question itself is the conversation's rendered reply.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from bots.slack.blocks import Block, section, split_mrkdwn
from domain.capture import parse_task
from domain.company import LANGUAGES
from handlers.rendering import Rendered, label

ANSWER_VIEW = "brygada_answer"
NEW_TASK_VIEW = "brygada_new_task"
ANSWER_BLOCK, ANSWER_INPUT = "answer", "text"
TASK_BLOCK, TASK_INPUT = "task", "text"

MAX_VIEW_TITLE = 24
MAX_INPUT_VALUE = 3000
MAX_MODAL_SECTIONS = 10

View = dict[str, Any]


def chrome(lang: str | None, key: str) -> str:
    """The adapter's own words (modal titles, buttons), from labels.toml."""
    return label(language_of(lang), f"slack.{key}")


def language_of(locale: str | None) -> str:
    """Slack's ``en-US`` -> ``en`` when the adapter has words for it."""
    lang = (locale or "en").split("-")[0].lower()
    return lang if lang in LANGUAGES else "en"


# -- private metadata ---------------------------------------------------------------------


@dataclass(frozen=True)
class ModalContext:
    """What a modal remembers: a message (the pressed card, or the message a shortcut
    was used on) as channel and ``ts``, and the language of the modal's words."""

    channel: str | None
    message_ts: str | None
    lang: str

    def dump(self) -> str:
        return json.dumps({"c": self.channel, "ts": self.message_ts, "l": self.lang})

    @classmethod
    def load(cls, metadata: str | None) -> ModalContext:
        data = _json_object(metadata)
        return cls(
            channel=_str_or_none(data.get("c")),
            message_ts=_str_or_none(data.get("ts")),
            lang=language_of(str(data.get("l") or "en")),
        )


def _json_object(metadata: str | None) -> dict[str, Any]:
    try:
        data = json.loads(metadata or "{}")
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def _str_or_none(value: Any) -> str | None:
    return str(value) if value else None


# -- builders -----------------------------------------------------------------------------


def answer_modal(question: Rendered, context: ModalContext) -> View:
    """The question as the modal's text, one multiline input for the answer."""
    lang = context.lang
    blocks: list[Block] = [section(c) for c in split_mrkdwn(question.text)][:MAX_MODAL_SECTIONS]
    blocks.append(_input(ANSWER_BLOCK, ANSWER_INPUT, chrome(lang, "answer_label")))
    return _modal(
        ANSWER_VIEW,
        chrome(lang, "answer_title"),
        chrome(lang, "submit"),
        lang,
        blocks,
        context.dump(),
    )


def new_task_modal(message_text: str, context: ModalContext) -> View:
    """The message text, editable, with the title the capture grammar sees in it."""
    lang = context.lang
    blocks: list[Block] = []
    title = title_preview(message_text)
    if title:
        blocks.append(section(f"*{chrome(lang, 'title_preview')}:* {_mrkdwn_escape(title)}"))
    blocks.append(
        _input(
            TASK_BLOCK,
            TASK_INPUT,
            chrome(lang, "task_label"),
            initial_value=message_text[:MAX_INPUT_VALUE],
            hint=chrome(lang, "task_hint"),
        )
    )
    return _modal(
        NEW_TASK_VIEW,
        chrome(lang, "task_title"),
        chrome(lang, "create"),
        lang,
        blocks,
        context.dump(),
    )


def title_preview(text: str) -> str:
    """The task title the text would get (a preview; the conversation parses it again
    with the member's zone and company, so only the title is shown, not a deadline)."""
    if not text.strip():
        return ""
    return parse_task(text, now=datetime.now(UTC), tz="UTC").title.strip()


def _modal(
    callback_id: str, title: str, submit: str, lang: str, blocks: list[Block], metadata: str
) -> View:
    return {
        "type": "modal",
        "callback_id": callback_id,
        "title": _plain(title, MAX_VIEW_TITLE),
        "submit": _plain(submit, MAX_VIEW_TITLE),
        "close": _plain(chrome(lang, "close"), MAX_VIEW_TITLE),
        "notify_on_close": callback_id == ANSWER_VIEW,
        "private_metadata": metadata,
        "blocks": blocks,
    }


def _input(
    block_id: str,
    action_id: str,
    label: str,
    *,
    initial_value: str | None = None,
    hint: str | None = None,
) -> Block:
    element: dict[str, Any] = {
        "type": "plain_text_input",
        "action_id": action_id,
        "multiline": True,
        "max_length": MAX_INPUT_VALUE,
    }
    if initial_value:
        element["initial_value"] = initial_value
    block: Block = {
        "type": "input",
        "block_id": block_id,
        "label": _plain(label, 2000),
        "element": element,
    }
    if hint:
        block["hint"] = _plain(hint, 2000)
    return block


def _plain(text: str, limit: int) -> dict[str, Any]:
    text = text if len(text) <= limit else text[: limit - 1] + "…"
    return {"type": "plain_text", "text": text, "emoji": True}


def _mrkdwn_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


# -- reading a submission -----------------------------------------------------------------


def input_value(view: Mapping[str, Any], block_id: str, action_id: str) -> str:
    """The stripped text of one ``plain_text_input`` of a submitted view ("" when absent)."""
    state = view.get("state")
    values = state.get("values") if isinstance(state, Mapping) else None
    block = values.get(block_id) if isinstance(values, Mapping) else None
    field = block.get(action_id) if isinstance(block, Mapping) else None
    value = field.get("value") if isinstance(field, Mapping) else None
    return value.strip() if isinstance(value, str) else ""


def empty_input_errors(block_id: str, lang: str) -> dict[str, str]:
    """The ``errors`` of ``response_action: errors`` for an empty required input."""
    return {block_id: chrome(lang, "empty")}
